"""``crowdform demo``: the animal-faces job, ready for two workers, on the embedded default.

Everything is made locally: the example folder is copied into the data folder's ``buckets/``
(``buckets/crowdform-demo``, the one part of the data folder whose files may be served), the images
are drawn with Pillow, and the manifest points at them. Running the demo twice reuses what exists.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.errors import Conflict, CrowdformError
from crowdform.groundtruth.job_request import parse_create_labeling_job
from crowdform.settings import Settings

EXAMPLE_NAME = "animal-custom-task"
DEMO_BUCKET = "crowdform-demo"  # images, manifest, template, hooks and output of the demo job
TEAM = "animal-team"
WORKERS = (("alice", "alice-labels-1"), ("bob", "bob-labels-1"))
ADMIN = ("admin", "admin-console-1")
ANIMALS = (
    # name, head colour, head box, eye centres, nose centre
    ("cat", (236, 170, 90), (170, 90, 470, 390), ((260, 200), (380, 200)), (320, 290)),
    ("dog", (160, 110, 70), (140, 70, 500, 420), ((250, 190), (390, 190)), (320, 300)),
    ("owl", (150, 140, 120), (180, 60, 460, 420), ((260, 180), (380, 180)), (320, 260)),
    ("fox", (220, 110, 40), (160, 100, 480, 400), ((255, 215), (385, 215)), (320, 310)),
)


def example_folder() -> Path:
    """The repository's ``examples/animal-custom-task`` (the demo runs from a checkout)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "examples" / EXAMPLE_NAME
        if candidate.is_dir():
            return candidate
    raise CrowdformError(f"examples/{EXAMPLE_NAME} was not found; run the demo from a crowdform checkout.")


def draw_animal(path: Path, head: tuple[int, int, int], box: tuple[int, int, int, int],
                eyes: tuple[tuple[int, int], ...], nose: tuple[int, int]) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (214, 232, 244))
    draw = ImageDraw.Draw(image)
    draw.ellipse(box, fill=head, outline=(60, 40, 30), width=4)
    for x, y in eyes:
        draw.ellipse((x - 26, y - 18, x + 26, y + 18), fill=(255, 255, 255), outline=(30, 30, 30), width=3)
        draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=(20, 20, 20))
    x, y = nose
    draw.polygon([(x - 24, y - 14), (x + 24, y - 14), (x, y + 18)], fill=(90, 50, 50))
    image.save(path)


def prepare_example(target: Path, image_prefix: str | None = None) -> Path:
    """Copy the example to ``target``, draw its images, and write ``manifest.jsonl``.

    ``image_prefix`` is where the manifest says the images are (for example an ``s3://`` prefix the
    caller uploads them to); by default, their ``file://`` URIs in ``target/images``.
    """
    shutil.copytree(example_folder(), target, dirs_exist_ok=True)
    images = target / "images"
    images.mkdir(exist_ok=True)
    lines = []
    for name, head, box, eyes, nose in ANIMALS:
        path = images / f"{name}.png"
        if not path.exists():
            draw_animal(path, head, box, eyes, nose)
        uri = f"{image_prefix.rstrip('/')}/{name}.png" if image_prefix else path.resolve().as_uri()
        lines.append(json.dumps({"source-ref": uri, "animal": name}))
    (target / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@dataclass(frozen=True)
class DemoSummary:
    job_name: str
    url: str
    workers: tuple[tuple[str, str], ...]
    admin: tuple[str, str]
    admin_token: str
    output: str

    def __str__(self) -> str:
        lines = [f"Demo job [bold]{self.job_name}[/bold] is ready; output goes to {self.output}",
                 f"Worker portal: [bold]{self.url}/portal[/bold] (sign in as one of these workers)"]
        lines += [f"  worker [bold]{user}[/bold] password [bold]{password}[/bold]" for user, password in self.workers]
        lines.append(f"Admin console: [bold]{self.url}/admin[/bold]")
        lines.append(f"  admin [bold]{self.admin[0]}[/bold] password [bold]{self.admin[1]}[/bold]")
        lines.append(f"Worker API: {self.url}/api/v1 (docs at {self.url}/docs)")
        lines.append(f"  admin API token: {self.admin_token}")
        user, password = self.workers[0]
        lines.append(f"Try: curl -s -X POST {self.url}/api/v1/auth/login -H 'content-type: application/json' "
                     f"-d '{{\"username\": \"{user}\", \"password\": \"{password}\"}}'")
        return "\n".join(lines)


def set_up_demo(settings: Settings) -> DemoSummary:
    runtime = Runtime.open(settings)
    try:
        folder = prepare_example(settings.buckets_dir.resolve() / DEMO_BUCKET)
        workforce = Workforce(runtime)
        try:
            workforce.create_team(TEAM)
        except Conflict:
            pass
        for user, password in WORKERS:
            workforce.add_worker(user, team=TEAM, password=password)
        request = json.loads((folder / "request.json").read_text(encoding="utf-8"))
        spec = parse_create_labeling_job(request, source=str(folder / "request.json"))
        jobs = Jobs(runtime)
        try:
            job = jobs.create(spec, base_dir=folder)
        except Conflict:
            job = jobs.get(spec.name)
        workforce.create_admin(*ADMIN)
        token = workforce.create_admin_token("demo")
        return DemoSummary(job.name, settings.base_url, WORKERS, ADMIN, token, job.layout.job_dir)
    finally:
        runtime.close()
