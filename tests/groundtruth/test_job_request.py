"""CreateLabelingJob requests (spec 1.3, 2.1, 2.6, 9.1; Appendix C 4): every rule, with its message."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from crowdform.errors import InvalidInput, Problem
from crowdform.groundtruth.job_request import JobSpec, parse_create_labeling_job, request_from_flags

SPEC_9_1_MINIMAL = """{
  "LabelingJobName": "tone-review",
  "LabelAttributeName": "tone-review",
  "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://acme-in/tone/input.manifest"}}},
  "OutputConfig": {"S3OutputPath": "s3://acme-out/jobs/"},
  "RoleArn": "arn:aws:iam::123456789012:role/GtExecution",
  "LabelCategoryConfigS3Uri": "s3://acme-in/tone/labels.json",
  "HumanTaskConfig": {
    "WorkteamArn": "arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/support-team",
    "UiConfig": {"UiTemplateS3Uri": "s3://acme-in/tone/template.liquid.html"},
    "PreHumanTaskLambdaArn": "arn:aws:lambda:eu-west-1:123456789012:function:sagemaker-tone-pre",
    "TaskTitle": "Customer tone",
    "TaskDescription": "Pick the tone of a support message",
    "NumberOfHumanWorkersPerDataObject": 3,
    "TaskTimeLimitInSeconds": 600,
    "TaskAvailabilityLifetimeInSeconds": 86400,
    "MaxConcurrentTaskCount": 200,
    "AnnotationConsolidationConfig": {
      "AnnotationConsolidationLambdaArn": "arn:aws:lambda:eu-west-1:123456789012:function:sagemaker-tone-post"}
  }
}"""

HT = "HumanTaskConfig"


def minimal() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(SPEC_9_1_MINIMAL)
    return body


def with_changes(top: dict[str, Any] | None = None, /, **human: Any) -> dict[str, Any]:
    """The 9.1 request with top-level and HumanTaskConfig keys replaced; a value of ... deletes the key."""
    body = minimal()
    for key, value in (top or {}).items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    for key, value in human.items():
        if value is ...:
            body[HT].pop(key, None)
        else:
            body[HT][key] = value
    return body


def problems(body: Any) -> list[Problem]:
    with pytest.raises(InvalidInput) as caught:
        parse_create_labeling_job(body, source="CreateLabelingJob")
    assert caught.value.source == "CreateLabelingJob"
    return caught.value.problems


def only_problem(body: Any) -> Problem:
    found = problems(body)
    assert len(found) == 1, found
    return found[0]


def parse(body: Any) -> JobSpec:
    return parse_create_labeling_job(body, source="CreateLabelingJob")


# --- the spec's request ---------------------------------------------------------------------------


def test_the_spec_minimal_request_parses() -> None:
    spec = parse(minimal())
    assert spec == JobSpec(
        name="tone-review",
        label_attribute_name="tone-review",
        manifest_uri="s3://acme-in/tone/input.manifest",
        output_path="s3://acme-out/jobs/",
        role_arn="arn:aws:iam::123456789012:role/GtExecution",
        label_category_config_uri="s3://acme-in/tone/labels.json",
        team="support-team",
        template_uri="s3://acme-in/tone/template.liquid.html",
        human_task_ui_arn=None,
        pre_hook="arn:aws:lambda:eu-west-1:123456789012:function:sagemaker-tone-pre",
        post_hook="arn:aws:lambda:eu-west-1:123456789012:function:sagemaker-tone-post",
        title="Customer tone",
        description="Pick the tone of a support message",
        keywords=(),
        workers_per_object=3,
        task_time_limit=600,
        availability_lifetime=86_400,
        max_concurrent=200,
        max_human_labeled=None,
        max_percent_labeled=None,
        request=minimal(),
    )
    assert spec.builtin_task is None


def test_the_request_echo_gets_defaults_and_the_body_is_not_changed() -> None:
    body = with_changes({"LabelAttributeName": ...}, TaskAvailabilityLifetimeInSeconds=..., MaxConcurrentTaskCount=...)
    before = copy.deepcopy(body)
    spec = parse(body)
    assert body == before
    assert spec.request["LabelAttributeName"] == "tone-review"
    assert spec.request[HT]["TaskAvailabilityLifetimeInSeconds"] == 2_592_000
    assert spec.request[HT]["MaxConcurrentTaskCount"] == 1_000
    assert (spec.availability_lifetime, spec.max_concurrent) == (2_592_000, 1_000)
    assert spec.request["RoleArn"] == body["RoleArn"]


def test_local_paths_hook_references_and_plain_team_names_are_accepted() -> None:
    body = with_changes(
        {"InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "manifest.jsonl"}}},
         "OutputConfig": {"S3OutputPath": "file:///srv/out"},
         "RoleArn": ...,
         "LabelCategoryConfigS3Uri": ...},
        WorkteamArn="support-team",
        UiConfig={"UiTemplateS3Uri": "templates/tone.liquid.html"},
        PreHumanTaskLambdaArn="hooks/pre.py",
        AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": "mypackage.hooks:consolidate"},
    )
    spec = parse(body)
    assert (spec.manifest_uri, spec.output_path, spec.team) == ("manifest.jsonl", "file:///srv/out", "support-team")
    assert (spec.pre_hook, spec.post_hook) == ("hooks/pre.py", "mypackage.hooks:consolidate")
    assert spec.role_arn is None and spec.label_category_config_uri is None


def test_hooks_are_optional() -> None:
    spec = parse(with_changes(PreHumanTaskLambdaArn=..., AnnotationConsolidationConfig=...))
    assert (spec.pre_hook, spec.post_hook) == (None, None)


def test_optional_values_are_read() -> None:
    spec = parse(with_changes(
        {"StoppingConditions": {"MaxHumanLabeledObjectCount": 500, "MaxPercentageOfInputDatasetLabeled": 50},
         "Tags": [{"Key": "team", "Value": "support"}, {"Key": "empty", "Value": ""}]},
        TaskKeywords=["support", "tone", "text classification"],
    ))
    assert (spec.max_human_labeled, spec.max_percent_labeled) == (500, 50)
    assert spec.keywords == ("support", "tone", "text classification")


def test_a_human_task_ui_arn_instead_of_a_template() -> None:
    ui = "arn:aws:sagemaker:eu-west-1:394669845002:human-task-ui/NamedEntityRecognition"
    spec = parse(with_changes(UiConfig={"HumanTaskUiArn": ui}))
    assert (spec.template_uri, spec.human_task_ui_arn) == (None, ui)


def test_null_counts_as_missing() -> None:
    spec = parse(with_changes({"LabelAttributeName": None, "RoleArn": None}, MaxConcurrentTaskCount=None))
    assert (spec.label_attribute_name, spec.role_arn, spec.max_concurrent) == ("tone-review", None, 1_000)


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "A1", "tone-review", "a--b", "x" * 63])
def test_good_job_names(name: str) -> None:
    assert parse(with_changes({"LabelingJobName": name, "LabelAttributeName": "tone"})).name == name


@pytest.mark.parametrize("name", ["-tone", "tone-", "tone_review", "tone review", "tône"])
def test_job_name_pattern(name: str) -> None:
    problem = only_problem(with_changes({"LabelingJobName": name, "LabelAttributeName": "tone"}))
    assert (problem.field, problem.message, problem.value) == ("LabelingJobName", "does not match the allowed pattern", name)
    assert problem.hint and "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}" in problem.hint


@pytest.mark.parametrize(("name", "length"), [("", 0), ("x" * 64, 64)])
def test_job_name_length(name: str, length: int) -> None:
    problem = only_problem(with_changes({"LabelingJobName": name, "LabelAttributeName": "tone"}))
    assert (problem.field, problem.message) == ("LabelingJobName", f"has {length} characters")
    assert problem.hint == "Give a string of 1 to 63 characters"


def test_the_label_attribute_name_defaults_to_the_job_name() -> None:
    """Spec 1.3: the console uses the job name when no LAN is given."""
    spec = parse(with_changes({"LabelAttributeName": ..., "LabelingJobName": "Pet-Kind"}))
    assert spec.label_attribute_name == "Pet-Kind"


@pytest.mark.parametrize(
    ("lan", "message"),
    [
        ("tone-metadata", "must not end with -metadata"),
        ("source", "'source' is reserved for the data object"),
        ("source-ref", "'source-ref' is reserved for the data object"),
        ("tone-ref", "must not end with -ref for custom jobs"),
        ("tone_review", "does not match the allowed pattern"),
        ("x" * 128, "has 128 characters"),
    ],
)
def test_label_attribute_name_rules(lan: str, message: str) -> None:
    """Appendix C 4."""
    problem = only_problem(with_changes({"LabelAttributeName": lan}))
    assert (problem.field, problem.message, problem.value) == ("LabelAttributeName", message, lan)
    assert problem.hint


def test_a_127_character_label_attribute_name_is_accepted() -> None:
    assert parse(with_changes({"LabelAttributeName": "l" * 127})).label_attribute_name == "l" * 127


def test_a_defaulted_label_attribute_name_says_where_it_came_from() -> None:
    problem = only_problem(with_changes({"LabelAttributeName": ..., "LabelingJobName": "tone-ref"}))
    assert (problem.field, problem.message) == ("LabelAttributeName", "must not end with -ref for custom jobs")
    assert problem.hint and "LabelAttributeName was not given, so the job name is used" in problem.hint


SEGMENTATION = {
    "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-SemanticSegmentation",
    "AnnotationConsolidationConfig": {
        "AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:ACS-SemanticSegmentation"},
}


def test_ref_suffix_is_required_for_semantic_segmentation() -> None:
    """Appendix C 4: -ref enforced per task type."""
    problem = only_problem(with_changes({"LabelAttributeName": "crops"}, **SEGMENTATION))
    assert problem.message == "must end with -ref for the SemanticSegmentation task type"
    assert problem.hint and "crops-ref" in problem.hint
    spec = parse(with_changes({"LabelAttributeName": "crops-ref"}, **SEGMENTATION))
    assert spec.builtin_task == "SemanticSegmentation"


def test_ref_suffix_is_refused_for_segmentation_verification_and_boxes() -> None:
    for task in ("VerificationSemanticSegmentation", "BoundingBox"):
        body = with_changes({"LabelAttributeName": "check-ref"},
                            PreHumanTaskLambdaArn=f"PRE-{task}",
                            AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": f"ACS-{task}"})
        assert only_problem(body).message == f"must not end with -ref for the {task} task type"


def test_pass_through_is_a_custom_job() -> None:
    body = with_changes({"LabelCategoryConfigS3Uri": ...}, PreHumanTaskLambdaArn="PRE-PassThrough",
                        AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": "ACS-PassThrough"})
    assert parse(body).builtin_task is None


# --- built-in hooks -------------------------------------------------------------------------------


def test_built_ins_need_a_label_category_file() -> None:
    """Q27."""
    body = with_changes({"LabelCategoryConfigS3Uri": ...}, PreHumanTaskLambdaArn="PRE-TextMultiClass",
                        AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": "ACS-TextMultiClass"})
    problem = only_problem(body)
    assert (problem.field, problem.message) == (
        "LabelCategoryConfigS3Uri", "is required for the built-in task type TextMultiClass",
    )


def test_the_consolidation_built_in_decides_the_task_type() -> None:
    spec = parse(with_changes(AnnotationConsolidationConfig={
        "AnnotationConsolidationLambdaArn": "arn:aws:lambda:eu-west-1:568282634449:function:ACS-ImageMultiClass"}))
    assert spec.builtin_task == "ImageMultiClass"
    assert spec.pre_hook and spec.pre_hook.endswith("sagemaker-tone-pre")


def test_built_ins_in_the_wrong_slot_or_disagreeing() -> None:
    swapped = problems(with_changes(PreHumanTaskLambdaArn="ACS-BoundingBox",
                                    AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": "PRE-BoundingBox"}))
    assert [(p.field, p.message) for p in swapped] == [
        ("HumanTaskConfig.PreHumanTaskLambdaArn", "names a consolidation function"),
        ("HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn",
         "names a pre-annotation function"),
    ]
    assert swapped[0].hint == "Use PRE-BoundingBox here, and ACS-BoundingBox as AnnotationConsolidationLambdaArn"
    mixed = only_problem(with_changes(
        PreHumanTaskLambdaArn="PRE-BoundingBox",
        AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": "ACS-ImageMultiClass"}))
    assert mixed.message == "is the built-in for ImageMultiClass but PreHumanTaskLambdaArn is the built-in for BoundingBox"
    assert mixed.hint == "Use ACS-BoundingBox with PRE-BoundingBox"


# --- HumanTaskConfig numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "good", "bad", "hint"),
    [
        ("NumberOfHumanWorkersPerDataObject", [1, 9], [0, 10], "Give an integer from 1 to 9"),
        ("TaskTimeLimitInSeconds", [30, 28_800], [29, 28_801], "Give an integer from 30 to 28,800"),
        ("TaskAvailabilityLifetimeInSeconds", [60, 2_592_000], [59, 2_592_001], "Give an integer from 60 to 2,592,000"),
        ("MaxConcurrentTaskCount", [1, 5_000], [0, 5_001], "Give an integer from 1 to 5,000"),
    ],
)
def test_integer_ranges(key: str, good: list[int], bad: list[int], hint: str) -> None:
    for value in good:
        assert parse(with_changes(**{key: value})).request[HT][key] == value
    for value in bad:
        problem = only_problem(with_changes(**{key: value}))
        assert (problem.field, problem.message, problem.value, problem.hint) == (
            f"{HT}.{key}", "is out of range", value, hint,
        )


@pytest.mark.parametrize("value", ["3", 3.0, True, [3], {"n": 3}])
def test_integers_must_be_integers(value: Any) -> None:
    problem = only_problem(with_changes(NumberOfHumanWorkersPerDataObject=value))
    assert problem.field == f"{HT}.NumberOfHumanWorkersPerDataObject"
    assert problem.message.startswith("must be an integer, not ")
    assert problem.value == value
    assert problem.hint == "Give an integer from 1 to 9, as a JSON number without quotes"


@pytest.mark.parametrize("key", ["NumberOfHumanWorkersPerDataObject", "TaskTimeLimitInSeconds", "TaskTitle",
                                 "TaskDescription", "WorkteamArn", "UiConfig"])
def test_required_human_task_fields(key: str) -> None:
    problem = only_problem(with_changes(**{key: ...}))
    assert (problem.field, problem.message) == (f"{HT}.{key}", "is required")
    assert problem.hint


# --- texts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message", "hint"),
    [
        ("TaskTitle", "", "has 0 characters", "Give a string of 1 to 128 characters"),
        ("TaskTitle", "t" * 129, "has 129 characters", "Give a string of 1 to 128 characters"),
        ("TaskDescription", "d" * 256, "has 256 characters", "Give a string of 1 to 255 characters"),
        ("TaskDescription", 5, "must be a string, not a number", "Give a string of 1 to 255 characters"),
    ],
)
def test_title_and_description(key: str, value: Any, message: str, hint: str) -> None:
    problem = only_problem(with_changes(**{key: value}))
    assert (problem.field, problem.message, problem.value, problem.hint) == (f"{HT}.{key}", message, value, hint)


def test_keywords() -> None:
    assert parse(with_changes(TaskKeywords=["k" * 30] * 5)).keywords == ("k" * 30,) * 5
    assert [(p.field, p.message) for p in problems(with_changes(TaskKeywords=[]))] == [
        (f"{HT}.TaskKeywords", "has 0 keywords")]
    assert [(p.field, p.message) for p in problems(with_changes(TaskKeywords=["a"] * 6))] == [
        (f"{HT}.TaskKeywords", "has 6 keywords")]
    found = problems(with_changes(TaskKeywords=["ok", "k" * 31, 7]))
    assert [(p.field, p.value) for p in found] == [(f"{HT}.TaskKeywords[1]", "k" * 31), (f"{HT}.TaskKeywords[2]", 7)]
    assert found[0].hint == "Give 1 to 5 keywords of 1 to 30 characters each"
    assert only_problem(with_changes(TaskKeywords="tone")).message == "must be an array of strings, not a string"


# --- UI, team, URIs -------------------------------------------------------------------------------


def test_exactly_one_ui() -> None:
    both = only_problem(with_changes(UiConfig={"UiTemplateS3Uri": "t.html", "HumanTaskUiArn": "arn:x"}))
    assert (both.field, both.message, both.hint) == (
        f"{HT}.UiConfig", "has both UiTemplateS3Uri and HumanTaskUiArn", "Give exactly one of them")
    neither = only_problem(with_changes(UiConfig={}))
    assert (neither.field, neither.message) == (f"{HT}.UiConfig", "has neither UiTemplateS3Uri nor HumanTaskUiArn")


def test_public_work_teams_are_refused_under_the_field_path() -> None:
    problem = only_problem(with_changes(
        WorkteamArn="arn:aws:sagemaker:eu-west-1:394669845002:workteam/public-crowd/default"))
    assert problem.field == f"{HT}.WorkteamArn"
    assert problem.message == "names a public-crowd work team; crowdform runs private teams only"
    assert problem.hint and "private-crowd" in problem.hint


@pytest.mark.parametrize(
    ("top", "field"),
    [
        ({"InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": ""}}}},
         "InputConfig.DataSource.S3DataSource.ManifestS3Uri"),
        ({"InputConfig": {"DataSource": {"S3DataSource": {}}}}, "InputConfig.DataSource.S3DataSource.ManifestS3Uri"),
        ({"InputConfig": {"DataSource": {}}}, "InputConfig.DataSource.S3DataSource"),
        ({"InputConfig": ...}, "InputConfig"),
        ({"OutputConfig": {"S3OutputPath": ""}}, "OutputConfig.S3OutputPath"),
        ({"OutputConfig": {}}, "OutputConfig.S3OutputPath"),
        ({"LabelCategoryConfigS3Uri": ""}, "LabelCategoryConfigS3Uri"),
        ({"LabelCategoryConfigS3Uri": "s3://b/" + "k" * 1_020}, "LabelCategoryConfigS3Uri"),
    ],
)
def test_uris_must_be_present_and_not_empty(top: dict[str, Any], field: str) -> None:
    problem = only_problem(with_changes(top))
    assert problem.field == field
    assert problem.message in ("is required", "has 0 characters", "has 1027 characters")
    assert problem.hint


def test_uri_hints_say_what_to_give() -> None:
    problem = only_problem(with_changes({"OutputConfig": {}}))
    assert problem.hint == "Give the URI or path of the output folder of 1 to 1024 characters"


def test_role_arn_is_optional_but_must_be_a_string() -> None:
    assert parse(with_changes({"RoleArn": ...})).role_arn is None
    problem = only_problem(with_changes({"RoleArn": 12}))
    assert (problem.field, problem.message) == ("RoleArn", "must be a string, not a number")


def test_streaming_and_automated_labeling_are_refused() -> None:
    found = problems(with_changes({
        "InputConfig": {"DataSource": {"SnsDataSource": {"SnsTopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}},
        "LabelingJobAlgorithmsConfig": {"LabelingJobAlgorithmSpecificationArn": "arn:x"},
    }))
    assert [(p.field, p.message) for p in found] == [
        ("InputConfig.DataSource.SnsDataSource", "streaming labeling jobs are not supported"),
        ("LabelingJobAlgorithmsConfig", "automated data labeling is not supported"),
    ]
    assert found[0].hint == "Give InputConfig.DataSource.S3DataSource.ManifestS3Uri instead"


def test_stopping_conditions() -> None:
    found = problems(with_changes({"StoppingConditions": {"MaxHumanLabeledObjectCount": 0,
                                                          "MaxPercentageOfInputDatasetLabeled": 101}}))
    assert [(p.field, p.value, p.hint) for p in found] == [
        ("StoppingConditions.MaxHumanLabeledObjectCount", 0, "Give an integer of at least 1"),
        ("StoppingConditions.MaxPercentageOfInputDatasetLabeled", 101, "Give an integer from 1 to 100"),
    ]


def test_content_classifiers_and_tags() -> None:
    found = problems(with_changes({
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "m"}},
                        "DataAttributes": {"ContentClassifiers": ["FreeOfAdultContent", "FreeOfBugs"]}},
        "Tags": [{"Key": "", "Value": "v"}, "tag", {"Key": "k", "Value": "v", "Colour": "red"}],
    }))
    assert [(p.field, p.message) for p in found] == [
        ("InputConfig.DataAttributes.ContentClassifiers[1]", "is not an allowed value"),
        ("Tags[0].Key", "has 0 characters"),
        ("Tags[1]", "must be an object, not a string"),
        ("Tags[2].Colour", "is not a known field"),
    ]
    assert found[0].hint == "Use one of: FreeOfAdultContent, FreeOfPersonallyIdentifiableInformation"
    too_many = only_problem(with_changes({"Tags": [{"Key": "k", "Value": "v"}] * 51}))
    assert (too_many.field, too_many.message) == ("Tags", "has 51 tags")


# --- unknown keys, wrong types, everything at once ------------------------------------------------


def test_unknown_keys_name_the_nearest_valid_one() -> None:
    body = minimal()
    body["LabellingJobName"] = "x"
    body["labelAttributeName"] = "y"
    body["Colour"] = "blue"
    body[HT]["NumberOfHumanWorkersPerObject"] = 2
    found = problems(body)
    assert [(p.field, p.message, p.hint) for p in found] == [
        ("LabellingJobName", "is not a known field", "Did you mean LabelingJobName?"),
        ("labelAttributeName", "is not a known field", "Did you mean LabelAttributeName?"),
        ("Colour", "is not a known field",
         "Known fields: LabelingJobName, LabelAttributeName, InputConfig, OutputConfig, RoleArn, "
         "LabelCategoryConfigS3Uri, StoppingConditions, LabelingJobAlgorithmsConfig, HumanTaskConfig, Tags"),
        (f"{HT}.NumberOfHumanWorkersPerObject", "is not a known field",
         "Did you mean NumberOfHumanWorkersPerDataObject?"),
    ]


@pytest.mark.parametrize("body", [[], "request", None, 3])
def test_the_body_must_be_an_object(body: Any) -> None:
    problem = only_problem(body)
    assert problem.message.startswith("the request must be a JSON object, not ")


def test_sections_of_the_wrong_type() -> None:
    found = problems(with_changes({"HumanTaskConfig": [], "OutputConfig": "s3://out"}))
    assert [(p.field, p.message) for p in found] == [
        ("OutputConfig", "must be an object, not a string"),
        ("HumanTaskConfig", "must be an object, not an array"),
    ]
    assert found[0].hint == "Give an object with S3OutputPath, KmsKeyId, SnsTopicArn"


def test_every_problem_is_reported_at_once_with_field_paths() -> None:
    body = with_changes(
        {"LabelingJobName": "bad_name", "LabelAttributeName": "x-metadata", "OutputConfig": {}},
        NumberOfHumanWorkersPerDataObject=12,
        TaskTimeLimitInSeconds=10,
        TaskTitle="",
        UiConfig={},
    )
    with pytest.raises(InvalidInput) as caught:
        parse(body)
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "LabelingJobName",
        "OutputConfig.S3OutputPath",
        f"{HT}.UiConfig",
        f"{HT}.TaskTitle",
        f"{HT}.NumberOfHumanWorkersPerDataObject",
        f"{HT}.TaskTimeLimitInSeconds",
        "LabelAttributeName",
    ]
    message = str(caught.value)
    assert message.startswith("CreateLabelingJob: 7 problems\n")
    assert "field 'HumanTaskConfig.NumberOfHumanWorkersPerDataObject': is out of range (got 12). " \
           "Give an integer from 1 to 9" in message


# --- flags ----------------------------------------------------------------------------------------


def test_request_from_flags_round_trips() -> None:
    body = request_from_flags(name="tone-review", manifest="data/input.manifest", output="out/",
                              template="tone.liquid.html", team="support-team")
    assert body == {
        "LabelingJobName": "tone-review",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "data/input.manifest"}}},
        "OutputConfig": {"S3OutputPath": "out/"},
        "HumanTaskConfig": {
            "WorkteamArn": "support-team",
            "UiConfig": {"UiTemplateS3Uri": "tone.liquid.html"},
            "TaskTitle": "tone-review",
            "TaskDescription": "tone-review",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
        },
    }
    spec = parse(body)
    assert (spec.name, spec.label_attribute_name, spec.team, spec.workers_per_object) == (
        "tone-review", "tone-review", "support-team", 1)
    assert (spec.availability_lifetime, spec.max_concurrent) == (2_592_000, 1_000)


def test_request_from_flags_with_every_option() -> None:
    body = request_from_flags(
        name="pets", manifest="m", output="o", template="t", team="arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/vets",
        pre_hook="pre.py", post_hook="post.py", workers_per_object=3, label_attribute_name="pet-kind",
        labels_uri="labels.json", title="Pets", description="Name the pet", keywords=("pets", "images"),
        task_time_limit=120, availability_lifetime=3_600, max_concurrent=10,
    )
    spec = parse(body)
    assert (spec.team, spec.pre_hook, spec.post_hook, spec.label_attribute_name) == ("vets", "pre.py", "post.py", "pet-kind")
    assert (spec.title, spec.description, spec.keywords) == ("Pets", "Name the pet", ("pets", "images"))
    assert (spec.workers_per_object, spec.task_time_limit, spec.availability_lifetime, spec.max_concurrent) == (
        3, 120, 3_600, 10)
    assert spec.label_category_config_uri == "labels.json"


def test_request_from_flags_recognises_a_human_task_ui_arn() -> None:
    ui = "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/NamedEntityRecognition"
    body = request_from_flags(name="n", manifest="m", output="o", template=ui, team="t")
    assert body[HT]["UiConfig"] == {"HumanTaskUiArn": ui}


def test_bad_flags_are_reported_by_the_parser() -> None:
    body = request_from_flags(name="n", manifest="m", output="o", template="t", team="t", workers_per_object=12)
    assert only_problem(body).field == f"{HT}.NumberOfHumanWorkersPerDataObject"
