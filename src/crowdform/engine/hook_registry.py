"""Turn what a job names as its pre- or post-annotation "Lambda" into something runnable.

A job may name, in this order of precedence:
1. a built-in Ground Truth function (``PRE-PassThrough``, ``arn:aws:lambda:...:function:ACS-PassThrough``);
2. a Lambda ARN (``arn:aws:lambda:<region>:<acct>:function:<name>``) whose function name was
   registered with ``crowdform hook add <name> <reference>``, or that registered name itself;
3. a hook reference: a handler file, ``module:function``, ``folder:dotted.handler`` or an HTTP(S) URL.

The job stores the resolved form (absolute paths), so a server started in another folder runs the
same code the creator meant.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from crowdform.engine.runtime import Runtime
from crowdform.errors import InvalidInput, NotFound
from crowdform.groundtruth.arns import builtin_function, lambda_function_name
from crowdform.hooks import HookReference, parse_hook_reference
from crowdform.store.models import RegisteredHook

PASS_THROUGH = ("PRE-PassThrough", "ACS-PassThrough")


@dataclass(frozen=True)
class ResolvedHook:
    given: str
    name: str  # the function name the handler sees (context.function_name)
    builtin: str | None = None
    reference: str | None = None  # canonical hook reference text, re-parsed where it runs
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def is_pass_through(self) -> bool:
        return self.builtin in PASS_THROUGH

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> "ResolvedHook | None":
        return None if not text else cls(**json.loads(text))

    def parsed_reference(self) -> HookReference:
        assert self.reference is not None, "built-in hooks have no reference"
        return parse_hook_reference(self.reference, base_dir=Path("/"))


class HookRegistry:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def add(self, name: str, reference: str, *, environment: dict[str, str] | None = None,
            base_dir: Path | None = None) -> ResolvedHook:
        """Register (or replace) a named hook; the reference is checked and stored in absolute form."""
        if not name or len(name) > 140 or any(c.isspace() for c in name):
            raise InvalidInput.one("hook name", "must be 1-140 characters without spaces", value=name)
        canonical = self._canonical(reference, base_dir or Path.cwd())
        env = json.dumps(environment or {}, sort_keys=True)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            changed = connection.execute(update(RegisteredHook).where(RegisteredHook.name == name)
                                         .values(reference=canonical, environment=env)).rowcount
            if not changed:
                connection.execute(insert(RegisteredHook).values(name=name, reference=canonical, environment=env,
                                                                 created_at=now))
        return ResolvedHook(given=name, name=name, reference=canonical, environment=environment or {})

    def list(self) -> list[ResolvedHook]:
        with self.runtime.database.read() as connection:
            rows = connection.execute(select(RegisteredHook).order_by(RegisteredHook.name)).all()
        return [ResolvedHook(given=r.name, name=r.name, reference=r.reference, environment=json.loads(r.environment))
                for r in rows]

    def resolve(self, connection: Connection, given: str, *, base_dir: Path, field_name: str) -> ResolvedHook:
        builtin = builtin_function(given)
        if builtin is not None:
            return ResolvedHook(given=given, name=builtin, builtin=builtin)
        function = lambda_function_name(given)
        registered = connection.execute(
            select(RegisteredHook).where(RegisteredHook.name == (function or given))
        ).first()
        if registered is not None:
            return ResolvedHook(given=given, name=registered.name, reference=registered.reference,
                                environment=json.loads(registered.environment))
        if function is not None:
            raise NotFound(
                f"{field_name}: no hook is registered for Lambda function {function!r} ({given}). "
                f"Register its handler with: crowdform hook add {function} path/to/handler.py"
            )
        canonical = self._canonical(given, base_dir, field_name=field_name)
        return ResolvedHook(given=given, name=_function_name(given), reference=canonical)

    @staticmethod
    def _canonical(reference: str, base_dir: Path, field_name: str = "hook reference") -> str:
        try:
            return canonical_reference(parse_hook_reference(reference, base_dir=base_dir))
        except InvalidInput as exc:
            raise InvalidInput(f"{field_name} ({exc.source})", exc.problems) from None


def canonical_reference(reference: HookReference) -> str:
    """The reference with absolute paths, in a form that parses back to the same hook from any folder.

    An importable module is written in the folder form (``task_root:module.function``): the folder
    is the first entry of the hook's ``sys.path``, and installed packages stay importable.
    """
    if reference.kind == "http":
        return str(reference.url)
    if reference.file is not None:
        return f"{reference.file}:{reference.function}"
    return f"{reference.task_root}:{reference.module}.{reference.function}"


def _function_name(reference: str) -> str:
    """A Lambda-like function name for a hook given as a path or URL (what ``context.function_name`` says)."""
    tail = reference.rstrip("/").replace(":", "/").split("/")[-1] or "hook"
    name = tail.removesuffix(".py")
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:64] or "hook"


def environment_for(hook: ResolvedHook, runtime: Runtime) -> dict[str, Any]:
    """Variables every hook process gets: the region (as Lambda sets it) and the hook's own variables."""
    region = runtime.settings.region
    env = {"AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    if runtime.settings.s3_endpoint_url:
        env["AWS_ENDPOINT_URL_S3"] = runtime.settings.s3_endpoint_url
    env.update(hook.environment)
    return env
