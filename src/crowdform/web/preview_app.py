"""The app ``crowdform preview`` serves: a worker template tried on its tasks, without a job.

One page with the chrome of the portal's task page (title, item n of m, Submit, Previous, Next)
shows each task in the same sandboxed frame through the same frame protocol (``task-frame.js``),
so a template that works here works for workers. ``preview.js`` fetches each item as JSON, and
posts each answer back; the app hands its canonical line to ``on_answer`` (the CLI prints it on
stdout) and returns it for the page to show.

The template is read and compiled again for every item shown (compiling is cached by source
text), so an edit shows on reload without restarting. Its errors, with line and column, are shown
on the page in place of the task, as are the pre-annotation hook's failures.

``crowdform preview --gallery`` serves the same page over one sample template per crowd element
(``gallery.py``), item n being the n-th element, with an index of them at ``/``.

Files the template grants access to are served at ``/files/{token}`` as the main app serves them
(the data folder's secret signs them). There is no login and no job: the server is for the one
person running it, on loopback unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, Field

from crowdform import __version__
from crowdform.engine.clock import Clock
from crowdform.engine.file_access import FILES_PATH, FileAccess
from crowdform.engine.previews import ItemState, Preview
from crowdform.groundtruth.answers import canonical_answer
from crowdform.errors import CrowdformError, NotFound
from crowdform.storage import Storage
from crowdform.templating import TaskTemplate
from crowdform.web.assets import mount_assets
from crowdform.web.errors import install_error_handlers
from crowdform.web.files import file_response
from crowdform.web.gallery import Sample, gallery_samples, sample_task_input, write_sample_image
from crowdform.web.headers import NoSniff
from crowdform.web.pages import page
from crowdform.web.request_guard import RequestGuard


@dataclass(frozen=True)
class PreviewSetup:
    """What the preview app serves, and where the answers go."""

    title: str
    """Shown as the page's title: the template's name as the user gave it."""
    preview: Preview
    template: Callable[[int], TaskTemplate]
    """Reads and compiles the template of item ``index`` (from 0); called for every item shown, so edits show on
    reload. A template preview has one template for all items; the gallery, one per item."""
    file_access: FileAccess
    storage: Storage
    clock: Clock
    on_answer: Callable[[str], None]
    """Gets each answer as one line of canonical JSON."""
    strict: bool = False
    """Refuse values the template uses that the task input lacks (as ``crowdform render --strict``)."""
    page_path: str = "/"
    """Where the page showing the items is (the gallery keeps ``/`` for its index)."""


class AnswerBody(BaseModel):
    answer: Any = Field(description="The form's answerContent: one JSON object keyed by element name.")


def create_preview_app(setup: PreviewSetup) -> FastAPI:
    app = FastAPI(title="crowdform preview", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(NoSniff)
    install_error_handlers(app)
    app.add_middleware(RequestGuard)  # answers are checked as the server's are (web.request_guard)
    mount_assets(app)
    count = len(setup.preview)

    def item_index(number: int) -> int:
        if not 1 <= number <= count:
            raise NotFound(f"There is no item {number}: this preview has items 1 to {count}.")
        return number - 1

    @app.get(setup.page_path, include_in_schema=False)
    def preview_page(request: Request) -> Response:
        return page(request, "preview/task.html", {"title": setup.title, "count": count})

    @app.get("/items/{number}")
    def item(number: int) -> dict[str, Any]:
        """Item ``number`` (from 1) and the worker's page for it, or why there is none."""
        shown = setup.preview.item(item_index(number))
        view = {"number": number, "count": count, "label": shown.label, "state": shown.state,
                "message": shown.message, "taskInput": shown.task_input, "page": None, "error": None}
        if shown.state is ItemState.READY:
            try:
                template = setup.template(number - 1)
                view["page"] = template.render(shown.task_input, grant_read_access=setup.file_access.grant,
                                               strict=setup.strict)
            except CrowdformError as error:  # the template's own errors, or a file it cannot grant
                view["error"] = str(error)
        return view

    @app.post("/items/{number}/answer")
    def answer(number: int, body: AnswerBody) -> dict[str, Any]:
        """Hand the answer to ``on_answer`` as one canonical line, and return that line."""
        item_index(number)
        line = canonical_answer(body.answer)
        setup.on_answer(line)
        return {"number": number, "line": line}

    @app.get(FILES_PATH + "/{token}", include_in_schema=False)
    def file(token: str) -> Response:
        return file_response(token, setup.file_access, setup.storage, setup.clock)

    return app


GALLERY_SAMPLES_PATH = "/samples"


def create_gallery_app(image_folder: Path, *, file_access: FileAccess, storage: Storage, clock: Clock,
                       on_answer: Callable[[str], None]) -> FastAPI:
    """The preview app over every element's sample, its page at ``/samples#n``, and at ``/`` an index of them.

    The samples' image is drawn into ``image_folder`` (in the data folder's ``buckets/``, so
    ``grant_read_access`` signs it as it signs a job's files).
    """
    samples = gallery_samples()
    task_input = sample_task_input(str(write_sample_image(image_folder).resolve()))
    items = Preview([(sample.label, task_input) for sample in samples])
    app = create_preview_app(PreviewSetup(
        title="Crowd element gallery", preview=items, template=lambda index: samples[index].template(),
        file_access=file_access, storage=storage, clock=clock, on_answer=on_answer, page_path=GALLERY_SAMPLES_PATH))

    @app.get("/", include_in_schema=False)
    def gallery_index(request: Request) -> Response:
        parts: dict[str, list[tuple[int, Sample]]] = {}  # the spec's parts, in order, each with its elements
        for number, sample in enumerate(samples, start=1):
            parts.setdefault(sample.part, []).append((number, sample))
        return page(request, "preview/gallery.html", {"parts": parts, "count": len(samples),
                                                      "samples_path": GALLERY_SAMPLES_PATH})

    return app
