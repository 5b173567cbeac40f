"""No page allows inline scripts: folium's map script carries the response's nonce instead."""

import re

#: Values for the URL rules' variables, so that every GET rule can be requested.
VALUES = {
    "collection_id": "punti",
    "feature_id": "p1",
    "layer_id": "punti",
    "process_id": "cross-layer-query",
    "slug": "no-such-map",
    "z": "0",
    "x": "0",
    "y": "0",
    "version": "1",
    "package": "leaflet",
    "filename": "leaflet.js",
}


def _script_src(response) -> str:
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
        if part.strip()
    )
    return policy["script-src"]


def _urls(app) -> list[str]:
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(r"<(?:[^:<>]+:)?" + name + ">", VALUES.get(name, "x"), url)
        urls.add(url)
    return sorted(urls)


def test_no_page_allows_inline_scripts(client, app):
    urls = _urls(app)
    assert "/" in urls and "/workspace" in urls and "/embed/no-such-map" in urls
    html_pages = 0
    for url in urls:
        response = client.get(url)
        assert "'unsafe-inline'" not in _script_src(response), url
        if response.mimetype == "text/html" and response.status_code == 200:
            html_pages += 1
    assert html_pages >= 5


def test_inline_scripts_of_the_map_pages_carry_the_nonce(client):
    for url in ("/", "/workspace", "/?lang=en"):
        response = client.get(url)
        nonce = re.search(r"'nonce-([^']+)'", _script_src(response)).group(1)
        html = response.get_data(as_text=True)
        inline = [
            tag
            for tag in re.findall(r"<script\b[^>]*>", html)
            if "src=" not in tag and "application/json" not in tag
        ]
        assert inline, url  # folium's map script, at least
        assert all(f'nonce="{nonce}"' in tag for tag in inline), (url, inline)
