"""The ``CreateLabelingJob`` request: parse and check it into a :class:`JobSpec` (spec 1.3, 2.1, 9.1).

Every problem is collected and reported in one :class:`~crowdform.errors.InvalidInput`, each with
the field path (``HumanTaskConfig.NumberOfHumanWorkersPerDataObject``), the value given, and the
allowed range or pattern as the hint.

Where crowdform differs from SageMaker (all choices recorded in ``docs/decisions.md``):

* URIs may be local paths, ``file://`` or ``s3://`` URIs; only presence and length are checked.
* ``RoleArn`` is optional and otherwise ignored (it is passed on to hooks as ``roleArn``).
* ``WorkteamArn`` may be a plain team name; public and vendor work teams are refused.
* ``PreHumanTaskLambdaArn`` and ``AnnotationConsolidationLambdaArn`` may also be hook references
  (``hooks/pre.py``, ``module:function``, an HTTP URL); they are kept verbatim.
* ``LabelAttributeName`` defaults to the job name, as the console does (spec 1.3).
* Streaming jobs (``SnsDataSource``) and automated data labeling (``LabelingJobAlgorithmsConfig``)
  are refused rather than silently ignored.
* Keys Ground Truth does not know are refused with the nearest valid name, as boto3 does.
* A JSON ``null`` counts as a missing key.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from crowdform.errors import InvalidInput, Problem
from crowdform.manifest.codec import type_name
from crowdform.groundtruth.arns import (
    NAME_PATTERN,
    REF_SUFFIX_TASKS,
    builtin_function,
    workteam_name,
)
from crowdform.groundtruth.task_types import BUILTIN_PREFIX, BY_FUNCTION, BY_NAME, TaskType, builtin_hook_name

DEFAULT_AVAILABILITY_LIFETIME = 2_592_000  # 30 days: the private-workforce default (spec 2.1)
MAX_AVAILABILITY_LIFETIME = 2_592_000
DEFAULT_MAX_CONCURRENT = 1_000
MAX_URI_CHARS = 1_024
MAX_ARN_CHARS = 2_048
LAN_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,126}"
RESERVED_LANS = frozenset({"source", "source-ref"})
CONTENT_CLASSIFIERS = frozenset({"FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent"})

_NAME = re.compile(NAME_PATTERN)
_LAN = re.compile(LAN_PATTERN)

_TOP_KEYS = (
    "LabelingJobName",
    "LabelAttributeName",
    "InputConfig",
    "OutputConfig",
    "RoleArn",
    "LabelCategoryConfigS3Uri",
    "StoppingConditions",
    "LabelingJobAlgorithmsConfig",
    "HumanTaskConfig",
    "Tags",
)
_HUMAN_TASK_KEYS = (
    "WorkteamArn",
    "UiConfig",
    "PreHumanTaskLambdaArn",
    "TaskKeywords",
    "TaskTitle",
    "TaskDescription",
    "NumberOfHumanWorkersPerDataObject",
    "TaskTimeLimitInSeconds",
    "TaskAvailabilityLifetimeInSeconds",
    "MaxConcurrentTaskCount",
    "AnnotationConsolidationConfig",
    "PublicWorkforceTaskPrice",
)


@dataclass(frozen=True)
class JobSpec:
    """A checked ``CreateLabelingJob`` request, in the engine's terms."""

    name: str
    label_attribute_name: str
    manifest_uri: str
    output_path: str
    role_arn: str | None
    label_category_config_uri: str | None
    team: str
    """The team name, from ``WorkteamArn`` (see :func:`~crowdform.groundtruth.arns.workteam_name`)."""
    template_uri: str | None
    human_task_ui_arn: str | None
    pre_hook: str | None
    """``PreHumanTaskLambdaArn`` verbatim: a Lambda ARN, a built-in name or a hook reference."""
    post_hook: str | None
    """``AnnotationConsolidationLambdaArn`` verbatim."""
    title: str
    description: str
    keywords: tuple[str, ...]
    workers_per_object: int
    task_time_limit: int
    availability_lifetime: int
    max_concurrent: int
    max_human_labeled: int | None
    max_percent_labeled: int | None
    request: dict[str, Any]
    """The request as given, with defaults filled in, for DescribeLabelingJob to echo."""

    @property
    def task_type(self) -> TaskType | None:
        """The built-in task type crowdform runs for this job; None for custom jobs."""
        task = self.builtin_task
        return None if task is None else BY_FUNCTION.get(task)

    @property
    def builtin_task(self) -> str | None:
        """The built-in task type the hooks name (``BoundingBox``, ...); None for custom jobs.

        The consolidation function decides when both hooks are built-ins; ``PassThrough`` is a custom
        job (its output ``type`` is ``groundtruth/custom``, spec 8.1).
        """
        return _task_type(_builtin_task(self.pre_hook, "PRE"), _builtin_task(self.post_hook, "ACS"))


