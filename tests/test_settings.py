"""Settings come from ASSISTANT_* variables and .env files, and reject unknown keys."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("ASSISTANT_DOCS_DIR", str(tmp_path / "docs"))
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_CHROMA_PORT", "8123")
    monkeypatch.setenv("ASSISTANT_RETRIEVAL__TOP_K", "5")
    settings = Settings()
    assert settings.docs_dir == tmp_path / "docs"
    assert (settings.chroma_host, settings.chroma_port) == ("127.0.0.1", 8123)
    assert settings.retrieval.top_k == 5


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    (tmp_path / ".env").write_text("ASSISTANT_DATA_DIR=/srv/news-index\n")
    monkeypatch.chdir(tmp_path)
    assert Settings().data_dir == Path("/srv/news-index")


def test_defaults_are_the_project_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.docs_dir == Path("seeds") and settings.data_dir == Path(".index")
    assert settings.chroma_host is None and settings.server.host == "127.0.0.1"


def test_unknown_setting_is_rejected():
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)  # type: ignore[call-arg]


def test_a_retired_setting_still_starts_with_a_warning_naming_what_replaced_it(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("ASSISTANT_GENERATION__MIN_SUPPORT", "0.3")
    with pytest.warns(DeprecationWarning, match="ASSISTANT_ANSWER__MIN_SUPPORT"):
        settings = Settings()
    assert settings.answer.min_support == 0.37  # the one gate, unchanged by the old name
