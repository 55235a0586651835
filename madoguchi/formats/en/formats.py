# The same dates in English: 15 December 2026, December 2005, Tue 15 December 2026, 18:30.
DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"
DATETIME_FORMAT = "D j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
