"""The engine services one app uses, built once from a Runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crowdform.aws.catalog import build_aws_services
from crowdform.aws.endpoint import AwsServices
from crowdform.engine.background import Background
from crowdform.engine.file_access import FileAccess
from crowdform.engine.invitations import Invitations
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.sign_in_throttle import SignInThrottle
from crowdform.engine.task_pages import TaskPages
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import Workforce
from crowdform.web.assets import versioned_crowd_script_url


@dataclass
class Services:
    runtime: Runtime
    workforce: Workforce
    jobs: Jobs
    tasks: Tasks
    background: Background
    file_access: FileAccess
    task_pages: TaskPages
    invitations: Invitations
    aws: AwsServices
    sign_in_throttle: SignInThrottle
    committer: Any = field(default=None, repr=False)
    """The group committer of the worker loop's calls (``engine_calls``), made on the first of them."""
    password_slots: Any = field(default=None, repr=False)
    """This process's bound on password checks (``password_checks``), made on the first sign-in."""

    @classmethod
    def build(cls, runtime: Runtime) -> "Services":
        file_access = FileAccess.from_settings(runtime.settings, secret=runtime.signing_secret, storage=runtime.storage,
                                               clock=runtime.clock)
        workforce = Workforce(runtime)
        return cls(runtime, workforce, Jobs(runtime), Tasks(runtime), Background(runtime), file_access,
                   TaskPages(runtime, file_access.grant, bundle_url=versioned_crowd_script_url()),
                   Invitations(runtime, workforce), build_aws_services(runtime), SignInThrottle(runtime))
