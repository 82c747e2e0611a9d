"""Turn what a job names as its pre- or post-annotation "Lambda" into something runnable.

A job may name, in this order of precedence:
1. a built-in Ground Truth function (``PRE-PassThrough``, ``arn:aws:lambda:...:function:ACS-PassThrough``);
2. a Lambda ARN (``arn:aws:lambda:<region>:<acct>:function:<name>``) whose function name was
   registered with ``crowdform hook add <name> <reference>``, or that registered name itself;
3. a hook reference: a handler file, ``module:function``, ``folder:dotted.handler`` or an HTTP(S) URL.

The job stores the resolved form (absolute paths), so a server started in another folder runs the
same code the creator meant. A registered hook may have its own Python environment
(``--requirements``, or ``--zip`` with a Lambda deployment package): its requirements are stored
with it and travel into the job, and the environment is built when the hook is added, so a hook
that cannot start is refused then, not when the first object reaches it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection, insert, select, update

from crowdform.engine.access_keys import AccessKeys
from crowdform.engine.hook_setup import credentials_for, hook_variables
from crowdform.engine.runtime import Runtime
from crowdform.errors import HookError, InvalidInput, NotFound
from crowdform.groundtruth.arns import builtin_function, lambda_function_name
from crowdform.hooks import HookInvoker, HookReference, parse_hook_reference
from crowdform.hooks.package import unpack_deployment_package
from crowdform.hooks.virtualenvs import HookEnvironments, HookPython
from crowdform.store.models import RegisteredHook

PASS_THROUGH = ("PRE-PassThrough", "ACS-PassThrough")


@dataclass(frozen=True)
class ResolvedHook:
    given: str
    name: str  # the function name the handler sees (context.function_name)
    builtin: str | None = None
    reference: str | None = None  # canonical hook reference text, re-parsed where it runs
    environment: dict[str, str] = field(default_factory=dict)
    requirements: str | None = None  # the hook's own environment's requirements.txt; None: the server's Python

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

    def add(self, name: str, reference: str | None, *, environment: dict[str, str] | None = None,
            base_dir: Path | None = None, requirements: str | None = None, package: Path | None = None,
            handler: str | None = None) -> ResolvedHook:
        """Register (or replace) a named hook; the reference is checked and stored in absolute form.

        ``requirements`` (a requirements.txt's text) or ``package`` (a Lambda deployment zip, whose
        ``handler`` is ``module.function``) give the hook an environment of its own, built now; a
        hook in its own environment is also started once, so one whose handler cannot be imported
        there is refused here.
        """
        if not name or len(name) > 140 or any(c.isspace() for c in name):
            raise InvalidInput.one("hook name", "must be 1-140 characters without spaces", value=name)
        base = base_dir or Path.cwd()
        if package is not None:
            if reference:
                raise InvalidInput.one("hook add", "give either a hook reference or --zip, not both", value=reference,
                                       hint="With --zip, name the function with --handler module.function")
            if not handler:
                raise InvalidInput.one("--handler", "is needed with --zip",
                                       hint="Give the Lambda handler string, e.g. --handler lambda_function.lambda_handler")
            folder = unpack_deployment_package(package, self.runtime.settings.data_dir)
            reference = f"{folder}:{handler}"
            requirements = requirements or ""
        elif handler:
            raise InvalidInput.one("--handler", "goes with --zip", value=handler,
                                   hint="For a file or folder, write the function in the reference: file.py:function")
        if not reference:
            raise InvalidInput.one("hook add", "names no code", hint="Give a hook reference, or --zip and --handler")
        canonical = self._canonical(reference, base)
        hook = ResolvedHook(given=name, name=name, reference=canonical, environment=environment or {},
                            requirements=requirements)
        if requirements is not None:
            if hook.parsed_reference().kind != "python":
                raise InvalidInput.one("--requirements", "only a Python hook has an environment", value=canonical,
                                       hint="An http(s) hook runs wherever its server runs; leave --requirements out")
            self.check_starts(hook)
        env = json.dumps(environment or {}, sort_keys=True)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            changed = connection.execute(update(RegisteredHook).where(RegisteredHook.name == name)
                                         .values(reference=canonical, environment=env,
                                                 requirements=requirements)).rowcount
            if not changed:
                connection.execute(insert(RegisteredHook).values(name=name, reference=canonical, environment=env,
                                                                 requirements=requirements, created_at=now))
        return hook

    def environment(self, hook: ResolvedHook, *, source: str = "--requirements") -> HookPython | None:
        """The hook's own environment, built now if this data folder lacks it; None for the server's Python."""
        if hook.requirements is None:
            return None
        settings = self.runtime.settings
        return HookEnvironments(settings.data_dir, settings.hook_pip_options).ensure(hook.requirements, source=source)

    def invoker(self, hook: ResolvedHook, *, role_arn: str | None, concurrency: int = 1,
                log: Callable[[str, str], None] | None = None, access_keys: AccessKeys | None = None) -> HookInvoker:
        """A :class:`HookInvoker` for the hook with everything a Lambda gets (:mod:`crowdform.engine.hook_setup`),
        in its own environment when it has one."""
        reference = hook.parsed_reference()
        python_hook = reference.kind == "python"
        return HookInvoker(
            reference, name=hook.name, environment=hook_variables(hook, self.runtime),
            timeout_s=self.runtime.settings.hook_timeout_seconds, concurrency=concurrency, log=log,
            credentials=credentials_for(self.runtime, role_arn, hook.name, access_keys) if python_hook else None,
            python=self.environment(hook, source=f"hook {hook.name}") if python_hook else None,
        )

    def check_starts(self, hook: ResolvedHook) -> None:
        """Import the handler once in its environment; refuse the hook, naming the error, if that fails."""
        try:
            with self.invoker(hook, role_arn=None, log=lambda stream, line: None) as invoker:
                invoker.check_loads()
        except HookError as error:
            raise InvalidInput.one(f"hook {hook.name}", f"cannot start in its environment: {error}",
                                   value=hook.reference,
                                   hint="Add what the handler imports to its requirements, or fix the handler") from None

    def ensure_environments(self, *given: str | None) -> None:
        """Before a job is created: build the environments of the registered hooks it names (a no-op
        when built), so the job is refused when one cannot be built."""
        for name in filter(None, given):
            function = lambda_function_name(name) or name
            with self.runtime.database.read() as connection:
                row = connection.execute(select(RegisteredHook.name, RegisteredHook.requirements)
                                         .where(RegisteredHook.name == function)).first()
            if row is not None and row.requirements is not None:
                hook = ResolvedHook(given=name, name=row.name, requirements=row.requirements)
                self.environment(hook, source=f"hook {row.name}")

    def list(self) -> list[ResolvedHook]:
        with self.runtime.database.read() as connection:
            rows = connection.execute(select(RegisteredHook).order_by(RegisteredHook.name)).all()
        return [ResolvedHook(given=r.name, name=r.name, reference=r.reference, environment=json.loads(r.environment),
                             requirements=r.requirements)
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
                                environment=json.loads(registered.environment),
                                requirements=registered.requirements)
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

