"""Group commit: an item of a batch that fails for any reason fails alone, and the others commit as if it
had not been there -- a refusal, hostile input, or an error the database itself raises (a trigger
stands in for a constraint a value breaks), whether in an item's own statements or in the pass that
counts every item's answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select, text

from crowdform.engine.background import Background
from crowdform.engine.clock import ManualClock
from crowdform.engine.runtime import Runtime
from crowdform.engine.task_items import NextTask, Submission, SubmitResult, Task
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import WorkerInfo
from crowdform.errors import InvalidInput, NotFound
from crowdform.store.models import DataObject, Lease
from tests.helpers import open_runtime, synthetic_job, team_with_workers


@pytest.fixture
def crowd(tmp_path: Path, database_url: str) -> Iterator[tuple[Runtime, list[WorkerInfo], str, list[Task]]]:
    """Four workers of a running job of ten objects, one worker each; the first three hold a task each."""
    runtime = open_runtime(tmp_path, database_url, clock=ManualClock(1_700_000_000.0))
    workers = team_with_workers(runtime, "animal-team", 4)
    job = synthetic_job(runtime, tmp_path, name="batch-job", objects=10, workers_per_object=1)
    background = Background(runtime)
    background.run_until_idle()
    tasks = Tasks(runtime)
    held = [tasks.next_task(worker, job.name) for worker in workers[:3]]
    assert all(held)
    yield runtime, workers, job.name, held  # type: ignore[misc]
    background.stop()
    runtime.close()


def poison(runtime: Runtime, *, table: str, condition: str) -> None:
    """A trigger that makes the database refuse an update of ``table`` when ``condition`` holds (OLD/NEW)."""
    with runtime.database.write() as connection:
        if runtime.database.is_sqlite:
            connection.execute(text(f"CREATE TRIGGER poison BEFORE UPDATE ON {table} WHEN {condition} "
                                    "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"))
        else:
            connection.execute(text(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF " + condition + " THEN "
                "RAISE EXCEPTION 'refused by the database' USING ERRCODE = 'check_violation'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"))
            connection.execute(text(f"CREATE TRIGGER poison BEFORE UPDATE ON {table} FOR EACH ROW "
                                    "EXECUTE FUNCTION poison()"))


def stored(runtime: Runtime) -> tuple[dict[str, str], int]:
    with runtime.database.read() as connection:
        states = dict(connection.execute(select(Lease.id, Lease.state)).all())
        answers = sum(connection.execute(select(DataObject.answers)).scalars())
    return states, answers


def check_the_others_committed(runtime: Runtime, results: list[Any], held: list[Task], job: str) -> None:
    """Items 0 and 2 (alice's submission with her next task, dave's next task) committed; item 1 did not."""
    (saved, following), refused, daves = results
    assert isinstance(saved, SubmitResult) and not saved.already_submitted and isinstance(following, Task)
    assert isinstance(refused, InvalidInput) and refused.problems[0].field == "answer"
    assert isinstance(daves, Task) and daves.job_name == job
    states, answers = stored(runtime)
    assert states[held[0].lease_id] == "submitted" and states[held[1].lease_id] == "active"
    assert states[following.lease_id] == "active" and states[daves.lease_id] == "active"
    assert answers == 1


def test_an_item_whose_own_statement_the_database_refuses_fails_alone(
        crowd: tuple[Runtime, list[WorkerInfo], str, list[Task]]) -> None:
    runtime, (alice, bob, _carol, dave), job, held = crowd
    poison(runtime, table="leases", condition="NEW.answer LIKE '%poison%'")
    results = Tasks(runtime).run_batch([
        Submission(alice, held[0].lease_id, {"x": 1}, then_next=True),
        Submission(bob, held[1].lease_id, {"x": "poison"}),
        NextTask(dave, job),
    ])
    check_the_others_committed(runtime, results, held, job)
    assert "could not be stored (" in str(results[1])


def test_an_item_the_database_refuses_when_counting_answers_fails_alone(
        crowd: tuple[Runtime, list[WorkerInfo], str, list[Task]]) -> None:
    """Counting runs once for the whole batch, after every item's savepoint: its failure sends each item
    to a transaction of its own, so that only the culprit fails."""
    runtime, (alice, bob, _carol, dave), job, held = crowd
    with runtime.database.read() as connection:
        bobs_object = connection.execute(select(Lease.object_id).where(Lease.id == held[1].lease_id)).scalar_one()
    poison(runtime, table="data_objects", condition=f"NEW.answers > OLD.answers AND OLD.id = {bobs_object}")
    results = Tasks(runtime).run_batch([
        Submission(alice, held[0].lease_id, {"x": 1}, then_next=True),
        Submission(bob, held[1].lease_id, {"x": 2}),
        NextTask(dave, job),
    ])
    check_the_others_committed(runtime, results, held, job)


def test_hostile_input_in_a_batch_is_refused_naming_the_field_and_the_rest_commits(
        crowd: tuple[Runtime, list[WorkerInfo], str, list[Task]]) -> None:
    runtime, (alice, bob, carol, dave), job, held = crowd
    tasks = Tasks(runtime)
    results = tasks.run_batch([
        Submission(alice, held[0].lease_id, {"v": "\ud800"}),  # a lone surrogate: no driver can encode it
        Submission(bob, held[1].lease_id, {"v": [[[[{"n": 2**70}]]]]}),
        Submission(carol, held[2].lease_id, {"x": 1}),
        NextTask(dave, "animal\x00faces"),  # PostgreSQL refuses NUL in text
        NextTask(dave, "no-such-job"),
        NextTask(dave, job),
    ])
    surrogate, huge, carols, nul, unknown, daves = results
    assert isinstance(surrogate, InvalidInput) and surrogate.problems[0].field == "answer.v"
    assert isinstance(huge, InvalidInput) and huge.problems[0].field == "answer.v[0][0][0][0].n"
    assert isinstance(carols, tuple) and not carols[0].already_submitted
    assert isinstance(nul, InvalidInput) and nul.problems[0].field == "job_name"
    assert isinstance(unknown, NotFound) and isinstance(daves, Task)
    states, answers = stored(runtime)
    assert [states[task.lease_id] for task in held] == ["active", "active", "submitted"] and answers == 1
    # The refused workers still hold their tasks and can submit a proper answer.
    assert not tasks.submit(alice, held[0].lease_id, {"v": "\U0001f600"}).already_submitted
