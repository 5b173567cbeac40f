"""The standalone map file allows exactly its own inline scripts, by hash, not any inline."""

import base64
import hashlib
import re
from html import unescape

from tests.maps.test_maps import create_map, exported


def test_standalone_policy_lists_the_hash_of_each_inline_script(admin_client_admin):
    assert create_map(admin_client_admin, basemap="none").status_code == 302
    html = exported(admin_client_admin)
    policy = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1])
    script_src = re.search(r"script-src ([^;]+);", policy)[1].split()
    assert "'unsafe-inline'" not in script_src
    bodies = [
        body
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        if "application/json" not in attrs
    ]
    assert len(bodies) >= 4  # Leaflet, the fetch shim, the shared helpers, geoportale.js, …
    for body in bodies:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
