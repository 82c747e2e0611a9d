"""The console's "Create labeling job" form, field by field as Ground Truth's console asks.

Submitting builds the CreateLabelingJob body with :func:`request_from_flags` and checks it with
:func:`parse_create_labeling_job`, the two functions ``crowdform job create`` uses, then creates the
job with :meth:`Jobs.create`: a job from the console is the job the CLI would create from the same
inputs, refused with the same messages. The template and the labels are given by location, or
pasted: pasted ones are written into the data folder's bucket ``crowdform-console``
(``buckets/crowdform-console/<job name>/template.liquid.html`` and ``labels.json``, where a job may
read files) and the request names them, so the job is an ordinary request whose files can be read
back.

A built-in task type (``bounding-box``, ...) is created as ``crowdform job create --task-type``
creates it, with the same code (:func:`~crowdform.engine.jobs.task_type_request` and
:func:`~crowdform.engine.jobs.label_category_uri`): the type's template and PRE-/ACS- functions, its
workers per object unless the form says otherwise, and the labels typed written to a label category
file in ``<data>/buckets/crowdform-label-categories/`` (with ``auditLabelAttributeName`` for adjustment and
verification types), removed again if the job is refused. Its preview renders the type's own
template for the first manifest line with the task input the built-in pre-annotation step makes.

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

from crowdform.builtin.pre_annotation import builtin_task_input
from crowdform.builtin.worker_templates import worker_template
from crowdform.engine.hook_registry import HookRegistry, ResolvedHook
from crowdform.engine.jobs import label_category_uri
from crowdform.engine.previews import PreHook, Preview, running_pre_hook
from crowdform.engine.runtime import Runtime
from crowdform.errors import CrowdformError, Forbidden, InvalidInput, NotFound
from crowdform.groundtruth.arns import NAME_PATTERN
from crowdform.groundtruth.job_request import JobSpec, parse_create_labeling_job
from crowdform.groundtruth.task_types import TASK_TYPES, TaskType
from crowdform.manifest.label_categories import LabelCategoryConfig, parse_label_category_config
from crowdform.manifest.reader import read_manifest
from crowdform.templating import compile_template
from crowdform.web.admin.job_form import CUSTOM, PRE_HOOK_FIELD, SOURCE, FieldErrors, JobForm
from crowdform.web.admin.session import AdminPage, AdminSession
from crowdform.web.pages import page
from crowdform.web.services import Services
from crowdform.web.sessions import CSRF_HEADER, csrf_matches

router = APIRouter()

SHOWN_MANIFEST_LINES: Final = 5
LABELS_VERSION: Final = "2018-11-28"
CONSOLE_BUCKET: Final = "crowdform-console"  # in Settings.buckets_dir: templates and labels pasted into the form
TEMPLATE_FILE: Final = "template.liquid.html"
LABELS_FILE: Final = "labels.json"
UNKNOWN_TASK_TYPE: Final = "{!r} is not a task type crowdform runs: choose one from the list"


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
        "task_types": TASK_TYPES, "custom": CUSTOM,
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
    if not form.known_task_type:
        errors.add_message("task_type", UNKNOWN_TASK_TYPE.format(form.task_type))
        return errors
    if form.task is not None:
        return _create_builtin(services, form, form.task, errors)
    with errors.collect("template"):
        compile_template(_template_source(services, form.template, form.template_uri), "template")
    if form.labels_uri and form.label_list:
        errors.add_message("labels", "give either the labels or the location of a label category file, not both")
    folder = services.runtime.settings.buckets_dir.resolve() / CONSOLE_BUCKET / form.name
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


def _create_builtin(services: Services, form: JobForm, task: TaskType, errors: FieldErrors) -> FieldErrors:
    """Create a job of a built-in task type as ``crowdform job create --task-type`` does."""
    config = None
    with errors.collect("labels"):
        config = _builtin_label_config(services, form, task)
    with errors.collect("audit_label_attribute"):
        _check_audited(task, form, config)
    with errors.collect():  # every problem of the request at once, before a label file is written
        parse_create_labeling_job(form.request(template_uri=None, labels_uri=form.labels_uri or LABELS_FILE),
                                  source=SOURCE)
    if errors:
        return errors
    labels = ",".join(form.label_list) or form.labels_uri
    audit = form.audit_label_attribute or None if task.review else None
    buckets_dir = services.runtime.settings.buckets_dir.resolve()
    with errors.collect(), label_category_uri(buckets_dir, form.name, labels, audit) as labels_uri:
        errors.watch_files(services, template="", labels=labels_uri)
        spec = parse_create_labeling_job(form.request(template_uri=None, labels_uri=labels_uri), source=SOURCE)
        services.jobs.create(spec, base_dir=Path.cwd())
    return errors


def _builtin_label_config(services: Services, form: JobForm, task: TaskType) -> LabelCategoryConfig:
    """The labels of a built-in task type's job as the form gives them, checked as the job will check them."""
    labels = form.label_list
    if labels and form.labels_uri:
        raise InvalidInput.one(SOURCE, "give either the labels or the location of a label category file, not both",
                               field="LabelCategoryConfigS3Uri", value=form.labels_uri)
    needed = "at least one label" if task.min_labels == 1 else f"at least {task.min_labels} labels"
    if form.labels_uri:
        uri = services.runtime.storage.normalize(form.labels_uri)
        document = parse_label_category_config(services.runtime.storage.read_text(uri), source=uri,
                                               min_labels=task.min_labels).document
    elif not labels:
        raise InvalidInput.one(SOURCE, f"a {task.title.lower()} job needs the labels workers choose from ({needed})",
                               field="LabelCategoryConfigS3Uri",
                               hint="Type the labels separated by commas or one a line, or give a label category file")
    else:
        document = parse_label_category_config(json.dumps(_label_document(labels)), source="Labels",
                                               min_labels=task.min_labels).document
    if task.review is not None and form.audit_label_attribute:
        document = {**document, "auditLabelAttributeName": form.audit_label_attribute}
    return LabelCategoryConfig.from_document(document)