def parse_create_labeling_job(body: Any, *, source: str) -> JobSpec:
    """Check a ``CreateLabelingJob`` request body and return its :class:`JobSpec`.

    Raises :class:`InvalidInput` listing every problem found.
    """
    if not isinstance(body, dict):
        raise InvalidInput.one(
            source,
            f"the request must be a JSON object, not {type_name(body)}",
            value=body,
            hint="Send the CreateLabelingJob fields as one JSON object",
        )
    check = _Checker()
    check.unknown_keys(body, _TOP_KEYS, "")

    name = check.text(body, "LabelingJobName", "", required=True, max_len=63)
    if name is not None and not _NAME.fullmatch(name):
        check.add(
            "LabelingJobName",
            "does not match the allowed pattern",
            name,
            f"Use 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit "
            f"(pattern {NAME_PATTERN})",
        )
        name = None

    lan_given = body.get("LabelAttributeName") is not None
    lan = check.text(body, "LabelAttributeName", "", required=False, max_len=127)

    # InputConfig
    manifest_uri: str | None = None
    input_config = check.section(body, "InputConfig", "", ("DataSource", "DataAttributes"), required=True)
    if input_config is not None:
        data_source = check.section(
            input_config, "DataSource", "InputConfig", ("S3DataSource", "SnsDataSource"), required=True
        )
        if data_source is not None:
            if data_source.get("SnsDataSource") is not None:
                check.add(
                    "InputConfig.DataSource.SnsDataSource",
                    "streaming labeling jobs are not supported",
                    hint="Give InputConfig.DataSource.S3DataSource.ManifestS3Uri instead",
                )
            s3 = check.section(
                data_source,
                "S3DataSource",
                "InputConfig.DataSource",
                ("ManifestS3Uri",),
                required=data_source.get("SnsDataSource") is None,
            )
            if s3 is not None:
                manifest_uri = check.text(
                    s3, "ManifestS3Uri", "InputConfig.DataSource.S3DataSource", required=True,
                    max_len=MAX_URI_CHARS, what="the manifest's URI or path",
                )
        attributes = check.section(
            input_config, "DataAttributes", "InputConfig", ("ContentClassifiers",), required=False
        )
        if attributes is not None:
            check.enum_list(
                attributes, "ContentClassifiers", "InputConfig.DataAttributes", CONTENT_CLASSIFIERS
            )

    # OutputConfig
    output_path: str | None = None
    output_config = check.section(
        body, "OutputConfig", "", ("S3OutputPath", "KmsKeyId", "SnsTopicArn"), required=True
    )
    if output_config is not None:
        output_path = check.text(
            output_config, "S3OutputPath", "OutputConfig", required=True, max_len=MAX_URI_CHARS,
            what="the URI or path of the output folder",
        )
        check.text(output_config, "KmsKeyId", "OutputConfig", required=False, min_len=0, max_len=MAX_ARN_CHARS)
        check.text(output_config, "SnsTopicArn", "OutputConfig", required=False, min_len=0, max_len=MAX_ARN_CHARS)

    role_arn = check.text(body, "RoleArn", "", required=False, min_len=0, max_len=MAX_ARN_CHARS)
    labels_uri = check.text(
        body, "LabelCategoryConfigS3Uri", "", required=False, max_len=MAX_URI_CHARS,
        what="the label category file's URI or path",
    )

    # StoppingConditions
    max_human_labeled: int | None = None
    max_percent_labeled: int | None = None
    stopping = check.section(
        body,
        "StoppingConditions",
        "",
        ("MaxHumanLabeledObjectCount", "MaxPercentageOfInputDatasetLabeled"),
        required=False,
    )
    if stopping is not None:
        max_human_labeled = check.integer(
            stopping, "MaxHumanLabeledObjectCount", "StoppingConditions", low=1, high=None
        )
        max_percent_labeled = check.integer(
            stopping, "MaxPercentageOfInputDatasetLabeled", "StoppingConditions", low=1, high=100
        )

    if body.get("LabelingJobAlgorithmsConfig") is not None:
        check.add(
            "LabelingJobAlgorithmsConfig",
            "automated data labeling is not supported",
            hint="Remove LabelingJobAlgorithmsConfig; crowdform labels with human workers only",
        )
    check.tags(body)

    # HumanTaskConfig
    team: str | None = None
    template_uri: str | None = None
    ui_arn: str | None = None
    pre_hook: str | None = None
    post_hook: str | None = None
    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    workers: int | None = None
    time_limit: int | None = None
    lifetime: int | None = None
    max_concurrent: int | None = None
    human = check.section(body, "HumanTaskConfig", "", _HUMAN_TASK_KEYS, required=True)
    if human is not None:
        where = "HumanTaskConfig"
        team_value = check.text(human, "WorkteamArn", where, required=True, max_len=256,
                                what="a team name or private work team ARN")
        if team_value is not None:
            try:
                team = workteam_name(team_value, source=source)
            except InvalidInput as exc:
                for problem in exc.problems:
                    check.add("HumanTaskConfig.WorkteamArn", problem.message, problem.value, problem.hint)
        ui = check.section(human, "UiConfig", where, ("UiTemplateS3Uri", "HumanTaskUiArn"),
                           required=not _names_builtin(human))
        if ui is not None:
            template_uri = check.text(ui, "UiTemplateS3Uri", f"{where}.UiConfig", required=False,
                                      max_len=MAX_URI_CHARS)
            ui_arn = check.text(ui, "HumanTaskUiArn", f"{where}.UiConfig", required=False,
                                max_len=MAX_URI_CHARS)
            given = [k for k in ("UiTemplateS3Uri", "HumanTaskUiArn") if ui.get(k) is not None]
            if len(given) == 2:
                check.add(f"{where}.UiConfig", "has both UiTemplateS3Uri and HumanTaskUiArn",
                          hint="Give exactly one of them")
            elif not given and not _names_builtin(human):
                check.add(f"{where}.UiConfig", "has neither UiTemplateS3Uri nor HumanTaskUiArn",
                          hint="Give UiTemplateS3Uri (the worker template's URI or path) or HumanTaskUiArn, "
                               "or name a built-in task type's functions to use its template")
        pre_hook = check.text(human, "PreHumanTaskLambdaArn", where, required=False, max_len=MAX_ARN_CHARS)
        pre_hook = pre_hook and builtin_hook_name(pre_hook, "PRE")
        consolidation = check.section(
            human, "AnnotationConsolidationConfig", where, ("AnnotationConsolidationLambdaArn",),
            required=False,
        )
        if consolidation is not None:
            post_hook = check.text(
                consolidation, "AnnotationConsolidationLambdaArn", f"{where}.AnnotationConsolidationConfig",
                required=True, max_len=MAX_ARN_CHARS, what="a Lambda ARN, built-in name or hook reference",
            )
            post_hook = post_hook and builtin_hook_name(post_hook, "ACS")
        title = check.text(human, "TaskTitle", where, required=True, max_len=128)
        description = check.text(human, "TaskDescription", where, required=True, max_len=255)
        keywords = check.keywords(human)
        workers = check.integer(human, "NumberOfHumanWorkersPerDataObject", where, low=1, high=9, required=True)
        time_limit = check.integer(human, "TaskTimeLimitInSeconds", where, low=30, high=28_800, required=True)
        lifetime = check.integer(human, "TaskAvailabilityLifetimeInSeconds", where, low=60,
                                 high=MAX_AVAILABILITY_LIFETIME)
        max_concurrent = check.integer(human, "MaxConcurrentTaskCount", where, low=1, high=5_000)
        check.section(human, "PublicWorkforceTaskPrice", where, ("AmountInUsd",), required=False)

    task = check.hooks(pre_hook, post_hook)
    if task is not None and labels_uri is None and body.get("LabelCategoryConfigS3Uri") is None:
        check.add(
            "LabelCategoryConfigS3Uri",
            f"is required for the built-in task type {task}",
            hint="Give the URI or path of a label category file (spec 1.4)",
        )

    if not lan_given and name is not None:
        lan = name
    if lan is not None:
        check.label_attribute_name(lan, task, defaulted=not lan_given)

    if check.problems:
        raise InvalidInput(source, check.problems)

    request = copy.deepcopy(body)
    request["LabelAttributeName"] = lan
    human_request = request["HumanTaskConfig"]
    human_request["TaskAvailabilityLifetimeInSeconds"] = lifetime or DEFAULT_AVAILABILITY_LIFETIME
    human_request["MaxConcurrentTaskCount"] = max_concurrent or DEFAULT_MAX_CONCURRENT
    return JobSpec(
        name=_present(name),
        label_attribute_name=_present(lan),
        manifest_uri=_present(manifest_uri),
        output_path=_present(output_path),
        role_arn=role_arn,
        label_category_config_uri=labels_uri,
        team=_present(team),
        template_uri=template_uri,
        human_task_ui_arn=ui_arn,
        pre_hook=pre_hook,
        post_hook=post_hook,
        title=_present(title),
        description=_present(description),
        keywords=keywords,
        workers_per_object=_present(workers),
        task_time_limit=_present(time_limit),
        availability_lifetime=lifetime or DEFAULT_AVAILABILITY_LIFETIME,
        max_concurrent=max_concurrent or DEFAULT_MAX_CONCURRENT,
        max_human_labeled=max_human_labeled,
        max_percent_labeled=max_percent_labeled,
        request=request,
    )


