"""The states a job and its data objects move through, in one place.

Data object::

    QUEUED ─release─> PREPARING ─pre-hook─> READY ─N answers / lifetime─> ANSWERED ─batch─> CONSOLIDATING ─> LABELED
                          │                   │                                               │
                          ├─> SKIPPED         └─> FAILED (no answer in time, N declines)       └─> FAILED (hook failed)
                          └─> FAILED (pre-hook failed)

A job is ``Initializing`` until its first batch is released, ``InProgress`` while it runs,
``Completed`` when no object is left to label, ``Stopping``/``Stopped`` after a stop request or a
stopping condition, and ``Failed`` when it cannot go on at all.
"""

from __future__ import annotations

from typing import Final


class ObjectState:
    QUEUED: Final = "queued"
    PREPARING: Final = "preparing"
    READY: Final = "ready"
    ANSWERED: Final = "answered"
    CONSOLIDATING: Final = "consolidating"
    LABELED: Final = "labeled"
    SKIPPED: Final = "skipped"
    FAILED: Final = "failed"

    UNFINISHED: Final = (QUEUED, PREPARING, READY, ANSWERED, CONSOLIDATING)
    AWAITING_WORKERS: Final = (QUEUED, PREPARING, READY)
    """Not yet fully answered: what a stopping condition leaves unlabeled."""


class LeaseState:
    ACTIVE: Final = "active"
    SUBMITTED: Final = "submitted"
    DECLINED: Final = "declined"
    RELEASED: Final = "released"
    EXPIRED: Final = "expired"
    CANCELLED: Final = "cancelled"


class JobStatus:
    INITIALIZING: Final = "Initializing"
    IN_PROGRESS: Final = "InProgress"
    COMPLETED: Final = "Completed"
    FAILED: Final = "Failed"
    STOPPING: Final = "Stopping"
    STOPPED: Final = "Stopped"

    RUNNING: Final = (INITIALIZING, IN_PROGRESS, STOPPING)
    TERMINAL: Final = (COMPLETED, FAILED, STOPPED)


class BatchState:
    RUNNING: Final = "running"
    DONE: Final = "done"
    FAILED: Final = "failed"