def _check_audited(task: TaskType, form: JobForm, config: LabelCategoryConfig | None) -> None:
    """An adjustment or verification job must say whose labels it reviews (its ``auditLabelAttributeName``):
    the form's field, else the label category file given."""
    if task.review is None or form.audit_label_attribute:
        return
    if config is None or config.audit_label_attribute_name is None:
        raise InvalidInput.one(SOURCE, f"is required: a {task.title.lower()} job reviews the labels of an earlier "
                               "job, named by their label attribute name", field="auditLabelAttributeName",
                               hint="Give the LabelAttributeName of the job whose labels are reviewed")


def _label_document(labels: list[str]) -> dict[str, Any]:
    """A label category file (spec 1.4) of these labels."""
    return {"document-version": LABELS_VERSION, "labels": [{"label": label} for label in labels]}


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
            document = _label_document(labels)
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
            pre_hook: Annotated[str, Body()] = "", task_type: Annotated[str, Body()] = CUSTOM,
            labels: Annotated[str, Body()] = "", labels_uri: Annotated[str, Body()] = "",
            audit_label_attribute: Annotated[str, Body()] = "") -> JSONResponse:
    """The worker's page for the first manifest line, through the pre-annotation hook as a job runs it
    (for a built-in task type: its template, with the task input its built-in pre-annotation step makes)."""
    services = _checked(request, session)
    runtime = services.runtime
    errors = FieldErrors()
    form = JobForm(manifest=manifest, task_type=task_type, labels=labels, labels_uri=labels_uri,
                   audit_label_attribute=audit_label_attribute)
    if not form.known_task_type:
        errors.add_message("task_type", UNKNOWN_TASK_TYPE.format(form.task_type))
        return _problems(errors)
    if form.task is not None:
        return _preview_builtin(services, form, form.task)
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


def _preview_builtin(services: Services, form: JobForm, task: TaskType) -> JSONResponse:
    """The built-in template for the first manifest line, with the built-in pre-annotation step's task input."""
    runtime = services.runtime
    errors = FieldErrors()
    config: LabelCategoryConfig | None = None
    with errors.collect("labels"):
        config = _builtin_label_config(services, form, task)
    with errors.collect("audit_label_attribute"):
        _check_audited(task, form, config)
    with errors.collect("manifest"):
        uri = runtime.storage.normalize(form.manifest)
        item = Preview.of_manifest(_up_to_first_line(runtime.storage.iter_lines(uri)), source=uri).item(0)
    if errors or config is None:
        return _problems(errors)
    view: dict[str, Any] = {"label": item.label, "state": item.state, "message": "", "taskInput": None,
                            "hookOutput": [], "page": None}
    try:
        view["taskInput"] = builtin_task_input(task, item.task_input, config, source=item.label)
    except CrowdformError as error:  # the object would fail, with the job log's wording
        view.update(state="failed", message=f"{task.pre_function} failed: {error}")
        return JSONResponse(view)
    with errors.collect("task_type"):
        compiled = compile_template(worker_template(task.name), f"the built-in {task.title} template",
                                    bundle_url=services.task_pages.bundle_url)
        view["page"] = compiled.render(view["taskInput"], grant_read_access=services.file_access.grant)
    return _problems(errors) if errors else JSONResponse(view)


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
