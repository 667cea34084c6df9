import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from ic_platform.demo.generator import DemoOptions, generate
from ic_platform.demo.publish import NEW_YORK, advance, simulated_dir

OPTIONS = DemoOptions(companies=20, years=1, seed=3)


def _tree(root: Path) -> dict[str, object]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _parsed(root: Path) -> dict[str, object]:
    return {name: json.loads(data) if name.endswith(".json") else data for name, data in _tree(root).items()}


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whole") / "demo"
    generate(out, OPTIONS)
    return out


def _dates_in(root: Path) -> set[date]:
    """Every date the published sources say something became known."""
    known = {date.fromisoformat(p.stem) for p in (root / "polygon" / "grouped").glob("*.json")}
    for path in (root / "edgar" / "companyfacts").glob("*.json"):
        for concepts in json.loads(path.read_bytes())["facts"].values():
            known |= {date.fromisoformat(v["filed"]) for c in concepts.values() for u in c["units"].values() for v in u}
    for path in (root / "edgar" / "submissions").glob("*.json"):
        document = json.loads(path.read_bytes())
        known |= {date.fromisoformat(d) for d in document.get("filings", {}).get("recent", document)["filingDate"]}
    for path in (root / "polygon" / "news").glob("*.json"):
        known |= {
            datetime.fromisoformat(a["published_utc"].replace("Z", "+00:00")).astimezone(NEW_YORK).date()
            for a in json.loads(path.read_bytes())["results"]
        }
    for path in (root / "ratings").glob("*.json"):
        known |= {date.fromisoformat(r["date"]) for r in json.loads(path.read_bytes())["ratings"]}
    dividends = json.loads((root / "polygon" / "dividends.json").read_bytes())["results"]
    return known | {date.fromisoformat(d["declaration_date"]) for d in dividends}


def test_a_demo_holding_days_back_publishes_nothing_dated_after_its_last_day(tmp_path, whole):
    out = tmp_path / "demo"
    manifest = generate(out, replace(OPTIONS, hold_back=2))
    last, simulated = date.fromisoformat(manifest["last_day"]), json.loads((whole / "manifest.json").read_text())
    assert manifest["simulated_through"] == simulated["last_day"] and manifest["trading_days"] == 250
    assert max(_dates_in(out)) == last < date.fromisoformat(simulated["last_day"])
    assert max(_dates_in(whole)) > last  # the held-back days did bring new bars, filings, news or ratings
    assert (simulated_dir(out) / "manifest.json").exists()


def test_advancing_publishes_the_next_day_and_at_the_end_equals_the_whole_simulation(tmp_path, whole):
    out = tmp_path / "demo"
    generate(out, replace(OPTIONS, hold_back=2))
    before = _tree(out)
    manifest = advance(out)
    assert manifest["trading_days"] == 251 and max(_dates_in(out)) == date.fromisoformat(manifest["last_day"])
    after = _tree(out)
    bar_files = [name for name in before if name.startswith("polygon/grouped/")]
    assert all(after[name] == before[name] for name in bar_files)  # what was published stays as it was
    advance(out)
    published, expected = _parsed(out), _parsed(whole)
    for manifest_of in (published, expected):
        for key in ("options", "simulated_through", "generated_at", "published"):
            manifest_of["manifest.json"].pop(key, None)
    assert published == expected
    with pytest.raises(ValueError, match="already publishes every simulated day"):
        advance(out)


def test_a_demo_without_days_held_back_cannot_advance(whole):
    with pytest.raises(ValueError, match="holds no days back"):
        advance(whole)
