"""The operations a service offers, from botocore's own service model (the one boto3 clients use).

The model is the authority for request and reply shapes, so crowdform reads it instead of
restating it. SageMaker's model holds some 3,400 shapes (about 25 MB once parsed); only the shapes
the offered operations reach are kept, loaded once per process on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

_lock = threading.Lock()
_loaded: dict[tuple[str, tuple[str, ...]], dict[str, OperationModel]] = {}


def operation_models(service: str, operations: Iterable[str]) -> dict[str, OperationModel]:
    """``operations`` of ``service`` by name, from a model pruned to the shapes they use."""
    key = (service, tuple(sorted(operations)))
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(service, key[1])
        return _loaded[key]


def _load(service: str, operations: tuple[str, ...]) -> dict[str, OperationModel]:
    document = Loader().load_service_model(service, "service-2")
    shapes = document["shapes"]
    kept: dict[str, Any] = {}
    pending = [name for operation in operations for name in _operation_shapes(document["operations"][operation])]
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        kept[name] = shapes[name]
        pending.extend(_references(shapes[name]))
    pruned = {**document, "operations": {name: document["operations"][name] for name in operations},
              "shapes": kept}
    model = ServiceModel(pruned, service_name=service)
    return {name: model.operation_model(name) for name in operations}


def _operation_shapes(operation: dict[str, Any]) -> list[str]:
    found = [operation[part]["shape"] for part in ("input", "output") if part in operation]
    return found + [error["shape"] for error in operation.get("errors", ())]


def _references(shape: dict[str, Any]) -> list[str]:
    found = [member["shape"] for member in shape.get("members", {}).values()]
    found += [shape[part]["shape"] for part in ("member", "key", "value") if part in shape]
    return found
