import dagster as dg

import ic_platform.features.technical as technical
from ic_platform.definitions import defs
from ic_platform.defs.features.assets import technical_daily
from ic_platform.defs.versions import OWNERS, logic_version


def test_every_asset_has_an_owner_a_logic_version_and_a_link_to_its_code():
    specs = [spec for assets in defs.resolve_asset_graph().assets_defs for spec in assets.specs]
    for spec in specs:
        assert spec.owners == OWNERS, spec.key
        assert spec.code_version and len(spec.code_version) == 12, spec.key
        (reference,) = spec.metadata["dagster/code_references"].code_references
        assert isinstance(reference, dg.LocalFileCodeReference) and reference.file_path.endswith("assets.py")
    versions = {spec.key.to_user_string(): spec.code_version for spec in specs}
    assert versions["technical_daily"] != versions["valuation_daily"]  # their own functions differ
    assert versions["sec_13f"] == versions["cusip_tickers"]  # one multi-asset function writes both


def test_the_version_follows_the_features_the_asset_uses(monkeypatch):
    before = logic_version(technical_daily)
    monkeypatch.setattr(technical, "__file__", __file__)  # as if the indicators' code had changed
    assert logic_version(technical_daily) != before
