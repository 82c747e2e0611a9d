"""Work teams as SageMaker's CreateWorkteam, DescribeWorkteam, ListWorkteams, UpdateWorkteam and
DeleteWorkteam see them.

A work team is a crowdform team: ``crowdform team create`` makes one, and so does CreateWorkteam.
Its workers are its own members and the members of its member groups (the ``UserGroup`` of each
``CognitoMemberDefinition``, or an ``OidcMemberDefinition``'s groups), each group being a team
itself; ``engine/workforce.py`` keeps ``team_members`` up to date from them. A group that is no team
yet becomes one, empty and not listed as a work team, so a notebook may create its work team before
the operator adds the workers (``crowdform worker add NAME --team GROUP``).

The rest of what CreateWorkteam and UpdateWorkteam are given (description, member definitions,
notification and access settings) is kept as given, for DescribeWorkteam; crowdform uses only the
groups. Deleting a work team removes what makes it one (those settings, its groups, its tags); the
team stays as a group, with its own members, while jobs, other work teams or members refer to it
(AWS deletes a work team, not its Cognito group), and goes otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from crowdform.engine.keyset import Keyset, split_page
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus
from crowdform.engine.tags import drop_tags, put_tags
from crowdform.engine.workforce import set_groups
from crowdform.errors import Conflict, InvalidInput, NotFound
from crowdform.groundtruth.arns import workteam_arn
from crowdform.store.models import Job, Team, TeamGroup, TeamMember

MAX_GROUP_NAME = 63  # a group is a team, and team names are at most 63 characters

_COLUMNS = (Team.id, Team.name, Team.created_at, Team.updated_at, Team.workteam)


@dataclass(frozen=True)
class WorkteamRow:
    """A work team: the team, what CreateWorkteam/UpdateWorkteam were given (None for a team the CLI
    made), and the names of its member groups."""

    id: int
    name: str
    arn: str
    created_at: float
    updated_at: float | None
    settings: dict[str, Any] | None
    groups: tuple[str, ...]


class Workteams:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def create(self, name: str, *, groups: Sequence[str], settings: Mapping[str, Any],
               tags: Sequence[tuple[str, str]] = ()) -> WorkteamRow:
        now = self.runtime.clock.now()
        try:
            with self.runtime.database.write() as connection:
                found = connection.execute(select(Team.id, Team.is_workteam).where(Team.name == name)).first()
                if found is not None and found.is_workteam:
                    raise Conflict(f"A work team named {name!r} already exists. Choose another WorkteamName, "
                                   "or change it with UpdateWorkteam.")
                values = {"is_workteam": True, "workteam": _dump(settings), "created_at": now, "updated_at": now}
                if found is None:
                    team_id = connection.execute(insert(Team).values(name=name, **values).returning(Team.id)).scalar_one()
                else:  # a group until now: it becomes a work team, and keeps its members
                    team_id = found.id
                    connection.execute(update(Team).where(Team.id == team_id).values(**values))
                set_groups(connection, team_id, [self._group_id(connection, group, now) for group in groups])
                put_tags(connection, self._arn(name), tags)
                return self._load(connection, name)
        except IntegrityError:  # another request created the same name at the same moment
            raise Conflict(f"A work team named {name!r} already exists. Choose another WorkteamName.") from None

    def get(self, name: str) -> WorkteamRow:
        with self.runtime.database.read() as connection:
            return self._load(connection, name)

    def page(self, *, name_contains: str | None = None, by_name: bool = False, descending: bool = False,
             after: Sequence[Any] | None = None, limit: int = 10) -> tuple[list[WorkteamRow], list[Any] | None]:
        """Work teams in name or creation order, ``limit`` at a time after the key ``after``; the key
        of the last one when more follow."""
        keyset = Keyset((Team.name, Team.id) if by_name else (Team.created_at, Team.id), descending)
        query = select(*_COLUMNS).where(Team.is_workteam)
        if name_contains:
            query = query.where(func.lower(Team.name).contains(name_contains.lower(), autoescape=True))
        with self.runtime.database.read() as connection:
            rows, last = split_page(connection.execute(keyset.page(
                query, after, limit, postgres=not self.runtime.database.is_sqlite)).all(), limit, keyset)
            groups = _groups_of(connection, [row.id for row in rows])
        return [self._row(row, groups.get(row.id, ())) for row in rows], last

    def update(self, name: str, *, groups: Sequence[str] | None, settings: Mapping[str, Any]) -> WorkteamRow:
        """Replace the settings given (keys of ``settings``) and, when ``groups`` is given, the groups."""
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            team = self._load(connection, name)
            merged = {**(team.settings or {}), **settings}
            connection.execute(update(Team).where(Team.id == team.id).values(workteam=_dump(merged), updated_at=now))
            if groups is not None:
                set_groups(connection, team.id, [self._group_id(connection, group, now) for group in groups])
            return self._load(connection, name)

    def delete(self, name: str) -> None:
        with self.runtime.database.write() as connection:
            team = self._load(connection, name)
            unfinished = connection.execute(select(Job.name).where(
                Job.team_id == team.id, Job.status.not_in(JobStatus.TERMINAL)).order_by(Job.id).limit(5)).scalars().all()
            if unfinished:
                raise Conflict(f"The work team {name!r} has labeling jobs that are not finished ({', '.join(unfinished)}). "
                               "Stop them with StopLabelingJob, or wait until they finish, then delete the work team.")
            drop_tags(connection, team.arn)
            set_groups(connection, team.id, [])
            still_used = connection.execute(select(or_(
                exists().where(Job.team_id == team.id),
                exists().where(TeamGroup.group_id == team.id),
                exists().where(TeamMember.team_id == team.id)))).scalar()
            if still_used:
                connection.execute(update(Team).where(Team.id == team.id).values(
                    is_workteam=False, workteam=None, updated_at=self.runtime.clock.now()))
            else:
                connection.execute(delete(Team).where(Team.id == team.id))

    # ---------------------------------------------------------------- helpers
    def _load(self, connection: Connection, name: str) -> WorkteamRow:
        row = connection.execute(select(*_COLUMNS).where(Team.name == name, Team.is_workteam)).first()
        if row is None:
            raise NotFound(f"The work team {name!r} does not exist. List work teams with ListWorkteams "
                           "(or crowdform team list); create one with CreateWorkteam (or crowdform team create).")
        return self._row(row, _groups_of(connection, [row.id]).get(row.id, ()))

    def _row(self, row: Any, groups: tuple[str, ...]) -> WorkteamRow:
        return WorkteamRow(row.id, row.name, self._arn(row.name), row.created_at, row.updated_at,
                           None if row.workteam is None else json.loads(row.workteam), groups)

    def _arn(self, name: str) -> str:
        return workteam_arn(self.runtime.settings.region, self.runtime.settings.account_id, name)

    @staticmethod
    def _group_id(connection: Connection, group: str, now: float) -> int:
        """The team a member group names, made (empty, not a work team) when there is none yet."""
        found = connection.execute(select(Team.id).where(Team.name == group)).scalar()
        if found is not None:
            return int(found)
        if len(group) > MAX_GROUP_NAME:
            raise InvalidInput.one("MemberDefinitions", f"a group name is a crowdform team name, at most "
                                   f"{MAX_GROUP_NAME} characters", value=group,
                                   hint="Name a shorter group, or create the team first with crowdform team create")
        return int(connection.execute(insert(Team).values(name=group, created_at=now, is_workteam=False)
                                      .returning(Team.id)).scalar_one())


def _groups_of(connection: Connection, team_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not team_ids:
        return {}
    found: dict[int, list[str]] = {}
    for team_id, group in connection.execute(
            select(TeamGroup.team_id, Team.name).join(Team, Team.id == TeamGroup.group_id)
            .where(TeamGroup.team_id.in_(team_ids)).order_by(TeamGroup.team_id, Team.name)):
        found.setdefault(team_id, []).append(group)
    return {team_id: tuple(groups) for team_id, groups in found.items()}


def _dump(settings: Mapping[str, Any]) -> str:
    return json.dumps(dict(settings), ensure_ascii=False, sort_keys=True)
