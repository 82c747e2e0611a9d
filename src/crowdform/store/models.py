"""SQLAlchemy 2 models. Invariants live here: unique constraints and indexes sit next to the columns.

Times are UTC epoch seconds (double precision), which compare the same way on SQLite and PostgreSQL.
The engine talks to these tables through SQLAlchemy Core statements on a ``Connection`` so that the
hot paths (next task, submit, ingest) stay a handful of SQL statements each.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Team(Base):
    """A private work team: the WorkteamArn of a job names one, and its workers (``team_members``) get
    the job's tasks.

    Every team made with ``crowdform team create`` or SageMaker's CreateWorkteam is a work team
    (``is_workteam``), listed by ListWorkteams. A team that CreateWorkteam made only because a member
    definition named it as a group is not (``is_workteam`` false) until CreateWorkteam names it.
    ``workteam`` keeps what CreateWorkteam/UpdateWorkteam were given (description, member
    definitions, ...) as JSON; None for a team the CLI made.
    """

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[float] = mapped_column(Float)
    is_workteam: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    workteam: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Worker(Base):
    """A person who labels. ``worker_uid`` is the opaque ``workerId`` written into Ground Truth files."""

    __tablename__ = "workers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    worker_uid: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(64))  # identityData.sub
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float)


class TeamMember(Base):
    """A worker who gets the tasks of the team's jobs. ``direct``: added to this team itself
    (``crowdform worker add --team``); otherwise the row is derived from a member group of the team
    (``team_groups``) and rebuilt when the groups or their members change (``engine/workforce.py``).
    The worker loop reads this table alone, so membership costs it one indexed lookup either way."""

    __tablename__ = "team_members"
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True)
    direct: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class TeamGroup(Base):
    """A member group of a work team (a ``CognitoMemberDefinition``'s ``UserGroup`` or an
    ``OidcMemberDefinition``'s group): the direct members of team ``group_id`` work on team
    ``team_id``'s jobs too."""

    __tablename__ = "team_groups"
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True)


class Tag(Base):
    """A SageMaker tag on a labeling job or a work team (AddTags, ``Tags`` at creation), by resource ARN."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("resource_arn", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_arn: Mapped[str] = mapped_column(String(256))
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(256))


class Admin(Base):
    """A person who runs the console: creates jobs, manages the workforce. Separate from workers, so a
    worker account can never reach an admin page."""

    __tablename__ = "admins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored. Role ``admin`` (an API token, or a console session
    with ``admin_id``) or ``worker`` (with ``worker_id``)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), nullable=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admins.id", ondelete="CASCADE"), nullable=True)
    label: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class AccessKey(Base):
    """An AWS-style access key for crowdform's AWS-compatible endpoint (``crowdform credentials create``).

    The secret is not stored: it is derived from the key id and the installation's credentials secret
    (``engine/access_keys.py``), so the table holds nothing that signs a request by itself.
    """

    __tablename__ = "access_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_key_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class InstallationSecret(Base):
    """A secret shared by every process and host of one installation, generated on first use."""

    __tablename__ = "installation_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(Float)


class Invitation(Base):
    """A one-time, expiring link where an invited worker sets their password; only its SHA-256 is kept."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class RegisteredHook(Base):
    """A named hook (``crowdform hook add NAME REF``); a Lambda ARN whose function name matches resolves to it."""

    __tablename__ = "hooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(140), unique=True)
    reference: Mapped[str] = mapped_column(Text)
    environment: Mapped[str] = mapped_column(Text, default="{}")  # JSON object of extra variables
    # requirements.txt text of the hook's own environment (`--requirements`, `--zip`); None: the server's Python
    requirements: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)


