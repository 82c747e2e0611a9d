"""Check what hooks reply: the pre-annotation response (spec 3.3) and the consolidation response (6.4).

Replies come from customers' code, so both parsers are lenient where Ground Truth's own samples
are (string booleans, the ``humanAnnotationRequired`` alias, integer ``datasetObjectId``) and
precise in their errors otherwise: an :class:`~crowdform.errors.InvalidInput` quotes the reply
(at most 500 characters) so the job log shows what the hook actually returned.

What the engine stores from a reply -- a ``taskInput``, a label -- is refused if
:mod:`crowdform.untrusted` refuses it (NUL, a lone surrogate, nesting over 64 levels, a number
beyond 64 bits), naming the data object: stored, such a value failed the job's background work on
every round. Quotes and names in messages are escaped so that they can always be stored.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from crowdform.untrusted import find_hostile, join, text_problem
from crowdform.errors import InvalidInput, Problem
from crowdform.manifest.codec import type_name

MAX_TASK_INPUT_CHARS = 128_000  # Q9: the RenderUiTemplate limit
QUOTE_CHARS = 500
_LISTED_IDS = 10  # ids named in one aggregated warning


@dataclass(frozen=True)
class PreHookResult:
    task_input: dict[str, Any]
    """The ``taskInput`` object: ``task.input`` in the worker template."""
    human_annotation_required: bool
    """False keeps the object away from workers (spec 3.4, Q5)."""


@dataclass(frozen=True)
class PostHookResult:
    labels: dict[str, dict[str, Any]]
    """``datasetObjectId`` -> ``{"<LAN>": value}``, plus ``"<LAN>-metadata"`` when the hook gave an object."""
    warnings: list[str] = field(default_factory=list)
    """Things worth a line in the job log: ignored entries and keys, repeats, missing objects."""


def quote(reply: Any, limit: int = QUOTE_CHARS) -> str:
    """A reply as JSON text (``repr`` for what JSON cannot hold), cut to ``limit`` characters. A lone
    surrogate is shown as its escape, so the quote can be stored and printed whatever the reply held."""
    try:
        text = json.dumps(reply, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(reply)
        except RecursionError:
            text = "(a value nested too deep to show)"
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def parse_pre_hook_reply(reply: Any, *, source: str) -> PreHookResult:
    """Check a pre-annotation hook's reply.

    * The reply must be a JSON object; keys other than those below are ignored.
    * ``isHumanAnnotationRequired`` is a boolean or the string ``"true"``/``"false"`` in any case;
      ``humanAnnotationRequired`` is accepted as an alias and the ``is`` form wins when both are
      given (Q8). Missing (or null) means true.
    * ``taskInput`` must be a JSON object of at most 128,000 characters serialised (Q9). It may be
      left out only when human annotation is not required (it is then ``{}``).
    """
    hint = 'Return an object such as {"taskInput": {"taskObject": "..."}, "isHumanAnnotationRequired": true}'
    if not isinstance(reply, dict):
        raise InvalidInput.one(
            source, f"the reply must be a JSON object; the hook replied {quote(reply)}", hint=hint
        )
    required = True
    for key in ("isHumanAnnotationRequired", "humanAnnotationRequired"):
        if reply.get(key) is not None:
            required = _flag(reply[key], key=key, reply=reply, source=source)
            break

    task_input = reply.get("taskInput")
    if task_input is None:
        if required:
            raise InvalidInput.one(
                source,
                f"the reply has no taskInput; the hook replied {quote(reply)}",
                field="taskInput",
                hint=hint,
            )
        task_input = {}
    if not isinstance(task_input, dict):
        raise InvalidInput.one(
            source,
            f"taskInput must be a JSON object, not {type_name(task_input)}; the hook replied {quote(reply)}",
            field="taskInput",
            hint=hint,
        )
    hostile = find_hostile(task_input)
    if hostile is not None:
        raise InvalidInput.one(
            source,
            f"taskInput {hostile.message}; the hook replied {quote(reply)}",
            field=join("taskInput", hostile.path),
            hint=hostile.hint,
        )
    try:
        size = len(json.dumps(task_input, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput.one(
            source,
            f"taskInput holds a value JSON cannot represent ({exc}); the hook replied {quote(reply)}",
            field="taskInput",
            hint="Return only JSON values: objects, arrays, strings, finite numbers, true, false, null",
        ) from None
    if size > MAX_TASK_INPUT_CHARS:
        raise InvalidInput.one(
            source,
            f"taskInput is {size:,} characters serialised; at most {MAX_TASK_INPUT_CHARS:,} are allowed; "
            f"the hook replied {quote(reply)}",
            field="taskInput",
            hint="Put large data in a file and pass its URI in taskInput",
        )
    return PreHookResult(task_input=task_input, human_annotation_required=required)


def _flag(value: Any, *, key: str, reply: Any, source: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidInput.one(
        source,
        f"{key} must be true or false; the hook replied {quote(reply)}",
        field=key,
        value=value,
        hint='Use a JSON boolean, or the string "true" or "false"',
    )


def parse_post_hook_reply(
    reply: Any,
    *,
    label_attribute_name: str,
    expected_ids: Collection[str],
    source: str,
) -> PostHookResult:
    """Check a consolidation hook's reply and pick out one label per data object.

    The reply is a JSON array of ``{"datasetObjectId": ..., "consolidatedAnnotation": {"content":
    {"<LAN>": ..., "<LAN>-metadata": {...}}}}`` (spec 6.4, Appendix B). Per entry:

    * ``datasetObjectId`` may be a string or an integer (hand-written Lambdas convert it).
    * ``content`` must hold ``<LAN>``; that value becomes the label. A ``<LAN>-metadata`` object is
      kept (the caller completes it with :func:`~crowdform.groundtruth.files.merge_custom_metadata`);
      a metadata value that is not an object is dropped with a warning. Other keys of ``content``
      are ignored with a warning (Q18: only ``<LAN>`` and ``<LAN>-metadata`` are merged).
    * A ``content`` that is not an object (a bare string, number, array) is taken as the label
      itself. A null or missing ``content`` makes the entry unusable.
    * Leniency is per entry: an entry that cannot be used (not an object, no usable
      ``datasetObjectId``, no ``content``, no ``<LAN>``, a label JSON cannot represent) is skipped
      with a warning, and its object counts as missing. An id outside ``expected_ids`` is ignored
      with a warning. When an id appears more than once the last entry wins, with a warning.
    * Expected objects that get no label are named in a warning; the caller marks them failed.

    The reply as a whole is refused with :class:`InvalidInput` when it is not an array, or when it
    labels none of ``expected_ids`` (every entry unusable, all ids unknown, or an empty array).
    """
    lan = label_attribute_name
    meta_key = f"{lan}-metadata"
    shape = (
        f'Return a JSON array of {{"datasetObjectId": "0", "consolidatedAnnotation": '
        f'{{"content": {{"{lan}": <label>}}}}}}, one per data object'
    )
    if not isinstance(reply, list):
        raise InvalidInput.one(
            source,
            f"the reply must be a JSON array, not {type_name(reply)}; the hook replied {quote(reply)}",
            hint=shape,
        )

    expected = set(expected_ids)
    labels: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    warnings: list[str] = []
    unexpected: list[str] = []
    repeated: list[str] = []
    bare_content: list[str] = []
    bad_metadata: list[str] = []
    extra_keys: set[str] = set()

    for index, entry in enumerate(reply):
        where = f"[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(f"entry {index} is {type_name(entry)}, not an object", field=where,
                                    value=entry, hint=shape))
            continue
        raw_id = entry.get("datasetObjectId")
        if isinstance(raw_id, str) and (refused := text_problem(raw_id)) is not None:
            message, hint = refused
            problems.append(Problem(f"entry {index} has a datasetObjectId that {message}", field=f"{where}.datasetObjectId",
                                    hint=f"Copy datasetObjectId from the consolidation request. {hint}"))
            continue
        if isinstance(raw_id, str):
            object_id = raw_id
        elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
            object_id = str(raw_id)
        else:
            message = (
                f"entry {index} has no datasetObjectId"
                if raw_id is None
                else f"entry {index} has a datasetObjectId that is {type_name(raw_id)}"
            )
            problems.append(Problem(message, field=f"{where}.datasetObjectId", value=raw_id,
                                    hint="Copy datasetObjectId from the consolidation request"))
            continue
        if object_id not in expected:
            unexpected.append(object_id)
            continue
        annotation = entry.get("consolidatedAnnotation")
        content = annotation.get("content") if isinstance(annotation, dict) else None
        if content is None:
            problems.append(
                Problem(
                    f"entry {index} (datasetObjectId {object_id!r}) has no consolidatedAnnotation.content",
                    field=f"{where}.consolidatedAnnotation.content",
                    hint=shape,
                )
            )
            continue
        if isinstance(content, dict):
            if lan not in content:
                keys = ", ".join(_shown(str(key)) for key in content) or "none"
                problems.append(
                    Problem(
                        f"entry {index} (datasetObjectId {object_id!r}) has no {lan!r} in its content "
                        f"(its keys: {keys})",
                        field=f"{where}.consolidatedAnnotation.content",
                        hint=f"Put the label under the job's label attribute name {lan!r}",
                    )
                )
                continue
            label: dict[str, Any] = {lan: content[lan]}
            metadata = content.get(meta_key)
            if isinstance(metadata, dict):
                label[meta_key] = metadata
            elif metadata is not None:
                bad_metadata.append(object_id)
            extra_keys.update(_shown(str(k)) for k in content if k not in (lan, meta_key))
        else:
            label = {lan: content}
            bare_content.append(object_id)
        hostile = find_hostile(label)
        if hostile is not None:
            problems.append(
                Problem(
                    f"entry {index} (datasetObjectId {object_id!r}): the label {hostile.message}",
                    field=join(f"{where}.consolidatedAnnotation.content", hostile.path),
                    hint=hostile.hint,
                )
            )
            continue
        try:
            json.dumps(label, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            problems.append(
                Problem(
                    f"entry {index} (datasetObjectId {object_id!r}) holds a value JSON cannot represent ({exc})",
                    field=f"{where}.consolidatedAnnotation.content",
                    hint="Return only JSON values: objects, arrays, strings, finite numbers, true, false, null",
                )
            )
            continue
        if object_id in labels:
            repeated.append(object_id)
        labels[object_id] = label

    if not labels and expected:
        summary = (
            f"the reply labels none of the {len(expected)} data objects sent; "
            f"the hook replied {quote(reply)}"
        )
        listed = [Problem(summary, hint=shape), *problems[:19]]
        if unexpected:
            listed.append(
                Problem(f"datasetObjectId values not in the request: {_ids(unexpected)}",
                        hint="Copy datasetObjectId from the consolidation request")
            )
        total = 1 + len(problems) + (1 if unexpected else 0)
        raise InvalidInput(source, listed[:20], total=total if total > 20 else None)

    warnings.extend(f"{problem.message}; skipped" for problem in problems)
    if unexpected:
        warnings.append(f"ignored entries for objects not in this request: datasetObjectId {_ids(unexpected)}")
    if repeated:
        warnings.append(f"several entries for datasetObjectId {_ids(repeated)}; the last one of each was used")
    if bare_content:
        warnings.append(
            f"content was not an object for datasetObjectId {_ids(bare_content)}; it was taken as the {lan!r} label"
        )
    if bad_metadata:
        warnings.append(f"{meta_key} was not an object for datasetObjectId {_ids(bad_metadata)}; it was ignored")
    if extra_keys:
        warnings.append(
            f"content keys other than {lan!r} and {meta_key!r} were ignored: {', '.join(sorted(extra_keys))}"
        )
    missing = [object_id for object_id in expected if object_id not in labels]
    if missing:
        missing.sort(key=lambda i: (len(i), i))
        warnings.append(f"no label for datasetObjectId {_ids(missing)}")
    return PostHookResult(labels=labels, warnings=warnings)


def _shown(text: str) -> str:
    """``text`` for a message, escaped as ASCII if it holds what no message may (NUL, a lone surrogate)."""
    return text if text_problem(text) is None else ascii(text)[1:-1]


def _ids(ids: list[str]) -> str:
    shown = ", ".join(_shown(i if len(i) <= 40 else i[:37] + "...") for i in ids[:_LISTED_IDS])
    return shown + (f" and {len(ids) - _LISTED_IDS} more" if len(ids) > _LISTED_IDS else "")
