"""Reports what a handler can see: its environment, folder, import path and context."""

import os
import sys
import time


def lambda_handler(event, context):
    first = context.get_remaining_time_in_millis()
    time.sleep(0.05)
    second = context.get_remaining_time_in_millis()
    return {
        "event": event,
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "sys_path_0": sys.path[0],
        "env": {
            key: os.environ.get(key)
            for key in (
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_LAMBDA_FUNCTION_NAME",
                "LAMBDA_TASK_ROOT",
                "LABEL_BUCKET",
                "CROWDFORM_TEST_PARENT_VAR",
                "TZ",
                "AWS_ENDPOINT_URL_S3",
            )
        },
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
        },
        "remaining": [first, second],
    }


def write_tmp(event, context):
    with open(event["path"], "w") as handle:
        handle.write(event["text"])
    return {"written": event["path"]}