def request_from_flags(
    *,
    name: str,
    manifest: str,
    output: str,
    template: str | None,
    team: str,
    pre_hook: str | None = None,
    post_hook: str | None = None,
    workers_per_object: int = 1,
    label_attribute_name: str | None = None,
    labels_uri: str | None = None,
    title: str | None = None,
    description: str | None = None,
    keywords: Sequence[str] = (),
    task_time_limit: int = 300,
    availability_lifetime: int | None = None,
    max_concurrent: int | None = None,
) -> dict[str, Any]:
    """A ``CreateLabelingJob`` body built from the CLI's flags, to check with :func:`parse_create_labeling_job`.

    ``template`` becomes ``UiConfig.HumanTaskUiArn`` when it is a ``human-task-ui`` ARN, else
    ``UiTemplateS3Uri``; None leaves ``UiConfig`` out (a built-in task type's own template). ``title`` defaults to the job name and ``description`` to the title.
    Optional values left as None are omitted, so the parser fills its defaults.
    """
    body: dict[str, Any] = {"LabelingJobName": name}
    if label_attribute_name is not None:
        body["LabelAttributeName"] = label_attribute_name
    body["InputConfig"] = {"DataSource": {"S3DataSource": {"ManifestS3Uri": manifest}}}
    body["OutputConfig"] = {"S3OutputPath": output}
    if labels_uri is not None:
        body["LabelCategoryConfigS3Uri"] = labels_uri
    human: dict[str, Any] = {"WorkteamArn": team}
    if template is not None:
        ui_key = "HumanTaskUiArn" if template.startswith("arn:") and ":human-task-ui/" in template else "UiTemplateS3Uri"
        human["UiConfig"] = {ui_key: template}
    if pre_hook is not None:
        human["PreHumanTaskLambdaArn"] = pre_hook
    if keywords:
        human["TaskKeywords"] = list(keywords)
    human["TaskTitle"] = title if title is not None else name
    human["TaskDescription"] = description if description is not None else human["TaskTitle"]
    human["NumberOfHumanWorkersPerDataObject"] = workers_per_object
    human["TaskTimeLimitInSeconds"] = task_time_limit
    if availability_lifetime is not None:
        human["TaskAvailabilityLifetimeInSeconds"] = availability_lifetime
    if max_concurrent is not None:
        human["MaxConcurrentTaskCount"] = max_concurrent
    if post_hook is not None:
        human["AnnotationConsolidationConfig"] = {"AnnotationConsolidationLambdaArn": post_hook}
    body["HumanTaskConfig"] = human
    return body


