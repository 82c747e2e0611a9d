"""File contents and time formats (spec 5.4, 6.2, 7.4, 7.5.10; Appendix C 12, 13, 17, 18)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from crowdform.groundtruth.files import (
    WorkerAnswer,
    consolidation_request_item,
    creation_date,
    custom_metadata,
    file_timestamp,
    iso_millis,
    merge_custom_metadata,
    worker_response_document,
)
from crowdform.groundtruth.layout import JobLayout
from crowdform.manifest.output_lines import output_line

UTC = timezone.utc
AT = datetime(2024, 3, 5, 11, 22, 33, 456_789, tzinfo=UTC)


def one_line(pretty: str) -> str:
    """The spec prints output lines over several lines; the real file has them on one."""
    return " ".join(part.strip() for part in pretty.strip().splitlines())


def test_time_formats() -> None:
    assert file_timestamp(AT) == "2024-03-05_11:22:33"
    assert iso_millis(AT) == "2024-03-05T11:22:33.456Z"
    assert creation_date(AT) == "2024-03-05T11:22:33.456789"
    assert creation_date(datetime(2024, 3, 5, 9, 14, 27, 0, tzinfo=UTC)) == "2024-03-05T09:14:27.000000"
    assert iso_millis(datetime(2019, 4, 18, 16, 11, 15, tzinfo=UTC)) == "2019-04-18T16:11:15.000Z"


def test_time_formats_convert_to_utc_and_take_naive_times_as_utc() -> None:
    paris = timezone(timedelta(hours=1))
    local = datetime(2024, 3, 5, 12, 22, 33, 456_789, tzinfo=paris)
    naive = datetime(2024, 3, 5, 11, 22, 33, 456_789)
    for dt in (local, naive):
        assert (file_timestamp(dt), iso_millis(dt), creation_date(dt)) == (
            "2024-03-05_11:22:33", "2024-03-05T11:22:33.456Z", "2024-03-05T11:22:33.456789",
        )


def test_creation_date_has_the_documented_shape() -> None:
    """Appendix C 17: YYYY-MM-DDTHH:MM:SS.ffffff, UTC, no zone suffix."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", creation_date(AT))


SPEC_5_4_EXAMPLE = """{"answers": [
  {"acceptanceTime": "2024-03-05T11:02:10.514Z",
   "answerContent": {"tone": {"label": "negative"}},
   "submissionTime": "2024-03-05T11:02:31.907Z",
   "timeSpentInSeconds": 19.8,
   "workerId": "private.eu-west-1.3f9c0a7be41d2e58",
   "workerMetadata": {"identityData": {
       "identityProviderType": "Oidc",
       "issuer": "https://idp.acme.example/realms/labelers",
       "sub": "0b6f2c1e-7d4a-4e3b-9a51-2c8f6e0d1a77"}}},
  {"acceptanceTime": "2024-03-05T11:03:02.001Z",
   "answerContent": {"tone": {"label": "mixed"}},
   "submissionTime": "2024-03-05T11:03:40.250Z",
   "timeSpentInSeconds": 35.2,
   "workerId": "private.eu-west-1.9a11c03d5e6f7b80",
   "workerMetadata": {"identityData": {
       "identityProviderType": "Oidc",
       "issuer": "https://idp.acme.example/realms/labelers",
       "sub": "7e2d9b40-1c35-4f88-a0d2-55b6c9e1f3a4"}}}
]}"""

ISSUER = "https://idp.acme.example/realms/labelers"


def spec_answers() -> list[WorkerAnswer]:
    def t(minute: int, second: int, micro: int) -> datetime:
        return datetime(2024, 3, 5, 11, minute, second, micro, tzinfo=UTC)

    return [
        WorkerAnswer({"tone": {"label": "mixed"}}, "private.eu-west-1.9a11c03d5e6f7b80",
                     submission_time=t(3, 40, 250_400), acceptance_time=t(3, 2, 1_900), time_spent_s=35.2,
                     identity={"sub": "7e2d9b40-1c35-4f88-a0d2-55b6c9e1f3a4", "issuer": ISSUER,
                               "identityProviderType": "Oidc"}),
        WorkerAnswer({"tone": {"label": "negative"}}, "private.eu-west-1.3f9c0a7be41d2e58",
                     submission_time=t(2, 31, 907_000), acceptance_time=t(2, 10, 514_000), time_spent_s=19.8,
                     identity={"identityProviderType": "Oidc", "issuer": ISSUER,
                               "sub": "0b6f2c1e-7d4a-4e3b-9a51-2c8f6e0d1a77"}),
    ]


def test_worker_response_document_reproduces_the_spec_example() -> None:
    """Appendix C 12: answer fields; ordered by submissionTime; keys sorted."""
    document = worker_response_document(spec_answers())
    assert document == json.loads(SPEC_5_4_EXAMPLE)
    assert json.dumps(document) == json.dumps(json.loads(SPEC_5_4_EXAMPLE))  # same key order too
    for answer in document["answers"]:
        assert list(answer) == sorted(answer)
        assert list(answer["workerMetadata"]["identityData"]) == ["identityProviderType", "issuer", "sub"]


def test_worker_metadata_only_with_an_identity_and_ties_keep_their_order() -> None:
    same = datetime(2024, 1, 1, tzinfo=UTC)
    answers = [WorkerAnswer({"a": 1}, f"w{i}", same, same, 1.0) for i in range(3)]
    document = worker_response_document(answers)
    assert [a["workerId"] for a in document["answers"]] == ["w0", "w1", "w2"]
    assert all("workerMetadata" not in a for a in document["answers"])
    assert worker_response_document([]) == {"answers": []}


