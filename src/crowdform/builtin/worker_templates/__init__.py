"""The worker templates of Ground Truth's built-in task types, one Liquid/HTML file per type.

A job created with ``--task-type bounding-box --labels eye,nose`` needs a worker page without the
user writing one: these files are those pages. They read only what the built-in pre-annotation step
puts in ``task.input`` (``taskObject``, ``labels``, ``manifestLine``, ``instructions``, and per type
``labelObjects`` or ``initialValue``; contract 3.6) and name their element as Ground Truth's own
templates do, so answers carry the keys of contract 5.3 that the built-in consolidation reads.

The templates are package data read with :mod:`importlib.resources` rather than Python strings, so
they stay plain files that ``crowdform render`` and ``crowdform preview`` accept as they are and
that read like the AWS templates they stand in for.
"""

from __future__ import annotations

from importlib import resources

from crowdform.groundtruth.task_types import BY_NAME

TASK_TYPES: tuple[str, ...] = tuple(BY_NAME)
"""The short task-type names that have a template (``<name>.html`` in this package): the whole catalogue."""


def worker_template(task_type: str) -> str:
    """The template text of the built-in task type ``task_type`` (a name of :data:`TASK_TYPES`).

    Raises :class:`KeyError` for any other name: the name is checked against the list rather than
    turned into a path, so it can never reach a file that is not one of the templates.
    """
    if task_type not in TASK_TYPES:
        raise KeyError(f"no built-in worker template for task type {task_type!r}; known: {', '.join(TASK_TYPES)}")
    return resources.files(__name__).joinpath(f"{task_type}.html").read_text(encoding="utf-8")
