"""Every connection to the serving database gives up: a server that accepts and never answers, a
lock held by another session, a statement that runs too long; and a run blocked in one still
stops on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing

import pytest
import sqlalchemy as sa

from ic_platform import cli
from ic_platform.api.queries import ScoreQueries
from ic_platform.serving import backup, store
from ic_platform_tests.conftest import postgres_url
from ic_platform_tests.serving.test_store import COMPANIES, DAYS, score_rows


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never sends a byte; yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for connection in held:
        connection.close()


def test_a_database_that_never_answers_fails_the_writer_and_restore_within_the_connect_timeout(
    silent_server, data_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("IC_DB_CONNECT_TIMEOUT_S", "1")
    db = store.engine(f"postgresql://postgres@127.0.0.1:{silent_server}/serving")
    for attempt in (lambda: store.migrate(db), lambda: store.bulk_connection(db)):  # SQLAlchemy's and ADBC's
        started = time.monotonic()
        with pytest.raises(Exception, match="timeout expired"):
            attempt()
        assert time.monotonic() - started < 5
    sqlite = store.engine()
    store.migrate(sqlite)
    backup.backup(sqlite, tmp_path / "b.serving.zip")
    monkeypatch.setenv("IC_SERVING_URL", f"postgresql://postgres@127.0.0.1:{silent_server}/serving")
    started = time.monotonic()
    assert cli.main(["serving", "restore", str(tmp_path / "b.serving.zip")]) == 1
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert err.startswith("error: a database failed: connection to server at") and "timeout expired" in err
    assert err.count("\n") == 1  # one line, no traceback


RUN_BLOCKED_IN_CONNECT = """
from datetime import date
import dagster as dg
from ic_platform.cli.termination import exit_after_grace_on_termination
from ic_platform.definitions import defs
from ic_platform.runner import materialize_window
exit_after_grace_on_termination(grace_s=2)
materialize_window(defs, date(2025, 1, 6), date(2025, 1, 6), dg.DagsterInstance.ephemeral(),
                   selection=([dg.AssetKey("serving_scores")], []))
"""


def test_a_run_blocked_on_a_silent_database_exits_after_the_grace_period_on_sigterm(silent_server, data_dir):
    environment = os.environ | {
        "IC_SERVING_URL": f"postgresql://postgres@127.0.0.1:{silent_server}/serving",
        "IC_DB_CONNECT_TIMEOUT_S": "300",  # blocked in libpq, where Dagster's SIGTERM handler cannot run
    }
    run = subprocess.Popen(
        [sys.executable, "-c", RUN_BLOCKED_IN_CONNECT], env=environment, stderr=subprocess.PIPE, text=True
    )
    assert run.stderr is not None
    for line in run.stderr:
        if "serving_scores" in line and "started" in line:
            break
    time.sleep(1)
    run.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    assert run.wait(timeout=30) == 143
    assert time.monotonic() - stopped < 6
    assert "stopped by SIGTERM: still blocked 2 s later" in run.stderr.read()


@pytest.mark.postgres
def test_postgresql_cancels_a_statement_and_a_lock_wait_past_their_timeouts(postgres_database, monkeypatch):
    monkeypatch.setenv("IC_DB_STATEMENT_TIMEOUT_S", "1")
    monkeypatch.setenv("IC_DB_LOCK_TIMEOUT_S", "1")
    db = store.engine(postgres_url(postgres_database))
    store.migrate(db)
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError, match="statement timeout"), db.connect() as connection:
        connection.execute(sa.text("SELECT pg_sleep(10)"))
    with closing(store.bulk_connection(db)) as bulk, closing(bulk.cursor()) as cursor:  # ADBC's connection too
        with pytest.raises(Exception, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(10)")
            cursor.fetchall()
    assert time.monotonic() - started < 6
    monkeypatch.setenv("IC_DB_STATEMENT_TIMEOUT_S", "30")
    holder = db.connect()
    holder.execute(sa.text("LOCK TABLE scores IN ACCESS EXCLUSIVE MODE"))  # another session holds the table
    started = time.monotonic()
    with pytest.raises(Exception, match="lock timeout"):
        store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    assert time.monotonic() - started < 4
    holder.rollback()
    holder.close()
    assert store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES) == 6
    db.dispose()


HOLD_THE_WRITE_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute(sys.argv[2] if len(sys.argv) > 2 else "BEGIN IMMEDIATE")
connection.execute("DELETE FROM scores")
print("locked", flush=True)
time.sleep(60)
"""


def test_sqlite_gives_up_waiting_for_another_writer_after_the_lock_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("IC_DB_LOCK_TIMEOUT_S", "1")
    db = store.engine(f"sqlite:///{tmp_path / 'serving.sqlite'}")
    store.migrate(db)
    # another process (SQLite's locks are per process) writing
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(tmp_path / "serving.sqlite")], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    started = time.monotonic()
    with pytest.raises(Exception, match="locked"):
        store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    assert 0.9 < time.monotonic() - started < 4
    holder.kill()
    holder.wait()
    assert store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES) == 6


def test_sqlite_readers_never_wait_for_the_writer(tmp_path, monkeypatch):
    monkeypatch.setenv("IC_DB_LOCK_TIMEOUT_S", "3")
    db = store.engine(f"sqlite:///{tmp_path / 'serving.sqlite'}")
    store.migrate(db)
    with db.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    # a writer in another process holds the database exclusively, in the middle of replacing it
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(tmp_path / "serving.sqlite"), "BEGIN EXCLUSIVE"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "locked\n"
    started = time.monotonic()
    assert store.window_rows(db).height == 6  # the rows as they were, at once
    assert ScoreQueries(db).latest_day() == DAYS[-1]
    assert time.monotonic() - started < 0.5
    writer.kill()
    writer.wait()
