"""The "Create labeling job" form's values, and its problems filed by form field.

:class:`JobForm` holds the fields as typed and builds from them the CreateLabelingJob body that
``crowdform job create`` builds from its flags. :class:`FieldErrors` files each problem the request
parser, the engine or the template compiler reports under the form field it concerns: by the
request field a problem names, else by what the message names (the manifest's URI, the team, a
hook's request field), else at the top of the form.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, Final

from starlette.datastructures import FormData

from crowdform.engine.jobs import task_type_request
from crowdform.errors import Conflict, CrowdformError, InvalidInput
from crowdform.groundtruth.job_request import DEFAULT_AVAILABILITY_LIFETIME, DEFAULT_MAX_CONCURRENT
from crowdform.groundtruth.task_types import BY_NAME, TaskType
from crowdform.web.services import Services

SOURCE: Final = "Create labeling job form"
CUSTOM: Final = "custom"
"""The task type choice of a job with its own template and hooks."""
PRE_HOOK_FIELD: Final = "HumanTaskConfig.PreHumanTaskLambdaArn"
POST_HOOK_FIELD: Final = "HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn"

# Where each CreateLabelingJob field is on the form.
FORM_FIELD_OF: Final = {
    "LabelingJobName": "name",
    "LabelAttributeName": "label_attribute_name",
    "InputConfig.DataSource.S3DataSource.ManifestS3Uri": "manifest",
    "OutputConfig.S3OutputPath": "output",
    "LabelCategoryConfigS3Uri": "labels",
    "HumanTaskConfig.WorkteamArn": "team",
    "HumanTaskConfig.UiConfig": "template",
    "HumanTaskConfig.UiConfig.UiTemplateS3Uri": "template",
    "auditLabelAttributeName": "audit_label_attribute",
    PRE_HOOK_FIELD: "pre_hook",
    POST_HOOK_FIELD: "post_hook",
    "HumanTaskConfig.TaskTitle": "title",
    "HumanTaskConfig.TaskDescription": "description",
    "HumanTaskConfig.TaskKeywords": "keywords",
    "HumanTaskConfig.NumberOfHumanWorkersPerDataObject": "workers_per_object",
    "HumanTaskConfig.TaskTimeLimitInSeconds": "task_time_limit",
    "HumanTaskConfig.TaskAvailabilityLifetimeInSeconds": "availability_lifetime",
    "HumanTaskConfig.MaxConcurrentTaskCount": "max_concurrent",
}


@dataclass
class JobForm:
    """The form's fields as typed (text), so a refused form comes back as the user left it."""

    name: str = ""
    manifest: str = ""
    output: str = ""
    label_attribute_name: str = ""
    task_type: str = CUSTOM
    """``custom``, or a built-in task type's short name (``bounding-box``)."""
    team: str = ""
    workers_per_object: str = ""
    """Empty for the task type's default: 1 for a custom template, the built-in type's ``default_workers``."""
    task_time_limit: str = "300"
    availability_lifetime: str = str(DEFAULT_AVAILABILITY_LIFETIME)
    max_concurrent: str = str(DEFAULT_MAX_CONCURRENT)
    title: str = ""
    description: str = ""
    keywords: str = ""
    template: str = ""
    template_uri: str = ""
    labels: str = ""
    labels_uri: str = ""
    audit_label_attribute: str = ""
    pre_hook: str = ""
    post_hook: str = ""

    @classmethod
    def from_form(cls, data: FormData) -> JobForm:
        values = {f.name: data.get(f.name) for f in fields(cls)}
        return cls(**{k: v.strip() if k != "template" else v for k, v in values.items() if isinstance(v, str)})

    @property
    def task(self) -> TaskType | None:
        """The built-in task type chosen; None for a custom template (or a choice that is no task type)."""
        return BY_NAME.get(self.task_type)

    @property
    def known_task_type(self) -> bool:
        return self.task_type == CUSTOM or self.task_type in BY_NAME

    @property
    def label_list(self) -> list[str]:
        """One label a line (for a built-in task type also separated by commas); blanks are left out."""
        text = self.labels if self.task is None else self.labels.replace(",", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def request(self, *, template_uri: str | None, labels_uri: str | None) -> dict[str, Any]:
        """The CreateLabelingJob body ``crowdform job create`` would build from the same values.

        A built-in task type gets its own template and PRE-/ACS- functions (the form's template and
        hook fields are not used), and its defaults as the CLI's ``--task-type`` gives them. Numbers
        that are not whole numbers go in as the text typed, for the parser to refuse.
        """
        task = self.task
        return task_type_request(
            task, name=self.name, manifest=self.manifest, output=self.output,
            template=None if task else template_uri, team=self.team,
            pre_hook=None if task else self.pre_hook or None, post_hook=None if task else self.post_hook or None,
            workers_per_object=_number(self.workers_per_object),
            label_attribute_name=self.label_attribute_name or None, labels_uri=labels_uri,
            title=self.title or None, description=self.description or None,
            keywords=[k.strip() for k in self.keywords.split(",") if k.strip()],
            task_time_limit=_number(self.task_time_limit),
            availability_lifetime=_number(self.availability_lifetime),
            max_concurrent=_number(self.max_concurrent),
        )


def _number(text: str) -> Any:
    """A whole number as an int; anything else as given (None when empty), so the parser names the problem."""
    try:
        return int(text)
    except ValueError:
        return text or None


@dataclass
class FieldErrors:
    """Messages by form field (``"form"`` for those that concern no one field)."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    """The first line a field's problem points at (the template's syntax errors)."""
    markers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Texts that, found in an error, name the field: the request path, and the URIs or hook it names."""

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def add_message(self, form_field: str, message: str, line: int | None = None) -> None:
        self.by_field.setdefault(form_field, []).append(message)
        if line is not None:
            self.lines.setdefault(form_field, line)

    def add(self, error: CrowdformError, *, default: str | None = None) -> None:
        """File ``error`` under the field it concerns: by a problem's field, else by what it names."""
        if isinstance(error, InvalidInput):
            for problem in error.problems:
                target = FORM_FIELD_OF.get(problem.field or "") or default or self._named(f"{error.source} {problem}")
                self.add_message(target, str(problem) if target != "form" else f"{error.source}: {problem}",
                                 problem.line)
        elif isinstance(error, Conflict):
            self.add_message("name", str(error))
        else:
            self.add_message(default or self._named(str(error)), str(error))

    def _named(self, text: str) -> str:
        return next((name for name, marks in self.markers.items() if any(m and m in text for m in marks)), "form")

    @contextmanager
    def collect(self, form_field: str | None = None) -> Iterator[None]:
        """Record a CrowdformError raised in the block (under ``form_field`` if given) instead of raising it."""
        try:
            yield
        except CrowdformError as error:
            self.add(error, default=form_field)

    def watch(self, services: Services, form: JobForm) -> None:
        """Learn what the form's values look like in the engine's messages."""
        self.markers = {
            "manifest": ("ManifestS3Uri", _normalized(services, form.manifest)),
            "output": ("S3OutputPath", _normalized(services, form.output)),
            "team": ("WorkteamArn", f"Team {form.team!r}"),
            "pre_hook": (PRE_HOOK_FIELD,),
            "post_hook": (POST_HOOK_FIELD,),
        }

    def watch_files(self, services: Services, *, template: str, labels: str | None) -> None:
        """Also file problems of the template and label files the request names under their fields."""
        self.markers.update(template=(_normalized(services, template),), labels=(_normalized(services, labels or ""),))


def _normalized(services: Services, value: str) -> str:
    """``value`` as the engine's messages show it (a normalised URI), or as given if it is no URI."""
    try:
        return services.runtime.storage.normalize(value) if value else ""
    except InvalidInput:
        return value
