"""A post-annotation hook imported as the module 'acme_hooks.consolidate'."""

import json


def handle(event, context):
    return [
        {"datasetObjectId": item["datasetObjectId"],
         "consolidatedAnnotation": {"content": {event["labelAttributeName"]: json.loads(
             item["annotations"][0]["annotationData"]["content"])}}}
        for item in event["items"]
    ]
