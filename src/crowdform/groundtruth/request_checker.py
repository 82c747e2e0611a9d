"""The field checks of a ``CreateLabelingJob`` request (:mod:`crowdform.groundtruth.job_request`).

:class:`RequestChecker` reads one field at a time and collects every problem -- the field path, the
value given, and the allowed range or pattern as the hint -- so the caller reports them all in one
:class:`~crowdform.errors.InvalidInput`. Each method returns the value, or None when it is missing
or wrong.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from crowdform.errors import Problem
from crowdform.groundtruth.arns import REF_SUFFIX_TASKS, builtin_function
from crowdform.groundtruth.task_types import BUILTIN_PREFIX, BY_FUNCTION, BY_NAME, job_task
from crowdform.manifest.codec import type_name

LAN_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,126}"
RESERVED_LANS = frozenset({"source", "source-ref"})

_LAN = re.compile(LAN_PATTERN)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class RequestChecker:
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
        task = job_task(pre_task, post_task)
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
