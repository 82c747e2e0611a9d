"""Work teams: CreateWorkteam, DescribeWorkteam, ListWorkteams, UpdateWorkteam and DeleteWorkteam.

A member definition names groups: a ``CognitoMemberDefinition``'s ``UserGroup`` or an
``OidcMemberDefinition``'s ``Groups``. Each group is a crowdform team, and its workers are the work
team's (``engine/workteams.py``). The user pool, client id and workforce name are kept and shown as
given, and used for nothing: crowdform's portal signs workers in itself. A team made with
``crowdform team create`` is shown as one Cognito group of its own name, in the user pool
``<region>_crowdform``.

``SubDomain`` is the worker portal's address without a scheme, as AWS gives it
(``abc123.labeling.us-east-1.sagemaker.aws``); see docs/decisions.md.
"""

from __future__ import annotations

from typing import Any

from crowdform.aws.errors import AwsError
from crowdform.aws.paging import decode_token, encode_token
from crowdform.aws.sagemaker.context import Context, Handler
from crowdform.engine.workteams import WorkteamRow
from crowdform.groundtruth.arns import workforce_arn

SETTINGS = ("Description", "MemberDefinitions", "NotificationConfiguration", "WorkerAccessConfiguration",
            "WorkforceName")
"""What a work team keeps as given, for DescribeWorkteam."""
DEFAULT_MAX_RESULTS = 10
CLIENT_ID = "crowdform"


def create_workteam(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    team = context.engine.workteams.create(
        request["WorkteamName"], groups=member_groups(request["MemberDefinitions"]),
        settings={key: request[key] for key in SETTINGS if request.get(key) is not None},
        tags=[(tag["Key"], tag["Value"]) for tag in request.get("Tags") or ()])
    return {"WorkteamArn": team.arn}


def describe_workteam(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    return {"Workteam": _workteam(context, context.engine.workteams.get(request["WorkteamName"]))}


def list_workteams(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    sort_by, order = request.get("SortBy", "CreateDate"), request.get("SortOrder", "Ascending")
    listing = f"ListWorkteams:{sort_by}:{order}"
    teams, last = context.engine.workteams.page(
        name_contains=request.get("NameContains"), by_name=sort_by == "Name", descending=order == "Descending",
        after=decode_token(request.get("NextToken"), listing), limit=request.get("MaxResults", DEFAULT_MAX_RESULTS))
    reply: dict[str, Any] = {"Workteams": [_workteam(context, team) for team in teams]}
    if last is not None:
        reply["NextToken"] = encode_token(listing, last)
    return reply


def update_workteam(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    definitions = request.get("MemberDefinitions")
    team = context.engine.workteams.update(
        request["WorkteamName"], groups=None if definitions is None else member_groups(definitions),
        settings={key: request[key] for key in SETTINGS if request.get(key) is not None})
    return {"Workteam": _workteam(context, team)}


def delete_workteam(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    context.engine.workteams.delete(request["WorkteamName"])
    return {"Success": True}


def member_groups(definitions: list[dict[str, Any]]) -> list[str]:
    """The group names of member definitions, checked as AWS does: each definition is one kind, all
    are the same kind, and Cognito ones share one user pool and client."""
    groups: list[str] = []
    kinds, pools = set(), set()
    for position, definition in enumerate(definitions, start=1):
        given = [kind for kind in ("CognitoMemberDefinition", "OidcMemberDefinition") if definition.get(kind)]
        if len(given) != 1:
            raise _invalid(f"memberDefinitions.{position}.member must hold exactly one of CognitoMemberDefinition "
                           "and OidcMemberDefinition")
        kinds.add(given[0])
        if given[0] == "CognitoMemberDefinition":
            cognito = definition["CognitoMemberDefinition"]
            pools.add((cognito["UserPool"], cognito["ClientId"]))
            groups.append(cognito["UserGroup"])
        else:
            oidc = definition["OidcMemberDefinition"].get("Groups")
            if not oidc:
                raise _invalid(f"memberDefinitions.{position}.member.oidcMemberDefinition.groups must name "
                               "at least one group")
            groups.extend(oidc)
    if len(kinds) > 1:
        raise _invalid("MemberDefinitions must be all CognitoMemberDefinition or all OidcMemberDefinition, not both")
    if len(pools) > 1:
        raise _invalid("Every CognitoMemberDefinition of a work team must name the same UserPool and ClientId")
    return list(dict.fromkeys(groups))


def _workteam(context: Context, team: WorkteamRow) -> dict[str, Any]:
    settings = team.settings or {}
    region, account = context.runtime.settings.region, context.runtime.settings.account_id
    reply: dict[str, Any] = {
        "WorkteamName": team.name,
        "MemberDefinitions": settings.get("MemberDefinitions") or [{"CognitoMemberDefinition": {
            "UserPool": f"{region}_crowdform", "UserGroup": team.name, "ClientId": CLIENT_ID}}],
        "WorkteamArn": team.arn,
        "WorkforceArn": workforce_arn(region, account, settings.get("WorkforceName", "default")),
        "Description": settings.get("Description") or f"crowdform team {team.name}",
        "SubDomain": context.portal_address,
        "CreateDate": team.created_at,
        "LastUpdatedDate": team.updated_at if team.updated_at is not None else team.created_at,
    }
    for key in ("NotificationConfiguration", "WorkerAccessConfiguration"):
        if key in settings:
            reply[key] = settings[key]
    return reply


def _invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


OPERATIONS: dict[str, Handler] = {
    "CreateWorkteam": create_workteam,
    "DescribeWorkteam": describe_workteam,
    "ListWorkteams": list_workteams,
    "UpdateWorkteam": update_workteam,
    "DeleteWorkteam": delete_workteam,
}
