"""A live server's SageMaker for the tests: a real boto3 client whose every reply is checked against
the service model (``shapes.py``), raw signed requests for what boto3 would never send, and small
local jobs (a manifest, a template and an output folder under ``tmp_path``, a team with workers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from crowdform.engine.access_keys import AccessKeys
from crowdform.engine.workforce import WorkerInfo, Workforce
from tests.aws.conftest import AwsEndpoint
from tests.aws.sagemaker.shapes import reply_problems
from tests.fixtures.servers import start_server
from tests.helpers import PASSWORD, open_runtime

ROLE = "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-GroundTruth"
TEAM = "crowd"
PRE = "arn:aws:lambda:us-east-1:432418664414:function:PRE-PassThrough"
POST = "arn:aws:lambda:us-east-1:432418664414:function:ACS-PassThrough"


@dataclass
class SageMaker:
    endpoint: AwsEndpoint
    folder: Path
    client: Any = None
    replies: list[str] = field(default_factory=list)
    """Operations whose successful replies were checked against the model, in order."""

    def __post_init__(self) -> None:
        self.client = self.endpoint.client("sagemaker")
        self.client.meta.events.register("after-call.sagemaker", self._check_reply)

    def _check_reply(self, http_response: Any, model: Any, **_: Any) -> None:
        document = json.loads(http_response.content or b"{}")
        if http_response.status_code >= 400:
            assert set(document) == {"__type", "message"} and document["message"], document
            assert http_response.status_code < 500, document
            return
        problems = reply_problems(model.output_shape, document)
        assert not problems, f"{model.name} reply departs from the service model: {problems}"
        self.replies.append(model.name)

    @property
    def runtime(self) -> Any:
        return self.endpoint.runtime

    @property
    def workteam_arn(self) -> str:
        return self.arn_of_team(TEAM)

    def arn_of_team(self, name: str) -> str:
        settings = self.runtime.settings
        return f"arn:aws:sagemaker:{settings.region}:{settings.account_id}:workteam/private-crowd/{name}"

    def job_request(self, name: str, *, objects: int = 3, **human: Any) -> dict[str, Any]:
        """A CreateLabelingJob request over local files, as a Ground Truth notebook would send it."""
        manifest = self.folder / f"{name}.manifest"
        manifest.write_text("".join(json.dumps({"source": f"text {i}"}) + "\n" for i in range(objects)))
        template = self.folder / "template.liquid.html"
        template.write_text("<crowd-form><p>{{ task.input.taskObject | escape }}</p></crowd-form>")
        return {
            "LabelingJobName": name,
            "LabelAttributeName": "label",
            "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": str(manifest)}}},
            "OutputConfig": {"S3OutputPath": str(self.folder / "output")},
            "RoleArn": ROLE,
            "HumanTaskConfig": {
                "WorkteamArn": self.workteam_arn,
                "UiConfig": {"UiTemplateS3Uri": str(template)},
                "PreHumanTaskLambdaArn": PRE,
                "TaskTitle": "Tone",
                "TaskDescription": "Pick the tone",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 300,
                "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": POST},
                **human,
            },
        }

    def create_job(self, name: str, **human: Any) -> str:
        return str(self.client.create_labeling_job(**self.job_request(name, **human))["LabelingJobArn"])

    def raw(self, operation: str, body: bytes | dict[str, Any]) -> httpx.Response:
        """A request botocore signs but does not build: any body at all."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = AWSRequest("POST", self.endpoint.url + "/", data=data, headers={
            "X-Amz-Target": f"SageMaker.{operation}", "Content-Type": "application/x-amz-json-1.1"})
        SigV4Auth(Credentials(self.endpoint.access_key_id, self.endpoint.secret_access_key), "sagemaker",
                  "us-east-1").add_auth(request)
        return httpx.post(request.url, headers=dict(request.headers.items()), content=data, timeout=60)


def error_of(call: Callable[..., Any], **parameters: Any) -> tuple[str, str]:
    """The error code and message a boto3 call fails with."""
    with pytest.raises(ClientError) as refused:
        call(**parameters)
    error = refused.value.response["Error"]
    return error["Code"], error["Message"]


def add_workers(sagemaker: SageMaker, team: str, count: int, *, prefix: str = "worker") -> list[WorkerInfo]:
    workforce = Workforce(sagemaker.runtime)
    return [workforce.add_worker(f"{prefix}{i}", team=team, password=PASSWORD)[0] for i in range(count)]


@pytest.fixture
def sagemaker(aws_endpoint: AwsEndpoint, tmp_path: Path) -> Iterator[SageMaker]:
    Workforce(aws_endpoint.runtime).create_team(TEAM)
    folder = tmp_path / "files"
    folder.mkdir()
    yield SageMaker(aws_endpoint, folder)


@pytest.fixture
def sagemaker_with(tmp_path: Path, database_url: str, aws_credentials: None) -> Iterator[Callable[..., SageMaker]]:
    """A SageMaker over a server with these settings (``s3_endpoint_url``, ``public_url``...)."""
    started: list[tuple[Any, Any]] = []

    def make(**settings: Any) -> SageMaker:
        runtime = open_runtime(tmp_path, database_url, **settings)
        info, secret = AccessKeys(runtime).create("tester")
        server = start_server(runtime.settings, runtime)
        started.append((server, runtime))
        Workforce(runtime).create_team(TEAM)
        folder = tmp_path / "files"
        folder.mkdir(exist_ok=True)
        return SageMaker(AwsEndpoint(server, runtime, info.access_key_id, secret), folder)

    yield make
    for server, runtime in started:
        server.stop()
        runtime.close()