class Job(Base):
    """A labeling job. ``request`` keeps the CreateLabelingJob body as given, for DescribeLabelingJob."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63))
    name_key: Mapped[str] = mapped_column(String(63), unique=True)  # lower-cased: names are unique case-insensitively
    arn: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), index=True)
    request: Mapped[str] = mapped_column(Text)
    label_attribute_name: Mapped[str] = mapped_column(String(127))
    output_path: Mapped[str] = mapped_column(Text)  # S3OutputPath, normalised; the job dir is <output_path>/<name>
    label_categories: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of label strings
    label_config: Mapped[str | None] = mapped_column(Text, nullable=True)  # the label category file, as parsed JSON
    task_type: Mapped[str | None] = mapped_column(String(64), nullable=True)  # built-in short name; None: custom
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    template: Mapped[str] = mapped_column(Text)
    pre_hook: Mapped[str | None] = mapped_column(Text, nullable=True)
    post_hook: Mapped[str | None] = mapped_column(Text, nullable=True)
    workers_per_object: Mapped[int] = mapped_column(Integer)
    task_time_limit: Mapped[int] = mapped_column(Integer)
    availability_lifetime: Mapped[int] = mapped_column(Integer)
    max_concurrent: Mapped[int] = mapped_column(Integer)
    max_human_labeled: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_percent_labeled: Mapped[int | None] = mapped_column(Integer, nullable=True)
    object_count: Mapped[int] = mapped_column(Integer, default=0)
    iteration: Mapped[int] = mapped_column(Integer, default=0)  # the iteration of the last released object
    released: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # objects released so far
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reference_code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    output_dirty: Mapped[bool] = mapped_column(Boolean, default=True)
    output_written_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class DataObject(Base):
    """One manifest line. ``position`` is its ``datasetObjectId``; ``state`` follows engine/states.py."""

    __tablename__ = "data_objects"
    __table_args__ = (
        UniqueConstraint("job_id", "position"),
        Index("ix_data_objects_job_state_position", "job_id", "state", "position"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    iteration: Mapped[int | None] = mapped_column(Integer, nullable=True)
    task_input: Mapped[str | None] = mapped_column(Text, nullable=True)
    slots_taken: Mapped[int] = mapped_column(Integer, default=0)  # active + submitted leases
    answers: Mapped[int] = mapped_column(Integer, default=0)
    declines: Mapped[int] = mapped_column(Integer, default=0)
    released_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    answered_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # when it became ANSWERED
    claimed_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the claimer's incarnation
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("consolidation_batches.id"), nullable=True)
    label: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON {"<LAN>": ..., "<LAN>-metadata": ...}
    labeled_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Lease(Base):
    """One task: one data object held by one worker. A worker never holds the same object twice."""

    __tablename__ = "leases"
    __table_args__ = (
        UniqueConstraint("object_id", "worker_id"),
        Index("ix_leases_job_state_expires", "job_id", "state", "expires_at"),
        Index("ix_leases_worker_state", "worker_id", "state"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    object_id: Mapped[int] = mapped_column(ForeignKey("data_objects.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    state: Mapped[str] = mapped_column(String(16))
    acquired_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    submitted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)  # the answerContent JSON
    time_spent: Mapped[float | None] = mapped_column(Float, nullable=True)


class ConsolidationBatch(Base):
    """One post-annotation hook call over a set of answered objects of one iteration."""

    __tablename__ = "consolidation_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    iteration: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    claimed_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the claimer's incarnation
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stamp: Mapped[str] = mapped_column(String(19))  # the YYYY-MM-DD_HH:MM:SS of this batch's files
    request_uri: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_uri: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Incarnation(Base):
    """One start of a process that runs background work (``engine/incarnations.py``).

    Claims name the incarnation that made them (``claimed_by``). ``place`` is the host and data
    folder whose ``background.lock`` the incarnation held: a later holder of that lock knows every
    other incarnation of the same place is dead, and takes their claims over at once.
    """

    __tablename__ = "incarnations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    place: Mapped[str] = mapped_column(Text, index=True)
    started_at: Mapped[float] = mapped_column(Float)


class JobLogEntry(Base):
    """A line of a job's log: hook output, hook failures, warnings about replies."""

    __tablename__ = "job_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)


class SignInCount(Base):
    """Sign-in attempts in the current window, per account and per client address (``engine/sign_in_throttle.py``).

    Kept in the database so that every server process on it counts the same attempts. ``key`` is the
    SHA-256 of ``worker:<name>``, ``admin:<name>`` or ``address:<ip>``: no typed user name or address
    is stored as given.
    """

    __tablename__ = "sign_in_counts"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_started: Mapped[float] = mapped_column(Float, index=True)
