"""A post-annotation Lambda as published for Ground Truth: it assumes the job's role, then reads the
consolidation request at payload.s3Uri with boto3. No endpoint, region or key is written here."""

import json
import logging
import os
from urllib.parse import urlparse

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    sts = boto3.client("sts")
    caller = sts.get_caller_identity()
    assumed = sts.assume_role(RoleArn=event["roleArn"], RoleSessionName="gt-consolidation")
    credentials = assumed["Credentials"]
    s3 = boto3.client(
        "s3",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    parsed = urlparse(event["payload"]["s3Uri"])
    body = s3.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"].read()
    logger.info("caller %s assumed %s; payload %s", caller["Arn"], assumed["AssumedRoleUser"]["Arn"],
                event["payload"]["s3Uri"])
    label = event["labelAttributeName"]
    return [
        {
            "datasetObjectId": item["datasetObjectId"],
            "consolidatedAnnotation": {
                "content": {
                    label: {
                        "workers": len(item["annotations"]),
                        "payload": event["payload"]["s3Uri"],
                        "caller": caller["Arn"],
                        "assumed": assumed["AssumedRoleUser"]["Arn"],
                        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
                        "s3_endpoint": os.environ.get("AWS_ENDPOINT_URL_S3"),
                    }
                }
            },
        }
        for item in json.loads(body)
    ]