SPEC_6_2_EXAMPLE = r"""[
  {
    "datasetObjectId": "173",
    "dataObject": {"s3Uri": "s3://acme-scans/receipts/000173.png"},
    "annotations": [
      {"workerId": "private.eu-west-1.3f9c0a7be41d2e58",
       "annotationData": {"content": "{\"total\":\"18.40\",\"quality\":{\"label\":\"legible\"}}"}},
      {"workerId": "private.eu-west-1.9a11c03d5e6f7b80",
       "annotationData": {"content": "{\"total\":\"18.40\",\"quality\":{\"label\":\"legible\"}}"}}
    ]
  }
]"""


def test_consolidation_request_item_reproduces_the_spec_example() -> None:
    """Appendix C 13: annotationData.content is a string that parses to the stored answerContent."""
    answer_content = {"total": "18.40", "quality": {"label": "legible"}}
    stored = json.dumps(answer_content, separators=(",", ":"))
    item = consolidation_request_item(
        173,
        {"source-ref": "s3://acme-scans/receipts/000173.png", "store": "Kiosk 4"},
        [("private.eu-west-1.3f9c0a7be41d2e58", stored), ("private.eu-west-1.9a11c03d5e6f7b80", stored)],
    )
    assert [item] == json.loads(SPEC_6_2_EXAMPLE)
    for annotation in item["annotations"]:
        content = annotation["annotationData"]["content"]
        assert isinstance(content, str) and json.loads(content) == answer_content


def test_text_objects_send_their_content_and_other_keys_stay_out() -> None:
    item = consolidation_request_item(0, {"source": "Battery died.", "ticket": "T-1881"}, [("w", "{}")])
    assert item["datasetObjectId"] == "0"
    assert item["dataObject"] == {"content": "Battery died."}
    assert "ticket" not in json.dumps(item)


def test_source_ref_wins_when_a_line_has_both() -> None:
    item = consolidation_request_item(4, {"source": "t", "source-ref": "s3://b/k"}, [])
    assert item["dataObject"] == {"s3Uri": "s3://b/k"}
    with pytest.raises(ValueError, match="source-ref or source"):
        consolidation_request_item(4, {"other": 1}, [])


SPEC_7_5_10 = """{"source": "Arrived early and works perfectly.", "ticket": "T-1882",
 "tone-review": {"majority": "positive", "votes": {"positive": 2, "mixed": 1}},
 "tone-review-metadata": {"type": "groundtruth/custom", "job-name": "tone-review",
   "human-annotated": "yes", "creation-date": "2024-03-05T11:22:33.456000"}}"""

SPEC_7_5_10_PASS_THROUGH = """{"source": "Arrived early and works perfectly.",
 "tone-review": {},
 "tone-review-metadata": {"type": "groundtruth/custom", "job-name": "tone-review",
   "human-annotated": "yes", "creation-date": "2024-03-05T11:22:33.456000",
   "worker-response-ref": "s3://acme-out/jobs/tone-review/annotations/worker-response/iteration-1/1/2024-03-05_11:22:33.json"}}"""


def test_custom_output_line_reproduces_the_spec_example_byte_for_byte() -> None:
    """Appendix C 18 and spec 7.5.10: the observed form, with millisecond precision padded to 6 digits."""
    line = '{"source": "Arrived early and works perfectly.", "ticket": "T-1882"}'
    label = {"majority": "positive", "votes": {"positive": 2, "mixed": 1}}
    out = output_line(line, "tone-review", label, custom_metadata("tone-review", AT))
    assert out == one_line(SPEC_7_5_10)


def test_pass_through_output_line_reproduces_the_spec_example_byte_for_byte() -> None:
    """Spec 6.7 / 7.5.10: no consolidation hook: {} and worker-response-ref."""
    ref = JobLayout("s3://acme-out/jobs/", "tone-review").worker_response(1, 1, file_timestamp(AT))
    out = output_line('{"source": "Arrived early and works perfectly."}', "tone-review", {},
                      custom_metadata("tone-review", AT, worker_response_ref=ref))
    assert out == one_line(SPEC_7_5_10_PASS_THROUGH)


def test_custom_metadata_keys_and_bare_job_name() -> None:
    """Appendix C 18: groundtruth/custom, hyphenated keys, the job name as created (not lower-cased)."""
    metadata = custom_metadata("Tone-Review", AT)
    assert metadata == {"type": "groundtruth/custom", "job-name": "Tone-Review", "human-annotated": "yes",
                        "creation-date": "2024-03-05T11:22:33.456000"}


def test_supplied_metadata_is_kept_and_completed() -> None:
    """Q18: keep the hook's metadata object, adding the four defaults when missing."""
    supplied = {"confidence": 0.9, "type": "groundtruth/my-kind", "job-name": "other"}
    merged = merge_custom_metadata(supplied, "tone-review", AT)
    assert merged == {"confidence": 0.9, "type": "groundtruth/my-kind", "job-name": "other",
                      "human-annotated": "yes", "creation-date": "2024-03-05T11:22:33.456000"}
    assert list(merged) == ["confidence", "type", "job-name", "human-annotated", "creation-date"]
    assert supplied == {"confidence": 0.9, "type": "groundtruth/my-kind", "job-name": "other"}


@pytest.mark.parametrize("supplied", [None, "not an object", ["a"], 3])
def test_missing_or_unusable_metadata_gives_the_defaults(supplied: object) -> None:
    assert merge_custom_metadata(supplied, "tone-review", AT) == custom_metadata("tone-review", AT)
