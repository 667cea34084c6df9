"""Shared fixtures: an isolated data folder per test, a small demo universe, the real data folder."""

import os
import shutil
from pathlib import Path

import pytest

from ic_platform import settings
from ic_platform.demo.generator import DemoOptions, generate

REAL_DATA = settings.PROJECT_ROOT.parent / "shared" / "data" / "real"
SMALL_DEMO = DemoOptions(companies=30, years=1, seed=11)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Path:
    """A 30-company, one-year demo universe, generated once per session."""
    out = tmp_path_factory.mktemp("small_demo") / "demo"
    generate(out, SMALL_DEMO)
    return out


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An empty `$IC_DATA_DIR` for one test."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    return root


@pytest.fixture
def demo_data_dir(data_dir, small_demo) -> Path:
    """`$IC_DATA_DIR` for one test, holding a copy of the small demo universe."""
    shutil.copytree(small_demo, data_dir / "demo")
    return data_dir


@pytest.fixture(scope="session")
def real_data() -> Path:
    """`../shared/data/real`; absent only outside CI, where its tests skip."""
    if not REAL_DATA.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{REAL_DATA} is missing: CI must run the real-data tests")
        pytest.skip(f"{REAL_DATA} is absent (real-data tests run where ../shared is present)")
    return REAL_DATA
