"""The project as a user installs it: a wheel built from the source, in a fresh virtualenv."""

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.backends import MODEL_CACHE
from tests.conftest import ROOT, SEEDS
from tests.servers import clean_env

pytestmark = pytest.mark.slow

# What a source checkout holds beyond the source: never part of a build.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", ".index*", "test-output", "results", "work", "__pycache__", "*.egg-info"
)
ASK = """
import assistant, sys
from assistant import answer
reason = answer("Why is Russia engaging the Taliban?")
refusal = answer("What is the population of Kabul?")
print(assistant.__file__)
print(reason.refused, len(reason.citations), reason.text[:40])
print(refusal.refused, refusal.text[:40])
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding only the built wheel; its dependencies come from ours."""
    root = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, root / "source", ignore=NOT_SOURCE)
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist")],
        cwd=root / "source",
        check=True,
        capture_output=True,
    )
    (wheel,) = (root / "dist").glob("news_assistant-*.whl")
    venv.create(root / "venv", with_pip=True)
    python = root / "venv" / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The dependencies (torch, Chroma, the model's parts) come from this environment; its
    # editable install of the project does not, since this folder's .pth files are not read.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_installed_wheel_answers_and_refuses(installed: Path, seeds_settings, tmp_path: Path):
    env = clean_env(
        ASSISTANT_DOCS_DIR=str(SEEDS),
        ASSISTANT_DATA_DIR=str(seeds_settings.data_dir),
        ASSISTANT_LLM="local",
        ASSISTANT_MODEL_CACHE_DIR=str(MODEL_CACHE),
    )
    done = subprocess.run(
        [str(installed), "-c", ASK],
        cwd=tmp_path,  # nowhere near the source
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    location, reason, refusal = done.stdout.strip().splitlines()
    assert location.startswith(str(installed.parent.parent))
    assert reason.startswith("False ") and int(reason.split()[1]) >= 1
    assert refusal.startswith("True The indexed articles do not answer")
