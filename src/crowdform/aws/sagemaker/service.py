"""SageMaker on the AWS endpoint (JSON 1.1, ``X-Amz-Target: SageMaker.<Operation>``, spec section 9).

Each request is read, checked against the operation's input shape in botocore's service model
(``aws/validation.py``), and handed to its operation (``jobs.py``, ``workteams.py``, ``tags.py``,
``render.py``), which calls the engine the CLI and the console use; all of it in a worker thread,
as the engine's calls block. Engine errors become the codes the model gives the operation:
``ResourceInUse`` for a name taken, ``ResourceLimitExceeded`` for a limit, ``ResourceNotFound`` for
something missing where the operation models it, else ``ValidationException`` (as AWS answers a
CreateLabelingJob whose work team does not exist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from crowdform.aws import json_protocol
from crowdform.aws.errors import AwsError
from crowdform.aws.sagemaker import jobs, render, tags, workteams
from crowdform.aws.sagemaker.context import Context, Engine, Handler
from crowdform.aws.service import AwsCall, AwsService
from crowdform.aws.signature import AuthFailure
from crowdform.engine.runtime import Runtime
from crowdform.errors import Conflict, InvalidInput, LimitExceeded, NotFound

if TYPE_CHECKING:
    from botocore.model import OperationModel

OPERATIONS: dict[str, Handler] = {**jobs.OPERATIONS, **workteams.OPERATIONS, **tags.OPERATIONS,
                                  **render.OPERATIONS}
LENIENT_PATTERNS = frozenset({"S3Uri", "LambdaFunctionArn", "WorkteamArn"})
"""Shapes whose pattern crowdform does not enforce, because it takes more than AWS: local paths and
``file://`` URIs besides ``s3://``, built-in function names and hook references besides Lambda ARNs,
and a team's plain name besides a work team ARN (the same request works with ``crowdform job create``)."""


class SageMakerService(AwsService):
    signing_name = "sagemaker"

    def __init__(self, runtime: Runtime) -> None:
        self.engine = Engine.build(runtime)

    async def handle(self, call: AwsCall) -> Response:
        name = json_protocol.operation(call.http.header("x-amz-target"), "SageMaker")
        handler = OPERATIONS.get(name)
        if handler is None:
            raise AwsError("UnknownOperationException", f"crowdform's SageMaker does not offer {name}; it offers "
                           f"{', '.join(sorted(OPERATIONS))}.")
        result = await run_in_threadpool(self._run, name, handler, call)
        return json_protocol.result_response(result, call.request_id)

    def _run(self, name: str, handler: Handler, call: AwsCall) -> dict[str, Any]:
        # botocore (its service model and shapes, with urllib3) is loaded by the first
        # SageMaker request, not by every server that never gets one.
        from crowdform.aws.service_model import operation_models
        from crowdform.aws.validation import validate

        request = json_protocol.parse_body(call.body)
        model = operation_models("sagemaker", OPERATIONS)[name]
        validate(model.input_shape, request, lenient_patterns=LENIENT_PATTERNS)
        try:
            return handler(Context(self.engine, call.host), request)
        except Conflict as error:
            raise AwsError("ResourceInUse", str(error)) from None
        except LimitExceeded as error:
            raise AwsError("ResourceLimitExceeded", str(error)) from None
        except NotFound as error:
            raise AwsError("ResourceNotFound" if _models(model, "ResourceNotFound") else "ValidationException",
                           str(error)) from None
        except InvalidInput as error:
            raise AwsError("ValidationException", str(error)) from None

    def error_response(self, error: AwsError, request_id: str) -> Response:
        return json_protocol.error_response(error, request_id)

    def auth_error(self, failure: AuthFailure) -> AwsError:
        return json_protocol.auth_error(failure)


def _models(operation: OperationModel, code: str) -> bool:
    return any(shape.name == code for shape in operation.error_shapes)
