import io
import json
import os
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from ic_platform import cli
from ic_platform.serving import backup, store
from ic_platform_tests.conftest import postgres_url
from ic_platform_tests.serving.test_store import COMPANIES, DAYS, score_rows


def test_a_backup_restores_every_row_into_either_backend(tmp_path, postgres_database):
    sqlite = store.engine(f"sqlite:///{tmp_path / 'serving.sqlite'}")
    store.migrate(sqlite)
    rows = score_rows(DAYS).with_columns(value=pl.Series([50.0, 90.909091] * 3))  # whole and fractional floats
    store.replace_window(sqlite, rows, DAYS[0], DAYS[-1], COMPANIES)
    before = store.window_rows(sqlite)
    manifest = backup.backup(sqlite, tmp_path / "a.serving.zip")
    assert manifest["rows"] == {"scores": 6, "companies": 2} and manifest["revision"] == "0001"
    with sqlite.begin() as connection:  # the database is lost
        connection.execute(store.scores.delete())
    backup.restore(sqlite, tmp_path / "a.serving.zip")
    assert store.window_rows(sqlite).equals(before)
    postgres = store.engine(postgres_url(postgres_database))  # and the same file restores into PostgreSQL
    backup.restore(postgres, tmp_path / "a.serving.zip")
    assert store.window_rows(postgres).equals(before)
    with postgres.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(store.companies)).scalar() == 2
    postgres.dispose()


def test_the_commands_keep_the_newest_backups_and_refuse_a_file_that_is_not_one(data_dir, tmp_path, capsys):
    db = store.engine()
    store.migrate(db)
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    folder = tmp_path / "backups"
    for day in range(3):
        out = folder / f"2026-12-0{day + 1}.serving.zip"
        assert cli.main(["serving", "backup", "--out", str(out), "--keep", "2"]) == 0
        os.utime(out, (time.time() + day, time.time() + day))
    assert sorted(p.name for p in folder.iterdir()) == ["2026-12-02.serving.zip", "2026-12-03.serving.zip"]
    assert cli.main(["serving", "restore", str(folder / "2026-12-03.serving.zip")]) == 0
    assert "restored {'scores': 6, 'companies': 2}" in capsys.readouterr().out
    (tmp_path / "bogus.zip").write_bytes(b"not a zip")
    assert cli.main(["serving", "restore", str(tmp_path / "bogus.zip")]) == 2
    assert "not a serving backup" in capsys.readouterr().err
    with pytest.raises(ValueError, match="keep at least"):
        backup.backup(db, folder / "x.serving.zip", keep=0)


def _rewritten(source: Path, target: Path, manifest=None, scores: pl.DataFrame | None = None) -> Path:
    """A copy of the backup `source` with its manifest or scores table replaced."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if manifest is not None:
        members["manifest.json"] = json.dumps(manifest).encode()
    if scores is not None:
        buffer = io.BytesIO()
        scores.write_parquet(buffer)
        members["scores.parquet"] = buffer.getvalue()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return target


def test_a_backup_that_does_not_fit_the_schema_is_refused_in_one_line_and_changes_nothing(data_dir, tmp_path, capsys):
    db = store.engine()
    store.migrate(db)
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    good = tmp_path / "good.serving.zip"
    manifest = backup.backup(db, good)
    with zipfile.ZipFile(good) as archive:
        scores = pl.read_parquet(io.BytesIO(archive.read("scores.parquet")))
    store.replace_window(db, score_rows(DAYS, score=70), DAYS[0], DAYS[-1], COMPANIES)  # what is served now
    served = store.window_rows(db)
    cases = {
        "newer": ({**manifest, "revision": "0099"}, None, "schema revision '0099' is not one this version knows"),
        "no_rows": ({"revision": "0001"}, None, "manifest.json is not a serving backup's"),
        "a_list": ([manifest], None, "manifest.json is not a serving backup's"),
        "extra": (None, scores.with_columns(secret=pl.lit("x")), "has unknown columns ['secret']"),
        "missing": (None, scores.drop("technical"), "lacks columns ['technical']"),
        "score_999": (
            None,
            scores.with_columns(overall_score=pl.lit(999, pl.Int32)),
            "less_than_or_equal_to(100)",
        ),
        "a_text_score": (None, scores.with_columns(overall_score=pl.lit("high")), "a column of the wrong type"),
        "duplicate": (
            {**manifest, "rows": {**manifest["rows"], "scores": scores.height + 1}},
            pl.concat([scores, scores.head(1)]),
            "scores repeats a ticker/date key",
        ),
    }
    for name, (new_manifest, new_scores, message) in cases.items():
        path = _rewritten(good, tmp_path / f"{name}.serving.zip", new_manifest, new_scores)
        assert cli.main(["serving", "restore", str(path)]) == 2, name
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (name, err)
        assert store.window_rows(db).equals(served), name
    assert cli.main(["serving", "restore", str(good)]) == 0
    assert store.window_rows(db).get_column("overall_score").unique().to_list() == [50]
