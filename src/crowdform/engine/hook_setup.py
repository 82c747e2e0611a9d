"""What a Python hook process is given, so Lambda code runs in it unchanged.

A Lambda function finds AWS through its environment: its execution role's temporary credentials,
``AWS_REGION``, and (outside AWS) ``AWS_ENDPOINT_URL``. A hook process gets the same, pointing at
crowdform itself:

* ``AWS_ENDPOINT_URL`` is crowdform's own endpoint (the server's address on this machine,
  ``Settings.local_url``), which answers S3, STS and SageMaker; so ``boto3.client("s3")`` and
  ``boto3.client("sts")`` without arguments reach it.
* ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN`` are temporary
  credentials for the job's ``RoleArn`` (:data:`DEFAULT_ROLE` when it has none), issued as AssumeRole
  issues them and replaced before they end; a Lambda that assumes the role again (role chaining) gets
  the one-hour session AWS gives it.
* ``AWS_REGION`` and ``AWS_DEFAULT_REGION`` are the ``region`` setting.
* With an external store (``s3_endpoint_url``), ``AWS_ENDPOINT_URL_S3`` is that store (setting
  ``hook_s3_endpoint = "store"``) or nothing, so S3 goes through crowdform (``"crowdform"``).
* Other services: ``AWS_ENDPOINT_URL_<SERVICE>`` from the ``hook_service_endpoints`` setting.
* ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE`` are empty files and the instance metadata
  service is off, so the server account's ``~/.aws`` (a profile, an endpoint per service) cannot
  redirect a hook.

The hook's own variables (``hook add --env``) come last and win over all of these.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Callable

from crowdform.engine.access_keys import ROLE_ARN, AccessKeys
from crowdform.engine.runtime import Runtime
from crowdform.hooks.environment import SessionCredentials

if TYPE_CHECKING:  # hook_registry builds invokers with these functions
    from crowdform.engine.hook_registry import ResolvedHook

DEFAULT_ROLE_NAME = "crowdform-hook"  # the role of a job created without RoleArn
SESSION_SECONDS = 43_200  # the longest AssumeRole gives; a process is replaced before the end


def hook_variables(hook: ResolvedHook, runtime: Runtime) -> dict[str, str]:
    """Every variable crowdform sets for the hook, the hook's own ``--env`` last (credentials aside)."""
    settings = runtime.settings
    env = {
        "AWS_ENDPOINT_URL": settings.local_url,
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if settings.s3_endpoint_url and settings.hook_s3_endpoint == "store":
        env["AWS_ENDPOINT_URL_S3"] = settings.s3_endpoint_url
    env.update(dict(settings.hook_service_endpoints))
    env.update(hook.environment)
    return env


def role_for(role_arn: str | None, runtime: Runtime) -> str:
    """The job's role ARN, or :data:`DEFAULT_ROLE_NAME` in this installation's account when it has none
    or names no IAM role (a job created from the command line need not have one)."""
    if role_arn and ROLE_ARN.match(role_arn):
        return role_arn
    return f"arn:aws:iam::{runtime.settings.account_id}:role/{DEFAULT_ROLE_NAME}"


def credentials_for(runtime: Runtime, role_arn: str | None, hook_name: str,
                    access_keys: AccessKeys | None = None) -> Callable[[], SessionCredentials]:
    """A function returning fresh temporary credentials for the role, as a Lambda's execution role has."""
    keys = access_keys or AccessKeys(runtime)
    role = role_for(role_arn, runtime)
    session_name = re.sub(r"[^\w+=,.@-]", "-", hook_name)[:64]
    if len(session_name) < 2:
        session_name = DEFAULT_ROLE_NAME

    def issue() -> SessionCredentials:
        issued = keys.issue_session(role, session_name, SESSION_SECONDS)
        return SessionCredentials(issued.access_key_id, issued.secret_access_key, issued.session_token,
                                  float(SESSION_SECONDS))

    return issue

