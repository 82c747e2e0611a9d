"""The one app factory, used by ``crowdform serve``, the tests and Uvicorn alike."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI

from crowdform import __version__
from crowdform.engine.runtime import Runtime
from crowdform.settings import Settings
from crowdform.web import api_admin, api_worker
from crowdform.web.errors import install_error_handlers
from crowdform.web.services import Services


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. The runtime (database, storage) opens at startup unless one is handed in."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        rt = runtime or Runtime.open(settings)
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

    app = FastAPI(title="crowdform", version=__version__, lifespan=lifespan,
                  description="Self-hosted labeling jobs with Ground Truth's contracts.")
    install_error_handlers(app)
    app.include_router(api_worker.router)
    app.include_router(api_admin.router)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
