"""The ``context`` argument a hook handler receives, shaped like AWS Lambda's Python context.

Handlers written for Lambda read these attributes (often just to log them) and call
``get_remaining_time_in_millis()`` to stop before their timeout, so every documented attribute is
present with Lambda's types: ``memory_limit_in_mb`` is a string there, and stays one here.
"""

from __future__ import annotations

import os
import time


class LambdaContext:
    """One invocation's context. Function-level values come from the Lambda environment variables
    the child is started with, as in Lambda's own runtime."""

    def __init__(self, request_id: str, timeout_ms: int, invoked_function_arn: str) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = None
        self.identity = None
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"function_name={self.function_name},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"memory_limit_in_mb={self.memory_limit_in_mb}])"
        )
