"""Post-annotation Lambda of the seed walk-through: keep every worker's boxes for each image.

It reads the consolidation request from ``payload.s3Uri`` with boto3, as the Lambda in AWS's custom
labeling walk-through does. When the job's output is in a local folder, crowdform hands a
``file://`` URI instead, which this handler reads directly.
"""

import json
from urllib.parse import unquote, urlparse


def read_payload(uri):
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        import boto3

        body = boto3.client("s3").get_object(Bucket=parsed.netloc, Key=parsed.path[1:])["Body"].read()
        return json.loads(body)
    with open(unquote(parsed.path) if parsed.scheme == "file" else uri, encoding="utf-8") as f:
        return json.load(f)


def lambda_handler(event, context):
    label_attribute_name = event["labelAttributeName"]
    consolidated = []
    for dataset_object in read_payload(event["payload"]["s3Uri"]):
        answers = [
            {
                "workerId": annotation["workerId"],
                "annotationData": json.loads(annotation["annotationData"]["content"]),
            }
            for annotation in dataset_object["annotations"]
        ]
        consolidated.append({
            "datasetObjectId": dataset_object["datasetObjectId"],
            "consolidatedAnnotation": {
                "content": {label_attribute_name: {"annotationsFromAllWorkers": answers}},
            },
        })
    print(f"consolidated {len(consolidated)} objects")
    return consolidated
