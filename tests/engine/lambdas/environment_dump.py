"""Returns the whole environment the hook process was started with."""

import os


def lambda_handler(event, context):
    return dict(os.environ)
