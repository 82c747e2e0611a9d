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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from crowdform.untrusted import check as check_untrusted
from crowdform.errors import InvalidInput
from crowdform.manifest.codec import type_name
from crowdform.groundtruth.arns import NAME_PATTERN, workteam_name
from crowdform.groundtruth.request_checker import RequestChecker
from crowdform.groundtruth.task_types import BY_FUNCTION, TaskType, builtin_hook_name, job_task, slot_task

DEFAULT_AVAILABILITY_LIFETIME = 2_592_000  # 30 days: the private-workforce default (spec 2.1)
MAX_AVAILABILITY_LIFETIME = 2_592_000
DEFAULT_MAX_CONCURRENT = 1_000
MAX_URI_CHARS = 1_024
MAX_ARN_CHARS = 2_048
CONTENT_CLASSIFIERS = frozenset({"FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent"})

_NAME = re.compile(NAME_PATTERN)

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
        return job_task(slot_task(self.pre_hook, "PRE"), slot_task(self.post_hook, "ACS"))


def parse_create_labeling_job(body: Any, *, source: str) -> JobSpec:
    """Check a ``CreateLabelingJob`` request body and return its :class:`JobSpec`.

    Raises :class:`InvalidInput` listing every problem found; first, one naming the field of a value
    :mod:`crowdform.untrusted` refuses (NUL, a lone surrogate: a request file read by the CLI or the
    console reaches here without the API's request guard).
    """
    check_untrusted(body, source=source)
    if not isinstance(body, dict):
        raise InvalidInput.one(
            source,
            f"the request must be a JSON object, not {type_name(body)}",
            value=body,
            hint="Send the CreateLabelingJob fields as one JSON object",
        )
    check = RequestChecker()
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
    pre_task = slot_task(builtin_hook_name(pre, "PRE"), "PRE") if isinstance(pre, str) else None
    post_task = slot_task(builtin_hook_name(post, "ACS"), "ACS") if isinstance(post, str) else None
    return job_task(pre_task, post_task) in BY_FUNCTION
