"""Safe defaults: the UI serves this machine only, unless sign-in or --insecure is given."""

import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client
from pydantic import SecretStr

from assistant.settings import Settings
from assistant.web.exposure import UnsafeExposure, exposure, is_loopback
from tests.conftest import make_settings
from tests.servers import assistant_command, assistant_env, serve

AUTH = "editor:correct horse:battery"  # a password may hold colons and spaces


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_need_nothing(host: str) -> None:
    assert is_loopback(host)
    assert exposure(host, 7860, None, insecure=False).auth is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "news.example.org"])
def test_other_addresses_are_refused_with_the_fix(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(UnsafeExposure) as refused:
        exposure(host, 7860, None, insecure=False)
    message = str(refused.value)
    assert "ASSISTANT_AUTH=user:password" in message and "--insecure" in message


def test_auth_or_insecure_opens_other_addresses_and_says_so() -> None:
    signed = exposure("0.0.0.0", 7860, SecretStr(AUTH), insecure=False)
    assert signed.auth == ("editor", "correct horse:battery")
    assert "sign-in required" in signed.notice and "TLS" in signed.notice
    open_ = exposure("0.0.0.0", 7860, None, insecure=True)
    assert open_.auth is None and open_.notice.startswith("WARNING") and "7860" in open_.notice


@pytest.mark.parametrize("value", ["editor", "editor:", ":secret", " :secret"])
def test_malformed_credentials_are_refused(value: str) -> None:
    with pytest.raises(UnsafeExposure, match="user:password"):
        exposure("127.0.0.1", 7860, SecretStr(value), insecure=False)


def test_auth_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_AUTH", AUTH)
    settings = Settings()
    assert settings.auth is not None and settings.auth.get_secret_value() == AUTH
    assert AUTH not in repr(settings)  # never printed with the settings


@pytest.mark.slow
def test_serve_refuses_a_public_address_before_loading_anything(tmp_path: Path) -> None:
    result = subprocess.run(
        assistant_command("serve", "--host", "0.0.0.0", "--port", "1"),
        cwd=tmp_path,
        env=assistant_env(tmp_path, tmp_path / "index"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Refusing to serve on 0.0.0.0" in result.stderr
    assert "ASSISTANT_AUTH=user:password" in result.stderr and "--insecure" in result.stderr


@pytest.mark.slow
def test_serve_with_auth_asks_for_sign_in(tmp_path: Path) -> None:
    with serve(tmp_path, tmp_path / "index", host="0.0.0.0", ASSISTANT_AUTH=AUTH) as served:
        assert "sign-in required (ASSISTANT_AUTH)" in served.printed()
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(served.url + "config", timeout=30)
        assert denied.value.code == 401
        client = Client(served.url, auth=("editor", "correct horse:battery"), verbose=False)
        assert "/ask" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


@pytest.mark.slow
def test_serve_insecure_warns_at_start_up(tmp_path: Path) -> None:
    with serve(tmp_path, tmp_path / "index", "--insecure", host="0.0.0.0") as served:
        assert "WARNING: listening on 0.0.0.0" in served.printed()
        assert "without sign-in (--insecure)" in served.printed()


@pytest.mark.slow
def test_uploads_over_the_size_limit_are_refused_before_they_are_stored(
    tmp_path: Path,
) -> None:
    import httpx

    from assistant.service import Assistant
    from assistant.web.ui import build_app, launch
    from tests.servers import free_port

    settings = make_settings(tmp_path / "docs", tmp_path / "index")
    app = build_app(Assistant(settings))
    running = launch(app, "127.0.0.1", free_port(), max_file_mb=0.01)
    url = running.url
    try:
        small = httpx.post(f"{url}gradio_api/upload", files={"files": ("a.txt", b"x" * 5000)})
        large = httpx.post(f"{url}gradio_api/upload", files={"files": ("b.txt", b"x" * 20000)})
    finally:
        running.close()
    assert small.status_code == 200
    assert large.status_code == 413
