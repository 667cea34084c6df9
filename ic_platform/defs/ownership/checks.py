"""Point-in-time checks of the insider and institutional daily assets."""

from ic_platform.defs.checks import point_in_time_check
from ic_platform.defs.ownership.assets import INSIDER_DAILY, INSTITUTIONAL_DAILY, insider_daily, institutional_daily

insider_daily_point_in_time = point_in_time_check(insider_daily, INSIDER_DAILY)
institutional_daily_point_in_time = point_in_time_check(institutional_daily, INSTITUTIONAL_DAILY)
