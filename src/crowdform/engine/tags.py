"""Tags on labeling jobs and work teams: SageMaker's AddTags, ListTags and DeleteTags, and the
``Tags`` of CreateLabelingJob and CreateWorkteam.

Tags are kept by the resource's ARN, in the order they were first added. A key added again
replaces its value (as AWS does); a resource holds at most 50 tags. crowdform itself reads no tag:
they are there for the scripts that set them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, insert, select, update

from crowdform.engine.runtime import Runtime
from crowdform.errors import LimitExceeded, NotFound
from crowdform.groundtruth.arns import sagemaker_resource, workteam_arn
from crowdform.store.models import Job, Tag, Team

MAX_TAGS = 50


class Tags:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def add(self, arn: str, tags: Sequence[tuple[str, str]]) -> None:
        with self.runtime.database.write() as connection:
            put_tags(connection, self.resource(connection, arn), tags)

    def list(self, arn: str) -> list[tuple[str, str]]:
        with self.runtime.database.read() as connection:
            return tags_of(connection, self.resource(connection, arn))

    def delete(self, arn: str, keys: Iterable[str]) -> None:
        """Remove the tags with these keys; keys the resource does not have are ignored."""
        with self.runtime.database.write() as connection:
            connection.execute(delete(Tag).where(Tag.resource_arn == self.resource(connection, arn),
                                                 Tag.key.in_(list(keys))))

    def resource(self, connection: Connection, arn: str) -> str:
        """The ARN of the labeling job or work team ``arn`` names, as crowdform writes it (a job's
        name lower-cased); :class:`NotFound` when there is none."""
        kind, name = sagemaker_resource(arn) or ("", "")
        found = None
        if kind == "labeling-job":
            found = connection.execute(select(Job.arn).where(Job.name_key == name.lower())).scalar()
        elif kind == "workteam" and name.startswith("private-crowd/"):
            team = name.removeprefix("private-crowd/")
            if connection.execute(select(Team.id).where(Team.name == team, Team.is_workteam)).first():
                settings = self.runtime.settings
                found = workteam_arn(settings.region, settings.account_id, team)
        if found is None:
            raise NotFound(f"No labeling job or work team has the ARN {arn!r}: crowdform tags labeling jobs "
                           "(...:labeling-job/NAME) and private work teams (...:workteam/private-crowd/NAME).")
        return str(found)


def put_tags(connection: Connection, arn: str, tags: Sequence[tuple[str, str]]) -> None:
    """Add ``tags`` to a resource, a key given again replacing its value (the last of a request wins)."""
    wanted = dict(tags)
    if not wanted:
        return
    existing = dict(connection.execute(select(Tag.key, Tag.id).where(Tag.resource_arn == arn)).all())
    added = [key for key in wanted if key not in existing]
    if len(existing) + len(added) > MAX_TAGS:
        raise LimitExceeded(f"{arn} has {len(existing)} tags; adding {len(added)} more would pass the limit of "
                            f"{MAX_TAGS} tags per resource. Remove some with DeleteTags first.")
    for key, value in wanted.items():
        if key in existing:
            connection.execute(update(Tag).where(Tag.id == existing[key]).values(value=value))
    if added:
        connection.execute(insert(Tag), [{"resource_arn": arn, "key": key, "value": wanted[key]} for key in added])


def tags_of(connection: Connection, arn: str) -> list[tuple[str, str]]:
    return [(row.key, row.value) for row in connection.execute(
        select(Tag.key, Tag.value).where(Tag.resource_arn == arn).order_by(Tag.id))]


def drop_tags(connection: Connection, arn: str) -> None:
    connection.execute(delete(Tag).where(Tag.resource_arn == arn))

