"""The engine services one app uses, built once from a Runtime."""

from __future__ import annotations

from dataclasses import dataclass

from crowdform.engine.background import Background
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import Workforce


@dataclass
class Services:
    runtime: Runtime
    workforce: Workforce
    jobs: Jobs
    tasks: Tasks
    background: Background

    @classmethod
    def build(cls, runtime: Runtime) -> "Services":
        return cls(runtime, Workforce(runtime), Jobs(runtime), Tasks(runtime), Background(runtime))
