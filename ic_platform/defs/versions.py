"""What every asset carries for the UI: its owner, the version of its logic and the place of its code.

An asset's `code_version` is a digest of its function's source and of the files of the platform
modules it imports from outside `ic_platform.defs` (the features, scoring, sources and tables it
uses), so changing an asset's logic changes its version and the UI flags the assets downstream of
it as stale. The Dagster wiring in `ic_platform.defs` is left out: it changes no result.
"""

import hashlib
import inspect
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import dagster as dg

OWNERS = ["team:ic-data"]
VERSION_DIGITS = 12


def _logic_modules(module: ModuleType) -> list[ModuleType]:
    """The platform modules outside `ic_platform.defs` whose names `module` imports."""
    names = set()
    for value in vars(module).values():
        if inspect.ismodule(value):
            name = value.__name__
        elif inspect.isfunction(value) or inspect.isclass(value):
            name = value.__module__
        else:  # a constant: the module of its type (a DailyTable's is ic_platform.storage)
            name = type(value).__module__
        if name and name.startswith("ic_platform.") and not name.startswith("ic_platform.defs"):
            names.add(name)
    return [sys.modules[name] for name in sorted(names)]


def logic_version(asset: dg.AssetsDefinition) -> str:
    """The digest of the asset function's source and of the logic modules its module imports."""
    compute = asset.op.compute_fn
    function = cast(Callable, getattr(compute, "decorated_fn", compute))  # what the asset decorator wrapped
    digest = hashlib.sha256(inspect.getsource(function).encode())
    for module in _logic_modules(sys.modules[function.__module__]):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:VERSION_DIGITS]


def _owned_and_versioned(asset: dg.AssetsDefinition) -> dg.AssetsDefinition:
    version = logic_version(asset)
    return asset.map_asset_specs(lambda spec: spec.replace_attributes(owners=OWNERS, code_version=version))


def described(assets: list[dg.AssetsDefinition]) -> Sequence[Any]:
    """`assets` with their owners, logic versions and references to their source code."""
    return dg.with_source_code_references([_owned_and_versioned(asset) for asset in assets])
