"""Incarnations: who made a claim, so that a restarted leader takes over a dead process's work at once.

Background work is claimed with an expiring lease (``claimed_until``): past it, any process may
presume the claimer dead and run the work again. That wait has to cover every hook attempt (hook
timeout x attempts + a margin), which after a crash kept a consolidation batch blocked for minutes.

So each start of background work is an incarnation with a fresh id, and every claim names it
(``claimed_by``). An incarnation registers under its *place*, the host and data folder whose
``background.lock`` (:mod:`crowdform.engine.leadership`) it holds. Whoever holds that lock is the
only live incarnation of its place, so every other incarnation registered there is dead: the new
leader releases their claims at once and forgets them. Claims made from other places (servers on
other machines sharing a PostgreSQL database) still wait for their lease to run out, since nothing
here can tell whether those processes live.
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from crowdform.engine.states import BatchState, JobStatus, ObjectState
from crowdform.store.database import Database
from crowdform.store.models import ConsolidationBatch, DataObject, Incarnation, Job


def new_incarnation() -> str:
    """A fresh id for this start of background work."""
    return uuid.uuid4().hex


def place_of(data_dir: Path) -> str:
    """The place an incarnation leads: this host's data folder (its lock file is only this host's)."""
    return f"{socket.gethostname()}:{Path(data_dir).resolve()}"


@dataclass(frozen=True)
class Takeover:
    """What a new leader took over from the dead incarnations of its place."""

    incarnations: int
    objects: int
    batches: int


def take_over(database: Database, incarnation: str, place: str, now: float) -> Takeover:
    """Register ``incarnation`` as the leader of ``place`` and release the claims of every other one there.

    Only the holder of the place's background lock may call this. Claimed pre-hook objects become
    claimable now; running consolidation batches too (their next claim counts another attempt and
    rewrites their files). Running jobs' output is marked for a rewrite, in case the dead process
    was writing it when it died.
    """
    with database.write() as connection:
        dead = select(Incarnation.id).where(Incarnation.place == place, Incarnation.id != incarnation)
        dead_ids = list(connection.execute(dead).scalars())
        objects = batches = 0
        if dead_ids:
            objects = connection.execute(update(DataObject).where(
                DataObject.claimed_by.in_(dead_ids), DataObject.state == ObjectState.PREPARING,
            ).values(claimed_until=None, claimed_by=None)).rowcount
            batches = connection.execute(update(ConsolidationBatch).where(
                ConsolidationBatch.claimed_by.in_(dead_ids), ConsolidationBatch.state == BatchState.RUNNING,
            ).values(claimed_until=0.0, claimed_by=None)).rowcount  # long past: claimable now
            connection.execute(update(Job).where(Job.status.in_(JobStatus.RUNNING)).values(output_dirty=True))
            connection.execute(delete(Incarnation).where(Incarnation.id.in_(dead_ids)))
        if connection.execute(select(Incarnation.id).where(Incarnation.id == incarnation)).first() is None:
            connection.execute(insert(Incarnation).values(id=incarnation, place=place, started_at=now))
    return Takeover(len(dead_ids), objects, batches)
