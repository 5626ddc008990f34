"""Dates known only to the year or the month, said no more precisely than they are known.

A date is stored as a DateField (the first day of its month or year when that is
all that is known, so it still sorts) beside its precision. Pages, exports and
the API write it with ``as_text`` and ``as_iso``: "March 2024" and "2024-03",
never an invented day.
"""

import datetime

from django.db import models
from django.utils.dateformat import format as date_format


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def precision_field(**kwargs) -> models.CharField:
    return models.CharField(
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text="How precisely the date is known: the date field holds the first day of the month or year.",
        **kwargs,
    )


def truncated(date: datetime.date | None, precision: str) -> datetime.date | None:
    """The date as stored for its precision: the first day of its month or year."""
    if date is None:
        return None
    if precision == Precision.YEAR:
        return date.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return date.replace(day=1)
    return date


def as_iso(date: datetime.date | None, precision: str) -> str:
    """ISO 8601 at the known precision: 2024-11-19, 2024-03 or 2025; '' when unknown."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def as_text(date: datetime.date | None, precision: str) -> str:
    """For readers: 19 November 2024, March 2024 or 2025."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return str(date.year)
    if precision == Precision.MONTH:
        return date_format(date, "F Y")
    return date_format(date, "j F Y")


def parse_iso(value: str | None) -> tuple[datetime.date | None, str]:
    """(date, precision) from '2024-11-19', '2024-03' or '2025'."""
    if not value:
        return None, Precision.DAY
    parts = str(value).split("-")
    if len(parts) == 1:
        return datetime.date(int(parts[0]), 1, 1), Precision.YEAR
    if len(parts) == 2:
        return datetime.date(int(parts[0]), int(parts[1]), 1), Precision.MONTH
    return datetime.date.fromisoformat(value), Precision.DAY
