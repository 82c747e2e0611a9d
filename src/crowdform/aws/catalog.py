"""The AWS services the endpoint offers, built once per app from the runtime."""

from __future__ import annotations

from crowdform.aws.endpoint import AwsServices
from crowdform.aws.s3.service import S3Service
from crowdform.aws.sagemaker.service import SageMakerService
from crowdform.aws.service import AwsService
from crowdform.aws.sts import StsService
from crowdform.engine.access_keys import AccessKeys
from crowdform.engine.runtime import Runtime


def build_aws_services(runtime: Runtime) -> AwsServices:
    access_keys = AccessKeys(runtime)
    services: list[AwsService] = [StsService(access_keys), S3Service(runtime.storage, runtime.settings),
                                  SageMakerService(runtime)]
    return AwsServices(access_keys, runtime.clock, {service.signing_name: service for service in services})
