"""Warm hook processes per job, and the buffer that carries their output into the job log.

Starting a Python process per call would cost ~50 ms; a Lambda container stays warm between calls,
and handlers rely on module state surviving. So each (job, pre|post) keeps one invoker, with up to
``pre_hook_concurrency`` warm processes, until the job ends or the server stops.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import insert

from crowdform.engine.access_keys import AccessKeys
from crowdform.engine.hook_registry import HookRegistry, ResolvedHook
from crowdform.engine.runtime import Runtime
from crowdform.hooks import HookInvoker
from crowdform.store.models import JobLogEntry


class HookPool:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._invokers: dict[tuple[int, str], HookInvoker] = {}
        self._lock = threading.Lock()
        self._pending_log: list[dict[str, Any]] = []
        self._access_keys = AccessKeys(runtime)  # one, so the hooks' credentials share its cached secret

    def invoker(self, job_id: int, role: str, hook: ResolvedHook, concurrency: int, *,
                role_arn: str | None = None) -> HookInvoker:
        """The job's warm invoker for its ``role`` (pre or post) hook; ``role_arn`` is the job's RoleArn,
        whose temporary credentials the hook processes get."""
        key = (job_id, role)
        with self._lock:
            found = self._invokers.get(key)
            if found is None:
                found = HookRegistry(self.runtime).invoker(
                    hook, role_arn=role_arn, concurrency=concurrency, access_keys=self._access_keys,
                    log=lambda stream, line: self.buffer_log(job_id, f"{role}-hook", line,
                                                             "warning" if stream == "stderr" else "info"),
                )
                self._invokers[key] = found
            return found

    def buffer_log(self, job_id: int, source: str, message: str, level: str = "info") -> None:
        entry = {"job_id": job_id, "at": self.runtime.clock.now(), "source": source, "level": level,
                 "message": message}
        with self._lock:
            self._pending_log.append(entry)

    def flush_log(self) -> None:
        with self._lock:
            pending, self._pending_log = self._pending_log, []
        if pending:
            with self.runtime.database.write() as connection:
                connection.execute(insert(JobLogEntry), pending)

    def close_job(self, job_id: int) -> None:
        with self._lock:
            closing = [self._invokers.pop(k) for k in list(self._invokers) if k[0] == job_id]
        for invoker in closing:
            invoker.close()

    def close(self) -> None:
        with self._lock:
            closing, self._invokers = list(self._invokers.values()), {}
        for invoker in closing:
            invoker.close()
        self.flush_log()
