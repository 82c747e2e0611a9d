"""HotPaths: matching requests reach their fast handler first; everything else reaches the app unchanged."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crowdform.errors import Conflict
from crowdform.web.hot_paths import FAST_BODY_LIMIT, HotPath, HotPaths
from tests.fixtures.servers import start_asgi


async def general(request: Request) -> Response:
    return JSONResponse({"via": "app", "body": (await request.body()).decode(), **request.path_params})


async def fast(request: Request, body: bytes) -> Response | None:
    if body == b"decline":
        return None
    if body == b"conflict":
        raise Conflict("taken meanwhile")
    return JSONResponse({"via": "fast", "body": body.decode(), **request.path_params})


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    app = Starlette(routes=[Route("/items/{item}/do", general, methods=["POST", "PUT"])])
    server = start_asgi(HotPaths(app, [HotPath.of("POST", "/items/{item}/do", fast)]), lifespan="off")
    yield server.url
    server.stop()


@pytest.fixture
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client


def test_a_matching_request_gets_the_fast_handler_with_its_path_params(http: httpx.Client) -> None:
    reply = http.post("/items/a1/do", content=b"hello")
    assert reply.json() == {"via": "fast", "body": "hello", "item": "a1"}


def test_other_methods_and_paths_reach_the_app(http: httpx.Client) -> None:
    assert http.put("/items/a1/do", content=b"x").json()["via"] == "app"
    assert http.post("/items/a1/do/more", content=b"x").status_code == 404  # the pattern matches whole paths
    assert http.post("/items/a/b/do", content=b"x").status_code == 404  # a parameter never spans a slash


def test_a_declined_request_reaches_the_app_with_its_body(http: httpx.Client) -> None:
    assert http.post("/items/a1/do", content=b"decline").json() == {"via": "app", "body": "decline", "item": "a1"}


def test_an_engine_error_gets_the_apps_json_error_shape(http: httpx.Client) -> None:
    reply = http.post("/items/a1/do", content=b"conflict")
    assert reply.status_code == 409 and reply.json() == {"error": "ResourceInUse", "message": "taken meanwhile"}


def test_bodies_without_a_length_or_over_the_limit_take_the_apps_path(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"chun"
        yield b"ked"

    assert http.post("/items/a1/do", content=chunks()).json() == {"via": "app", "body": "chunked", "item": "a1"}
    assert http.post("/items/a1/do", content=b"x" * (FAST_BODY_LIMIT + 1)).json()["via"] == "app"
    assert http.post("/items/a1/do", content=b"x" * FAST_BODY_LIMIT).json()["via"] == "fast"
