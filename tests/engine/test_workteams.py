"""Work teams over teams: the workers of a work team are its own members and its groups' members,
kept in ``team_members`` (the table the worker loop reads) as groups and members change."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import select

from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.engine.workteams import Workteams
from crowdform.errors import Conflict, InvalidInput
from crowdform.store.models import Team, TeamMember, Worker
from tests.helpers import PASSWORD, open_runtime


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(tmp_path, database_url)
    yield runtime
    runtime.close()


def members(runtime: Runtime, team: str) -> dict[str, bool]:
    """username -> direct, as the worker loop's table has them."""
    with runtime.database.read() as connection:
        rows = connection.execute(select(Worker.username, TeamMember.direct)
                                  .join(TeamMember, TeamMember.worker_id == Worker.id)
                                  .join(Team, Team.id == TeamMember.team_id).where(Team.name == team)).all()
    return {username: bool(direct) for username, direct in rows}


def test_members_follow_groups_and_direct_members_stay(runtime: Runtime) -> None:
    workforce, workteams = Workforce(runtime), Workteams(runtime)
    workforce.create_team("own")
    workforce.add_worker("direct", team="own", password=PASSWORD)
    workteams.create("squad", groups=["group-a", "own"], settings={"Description": "d"})
    assert members(runtime, "squad") == {"direct": False}
    workforce.add_worker("ana", team="group-a", password=PASSWORD)
    workforce.add_worker("both", team="group-a", password=PASSWORD)
    workforce.add_worker("both", team="squad", password=PASSWORD)  # also a direct member of the work team
    assert members(runtime, "squad") == {"direct": False, "ana": False, "both": True}
    workteams.update("squad", groups=["own"], settings={})
    assert members(runtime, "squad") == {"direct": False, "both": True}
    workteams.update("squad", groups=[], settings={})
    assert members(runtime, "squad") == {"both": True}
    assert members(runtime, "group-a") == {"ana": True, "both": True}  # groups keep their own members


def test_groups_are_followed_one_level(runtime: Runtime) -> None:
    workforce, workteams = Workforce(runtime), Workteams(runtime)
    workteams.create("inner", groups=["deep"], settings={})
    workforce.add_worker("far", team="deep", password=PASSWORD)
    workforce.add_worker("near", team="inner", password=PASSWORD)
    workteams.create("outer", groups=["inner"], settings={})
    assert members(runtime, "inner") == {"far": False, "near": True}
    assert members(runtime, "outer") == {"near": False}


def test_a_failed_create_leaves_no_team_or_group(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput):
        Workteams(runtime).create("squad", groups=["fine", "x" * 64], settings={})
    assert Workforce(runtime).list_teams() == []
    Workteams(runtime).create("squad", groups=["fine"], settings={})
    with pytest.raises(Conflict):
        Workteams(runtime).create("squad", groups=["other"], settings={})
    assert [name for name, _ in Workforce(runtime).list_teams()] == ["fine", "squad"]
