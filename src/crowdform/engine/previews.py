"""Try a worker template on its tasks without creating a job: what ``crowdform preview`` serves.

Ground Truth's RenderUiTemplate renders a template for one task input. A preview also takes the
lines of an input manifest and, given a pre-annotation hook, runs each line through it as a job
would: the same event (with the well-formed ARN of a labeling job named ``preview``, so hooks that
split the ARN work) and the same checks of the reply. The hook runs when an item is first looked
at, once per item, so a large manifest costs nothing until it is browsed.

A hook that fails, or replies ``isHumanAnnotationRequired: false``, does not stop the preview: that
item says what a job would have done with it, and the others stay viewable. Nothing here knows
about the command line or the web, so the admin console can preview a job's first manifest line
through the job's hook with the same classes.

Answers come out in the canonical encoding spec 4.9 of crowd-elements.md gives for the files the
server writes: keys sorted at every level, compact separators, integral numbers without a
fraction, non-ASCII characters as themselves; two equal answers are the same line of text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from crowdform.engine.hook_registry import HookRegistry, ResolvedHook
from crowdform.engine.runtime import Runtime
from crowdform.errors import CrowdformError, InvalidInput
from crowdform.groundtruth.arns import labeling_job_arn
from crowdform.groundtruth.events import pre_annotation_event
from crowdform.groundtruth.hook_replies import parse_pre_hook_reply
from crowdform.manifest.reader import read_manifest

PREVIEW_JOB_NAME = "preview"


class ItemState(StrEnum):
    READY = "ready"
    """Workers would get this task."""
    SKIPPED = "skipped"
    """The hook replied ``isHumanAnnotationRequired: false``: a job gives the object to no worker."""
    FAILED = "failed"
    """The hook failed or replied something unusable: a job marks the object as failed."""


@dataclass(frozen=True)
class PreviewItem:
    label: str
    """Where the task comes from: the task input file, or the manifest line and its datasetObjectId."""
    state: ItemState
    task_input: Any = None
    """``task.input`` of the page: the hook's ``taskInput``, or the manifest line when there is no hook."""
    message: str = ""
    """Why workers would not get this item (empty when they would)."""


@dataclass(frozen=True)
class PreHook:
    """A pre-annotation hook as a preview runs it."""

    call: Callable[[dict[str, Any]], Any]
    """Sends one event and returns the reply; raises a :class:`CrowdformError` when the call fails."""
    job_arn: str
    """The ``labelingJobArn`` of the events."""

    def prepare(self, label: str, data_object: dict[str, Any]) -> PreviewItem:
        """The item a job would make of this manifest line: the same event, the same reply checks."""
        try:
            reply = self.call(pre_annotation_event(self.job_arn, data_object))
            result = parse_pre_hook_reply(reply, source=f"pre-annotation hook reply for {label}")
        except CrowdformError as error:
            # The wording of the job log's entry for the same failure.
            return PreviewItem(label, ItemState.FAILED, message=f"pre-annotation hook failed: {error}")
        if not result.human_annotation_required:
            return PreviewItem(label, ItemState.SKIPPED, result.task_input, message=(
                "The pre-annotation hook replied isHumanAnnotationRequired: false, so a job would give this "
                "data object to no worker."))
        return PreviewItem(label, ItemState.READY, result.task_input)


def preview_job_arn(runtime: Runtime) -> str:
    """The ARN of a labeling job named ``preview`` in the configured region and account."""
    return labeling_job_arn(runtime.settings.region, runtime.settings.account_id, PREVIEW_JOB_NAME)


@contextmanager
def running_pre_hook(hook: ResolvedHook, runtime: Runtime, *,
                     log: Callable[[str, str], None]) -> Iterator[PreHook | None]:
    """The hook in one warm process (or HTTP client), stopped on exit; None for PRE-PassThrough.

    ``log(stream, line)`` gets what the hook prints. One attempt per item: a preview is for seeing
    the first failure, not for riding one out.
    """
    if hook.is_pass_through:
        yield None
        return
    if hook.builtin is not None:
        raise InvalidInput.one(hook.given, f"is Ground Truth's built-in {hook.builtin}, which crowdform runs only as "
                               "PRE-PassThrough (the manifest line is the task input)",
                               hint="Leave the pre-annotation hook out, or give your own hook")
    with HookRegistry(runtime).invoker(hook, role_arn=None, log=log) as invoker:
        yield PreHook(invoker.invoke, preview_job_arn(runtime))


class Preview:
    """The items of one preview, in order. Thread-safe: a web server asks for items from several threads."""

    def __init__(self, sources: Sequence[tuple[str, Any]], pre_hook: PreHook | None = None) -> None:
        """``sources`` are (label, value) pairs: task inputs, or with ``pre_hook`` the data objects it gets."""
        self._sources = list(sources)
        self._pre_hook = pre_hook
        self._prepared: dict[int, PreviewItem] = {}
        self._lock = threading.Lock()

    @classmethod
    def of_task_input(cls, label: str, task_input: Any) -> Preview:
        return cls([(label, task_input)])

    @classmethod
    def of_manifest(cls, lines: Iterable[bytes | str], *, source: str, pre_hook: PreHook | None = None) -> Preview:
        """Every line of a manifest; a bad line refuses the whole preview, as it would refuse a job."""
        sources = [(f"{source} line {line.line_number} (datasetObjectId {line.position})", line.data)
                   for line in read_manifest(lines, source=source)]
        return cls(sources, pre_hook)

    def __len__(self) -> int:
        return len(self._sources)

    def item(self, index: int) -> PreviewItem:
        """Item ``index`` (from 0), through the hook the first time it is asked for."""
        label, value = self._sources[index]
        if self._pre_hook is None:
            return PreviewItem(label, ItemState.READY, value)
        with self._lock:  # one hook call per item, however many pages ask at once
            if index not in self._prepared:
                self._prepared[index] = self._pre_hook.prepare(label, value)
            return self._prepared[index]
