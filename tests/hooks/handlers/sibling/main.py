"""Imports a module next to it, as Lambda handlers do with their bundled helpers."""

import formatting


def lambda_handler(event, context):
    return {"prompt": formatting.prompt(event["dataObject"]["source"])}
