"""The layering rules: Dagster only in `defs/` and the entry points, domains share the table catalog
and never import each other's assets, and only Dagster's public API is used."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ic_platform"
FREE_OF_DAGSTER = (
    "features",
    "schemas",
    "sources",
    "scoring",
    "demo",
    "sentiment",
    "trading_days.py",
    "storage.py",
    "tables.py",
    "serving",
    "api",
)


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def modules(*parts: str) -> list[Path]:
    found = []
    for part in parts:
        target = PACKAGE / part
        found += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return found


def test_nothing_below_defs_imports_dagster_or_the_dagster_layer():
    for path in modules(*FREE_OF_DAGSTER):
        offending = {m for m in imports(path) if m.split(".")[0] == "dagster" or m.startswith("ic_platform.defs")}
        assert not offending, f"{path.relative_to(PACKAGE)} imports {offending}"


def test_no_domain_imports_another_domains_assets():
    for path in modules("defs", "cli", "runner.py"):
        domain = path.relative_to(PACKAGE / "defs").parts[0] if path.is_relative_to(PACKAGE / "defs") else None
        for module in imports(path):
            parts = module.split(".")
            if parts[:2] == ["ic_platform", "defs"] and len(parts) == 4 and parts[3] in ("assets", "sensors"):
                assert parts[2] == domain, f"{path.relative_to(PACKAGE)} imports {module}"


# the exceptions: a run launcher's health check answers with types Dagster documents among its
# internals (the RunLauncher interface), and the embedded instance's event log extends the SQLite
# storage class documented there; neither is exported anywhere else
INTERNAL_IMPORTS = {
    "run_workers.py": {"dagster._core.launcher"},
    "event_storage.py": {"dagster._core.storage.event_log"},
}


def test_only_dagsters_public_api_is_used():
    for path in modules("."):
        internal = {m for m in imports(path) if m.startswith("dagster._")}
        assert internal <= INTERNAL_IMPORTS.get(str(path.relative_to(PACKAGE)), set()), path


def test_the_dagster_layer_never_imports_the_entry_points_above_it():
    for path in modules("defs"):
        offending = {
            m
            for m in imports(path)
            if m.startswith(("ic_platform.runner", "ic_platform.cli", "ic_platform.definitions"))
        }
        assert not offending, f"{path.relative_to(PACKAGE)} imports {offending}"
