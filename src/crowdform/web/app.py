"""The one app factory, used by ``crowdform serve``, the tests and Uvicorn alike."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp

from crowdform import __version__
from crowdform.aws.endpoint import AwsEndpoint
from crowdform.engine.runtime import Runtime
from crowdform.settings import Settings, load_settings
from crowdform.web import admin, api_admin, api_docs, api_worker, files, portal
from crowdform.web.admin.session import install_page_errors
from crowdform.web.assets import mount_assets
from crowdform.web.errors import install_error_handlers
from crowdform.web.headers import NoSniff
from crowdform.web.hot_paths import HotPaths
from crowdform.web.request_guard import RequestGuard
from crowdform.web.services import Services


class CrowdformApp(FastAPI):
    """FastAPI behind the AWS-compatible endpoint (``aws.endpoint``: signed requests go to the AWS
    services), with the worker loop's hot paths answered ahead of its middleware (``web.hot_paths``), and
    ``nosniff`` on every response, theirs, the AWS services' and errors included (``web.headers``)."""

    def build_middleware_stack(self) -> ASGIApp:
        return NoSniff(AwsEndpoint(HotPaths(super().build_middleware_stack(), api_worker.HOT_PATHS),
                                   lambda scope: scope["app"].state.services.aws))


def create_app(settings: Settings, *, runtime: Runtime | None = None, migrate: bool = True) -> FastAPI:
    """Build the app. The runtime (database, storage) opens at startup unless one is handed in, and
    brings the schema up to date unless ``migrate`` is off (``crowdform serve`` migrated before)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        rt = runtime or Runtime.open(settings, migrate=migrate)
        services = Services.build(rt)
        app.state.services = services
        if settings.background:
            services.background.start()
        try:
            yield
        finally:
            services.background.stop()
            if owned:
                rt.close()

    # /docs is crowdform's own page over packaged Swagger UI files (web.api_docs), not FastAPI's CDN page.
    app = CrowdformApp(title="crowdform", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                       description="Self-hosted labeling jobs with Ground Truth's contracts.")
    install_error_handlers(app)
    app.add_middleware(RequestGuard)  # every request's size and content, checked before any route (web.request_guard)
    app.include_router(api_worker.router)
    app.include_router(api_admin.router)
    app.include_router(files.router)
    app.include_router(portal.router)
    app.include_router(admin.router)
    app.include_router(api_docs.router)
    install_page_errors(app)
    mount_assets(app)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/portal")

    return app


def app_from_environment() -> FastAPI:
    """The app from ``CROWDFORM_*`` settings: what each process of ``crowdform serve --workers N`` runs."""
    return create_app(load_settings())
