"""Point-in-time checks of the feature assets."""

from ic_platform.defs.checks import point_in_time_check
from ic_platform.defs.features.assets import TECHNICAL_DAILY, VALUATION_DAILY, technical_daily, valuation_daily

technical_daily_point_in_time = point_in_time_check(technical_daily, TECHNICAL_DAILY)
valuation_daily_point_in_time = point_in_time_check(valuation_daily, VALUATION_DAILY)
