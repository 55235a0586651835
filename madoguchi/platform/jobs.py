"""Periodic jobs the `madoguchi worker` runs beside the mail queue, registered by their apps.

The worker lives in platform, below every app, so it cannot import the apps' sweeps; each app
registers its own from its AppConfig.ready() (cases: referrals past their deadline). A job does
one pass and returns the line the worker prints (empty when there was nothing to do); a database
error escapes to the worker, which reconnects and runs the job again on its next turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds between passes under --loop
    run: Callable[[], str]


_jobs: dict[str, Job] = {}


def register(name: str, *, every: float, run: Callable[[], str]) -> None:
    """Add (or replace, by name: ready() may run twice in tests) a job for the worker."""
    _jobs[name] = Job(name, every, run)


def registered() -> list[Job]:
    """The jobs in the order they were first registered (app order in INSTALLED_APPS)."""
    return list(_jobs.values())
