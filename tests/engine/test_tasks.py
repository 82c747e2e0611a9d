"""Leases: time limits, decline, release, idempotent submissions, and who may see what."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from crowdform.engine.background import Background
from crowdform.engine.clock import ManualClock
from crowdform.engine.jobs import Jobs
from crowdform.engine.task_items import NextTask, Submission
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import Workforce
from crowdform.errors import Conflict, InvalidInput, NotFound
from crowdform.store.models import DataObject, Lease
from tests.helpers import PASSWORD, example_job, open_runtime, team_with_workers


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_700_000_000.0)


def ready_job(tmp_path: Path, database_url: str, clock: ManualClock, workers: int = 2, **overrides: object):  # type: ignore[no-untyped-def]
    runtime = open_runtime(tmp_path, database_url, clock=clock)
    team = team_with_workers(runtime, "animal-team", workers)
    job = example_job(runtime, tmp_path, **overrides)
    background = Background(runtime)
    background.run_until_idle()
    return runtime, team, job, background


def lease_states_and_answers(runtime, job_id: int) -> tuple[dict[str, str], int]:  # type: ignore[no-untyped-def]
    """Every lease's state, and the answers counted on the job's objects."""
    with runtime.database.read() as connection:
        states = dict(connection.execute(select(Lease.id, Lease.state)).all())
        answers = connection.execute(select(func.sum(DataObject.answers)).where(DataObject.job_id == job_id)).scalar_one()
    return states, answers


def test_expired_lease_returns_the_slot(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob, carol), job, background = ready_job(
        tmp_path, database_url, clock, workers=3, NumberOfHumanWorkersPerDataObject=1, MaxConcurrentTaskCount=1)
    tasks = Tasks(runtime)
    task = tasks.next_task(alice, job.name)
    assert task is not None and task.dataset_object_id == "0"
    assert tasks.next_task(bob, job.name) is None  # the only released object is held by alice
    clock.advance(601)  # past TaskTimeLimitInSeconds
    with pytest.raises(Conflict, match="time limit"):
        tasks.submit(alice, task.lease_id, {"x": 1})
    background.run_until_idle()
    second = tasks.next_task(bob, job.name)
    assert second is not None and second.dataset_object_id == "0"
    assert tasks.next_task(alice, job.name) is None  # never the same object twice
    background.stop()
    runtime.close()


def test_background_expires_forgotten_leases(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(
        tmp_path, database_url, clock, NumberOfHumanWorkersPerDataObject=1, MaxConcurrentTaskCount=1)
    tasks = Tasks(runtime)
    assert tasks.next_task(alice, job.name) is not None
    clock.advance(601)
    background.run_until_idle()
    task = tasks.next_task(bob, job.name)
    assert task is not None and task.dataset_object_id == "0"
    background.stop()
    runtime.close()


def test_decline_and_release_hand_the_task_to_someone_else(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob, carol), job, background = ready_job(
        tmp_path, database_url, clock, workers=3, NumberOfHumanWorkersPerDataObject=2, MaxConcurrentTaskCount=1)
    tasks = Tasks(runtime)
    first = tasks.next_task(alice, job.name)
    assert first is not None
    tasks.decline(alice, first.lease_id)
    tasks.decline(alice, first.lease_id)  # repeating is harmless
    second = tasks.next_task(bob, job.name)
    assert second is not None and second.dataset_object_id == first.dataset_object_id
    tasks.release(bob, second.lease_id)
    third = tasks.next_task(carol, job.name)
    assert third is not None and third.dataset_object_id == first.dataset_object_id
    with pytest.raises(Conflict, match="no longer yours"):
        tasks.submit(bob, second.lease_id, {"x": 1})
    background.stop()
    runtime.close()


def test_with_one_worker_per_object_a_declined_object_goes_to_another_worker(
        tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    """Ground Truth gives a declined task back to the pool: with N = 1 the object is not lost."""
    runtime, (alice, bob, carol), job, background = ready_job(
        tmp_path, database_url, clock, workers=3, NumberOfHumanWorkersPerDataObject=1, MaxConcurrentTaskCount=1)
    tasks = Tasks(runtime)
    declined = tasks.next_task(alice, job.name)
    assert declined is not None
    tasks.decline(alice, declined.lease_id)
    assert tasks.next_task(alice, job.name) is None  # never offered to alice again
    background.run_until_idle()
    taken = tasks.next_task(bob, job.name)
    assert taken is not None and taken.dataset_object_id == declined.dataset_object_id
    tasks.submit(bob, taken.lease_id, {"x": 1})
    background.run_until_idle()
    counters = Jobs(runtime).describe(job.name)["LabelCounters"]
    assert counters["FailedNonRetryableError"] == 0 and counters["TotalLabeled"] == 1
    background.stop()
    runtime.close()


def test_an_object_every_worker_of_the_team_declined_fails_at_once(tmp_path: Path, database_url: str,
                                                                    clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(
        tmp_path, database_url, clock, NumberOfHumanWorkersPerDataObject=1, MaxConcurrentTaskCount=1)
    tasks = Tasks(runtime)
    for worker in (alice, bob):
        task = tasks.next_task(worker, job.name)
        assert task is not None and task.dataset_object_id == "0"
        tasks.decline(worker, task.lease_id)
    with runtime.database.read() as connection:
        state, reason = connection.execute(select(DataObject.state, DataObject.failure_reason).where(
            DataObject.job_id == job.id, DataObject.position == 0)).one()
    assert state == "failed" and reason.startswith("declined: no worker of team 'animal-team' is left to take it")
    background.run_until_idle()
    counters = Jobs(runtime).describe(job.name)["LabelCounters"]
    assert counters["FailedNonRetryableError"] == 1
    background.stop()
    runtime.close()


def test_an_object_nobody_is_left_to_answer_is_consolidated_with_the_answers_it_has(
        tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob, carol), job, background = ready_job(
        tmp_path, database_url, clock, workers=3, NumberOfHumanWorkersPerDataObject=3, MaxConcurrentTaskCount=1)
    tasks = Tasks(runtime)
    answered = tasks.next_task(alice, job.name)
    assert answered is not None
    tasks.submit(alice, answered.lease_id, {"x": 1})
    held = tasks.next_task(bob, job.name)
    assert held is not None
    declined = tasks.next_task(carol, job.name)
    assert declined is not None
    tasks.decline(carol, declined.lease_id)  # bob still holds a task on it: he may answer yet

    def state() -> str:
        with runtime.database.read() as connection:
            return str(connection.execute(select(DataObject.state).where(
                DataObject.job_id == job.id, DataObject.position == 0)).scalar_one())

    assert state() == "ready"
    tasks.decline(bob, held.lease_id)  # now nobody is left who could add an answer
    assert state() == "answered"
    background.run_until_idle()
    assert Jobs(runtime).describe(job.name)["LabelCounters"]["TotalLabeled"] == 1
    background.stop()
    runtime.close()


def test_submit_is_idempotent_per_lease(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(tmp_path, database_url, clock)
    tasks = Tasks(runtime)
    task = tasks.next_task(alice, job.name)
    assert task is not None
    answer = {"annotatedResult": {"boundingBoxes": []}}
    first = tasks.submit(alice, task.lease_id, answer)
    again = tasks.submit(alice, task.lease_id, answer)
    assert not first.already_submitted and again.already_submitted
    assert again.submitted_at == first.submitted_at
    with pytest.raises(Conflict, match="different answer"):
        tasks.submit(alice, task.lease_id, {"other": True})
    with pytest.raises(NotFound):
        tasks.submit(bob, task.lease_id, answer)  # not bob's lease
    with pytest.raises(InvalidInput, match="JSON object"):
        tasks.submit(alice, task.lease_id, ["not", "an", "object"])
    background.stop()
    runtime.close()


def test_workers_only_see_their_own_teams_jobs(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, _bob), job, background = ready_job(tmp_path, database_url, clock)
    workforce = Workforce(runtime)
    workforce.create_team("other-team")
    outsider, _ = workforce.add_worker("outsider", team="other-team", password=PASSWORD)
    tasks = Tasks(runtime)
    assert [j["name"] for j in tasks.jobs_for(alice)] == [job.name]
    assert tasks.jobs_for(outsider) == []
    with pytest.raises(NotFound):
        tasks.next_task(outsider, job.name)
    background.stop()
    runtime.close()


def test_availability_lifetime_consolidates_what_was_answered(tmp_path: Path, database_url: str,
                                                              clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(
        tmp_path, database_url, clock, NumberOfHumanWorkersPerDataObject=2, TaskAvailabilityLifetimeInSeconds=3600)
    tasks = Tasks(runtime)
    task = tasks.next_task(alice, job.name)
    assert task is not None
    tasks.submit(alice, task.lease_id, {"annotatedResult": {"boundingBoxes": []}})
    clock.advance(3601)
    background.run_until_idle()
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelCounters"]["TotalLabeled"] == 1
    assert described["LabelCounters"]["FailedNonRetryableError"] == 3
    background.stop()
    runtime.close()


def test_stop_consolidates_answers_and_withdraws_tasks(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(tmp_path, database_url, clock, NumberOfHumanWorkersPerDataObject=2)
    tasks = Tasks(runtime)
    task = tasks.next_task(alice, job.name)
    assert task is not None
    tasks.submit(alice, task.lease_id, {"annotatedResult": {"boundingBoxes": []}})
    held = tasks.next_task(bob, job.name)
    assert held is not None
    Jobs(runtime).stop(job.name)
    assert Jobs(runtime).describe(job.name)["LabelingJobStatus"] == "Stopping"
    with pytest.raises(Conflict):
        tasks.submit(bob, held.lease_id, {"x": 1})
    background.run_until_idle()
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Stopped"
    assert described["LabelCounters"]["TotalLabeled"] == 1 and described["LabelCounters"]["Unlabeled"] == 3
    with pytest.raises(InvalidInput, match="already Stopped"):
        Jobs(runtime).stop(job.name)
    background.stop()
    runtime.close()


def test_stopping_condition_stops_the_job(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(
        tmp_path, database_url, clock, NumberOfHumanWorkersPerDataObject=1,
        StoppingConditions={"MaxHumanLabeledObjectCount": 1})
    tasks = Tasks(runtime)
    task = tasks.next_task(alice, job.name)
    assert task is not None
    tasks.submit(alice, task.lease_id, {"annotatedResult": {"boundingBoxes": []}})
    background.run_until_idle()
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Stopped"
    assert described["LabelCounters"]["TotalLabeled"] == 1
    background.stop()
    runtime.close()


@pytest.mark.parametrize("condition", [{"MaxPercentageOfInputDatasetLabeled": 100},
                                       {"MaxHumanLabeledObjectCount": 4}])
def test_a_stopping_condition_met_by_the_last_object_completes_the_job(
        tmp_path: Path, database_url: str, clock: ManualClock, condition: dict[str, int]) -> None:
    runtime, (alice, bob), job, background = ready_job(
        tmp_path, database_url, clock, NumberOfHumanWorkersPerDataObject=1, StoppingConditions=condition)
    tasks = Tasks(runtime)
    for _ in range(4):
        task = tasks.next_task(alice, job.name)
        assert task is not None
        tasks.submit(alice, task.lease_id, {"annotatedResult": {"boundingBoxes": []}})
        background.run_until_idle()
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed"  # Stopped only when objects are left unlabeled
    assert described["LabelCounters"]["TotalLabeled"] == 4
    log = "\n".join(entry[4] for entry in Jobs(runtime).logs(job.name))
    assert "job completed" in log and "stopping condition" not in log
    background.stop()
    runtime.close()


def test_submit_and_next_saves_and_hands_out_the_next_task(tmp_path: Path, database_url: str,
                                                           clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(tmp_path, database_url, clock,
                                                       NumberOfHumanWorkersPerDataObject=1)
    tasks = Tasks(runtime)
    first = tasks.next_task(alice, job.name)
    assert first is not None
    answer = {"annotatedResult": {"boundingBoxes": []}}
    saved, second = tasks.submit_and_next(alice, first.lease_id, answer)
    assert not saved.already_submitted and saved.lease_id == first.lease_id
    assert second is not None and second.dataset_object_id != first.dataset_object_id
    assert second.task_input == json.loads(second.task_input_json) and second.task_input["sourceRef"]
    assert tasks.next_task(alice, job.name) == second  # the new lease is the one she holds
    # Repeating the call (a retried request) counts nothing twice and hands out no second task.
    again, still = tasks.submit_and_next(alice, first.lease_id, answer)
    assert again.already_submitted and again.submitted_at == saved.submitted_at
    assert still is not None and still.lease_id == second.lease_id
    with runtime.database.read() as connection:
        assert connection.execute(select(func.count()).select_from(Lease)).scalar_one() == 2
        assert connection.execute(select(DataObject.answers).where(DataObject.job_id == job.id,
                                  DataObject.position == int(first.dataset_object_id))).scalar_one() == 1
    background.stop()
    runtime.close()


def test_submit_and_next_refuses_what_submit_refuses_and_then_takes_nothing(tmp_path: Path, database_url: str,
                                                                            clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(tmp_path, database_url, clock,
                                                       NumberOfHumanWorkersPerDataObject=1)
    tasks = Tasks(runtime)
    task = tasks.next_task(alice, job.name)
    assert task is not None
    with pytest.raises(NotFound):
        tasks.submit_and_next(bob, task.lease_id, {"x": 1})  # not bob's lease
    with pytest.raises(InvalidInput, match="JSON object"):
        tasks.submit_and_next(alice, task.lease_id, ["not", "an", "object"])
    tasks.submit(alice, task.lease_id, {"x": 1})
    with pytest.raises(Conflict, match="different answer"):
        tasks.submit_and_next(alice, task.lease_id, {"x": 2})
    late = tasks.next_task(alice, job.name)
    assert late is not None
    clock.advance(601)  # past TaskTimeLimitInSeconds
    with pytest.raises(Conflict, match="time limit"):
        tasks.submit_and_next(alice, late.lease_id, {"x": 3})
    with runtime.database.read() as connection:  # bob's refusal, the conflict and the late one took nothing
        assert connection.execute(select(func.count()).select_from(Lease)).scalar_one() == 2
        assert connection.execute(select(func.count()).select_from(Lease).where(
            Lease.worker_id == bob.id)).scalar_one() == 0
    background.stop()
    runtime.close()


def test_submit_and_next_returns_none_when_nothing_is_left(tmp_path: Path, database_url: str,
                                                           clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(tmp_path, database_url, clock,
                                                       NumberOfHumanWorkersPerDataObject=2)
    tasks = Tasks(runtime)
    seen = []
    task = tasks.next_task(alice, job.name)
    while task is not None:
        seen.append(task.dataset_object_id)
        result, task = tasks.submit_and_next(alice, task.lease_id, {"seen": len(seen)})
        assert not result.already_submitted
    assert sorted(seen) == ["0", "1", "2", "3"]  # every object once, never one twice
    assert tasks.next_task(alice, job.name) is None
    bob_seen = []
    task = tasks.next_task(bob, job.name)
    while task is not None:
        bob_seen.append(task.dataset_object_id)
        _, task = tasks.submit_and_next(bob, task.lease_id, {"seen": len(bob_seen)})
    assert sorted(bob_seen) == ["0", "1", "2", "3"]  # N = 2: the second answer of each object
    with runtime.database.read() as connection:
        assert set(connection.execute(select(DataObject.answers).where(DataObject.job_id == job.id)).scalars()) == {2}
    background.stop()
    runtime.close()


def test_submit_batch_commits_each_item_as_if_alone(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(tmp_path, database_url, clock,
                                                       NumberOfHumanWorkersPerDataObject=1)
    tasks = Tasks(runtime)
    a, b = tasks.next_task(alice, job.name), tasks.next_task(bob, job.name)
    assert a is not None and b is not None
    answer = {"x": 1}
    results = tasks.run_batch([
        Submission(alice, a.lease_id, answer, then_next=True),
        Submission(alice, a.lease_id, answer, then_next=True),  # a retried request in the same batch
        Submission(bob, a.lease_id, answer),  # not bob's
        Submission(bob, b.lease_id, ["not", "an", "object"]),
        Submission(alice, a.lease_id, {"x": 2}),  # a different answer
        Submission(bob, b.lease_id, answer),
    ])
    first, again, stolen, shapeless, changed, bobs = results
    assert isinstance(first, tuple) and not first[0].already_submitted and first[1] is not None
    assert isinstance(again, tuple) and again[0].already_submitted and again[1] == first[1]
    assert isinstance(stolen, NotFound) and isinstance(shapeless, InvalidInput) and isinstance(changed, Conflict)
    assert isinstance(bobs, tuple) and not bobs[0].already_submitted and bobs[1] is None
    states, answers = lease_states_and_answers(runtime, job.id)
    assert states == {a.lease_id: "submitted", b.lease_id: "submitted", first[1].lease_id: "active"}
    assert answers == 2
    background.stop()
    runtime.close()


def test_next_task_items_in_a_batch_behave_as_calls_alone(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    runtime, (alice, bob), job, background = ready_job(tmp_path, database_url, clock,
                                                       NumberOfHumanWorkersPerDataObject=1)
    tasks = Tasks(runtime)
    results = tasks.run_batch([
        NextTask(alice, job.name),
        NextTask(alice, job.name),  # a retried request in the same batch: the task the first one took
        NextTask(bob, "no-such-job"),
        NextTask(bob, job.name),
    ])
    first, again, unknown, bobs = results
    assert first is not None and again == first
    assert isinstance(unknown, NotFound)  # refused alone: the other items of the batch still commit
    assert bobs is not None and bobs.dataset_object_id != first.dataset_object_id
    saved, following = tasks.run_batch([Submission(alice, first.lease_id, {"x": 1}, then_next=True)])[0]
    assert not saved.already_submitted and following is not None
    assert following.dataset_object_id not in (first.dataset_object_id, bobs.dataset_object_id)
    states, answers = lease_states_and_answers(runtime, job.id)
    assert states == {first.lease_id: "submitted", bobs.lease_id: "active", following.lease_id: "active"}
    assert answers == 1
    background.stop()
    runtime.close()


def wait_for_a_lock_wait(runtime) -> None:  # type: ignore[no-untyped-def]
    """Until a session of this database waits for a row lock (PostgreSQL)."""
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
    for _ in range(300):
        with runtime.database.read() as connection:  # a new transaction: activity is a snapshot in one
            if connection.execute(waiting).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("no session started waiting for a lock within 6 s")


def test_a_batch_the_deadlock_detector_rolls_back_runs_again(tmp_path: Path, postgres_url: str,
                                                            clock: ManualClock) -> None:
    runtime, (alice, _bob), job, background = ready_job(tmp_path, postgres_url, clock,
                                                        NumberOfHumanWorkersPerDataObject=1)
    tasks = Tasks(runtime)
    task = tasks.next_task(alice, job.name)
    assert task is not None
    with runtime.database.read() as connection:
        object_id = connection.execute(select(DataObject.id).where(
            DataObject.job_id == job.id, DataObject.position == int(task.dataset_object_id))).scalar_one()
        deadlocks_before = connection.execute(text(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar_one()
    results: list[object] = []
    batch = threading.Thread(target=lambda: results.extend(tasks.run_batch([Submission(alice, task.lease_id, {"x": 1})])))
    with runtime.database.writer.connect() as other, other.begin() as transaction:
        other.execute(select(DataObject.id).where(DataObject.id == object_id).with_for_update())
        batch.start()
        wait_for_a_lock_wait(runtime)  # the batch has updated its lease and now waits for the object's row
        # Wait for the lease in turn: a deadlock. The batch has waited longer, so its session's detector
        # finds it and rolls the batch back; this update then goes through, and is undone.
        other.execute(update(Lease).where(Lease.id == task.lease_id).values(time_spent=0))
        transaction.rollback()
    batch.join(timeout=30)
    [(saved, _)] = results  # the batch ran again and committed; its caller never saw the deadlock
    assert not saved.already_submitted
    with runtime.database.read() as connection:
        assert connection.execute(select(DataObject.answers).where(DataObject.id == object_id)).scalar_one() == 1
        assert connection.execute(select(Lease.state).where(Lease.id == task.lease_id)).scalar_one() == "submitted"
    deadlocks = deadlocks_before
    for _ in range(100):  # each session reports its statistics within about a second
        with runtime.database.read() as connection:
            deadlocks = connection.execute(text(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar_one()
        if deadlocks > deadlocks_before:
            break
        time.sleep(0.1)
    assert deadlocks == deadlocks_before + 1  # there was one, and the batch was the one rolled back
    background.stop()
    runtime.close()
