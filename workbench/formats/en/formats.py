"""English dates as desks outside the United States read them too: day, month in letters, year,
and a 24-hour clock ("1 Dec 2026, 14:05"), never the ambiguous 12/01/2026."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
