import pytest

from ic_platform import settings


def test_the_fundamentals_age_limit_defaults_to_200_days(monkeypatch):
    monkeypatch.delenv(settings.FUNDAMENTALS_MAX_AGE_ENV, raising=False)
    assert settings.fundamentals_max_age_days() == 200
    monkeypatch.setenv(settings.FUNDAMENTALS_MAX_AGE_ENV, "120")
    assert settings.fundamentals_max_age_days() == 120


@pytest.mark.parametrize("configured", ["0", "-5", "ninety", "1.5"])
def test_a_fundamentals_age_limit_that_is_not_a_number_of_days_is_refused(monkeypatch, configured):
    monkeypatch.setenv(settings.FUNDAMENTALS_MAX_AGE_ENV, configured)
    with pytest.raises(ValueError, match="IC_FUNDAMENTALS_MAX_AGE_DAYS"):
        settings.fundamentals_max_age_days()


def test_a_partitions_start_that_is_not_a_date_is_refused(monkeypatch):
    monkeypatch.setenv(settings.PARTITIONS_START_ENV, "last year")
    with pytest.raises(ValueError, match="IC_PARTITIONS_START='last year' is not a date"):
        settings.partitions_start()
