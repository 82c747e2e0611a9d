"""A worker's lease rows: finding one's own, checking it is still open, expiring it.

Shared by the submission path of a batch (``task_batch``) and by decline and release (``tasks``),
inside their write transactions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from crowdform.engine.states import LeaseState
from crowdform.engine.workforce import WorkerInfo
from crowdform.errors import Conflict, NotFound
from crowdform.store.models import DataObject, Lease

_LEASE = select(Lease).where(Lease.id == bindparam("lease"))  # built once: SQLAlchemy reuses its compiled form


def own_lease(connection: Connection, worker: WorkerInfo, lease_id: str) -> Any:
    """The lease row, if it is this worker's; NotFound otherwise (another's looks the same as none)."""
    lease = connection.execute(_LEASE, {"lease": lease_id}).first()
    if lease is None or lease.worker_id != worker.id:
        raise NotFound(f"Task {lease_id!r} is not one of yours.")
    return lease


def check_open(connection: Connection, lease: Any, now: float) -> None:
    """Conflict unless the lease is active and in time; a lease found past its time limit is expired
    here and then (its slot returns to the pool)."""
    if lease.state == LeaseState.ACTIVE and lease.expires_at <= now:
        expire_lease(connection, lease.id, lease.object_id)
        raise Conflict("The time limit for this task ran out before it was submitted; the task went back to the "
                       "pool. Ask for the next task.")
    if lease.state != LeaseState.ACTIVE:
        raise Conflict(f"This task is no longer yours to change (it was {lease.state}).")


def expire_lease(connection: Connection, lease_id: str, object_id: int) -> bool:
    """Mark an active lease expired and give its slot back; False if someone else already did."""
    changed = connection.execute(update(Lease).where(
        Lease.id == lease_id, Lease.state == LeaseState.ACTIVE).values(state=LeaseState.EXPIRED)).rowcount
    if changed:
        connection.execute(update(DataObject).where(DataObject.id == object_id)
                           .values(slots_taken=DataObject.slots_taken - 1))
    return bool(changed)
