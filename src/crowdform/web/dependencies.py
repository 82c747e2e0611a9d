"""Request dependencies: the engine services and the authenticated caller.

Only ``principal`` touches the database, so it alone is a plain function (FastAPI runs those in its
thread pool); the others are ``async`` so that they cost no extra hop to a worker thread.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from crowdform.engine.workforce import Principal, WorkerInfo
from crowdform.errors import Forbidden, Unauthorized
from crowdform.web.services import Services


async def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def principal(request: Request, authorization: Annotated[str | None, Header()] = None) -> Principal:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("Send 'Authorization: Bearer <token>'; get a token from POST /api/v1/auth/login.")
    services: Services = request.app.state.services
    return services.workforce.authenticate(authorization[7:].strip())


async def current_worker(caller: Annotated[Principal, Depends(principal)]) -> WorkerInfo:
    if caller.worker is None:
        raise Forbidden("This endpoint is for workers; log in with a worker account.")
    return caller.worker


async def current_admin(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    if caller.role != "admin":
        raise Forbidden("This endpoint is for administrators.")
    return caller


ServicesDep = Annotated[Services, Depends(services)]
WorkerDep = Annotated[WorkerInfo, Depends(current_worker)]
AdminDep = Annotated[Principal, Depends(current_admin)]
