import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ic_platform import cli
from ic_platform.api.app import create_app
from ic_platform.serving import store
from ic_platform_tests.api.conftest import DAYS
from ic_platform_tests.conftest import postgres_url
from ic_platform_tests.serving.test_store import COMPANIES, score_rows


@pytest.fixture
def reader(postgres_database):
    """A login role with no privileges of its own, dropped afterwards."""
    admin = store.engine(postgres_url(postgres_database))
    role = f"ic_reader_{uuid.uuid4().hex[:8]}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    yield role
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
        connection.execute(sa.text(f'DROP ROLE "{role}"'))
    admin.dispose()


def test_the_api_runs_on_a_role_that_may_only_read(postgres_database, reader, monkeypatch, capsys):
    owner_url = postgres_url(postgres_database)
    owner = store.engine(owner_url)
    store.migrate(owner)
    store.replace_window(owner, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    monkeypatch.setenv("IC_SERVING_URL", owner_url)
    assert cli.main(["serving", "grant-reader", reader]) == 0
    assert cli.main(["serving", "grant-reader", "no_such_role"]) == 2
    assert 'role "no_such_role" does not exist' in capsys.readouterr().err

    reader_url = postgres_url(postgres_database | {"user": reader, "password": ""})
    with TestClient(create_app(reader_url)) as client:
        for path in ("/health", "/", "/scores/AAA", "/api/scores/AAA", "/api/scores/AAA/history", "/api/scores/top"):
            assert client.get(path).status_code == 200, path
    as_reader = store.engine(reader_url)
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), as_reader.begin() as connection:
        connection.execute(store.scores.delete())
    with owner.begin() as connection:  # a table a later migration adds is readable too
        connection.execute(sa.text("CREATE TABLE later_table (x int)"))
    with as_reader.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM later_table")).scalar() == 0
    as_reader.dispose()
    owner.dispose()


def test_sqlite_has_no_roles_to_grant(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IC_SERVING_URL", f"sqlite:///{tmp_path / 'serving.sqlite'}")
    assert cli.main(["serving", "grant-reader", "api"]) == 2
    assert "sqlite has no database roles" in capsys.readouterr().err
