"""Due dates and late policies: what a submission's score becomes when it comes in late.

A time is ISO 8601 (``2026-12-10T23:59``, ``2026-12-10 23:59:00+01:00``, ``...Z``); a time
without a zone is UTC. A policy is one of

* ``none``: lateness is recorded, the score is not changed;
* ``zero``: a late submission scores 0;
* ``per-day=P``: P percent of the points off for every started day late (``per-day=10``: 1
  minute late costs 10 %, 25 hours late 20 %), never below 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

POLICIES = ("none", "zero", "per-day=P")


def parse_time(text, what="time"):
    """An aware ``datetime`` from ISO 8601 text (UTC when no zone is given)."""
    if isinstance(text, dt.datetime):
        moment = text
    else:
        try:
            moment = dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{what} must be an ISO 8601 date and time such as 2026-12-10T23:59 (UTC) or "
                             f"2026-12-10T23:59+01:00, not {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


@dataclasses.dataclass(frozen=True)
class LatePolicy:
    kind: str = "none"  # none | zero | per-day
    percent_per_day: float = 0.0

    @classmethod
    def parse(cls, text):
        """``none``, ``zero`` or ``per-day=P`` (0 < P <= 100)."""
        text = str(text).strip()
        if text in ("none", "zero"):
            return cls(text)
        if text.startswith("per-day="):
            try:
                percent = float(text.split("=", 1)[1])
            except ValueError:
                percent = math.nan
            if 0 < percent <= 100:
                return cls("per-day", percent)
        raise ValueError(f"late policy must be one of {', '.join(POLICIES)} (P a percentage in (0, 100]), "
                         f"not {text!r}")

    def __str__(self):
        return f"per-day={self.percent_per_day:g}" if self.kind == "per-day" else self.kind

    def apply(self, points, days_late):
        """``(score, note)``: ``points`` after this policy for a submission ``days_late`` days
        late (0 or less: on time, unchanged, no note)."""
        if days_late <= 0:
            return points, ""
        late = f"late by {_duration(days_late)}"
        if self.kind == "zero":
            return 0.0, f"{late}: scored 0 (late policy zero)"
        if self.kind == "per-day":
            days = math.ceil(days_late)
            factor = max(0.0, 1 - self.percent_per_day / 100 * days)
            return points * factor, (f"{late}: {min(100.0, self.percent_per_day * days):g} % off "
                                     f"({days} started day(s) at {self.percent_per_day:g} %)")
        return points, f"{late} (late policy none: score unchanged)"


def days_late(submitted_at, due):
    """Days (fractional) between the due time and the submission; negative if on time."""
    return (parse_time(submitted_at) - parse_time(due)).total_seconds() / 86400


def _duration(days):
    hours = days * 24
    return f"{hours * 60:.0f} min" if hours < 1 else f"{hours:.1f} h" if hours < 48 else f"{days:.1f} days"
