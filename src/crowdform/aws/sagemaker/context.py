"""What a SageMaker operation works with: the engine services, and where the client reached us."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tags import Tags
from crowdform.engine.workteams import Workteams


@dataclass(frozen=True)
class Engine:
    """The engine services the operations call, built once per app (the CLI's and console's own)."""

    runtime: Runtime
    jobs: Jobs
    workteams: Workteams
    tags: Tags

    @classmethod
    def build(cls, runtime: Runtime) -> "Engine":
        return cls(runtime, Jobs(runtime), Workteams(runtime), Tags(runtime))


@dataclass(frozen=True)
class Context:
    engine: Engine
    host: str
    """The ``Host`` the client sent its request to (``127.0.0.1:8080``)."""

    @property
    def runtime(self) -> Runtime:
        return self.engine.runtime

    @property
    def base_url(self) -> str:
        """The server's address for links in replies: the ``public_url`` setting, else the address
        the client reached (over plain HTTP, as ``crowdform serve`` listens)."""
        public = self.runtime.settings.public_url
        return public.rstrip("/") if public else f"http://{self.host}"

    @property
    def portal_address(self) -> str:
        """The worker portal's address without its scheme, as AWS gives ``SubDomain``
        (``abc.labeling.us-east-1.sagemaker.aws``): the server's root, which leads to the portal."""
        parts = urlsplit(self.base_url)
        return parts.netloc + parts.path.rstrip("/")


Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]
"""One operation: the validated request in, the reply out (both as the service model has them)."""
