"""The environment variables a Python hook runs with: the server's own, plus what Lambda sets.

Handlers read ``AWS_REGION`` to build boto3 clients, ``AWS_LAMBDA_FUNCTION_NAME`` to label their
logs and ``LAMBDA_TASK_ROOT`` to find bundled files, so those are set as Lambda sets them. The
job's own variables come next, and the names Lambda reserves come last: a job cannot change which
function the handler thinks it is.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Mapping

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_MEMORY_MB = "128"  # Lambda's default memory size; only reported, never enforced


def hook_environment(
    *, name: str, task_root: Path, handler: str, extra: Mapping[str, str] | None
) -> dict[str, str]:
    """The full environment for one hook's child processes."""
    extra = dict(extra or {})
    env = dict(os.environ)
    region = extra.get("AWS_REGION") or extra.get("AWS_DEFAULT_REGION")
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    env.setdefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", DEFAULT_MEMORY_MB)
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
