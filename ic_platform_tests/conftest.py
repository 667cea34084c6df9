"""Shared fixtures: an isolated data folder per test, a small demo universe, the real data folder,
a fresh PostgreSQL database."""

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
import pytest

from ic_platform import settings
from ic_platform.demo.generator import DemoOptions, generate

# the tests run on the embedded defaults, whatever the shell that starts them sets
for _variable in settings.VARIABLES:
    os.environ.pop(_variable, None)
# failing source steps are retried at once in tests (the definitions read this when they load)
os.environ["IC_SOURCE_RETRY_DELAY_S"] = "0"
# every test's partitions start on the calendar's first day and have no end, whatever demo the
# checkout holds: the definitions load with an empty data folder (each test sets its own)
os.environ["IC_PARTITIONS_START"] = "2010-01-04"
os.environ["IC_DATA_DIR"] = tempfile.mkdtemp(prefix="ic_platform_tests_")
atexit.register(shutil.rmtree, os.environ["IC_DATA_DIR"], ignore_errors=True)
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
    monkeypatch.setenv("IC_DATA_DIR", str(root))
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


POSTGRES_URL_ENV = "IC_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_database():
    """A fresh database on the test server, dropped afterwards; yields its connection parts."""
    url = urlparse(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    server = {
        "host": url.hostname,
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password or "",
    }
    try:
        admin = psycopg2.connect(dbname=url.path.lstrip("/") or "postgres", connect_timeout=5, **server)
    except psycopg2.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(
                f"PostgreSQL at {url.hostname}:{server['port']} does not answer and CI must run this test: {error}"
            )
        pytest.skip(f"no PostgreSQL server at {url.hostname}:{server['port']} (set {POSTGRES_URL_ENV}): {error}")
    admin.autocommit = True
    name = f"ic_platform_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server | {"dbname": name}
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def postgres_url(database: dict) -> str:
    """A SQLAlchemy-style URL of a `postgres_database`."""
    password = f":{database['password']}" if database["password"] else ""
    return f"postgresql://{database['user']}{password}@{database['host']}:{database['port']}/{database['dbname']}"


def pytest_collection_modifyitems(items):
    """A test that needs PostgreSQL belongs to the slow tier too (`pytest -m "not slow"` skips it)."""
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.slow)
