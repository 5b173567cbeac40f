"""Security headers, CSP, request size limit, session key, no stack traces."""

from __future__ import annotations

import io
import os
import stat

import pytest
from flask import render_template_string

from app import create_app
from app.admin.auth import ACCOUNTS_KEY
from app.security import basemap_source, load_or_create_secret, with_nonce
from app.settings import SettingsError, load_settings
from tests.admin.conftest import login
from tests.admin.probes import probe_bp

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(d.strip().split(" ", 1) for d in policy.split(";"))


@pytest.mark.parametrize(
    "path", ["/", "/api/collections", "/api/collections?f=html", "/admin/login", "/nope"]
)
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["img-src"] == "'self' data:"  # BASEMAP=none: no outside host at all
    for directive, value in csp.items():
        assert "http" not in value and "*" not in value, directive


def test_embed_pages_may_be_framed(client):
    response = client.get("/embed/anything")
    assert "X-Frame-Options" not in response.headers
    assert _csp(response)["frame-ancestors"] == "*"


def test_admin_policy_is_strict(client):
    response = client.get("/admin/login")
    assert _csp(response)["script-src"] == "'self'"
    assert response.headers["Cache-Control"] == "no-store"


def test_map_page_gives_folium_inline_scripts_a_nonce(client):
    script_src = _csp(client.get("/"))["script-src"]
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src


def test_pages_using_a_nonce_get_the_strict_policy(app):
    @app.get("/nonce-probe")
    def nonce_probe():
        return render_template_string(
            '<script nonce="{{ csp_nonce() }}">1</script>{{ "<script>2</script>"|with_nonce }}'
        )

    response = app.test_client().get("/nonce-probe")
    script_src = _csp(response)["script-src"]
    assert "'unsafe-inline'" not in script_src
    nonce = script_src.split("'nonce-")[1].rstrip("'")
    assert response.get_data(as_text=True).count(f'nonce="{nonce}"') == 2
    other = app.test_client().get("/nonce-probe")
    assert _csp(other)["script-src"] != script_src  # one nonce per response


def test_with_nonce_leaves_tagged_scripts_alone(app):
    with app.test_request_context():
        html = str(with_nonce('<script nonce="a">x</script><SCRIPT src="/s.js"></SCRIPT>'))
    assert html.startswith('<script nonce="a">')
    assert html.count("nonce=") == 2


def test_basemap_host_allowed_for_images(app_config):
    app_config.update(BASEMAP="xyz", BASEMAP_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    client = create_app(app_config).test_client()
    assert _csp(client.get("/"))["img-src"] == "'self' data: https://*.tile.example.org"


@pytest.mark.parametrize(
    "kind,url,expected",
    [
        ("xyz", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("wms", "http://sit.comune.cremona.it:8080/wms?", "http://sit.comune.cremona.it:8080"),
        ("xyz", "/tiles/{z}/{x}/{y}.png", None),
        ("none", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", None),
    ],
)
def test_basemap_source(kind, url, expected):
    assert basemap_source({"BASEMAP": kind, "BASEMAP_URL": url}) == expected


@pytest.mark.parametrize("url", ["ftp://x.example/{z}", "https://a.example;script-src */x"])
def test_basemap_source_refuses_odd_hosts(url):
    with pytest.raises(SettingsError):
        basemap_source({"BASEMAP": "xyz", "BASEMAP_URL": url})


def test_request_size_limit(app_config):
    app_config.update(MAX_UPLOAD_MB=1, MAX_PUBLIC_BODY_KB=64)
    app = create_app(app_config)
    client = app.test_client()

    def upload(size: int, path: str = "/admin/import"):
        body = {"csrf_token": "x", "file": (io.BytesIO(b"0" * size), "big.zip")}
        return client.post(path, data=body, content_type="multipart/form-data")

    # not logged in: the small public limit, even on an /admin form
    response = upload(128 << 10, "/admin/login")
    assert response.status_code == 413
    assert "limite di 64 KB" in response.get_data(as_text=True)
    # a logged-in SIT office user keeps the upload limit
    app.extensions[ACCOUNTS_KEY].create("mario", "una-password-lunga-1", "editor")
    assert login(client, "mario", "una-password-lunga-1").status_code == 302
    assert upload(512 << 10).status_code != 413
    response = upload(2 << 20)
    assert response.status_code == 413
    assert "limite di 1 MB" in response.get_data(as_text=True)


def test_no_stack_trace_in_responses(app_config, accounts):
    app = create_app(app_config)
    app.register_blueprint(probe_bp)
    accounts.create("mario", "una-password-lunga-1", "editor")
    client = app.test_client()
    login(client, "mario", "una-password-lunga-1")
    for response in (
        client.get("/admin/_probe/boom"),
        client.post("/admin/_probe/echo", data={"csrf_token": "bad"}),
        client.get("/admin/_probe/boom", headers={"Accept": "application/json"}),
    ):
        text = response.get_data(as_text=True)
        assert response.status_code in {400, 500}
        for leak in ("Traceback", "/work/", "RuntimeError", "secret.py", 'File "'):
            assert leak not in text


def test_session_key_file_is_made_once_and_private(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    key = load_or_create_secret(path)
    assert len(key) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_secret(path) == key
    assert not list(path.parent.glob(".*tmp"))


def test_app_persists_its_session_key(app_config, tmp_path):
    app_config["SECRET_KEY_FILE"] = str(tmp_path / "secret_key")
    first = create_app(app_config)
    assert create_app(app_config).secret_key == first.secret_key
    assert (tmp_path / "secret_key").read_text().strip() == first.secret_key


def test_session_key_from_environment(app_config, tmp_path):
    app_config["SECRET_KEY_FILE"] = str(tmp_path / "secret_key")
    app_config["SECRET_KEY"] = "k" * 40
    assert create_app(app_config).secret_key == "k" * 40
    assert not (tmp_path / "secret_key").exists()
    app_config["SECRET_KEY"] = "short"
    with pytest.raises(SettingsError, match="at least 32"):
        create_app(app_config)


def test_settings_from_environment():
    settings = load_settings(
        environ={"GEOPORTALE_INSECURE_COOKIES": "true", "GEOPORTALE_MAX_UPLOAD_MB": "50"}
    )
    assert settings["INSECURE_COOKIES"] is True and settings["MAX_UPLOAD_MB"] == 50
    assert settings["SECRET_KEY"] == ""  # never a committed default
