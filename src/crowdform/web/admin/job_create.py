"""The console's "Create labeling job" form, field by field as Ground Truth's console asks.

Submitting builds the CreateLabelingJob body with :func:`request_from_flags` and checks it with
:func:`parse_create_labeling_job`, the two functions ``crowdform job create`` uses, then creates the
job with :meth:`Jobs.create`: a job from the console is the job the CLI would create from the same
inputs, refused with the same messages. The template and the labels are given by location, or
pasted: pasted ones are written into the data folder (``console/<job name>/template.liquid.html``
and ``labels.json``) and the request names them, so the job is an ordinary request whose files can
be read back.

Problems are shown next to the field they concern (see :mod:`~crowdform.web.admin.job_form`). Helpers the page's script calls
while the form is filled in: the name check, the manifest check (line count and first lines), the
template's syntax check, and the preview (the first manifest line through the pre-annotation hook,
rendered as workers get it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from crowdform.engine.hook_registry import HookRegistry, ResolvedHook
from crowdform.engine.previews import PreHook, Preview, running_pre_hook
from crowdform.engine.runtime import Runtime
from crowdform.errors import Forbidden, InvalidInput, NotFound
from crowdform.groundtruth.arns import NAME_PATTERN
from crowdform.groundtruth.job_request import JobSpec, parse_create_labeling_job
from crowdform.manifest.reader import read_manifest
from crowdform.templating import compile_template
from crowdform.web.admin.job_form import PRE_HOOK_FIELD, SOURCE, FieldErrors, JobForm
from crowdform.web.admin.session import AdminPage, AdminSession
from crowdform.web.pages import page
from crowdform.web.services import Services
from crowdform.web.sessions import CSRF_HEADER, csrf_matches

router = APIRouter()

SHOWN_MANIFEST_LINES: Final = 5
LABELS_VERSION: Final = "2018-11-28"
TEMPLATE_FILE: Final = "template.liquid.html"
LABELS_FILE: Final = "labels.json"


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _check_csrf(session: AdminSession, request: Request, offered: str | None) -> None:
    if not csrf_matches(_services(request).runtime.secret, session.token, offered):
        raise Forbidden("This console form expired or did not come from the console; reload the page and try again.")


def _form_page(request: Request, session: AdminSession, form: JobForm, errors: FieldErrors,
               status_code: int = 200) -> Response:
    services = _services(request)
    return page(request, "admin/job_new.html", {
        "session": session, "form": form, "errors": errors.by_field, "error_lines": errors.lines,
        "teams": [name for name, _members in services.workforce.list_teams()],
        "hooks": HookRegistry(services.runtime).list(), "name_pattern": NAME_PATTERN,
    }, status_code)


@router.get("/jobs/new")
def new_job(request: Request, session: AdminPage) -> Response:
    return _form_page(request, session, JobForm(), FieldErrors())


@router.post("/jobs/new")
async def create_job(request: Request, session: AdminPage) -> Response:
    data = await request.form()
    offered = data.get("csrf_token")
    _check_csrf(session, request, offered if isinstance(offered, str) else None)
    form = JobForm.from_form(data)
    errors = await run_in_threadpool(_create, _services(request), form)
    if errors:
        return _form_page(request, session, form, errors, status_code=400)
    return RedirectResponse(f"/admin/jobs/{form.name}", status_code=303)


def _create(services: Services, form: JobForm) -> FieldErrors:
    """Create the job; the problems found, by field (none when the job was created)."""
    errors = FieldErrors()
    errors.watch(services, form)
    with errors.collect("template"):
        compile_template(_template_source(services, form.template, form.template_uri), "template")
    if form.labels_uri and form.label_list:
        errors.add_message("labels", "give either the labels or the location of a label category file, not both")
    folder = Path(services.runtime.settings.data_dir).resolve() / "console" / form.name
    template_uri = form.template_uri or str(folder / TEMPLATE_FILE)
    labels_uri = form.labels_uri or (str(folder / LABELS_FILE) if form.label_list else None)
    body = form.request(template_uri=template_uri, labels_uri=labels_uri)
    spec: JobSpec | None = None
    with errors.collect():
        spec = parse_create_labeling_job(body, source=SOURCE)
    if errors or spec is None:
        return errors
    errors.watch_files(services, template=template_uri, labels=labels_uri)
    pasted = None if form.template_uri else form.template
    with errors.collect(), _console_files(folder, pasted, form.label_list, taken=_exists(services, spec.name)):
        services.jobs.create(spec, base_dir=Path.cwd())
    return errors


def _template_source(services: Services, code: str, uri: str) -> str:
    """The template pasted as ``code``, or read from ``uri``: exactly one of them."""
    if code.strip() and uri:
        raise InvalidInput.one(SOURCE, "give either the template code or the template's location, not both",
                               field="HumanTaskConfig.UiConfig.UiTemplateS3Uri", value=uri)
    if uri:
        return services.runtime.storage.read_text(uri)
    if not code.strip():
        raise InvalidInput.one(SOURCE, "is empty", field="HumanTaskConfig.UiConfig.UiTemplateS3Uri",
                               hint="Paste the worker template (Liquid, HTML and crowd elements), or give its location")
    return code


def _exists(services: Services, name: str) -> bool:
    try:
        services.jobs.get(name)
    except NotFound:
        return False
    return True


@contextmanager
def _console_files(folder: Path, template: str | None, labels: list[str], *, taken: bool) -> Iterator[None]:
    """Write the pasted template and labels into ``folder`` for the request to name; remove them again
    if the job is not created. When the name is ``taken``, that job's files are left alone (creating
    the job then fails on the name); without a job, files in the folder are left from an interrupted
    attempt, and replaced."""
    if (taken and folder.exists()) or (template is None and not labels):
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if template is not None:
            (folder / TEMPLATE_FILE).write_text(template, encoding="utf-8")
        if labels:
            document = {"document-version": LABELS_VERSION, "labels": [{"label": label} for label in labels]}
            (folder / LABELS_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        yield
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


# ---------------------------------------------------------------- helpers the form's script calls


def _checked(request: Request, session: AdminSession) -> Services:
    _check_csrf(session, request, request.headers.get(CSRF_HEADER))
    return _services(request)


def _problems(errors: FieldErrors, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"errors": errors.by_field, "lines": errors.lines}, status_code=status_code)


@router.get("/jobs/new/name")
def check_name(request: Request, _session: AdminPage, value: str = "") -> JSONResponse:
    """Problems with a job name: the naming rules (as the request parser words them) and name clashes."""
    errors = FieldErrors()
    with errors.collect():
        parse_create_labeling_job({"LabelingJobName": value}, source=SOURCE)
    errors.by_field = {"name": errors.by_field.get("name", [])}
    if not errors.by_field["name"]:
        try:
            taken = _services(request).jobs.get(value)
            errors.add_message("name", f"A labeling job named {taken.name!r} already exists (names are unique, "
                                       "ignoring case). Choose another name.")
        except NotFound:
            del errors.by_field["name"]
    return _problems(errors, 200)


@router.post("/jobs/new/manifest")
def check_manifest(request: Request, session: AdminPage,
                   manifest: Annotated[str, Body(embed=True)] = "") -> JSONResponse:
    """Read the whole manifest as a job would: its line count and first lines, or every bad line."""
    storage = _checked(request, session).runtime.storage
    errors = FieldErrors()
    shown: list[dict[str, Any]] = []
    count = 0
    with errors.collect("manifest"):
        if not manifest:
            raise InvalidInput.one(SOURCE, "give the location of the input manifest",
                                   field="InputConfig.DataSource.S3DataSource.ManifestS3Uri")
        uri = storage.normalize(manifest)
        for line in read_manifest(storage.iter_lines(uri), source=uri):
            count += 1
            if len(shown) < SHOWN_MANIFEST_LINES:
                shown.append({"lineNumber": line.line_number, "datasetObjectId": line.position, "text": line.text})
    if errors:
        return _problems(errors)
    return JSONResponse({"uri": uri, "count": count, "lines": shown})


@router.post("/jobs/new/template")
def check_template(request: Request, session: AdminPage, template: Annotated[str, Body()] = "",
                   template_uri: Annotated[str, Body()] = "") -> JSONResponse:
    """The template's syntax check: compile it as a job's tasks would be, problems with their line."""
    services = _checked(request, session)
    errors = FieldErrors()
    with errors.collect("template"):
        compile_template(_template_source(services, template, template_uri), "template")
    return _problems(errors) if errors else JSONResponse({"errors": {}})


@router.post("/jobs/new/preview")
def preview(request: Request, session: AdminPage, manifest: Annotated[str, Body()] = "",
            template: Annotated[str, Body()] = "", template_uri: Annotated[str, Body()] = "",
            pre_hook: Annotated[str, Body()] = "") -> JSONResponse:
    """The worker's page for the first manifest line, through the pre-annotation hook as a job runs it."""
    services = _checked(request, session)
    runtime = services.runtime
    errors = FieldErrors()
    with errors.collect("template"):
        source = _template_source(services, template, template_uri)
        compiled = compile_template(source, "template", bundle_url=services.task_pages.bundle_url)
    with errors.collect("manifest"):
        uri = runtime.storage.normalize(manifest)
        lines = _up_to_first_line(runtime.storage.iter_lines(uri))
    hook_output: list[str] = []
    with errors.collect("pre_hook"):
        hook: ResolvedHook | None = None
        if pre_hook:
            with runtime.database.read() as connection:
                hook = HookRegistry(runtime).resolve(connection, pre_hook, base_dir=Path.cwd(), field_name=PRE_HOOK_FIELD)
    if errors:
        return _problems(errors)
    with errors.collect("pre_hook"), _pre_hook(hook, runtime, hook_output) as running:
        with errors.collect("manifest"):
            item = Preview.of_manifest(lines, source=uri, pre_hook=running).item(0)
    if errors:
        return _problems(errors)
    view: dict[str, Any] = {"label": item.label, "state": item.state, "message": item.message,
                            "taskInput": item.task_input, "hookOutput": hook_output, "page": None}
    if not item.message:
        with errors.collect("template"):
            view["page"] = compiled.render(item.task_input, grant_read_access=services.file_access.grant)
    if errors:
        return _problems(errors)
    return JSONResponse(view)


@contextmanager
def _pre_hook(hook: ResolvedHook | None, runtime: Runtime, output: list[str]) -> Iterator[PreHook | None]:
    """The pre-annotation hook running (None without one), what it prints collected in ``output``."""
    if hook is None:
        yield None
        return
    with running_pre_hook(hook, runtime, log=lambda stream, line: output.append(f"{stream}: {line}")) as running:
        yield running


def _up_to_first_line(lines: Iterable[bytes]) -> list[bytes]:
    """The manifest's leading blank lines and its first data line: what the preview shows, numbered right."""
    taken = []
    for line in lines:
        taken.append(line)
        if line.strip():
            break
    return taken
