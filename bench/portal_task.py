"""Portal benchmark: from "next task" to an interactive ``crowd-bounding-box`` task, in headless Chromium.

Set-up: a fresh data folder, one worker, a job of ``--tasks`` + 1 objects on the example's images and
template (no hooks: each manifest line carries ``sourceRef`` itself), ``crowdform serve`` as a
subprocess. A Playwright-driven Chromium (/usr/bin/chromium) signs in to the portal and opens the
job's task page.

Timed, per task, in the browser's own clock (``performance.timeOrigin + performance.now()`` in the
portal page and in the task frame are both absolute): from the click on the portal's Submit button
of the previous task (an empty answer) to the animation frame in which the next task's
``crowd-bounding-box`` has its image decoded and accepts drawing. So each figure includes the
previous answer's submission, the next-task request, fetching the rendered page, parsing the crowd
elements library, and loading the image; it is an upper bound of "next task -> interactive".

    .venv/bin/python bench/portal_task.py            # 30 tasks, median and p90 in ms
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

# Resolves, in the task frame, at the first animation frame where the new task is drawable.
READY_IN_FRAME = """() => new Promise((resolve) => {
  const check = () => {
    const tool = document.querySelector('crowd-bounding-box');
    if (!window.__previous && tool && tool._loadState === 'ready') {
      window.__previous = true;
      resolve(performance.timeOrigin + performance.now());
    } else requestAnimationFrame(check);
  };
  check();
})"""


def set_up(folder: Path, database_url: str, tasks: int) -> str:
    from crowdform.demo import prepare_example
    from crowdform.engine.background import Background
    from crowdform.engine.jobs import Jobs
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job

    example = prepare_example(folder / "example")
    images = [json.loads(line)["source-ref"] for line in (example / "manifest.jsonl").read_text().splitlines()]
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps({"source-ref": images[i % len(images)], "sourceRef": images[i % len(images)]})
                                + "\n" for i in range(tasks + 1)))
    runtime = bl.open_runtime(folder / "data", database_url, roots=(folder,))
    try:
        workforce = Workforce(runtime)
        workforce.create_team(bl.TEAM)
        workforce.add_worker("bench-worker", team=bl.TEAM, password=bl.WORKER_PASSWORD)
        request = bl.job_request("portal-bench", manifest, folder / "output", template=example / "template.liquid.html")
        job = Jobs(runtime).create(parse_create_labeling_job(request, source="bench"), base_dir=folder)
        Background(runtime).run_until_idle()
        return job.name
    finally:
        runtime.close()


def measure(url: str, job: str, tasks: int) -> list[float]:
    from playwright.sync_api import Error, sync_playwright

    timings: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{url}/portal/login")
        page.fill("input[name=username]", "bench-worker")
        page.fill("input[name=password]", bl.WORKER_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{url}/portal/jobs/{job}")
        frame_element = page.wait_for_selector("#task-frame")
        frame = frame_element.content_frame()
        assert frame is not None
        frame.wait_for_function("() => document.querySelector('crowd-bounding-box')?._loadState === 'ready'")
        for _ in range(tasks):
            frame.evaluate("() => { window.__previous = true; }")
            clicked = page.evaluate("""() => new Promise((resolve) => {
                const button = document.getElementById('submit');
                button.addEventListener('click', () => resolve(performance.timeOrigin + performance.now()), {once: true});
                button.click();
            })""")
            while True:
                try:
                    ready = frame.evaluate(READY_IN_FRAME)
                    break
                except Error:  # the frame navigated (new srcdoc) while we were asking: ask the new page
                    time.sleep(0.005)
            timings.append(ready - clicked)
        browser.close()
    return timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=30, help="tasks timed (default: 30)")
    bl.add_common_args(ap)
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    with bl.workdir("portal", args.workdir, args.keep) as folder, \
            bl.fresh_database(args.database_url, folder / "data") as database_url:
        job = set_up(folder, database_url, args.tasks)
        server = bl.start_server(folder / "data", database_url, roots=(folder,))
        try:
            timings = measure(server.url, job, args.tasks)
        finally:
            server.stop()
    result = {"benchmark": "portal_task", "machine": bl.machine(), "argv": sys.argv[1:], "tasks": len(timings),
              "median_ms": round(statistics.median(timings), 1), "p90_ms": round(bl.percentile(timings, 90) or 0, 1),
              "min_ms": round(min(timings), 1), "max_ms": round(max(timings), 1),
              "timings_ms": [round(t, 1) for t in timings]}
    print(bl.table(["tasks", "median ms", "p90 ms", "min ms", "max ms"],
                   [[result["tasks"], result["median_ms"], result["p90_ms"], result["min_ms"], result["max_ms"]]]))
    bl.save_results("portal_task", result, args.out)


if __name__ == "__main__":
    main()
