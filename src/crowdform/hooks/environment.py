"""The environment variables a Python hook runs with: an allow-list of the server's, plus what Lambda sets.

A Lambda function sees only what its runtime and its configuration give it. So a hook process does
not inherit the server's environment: only the variables that make a process work on this machine
(:data:`INHERITED`: the search path, home, locale, time zone, temporary folder, CA bundles) pass
through. The server's own AWS variables (its keys for an external store, ``AWS_ENDPOINT_URL_*``,
``AWS_PROFILE``) and anything else it holds never reach a hook by accident.

On top come, in this order (a later layer wins): the hook's temporary credentials, the variables the
engine gives (crowdform's endpoint, region, service endpoints) with the hook's own ``--env`` last
among them, and the names Lambda reserves (a hook cannot change which function the handler thinks
it is). Handlers read ``AWS_REGION`` to build boto3 clients, ``AWS_LAMBDA_FUNCTION_NAME`` to label
their logs and ``LAMBDA_TASK_ROOT`` to find bundled files, so those are set as Lambda sets them.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_MEMORY_MB = "128"  # Lambda's default memory size; only reported, never enforced

# The server's variables a hook process inherits; every other one is dropped.
INHERITED = (
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "SSL_CERT_FILE", "SSL_CERT_DIR",
)
INHERITED_PREFIXES = ("LC_",)  # the locale categories (LC_ALL, LC_CTYPE, ...)
# Inherited only by hooks on the server's interpreter, which run with the server's packages (the child
# runtime itself is found this way in a development checkout); never by a hook's own environment.
INHERITED_ON_SERVER_PYTHON = ("PYTHONPATH",)


@dataclass(frozen=True)
class SessionCredentials:
    """Temporary AWS credentials for a hook process, as Lambda gives its execution role's.

    ``lifetime_s`` is how long they stay valid from when they were issued: a warm process whose
    credentials come near their end is replaced by one started with fresh ones.
    """

    access_key_id: str
    secret_access_key: str
    session_token: str
    lifetime_s: float

    def variables(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
                "AWS_SESSION_TOKEN": self.session_token}


def inherited_environment(environ: Mapping[str, str] | None = None, *, server_python: bool = True) -> dict[str, str]:
    """The allow-listed part of the server's environment (:data:`INHERITED`, and
    :data:`INHERITED_ON_SERVER_PYTHON` for a hook on the server's interpreter)."""
    environ = os.environ if environ is None else environ
    names = INHERITED + INHERITED_ON_SERVER_PYTHON if server_python else INHERITED
    return {key: value for key, value in environ.items() if key in names or key.startswith(INHERITED_PREFIXES)}


def hook_environment(
    *, name: str, task_root: Path, handler: str, extra: Mapping[str, str] | None,
    credentials: SessionCredentials | None = None, server_python: bool = True,
) -> dict[str, str]:
    """The full environment for one hook process (``server_python``: on the server's interpreter)."""
    extra = dict(extra or {})
    env = inherited_environment(server_python=server_python)
    if credentials is not None:
        env.update(credentials.variables())
    region = extra.get("AWS_REGION") or extra.get("AWS_DEFAULT_REGION")
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = DEFAULT_MEMORY_MB
    env.update(extra)
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "LAMBDA_TASK_ROOT": str(task_root),
            "_HANDLER": handler,
        }
    )
    return env


def log_stream_name() -> str:
    """A fresh stream name per process, as Lambda gives each execution environment its own."""
    return time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime()) + uuid.uuid4().hex


def function_arn(name: str, env: Mapping[str, str]) -> str:
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return f"arn:aws:lambda:{region}:{DEFAULT_ACCOUNT}:function:{name}"