T = TypeVar("T")


def _present(value: T | None) -> T:
    """Narrow a value that is known to be set once a request has no problems."""
    if value is None:  # pragma: no cover - every required field adds a problem when missing
        raise RuntimeError("a required field was not checked")
    return value


def _names_builtin(human: Mapping[str, Any]) -> bool:
    """Whether a HumanTaskConfig names a built-in task type crowdform runs (its template is then the default)."""
    pre = human.get("PreHumanTaskLambdaArn")
    consolidation = human.get("AnnotationConsolidationConfig")
    post = consolidation.get("AnnotationConsolidationLambdaArn") if isinstance(consolidation, dict) else None
    pre_task = _builtin_task(builtin_hook_name(pre, "PRE"), "PRE") if isinstance(pre, str) else None
    post_task = _builtin_task(builtin_hook_name(post, "ACS"), "ACS") if isinstance(post, str) else None
    return _task_type(pre_task, post_task) in BY_FUNCTION


def _builtin_task(hook: str | None, prefix: str) -> str | None:
    name = builtin_function(hook) if hook is not None else None
    return name[4:] if name is not None and name.startswith(prefix) else None


def _task_type(pre_task: str | None, post_task: str | None) -> str | None:
    for task in (post_task, pre_task):
        if task is not None and task != "PassThrough":
            return task
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Checker:
    """Collects problems while reading a request; each method returns the value or None."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, message: str, value: Any = None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, field=field, value=value, hint=hint))

    def unknown_keys(self, obj: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
        for key in obj:
            if key in allowed:
                continue
            folded = {k.lower(): k for k in allowed}
            guess = folded.get(str(key).lower()) or next(
                iter(difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)), None
            )
            hint = (
                f"Did you mean {guess}?"
                if guess
                else f"Known fields{' of ' + path if path else ''}: {', '.join(allowed)}"
            )
            self.add(_join(path, str(key)), "is not a known field", hint=hint)

    def section(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        allowed: Sequence[str],
        *,
        required: bool,
    ) -> dict[str, Any] | None:
        field = _join(path, key)
        value = parent.get(key)
        if value is None:
            if required:
                self.add(field, "is required", hint=f"Give an object with {', '.join(allowed)}")
            return None
        if not isinstance(value, dict):
            self.add(field, f"must be an object, not {type_name(value)}", value,
                     f"Give an object with {', '.join(allowed)}")
            return None
        self.unknown_keys(value, allowed, field)
        return value

    def text(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_len: int,
        min_len: int = 1,
        what: str = "a string",
    ) -> str | None:
        field = _join(path, key)
        value = parent.get(key)
        length_hint = f"Give {what} of {min_len} to {max_len} characters" if min_len else (
            f"Give {what} of at most {max_len} characters"
        )
        if value is None:
            if required:
                self.add(field, "is required", hint=length_hint)
            return None
        if not isinstance(value, str):
            self.add(field, f"must be a string, not {type_name(value)}", value, length_hint)
            return None
        if not min_len <= len(value) <= max_len:
            self.add(field, f"has {len(value)} characters", value, length_hint)
            return None
        return value

    def integer(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        low: int,
        high: int | None,
        required: bool = False,
    ) -> int | None:
        field = _join(path, key)
        value = parent.get(key)
        allowed = f"an integer from {low:,} to {high:,}" if high is not None else f"an integer of at least {low:,}"
        if value is None:
            if required:
                self.add(field, "is required", hint=f"Give {allowed}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, f"must be an integer, not {type_name(value)}", value,
                     f"Give {allowed}, as a JSON number without quotes")
            return None
        if value < low or (high is not None and value > high):
            self.add(field, "is out of range", value, f"Give {allowed}")
            return None
        return value

    def enum_list(self, parent: Mapping[str, Any], key: str, path: str, allowed: Collection[str]) -> None:
        field = _join(path, key)
        value = parent.get(key)
        choices = ", ".join(sorted(allowed))
        if value is None:
            return
        if not isinstance(value, list):
            self.add(field, f"must be an array, not {type_name(value)}", value, f"List some of: {choices}")
            return
        for index, item in enumerate(value):
            if item not in allowed:
                self.add(f"{field}[{index}]", "is not an allowed value", item, f"Use one of: {choices}")

    def keywords(self, human: Mapping[str, Any]) -> tuple[str, ...]:
        field = "HumanTaskConfig.TaskKeywords"
        value = human.get("TaskKeywords")
        hint = "Give 1 to 5 keywords of 1 to 30 characters each"
        if value is None:
            return ()
        if not isinstance(value, list):
            self.add(field, f"must be an array of strings, not {type_name(value)}", value, hint)
            return ()
        if not 1 <= len(value) <= 5:
            self.add(field, f"has {len(value)} keywords", value, hint)
        good: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not 1 <= len(item) <= 30:
                self.add(f"{field}[{index}]", "must be a string of 1 to 30 characters", item, hint)
            else:
                good.append(item)
        return tuple(good)

    def tags(self, body: Mapping[str, Any]) -> None:
        value = body.get("Tags")
        if value is None:
            return
        hint = 'Give at most 50 tags like {"Key": "team", "Value": "support"}'
        if not isinstance(value, list):
            self.add("Tags", f"must be an array, not {type_name(value)}", value, hint)
            return
        if len(value) > 50:
            self.add("Tags", f"has {len(value)} tags", hint=hint)
        for index, tag in enumerate(value):
            where = f"Tags[{index}]"
            if not isinstance(tag, dict):
                self.add(where, f"must be an object, not {type_name(tag)}", tag, hint)
                continue
            self.unknown_keys(tag, ("Key", "Value"), where)
            self.text(tag, "Key", where, required=True, max_len=128)
            self.text(tag, "Value", where, required=True, min_len=0, max_len=256)

    def hooks(self, pre_hook: str | None, post_hook: str | None) -> str | None:
        """Check that built-in functions sit in the right slot, agree and are run by crowdform; return the task type."""
        for value, field in ((pre_hook, "HumanTaskConfig.PreHumanTaskLambdaArn"),
                             (post_hook, "HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn")):
            if value is not None and value.startswith(BUILTIN_PREFIX):
                self.add(field, "is not a built-in task type", value, f"Use builtin: followed by one of {', '.join(BY_NAME)}")
        pre = builtin_function(pre_hook) if pre_hook is not None else None
        post = builtin_function(post_hook) if post_hook is not None else None
        if pre is not None and pre.startswith("ACS-"):
            self.add("HumanTaskConfig.PreHumanTaskLambdaArn", "names a consolidation function", pre_hook,
                     f"Use PRE-{pre[4:]} here, and {pre} as AnnotationConsolidationLambdaArn")
            pre = None
        if post is not None and post.startswith("PRE-"):
            self.add("HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn",
                     "names a pre-annotation function", post_hook,
                     f"Use ACS-{post[4:]} here, and {post} as PreHumanTaskLambdaArn")
            post = None
        pre_task = pre[4:] if pre else None
        post_task = post[4:] if post else None
        if (
            pre_task is not None
            and post_task is not None
            and "PassThrough" not in (pre_task, post_task)
            and pre_task != post_task
        ):
            self.add("HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn",
                     f"is the built-in for {post_task} but PreHumanTaskLambdaArn is the built-in for {pre_task}",
                     post_hook, f"Use ACS-{pre_task} with PRE-{pre_task}")
        task = _task_type(pre_task, post_task)
        if task is not None and task not in BY_FUNCTION:
            field = ("HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn"
                     if post_task == task else "HumanTaskConfig.PreHumanTaskLambdaArn")
            self.add(field, f"is Ground Truth's built-in {task}, which crowdform does not run",
                     post_hook if post_task == task else pre_hook,
                     "Video frame and 3D point cloud task types need Ground Truth's own worker UIs; "
                     f"crowdform runs {', '.join(BY_NAME)}, or any custom template with your hooks")
        return task

    def label_attribute_name(self, lan: str, task: str | None, *, defaulted: bool) -> None:
        hint_suffix = (
            "; LabelAttributeName was not given, so the job name is used: give one explicitly"
            if defaulted
            else ""
        )
        field = "LabelAttributeName"
        if not _LAN.fullmatch(lan):
            self.add(field, "does not match the allowed pattern", lan,
                     "Use 1 to 127 letters, digits and hyphens, starting and ending with a letter or "
                     f"digit (pattern {LAN_PATTERN}){hint_suffix}")
            return
        if lan in RESERVED_LANS:
            self.add(field, f"{lan!r} is reserved for the data object", lan,
                     f"Choose another name{hint_suffix}")
        elif lan.endswith("-metadata"):
            self.add(field, "must not end with -metadata", lan,
                     f"Choose a name without the -metadata suffix, which Ground Truth adds itself{hint_suffix}")
        elif task in REF_SUFFIX_TASKS and not lan.endswith("-ref"):
            self.add(field, f"must end with -ref for the {task} task type", lan,
                     f"Use for example {lan}-ref{hint_suffix}")
        elif task not in REF_SUFFIX_TASKS and lan.endswith("-ref"):
            kind = f"the {task} task type" if task else "custom jobs"
            self.add(field, f"must not end with -ref for {kind}", lan,
                     f"Only semantic segmentation, video frame and some 3D point cloud jobs use -ref names{hint_suffix}")
