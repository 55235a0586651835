# Dates as the product writes them in Japanese (Django's own ja formats, plus the weekday that
# event pages show: 2026年12月15日（火）18:30).
DATE_FORMAT = "Y年n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
DATETIME_FORMAT = "Y年n月j日（D）H:i"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
