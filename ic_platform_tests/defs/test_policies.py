import pytest

from ic_platform import settings
from ic_platform.definitions import defs
from ic_platform.defs.policies import EDGAR_POOL, SOURCE_RETRIES

EDGAR_STEPS = {"sec_companies", "sec_companyfacts", "sec_form4", "sec_13f"}
OTHER_SOURCE_STEPS = {"daily_bars", "news_articles", "analyst_ratings"}


@pytest.mark.parametrize("asset", sorted(EDGAR_STEPS | OTHER_SOURCE_STEPS))
def test_source_steps_retry_and_edgar_steps_share_one_pool(asset):
    step = defs.resolve_assets_def(asset).op
    assert step.retry_policy.max_retries == SOURCE_RETRIES
    assert step.retry_policy.delay == settings.current().source_retry_delay_s
    assert step.pool == (EDGAR_POOL if asset in EDGAR_STEPS else None)


def test_steps_that_read_no_source_are_not_retried():
    assert defs.resolve_assets_def("ic_scores").op.retry_policy is None


def test_the_retry_delay_setting_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("IC_SOURCE_RETRY_DELAY_S", "soon")
    with pytest.raises(ValueError, match="IC_SOURCE_RETRY_DELAY_S='soon'"):
        _ = settings.current().source_retry_delay_s
