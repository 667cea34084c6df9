"""Point-in-time checks of the feature assets."""

from ic_platform.defs.checks import point_in_time_check
from ic_platform.defs.features.assets import TECHNICAL_DAILY, technical_daily

technical_daily_point_in_time = point_in_time_check(technical_daily, TECHNICAL_DAILY)
