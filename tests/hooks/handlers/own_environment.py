"""Reports what a hook in its own environment imports: its pinned idna, the runtime's boto3, no crowdform."""

import importlib.metadata
import importlib.util
import os
import sys

import boto3
import idna


def lambda_handler(event, context):
    return {
        "idna": idna.__version__,
        "idna_metadata": importlib.metadata.version("idna"),
        "boto3": boto3.__version__,
        "crowdform": importlib.util.find_spec("crowdform") is not None,
        "sqlalchemy": importlib.util.find_spec("sqlalchemy") is not None,
        "prefix": sys.prefix,
        "pythonpath": os.environ.get("PYTHONPATH"),
    }
