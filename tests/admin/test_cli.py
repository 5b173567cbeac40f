"""`flask users ...` through the `runner` fixture."""

from __future__ import annotations

from tests.admin.conftest import login

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


PW = "una-password-lunga-1"


def _create(runner, name="mario", role="editor", password=PW):
    return runner.invoke(
        args=["users", "create", name, "--role", role, "--password-stdin"], input=password + "\n"
    )


def test_create_and_list(runner, accounts):
    result = _create(runner)
    assert result.exit_code == 0, result.output
    assert "created mario (editor)" in result.output
    _create(runner, "Anna", "admin")
    listed = runner.invoke(args=["users", "list"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split()[:2] == ["anna", "admin"] and lines[0].endswith("active")
    assert lines[1].split()[:2] == ["mario", "editor"]
    assert lines[-1] == "2 users"
    assert PW not in listed.output
    assert accounts.get("mario").role == "editor"


def test_create_prompts_twice(runner, accounts):
    result = runner.invoke(args=["users", "create", "mario"], input=f"{PW}\n{PW}\n")
    assert result.exit_code == 0, result.output
    assert accounts.get("mario").role == "editor"


def test_create_prompt_mismatch_asks_again(runner, accounts):
    result = runner.invoke(
        args=["users", "create", "mario"], input=f"{PW}\naltra-password-lunga\n{PW}\n{PW}\n"
    )
    assert result.exit_code == 0
    assert "do not match" in result.output


def test_duplicate_user(runner):
    _create(runner)
    result = _create(runner, "MARIO")
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_weak_password(runner, accounts):
    result = _create(runner, password="corta")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert accounts.find("mario") is None


def test_password_equal_to_username(runner):
    result = _create(runner, "mario.rossi.cremona", password="mario.rossi.cremona")
    assert result.exit_code == 1
    assert "username" in result.output


def test_unknown_role(runner, accounts):
    result = _create(runner, role="superuser")
    assert result.exit_code == 1
    assert "unknown role 'superuser'" in result.output
    assert accounts.find("mario") is None


def test_bad_username(runner):
    result = _create(runner, "../etc")
    assert result.exit_code == 1
    assert "invalid username" in result.output


def test_passwd(runner, client):
    _create(runner)
    new = "nuova-password-lunga"
    result = runner.invoke(args=["users", "passwd", "mario", "--password-stdin"], input=new + "\n")
    assert result.exit_code == 0, result.output
    assert login(client, "mario", PW).status_code == 401
    assert login(client, "mario", new).status_code == 302


def test_passwd_unknown_user(runner):
    result = runner.invoke(args=["users", "passwd", "nessuno", "--password-stdin"], input=PW)
    assert result.exit_code == 1
    assert "no user 'nessuno'" in result.output


def test_disable_and_enable(runner, client):
    _create(runner)
    result = runner.invoke(args=["users", "disable", "mario"])
    assert result.exit_code == 0 and "disabled mario" in result.output
    assert "disabled" in runner.invoke(args=["users", "list"]).output
    assert login(client, "mario", PW).status_code == 401
    assert runner.invoke(args=["users", "enable", "mario"]).exit_code == 0
    assert login(client, "mario", PW).status_code == 302


def test_disable_unknown_user(runner):
    result = runner.invoke(args=["users", "disable", "nessuno"])
    assert result.exit_code == 1
    assert "no user" in result.output


def test_database_is_private(runner, app_config):
    import os
    import stat

    _create(runner)
    mode = stat.S_IMODE(os.stat(app_config["ACCOUNTS"]).st_mode)
    assert mode == 0o600
