"""Semantic-segmentation consolidation on a synthetic crowd with a known truth (issue 5, "Segmentation").

    .venv/bin/python bench/consolidation_masks.py [--images 1000] [--workers 3] [--width 1024 --height 768]
        [--seed 0] [--out FILE] [--crowdkit-python /tmp/ckvenv/bin/python] [--crowdkit-timeout 600]
        [--baseline-src DIR]

**The crowd.** Each image holds 3-8 objects of 4 classes (label indexes 1-4; 0 is background):
rotated ellipses (sampled as 64-vertex polygons) and star-shaped polygons of 3-9 vertices, radius
15-180 px, drawn with Pillow's ``ImageDraw`` in one order, so later objects cover earlier ones.
Every worker redraws the same objects in the same order with, per object, a shifted outline
(Gaussian shift of the whole object), per-vertex jitter and a per-image dilation/erosion (every
vertex moved along its ray by a Gaussian offset); it misses an object now and then, gives a whole
object a wrong class now and then, and adds sparse speckle (single pixels of a random label).
Profiles (``--sloppy`` of the workers, default 1, are sloppy; the others are careful):

    profile   shift sd  vertex sd  dilate/erode sd  miss  wrong class  speckle
    careful   1.0 px    1.0 px     1.0 px           3%    3%           0.05% of pixels
    sloppy    3.0 px    3.0 px     2.5 px           12%   10%          0.3% of pixels

Each image has its own generator (``default_rng([seed, image])``), so a run on fewer images is a
prefix of the full run. Nothing is written to disk: the masks live in memory, one image at a time.

**Score.** Mean IoU of an image = the mean, over the classes present in the truth or in the
prediction (background 0 included), of that class's IoU (|pred = k and truth = k| / |pred = k or
truth = k|); the figure reported is the mean of that over the images. The single workers are scored
the same way (each worker's own masks); the median worker is the median of the per-worker figures.

**Ours.** ``crowdform.consolidation.masks.vote_mask`` on the ``(workers, height, width)`` uint8
stack, with its default smoothing (0.5) and with ``smoothing=0`` (plain per-pixel plurality), each
timed per image (``perf_counter`` around the call): median, p95 and total over the images; the
calling thread's CPU time (``thread_time``) too, which a busy machine disturbs less.

**Codec.** Timed separately, per image, the engine's colour work with Pillow (PNG bytes made before
the clock starts): decode the workers' RGB PNGs (``Image.open`` + ``np.asarray``) and map them to
label indexes (``labels_from_rgb``), then ``rgb_from_labels`` on the consolidated mask and
``Image.save(..., "PNG")`` with Pillow's defaults. Vote + codec is the whole per-image cost.

**crowd-kit.** With ``--crowdkit-python``, crowd-kit 1.4.2's ``SegmentationMajorityVote``,
``SegmentationRASA`` and ``SegmentationEM`` run in that interpreter (a throwaway venv; never the
project's) on the same masks, sent over a pipe. Those methods are binary (a pixel is in the
segmentation or not), so each image is one ``fit_predict`` of one task per class (worker masks
``mask == k``, k = 1..4), and the classes are put back together: a pixel gets the class whose
aggregate contains it; if several do, the one most workers gave it there (then the smallest index);
if none, background. The time per image covers the split, the fit and the recombination (the fit
alone is in the JSON). Each method runs in its own process, fed image after image, until
``--crowdkit-timeout`` seconds of its own time are spent (or one image takes longer than that);
a method cut short is scored on the images it finished, next to ours on the same images.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
import benchlib  # noqa: E402
from crowdform.consolidation.masks import labels_from_rgb, rgb_from_labels, vote_mask  # noqa: E402

CLASSES = 4  # label indexes 1..4, 0 is background
PALETTE = {1: "#1f77b4", 2: "#ff7f0e", 3: "#2ca02c", 4: "#d62728"}
PROFILES = {
    "careful": {"shift": 1.0, "vertex": 1.0, "dilate": 1.0, "miss": 0.03, "wrong": 0.03, "speckle": 0.0005},
    "sloppy": {"shift": 3.0, "vertex": 3.0, "dilate": 2.5, "miss": 0.12, "wrong": 0.10, "speckle": 0.003},
}
CROWDKIT = ["SegmentationMajorityVote", "SegmentationRASA", "SegmentationEM"]


# ------------------------------------------------------------------ the synthetic crowd

def _shapes(rng: np.random.Generator, width: int, height: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(label, centre, vertices relative to the centre) for 3-8 objects."""
    shapes = []
    for _ in range(int(rng.integers(3, 9))):
        label = int(rng.integers(1, CLASSES + 1))
        centre = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        radius = float(np.exp(rng.uniform(np.log(15), np.log(180))))
        if rng.random() < 0.5:  # rotated ellipse
            t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
            a, b, theta = radius, radius * rng.uniform(0.4, 1.0), rng.uniform(0, np.pi)
            x, y = a * np.cos(t), b * np.sin(t)
            rel = np.stack([x * np.cos(theta) - y * np.sin(theta), x * np.sin(theta) + y * np.cos(theta)], axis=1)
        else:  # star-shaped polygon
            k = int(rng.integers(3, 10))
            t = np.sort(rng.uniform(0, 2 * np.pi, k))
            r = radius * rng.uniform(0.5, 1.0, k)
            rel = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
        shapes.append((label, centre, rel))
    return shapes


def _draw(width: int, height: int, objects: list[tuple[int, np.ndarray]]) -> np.ndarray:
    image = Image.new("L", (width, height), 0)
    pen = ImageDraw.Draw(image)
    for label, points in objects:
        pen.polygon([(float(x), float(y)) for x, y in points], fill=label)
    return np.asarray(image)


def make_image(seed: int, index: int, n_workers: int, n_sloppy: int, width: int, height: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """(truth (height, width) uint8, masks (workers, height, width) uint8) of one image."""
    rng = np.random.default_rng([seed, index])
    shapes = _shapes(rng, width, height)
    truth = _draw(width, height, [(label, centre + rel) for label, centre, rel in shapes])
    masks = np.empty((n_workers, height, width), dtype=np.uint8)
    for w in range(n_workers):
        p = PROFILES["sloppy" if w >= n_workers - n_sloppy else "careful"]
        dilate = rng.normal(0, p["dilate"])
        objects = []
        for label, centre, rel in shapes:
            if rng.random() < p["miss"]:
                continue
            if rng.random() < p["wrong"]:
                label = int((label - 1 + rng.integers(1, CLASSES)) % CLASSES + 1)
            norm = np.maximum(np.linalg.norm(rel, axis=1, keepdims=True), 1e-9)
            points = (centre + rng.normal(0, p["shift"], 2) + rel * (1 + dilate / norm)
                      + rng.normal(0, p["vertex"], rel.shape))
            objects.append((label, points))
        mask = _draw(width, height, objects).copy()
        n_speckle = rng.binomial(width * height, p["speckle"])
        mask.ravel()[rng.integers(0, width * height, n_speckle)] = rng.integers(0, CLASSES + 1, n_speckle)
        masks[w] = mask
    return truth, masks


def mean_iou(pred: np.ndarray, truth: np.ndarray, n: int = CLASSES + 1) -> float:
    """Mean over the classes present in the truth or the prediction of the per-class IoU."""
    cm = np.bincount(truth.ravel().astype(np.intp) * n + pred.ravel(), minlength=n * n).reshape(n, n)
    inter = np.diag(cm)
    union = cm.sum(axis=0) + cm.sum(axis=1) - inter
    present = union > 0
    return float(np.mean(inter[present] / union[present]))


# ------------------------------------------------------------------ crowd-kit in its own interpreter

CROWDKIT_RUNNER = r"""
import json, sys, time, warnings
import numpy as np, pandas as pd
from crowdkit import aggregation
warnings.filterwarnings("ignore")
model_name, classes = sys.argv[1], int(sys.argv[2])
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while True:
    header = stdin.readline()
    if not header:
        break
    n_workers, height, width = json.loads(header)
    masks = np.frombuffer(stdin.read(n_workers * height * width), dtype=np.uint8).reshape(n_workers, height, width)
    start = time.perf_counter()
    rows = [(k, w, masks[w] == k) for k in range(1, classes + 1) for w in range(n_workers)]
    frame = pd.DataFrame(rows, columns=["task", "worker", "segmentation"])
    fit_start = time.perf_counter()
    result = getattr(aggregation, model_name)().fit_predict(frame)
    fit = time.perf_counter() - fit_start
    chosen = np.stack([np.asarray(result.loc[k], dtype=bool) for k in range(1, classes + 1)])  # (classes, h, w)
    votes = np.stack([(masks == k).sum(axis=0) for k in range(1, classes + 1)])
    score = np.where(chosen, votes.astype(np.int16) + 1, 0)  # most workers' class among the chosen ones
    best = score.argmax(axis=0)
    labels = np.where(score.max(axis=0) > 0, best + 1, 0).astype(np.uint8)
    total = time.perf_counter() - start
    stdout.write(json.dumps({"total": total, "fit": fit, "conflicts": int((chosen.sum(axis=0) > 1).sum())}).encode() + b"\n")
    stdout.write(labels.tobytes())
    stdout.flush()
"""


class CrowdKitMethod:
    """One crowd-kit method in its own process, fed one image at a time, within a time budget."""

    def __init__(self, python: str, name: str, budget_s: float) -> None:
        self.name, self.budget_s, self.spent_s = name, budget_s, 0.0
        self.error: str | None = None
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [python, "-c", CROWDKIT_RUNNER, name, str(CLASSES)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, masks: np.ndarray) -> tuple[np.ndarray, dict[str, Any]] | None:
        if self.proc is None:
            return None
        assert self.proc.stdin is not None and self.proc.stdout is not None
        left = self.budget_s - self.spent_s
        try:
            self.proc.stdin.write(json.dumps(list(masks.shape)).encode() + b"\n" + masks.tobytes())
            self.proc.stdin.flush()
            # The first image also waits for the imports (pandas, scikit-learn): allow 120 s more.
            wait = left + (120.0 if self.spent_s == 0 else 0.0)
            ready, _, _ = select.select([self.proc.stdout], [], [], max(wait, 0.0))
            if not ready:
                self.stop(f"stopped: its time budget of {self.budget_s:.0f} s ran out")
                return None
            header = self.proc.stdout.readline()
            if not header:
                self.stop("the process died: " + (self.proc.stderr.read().decode()[-400:] if self.proc.stderr else ""))
                return None
            info = json.loads(header)
            labels = np.frombuffer(self.proc.stdout.read(masks[0].size), dtype=np.uint8).reshape(masks.shape[1:])
        except (OSError, ValueError) as error:
            self.stop(f"failed: {error!r}"[:300])
            return None
        self.spent_s += info["total"]
        if self.spent_s > self.budget_s:
            self.stop(f"stopped: its time budget of {self.budget_s:.0f} s ran out")
        return labels, info

    def stop(self, why: str | None = None) -> None:
        if why and self.error is None:
            self.error = why
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


# ------------------------------------------------------------------ the run

def _load_baseline(src: Path) -> Any:
    spec = importlib.util.spec_from_file_location("baseline_masks", src / "crowdform" / "consolidation" / "masks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.vote_mask


def _ms_stats(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1e3
    return {"median_ms": round(float(np.median(ms)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "mean_ms": round(float(ms.mean()), 3), "total_s": round(float(ms.sum() / 1e3), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--sloppy", type=int, default=1, help="how many of the workers are sloppy")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crowdkit-python", help="interpreter of a throwaway venv with crowd-kit 1.4.2")
    parser.add_argument("--crowdkit-methods", default=",".join(CROWDKIT))
    parser.add_argument("--crowdkit-timeout", type=float, default=600.0,
                        help="seconds of its own time each crowd-kit method may spend in all")
    parser.add_argument("--baseline-src", type=Path,
                        help="another src tree: its vote_mask is timed too and its labels compared with ours")
    parser.add_argument("--no-codec", action="store_true", help="skip the Pillow codec timing")
    parser.add_argument("--out", type=Path, help="results JSON (default .cache/bench-results/consolidation_masks-*.json)")
    args = parser.parse_args()

    variants: dict[str, Any] = {"ours": lambda m: vote_mask(m), "ours_smoothing0": lambda m: vote_mask(m, smoothing=0.0)}
    baseline = _load_baseline(args.baseline_src) if args.baseline_src else None
    if baseline is not None:
        variants["baseline"] = lambda m: baseline(m)
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}  # this thread's CPU time: less noisy
    ious: dict[str, list[float]] = {name: [] for name in variants}
    worker_ious: list[list[float]] = []
    disagree_share: list[float] = []
    baseline_mismatch = 0
    codec: dict[str, list[float]] = {"decode": [], "encode": [], "decode_cpu": [], "encode_cpu": []}
    png_bytes: list[int] = []
    crowdkit = [CrowdKitMethod(args.crowdkit_python, name, args.crowdkit_timeout)
                for name in args.crowdkit_methods.split(",")] if args.crowdkit_python else []
    ck: dict[str, dict[str, list[float]]] = {m.name: {"total": [], "fit": [], "iou": [], "conflicts": []}
                                             for m in crowdkit}
    gen_s = 0.0
    run_start = time.perf_counter()
    for i in range(args.images):
        t0 = time.perf_counter()
        truth, masks = make_image(args.seed, i, args.workers, args.sloppy, args.width, args.height)
        gen_s += time.perf_counter() - t0
        worker_ious.append([mean_iou(m, truth) for m in masks])
        disagree_share.append(float((masks[1:] != masks[0]).any(axis=0).mean()))
        results = {}
        for name, fn in variants.items():
            start, start_cpu = time.perf_counter(), time.thread_time()
            labels, _confidence = fn(masks)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.thread_time() - start_cpu)
            ious[name].append(mean_iou(labels, truth))
            results[name] = labels
        if baseline is not None and not np.array_equal(results["baseline"], results["ours"]):
            baseline_mismatch += 1
        if not args.no_codec:
            pngs = []
            for m in masks:
                buffer = io.BytesIO()
                Image.fromarray(rgb_from_labels(m, PALETTE)).save(buffer, "PNG")
                pngs.append(buffer.getvalue())
            png_bytes.append(sum(len(p) for p in pngs))
            start, start_cpu = time.perf_counter(), time.thread_time()
            decoded = [labels_from_rgb(np.asarray(Image.open(io.BytesIO(p))), PALETTE) for p in pngs]
            codec["decode"].append(time.perf_counter() - start)
            codec["decode_cpu"].append(time.thread_time() - start_cpu)
            start, start_cpu = time.perf_counter(), time.thread_time()
            buffer = io.BytesIO()
            Image.fromarray(rgb_from_labels(results["ours"], PALETTE)).save(buffer, "PNG")
            codec["encode"].append(time.perf_counter() - start)
            codec["encode_cpu"].append(time.thread_time() - start_cpu)
            if i == 0:  # the round trip is lossless
                assert all(np.array_equal(d, m) for d, m in zip(decoded, masks))
        for method in crowdkit:
            out = method.run(masks)
            if out is None:
                continue
            labels, info = out
            ck[method.name]["total"].append(info["total"])
            ck[method.name]["fit"].append(info["fit"])
            ck[method.name]["conflicts"].append(info["conflicts"])
            ck[method.name]["iou"].append(mean_iou(labels, truth))
        if (i + 1) % 100 == 0 or i + 1 == args.images:
            benchlib.log(f"{i + 1}/{args.images} images; ours {np.mean(ious['ours']):.4f} mIoU, "
                         f"{np.median(times['ours']) * 1e3:.2f} ms median"
                         + "".join(f"; {m.name} {np.mean(ck[m.name]['iou']):.4f} ({len(ck[m.name]['iou'])})"
                                   for m in crowdkit if ck[m.name]["iou"]))
    for method in crowdkit:
        method.stop()

    per_worker = np.asarray(worker_ious)  # (images, workers)
    worker_means = per_worker.mean(axis=0)
    results_json: dict[str, Any] = {
        "machine": benchlib.machine(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "images": args.images, "workers": args.workers, "size": [args.width, args.height],
        "generation_s": round(gen_s, 2), "wall_s": round(time.perf_counter() - run_start, 1),
        "disagreeing_pixels_share_mean": round(float(np.mean(disagree_share)), 5),
        "worker_mean_iou": [round(float(v), 4) for v in worker_means],
        "median_worker_mean_iou": round(float(np.median(worker_means)), 4),
        "methods": {},
    }
    for name in variants:
        results_json["methods"][name] = {"images": args.images, "mean_iou": round(float(np.mean(ious[name])), 4),
                                         **_ms_stats(times[name]),
                                         "cpu": _ms_stats(cpu[name])}
    if baseline is not None:
        results_json["baseline_label_mismatches"] = baseline_mismatch
    if not args.no_codec:
        whole = [d + e for d, e in zip(codec["decode"], codec["encode"])]
        results_json["codec"] = {"decode_workers": _ms_stats(codec["decode"]), "encode_result": _ms_stats(codec["encode"]),
                                 "decode_plus_encode": _ms_stats(whole),
                                 "decode_cpu": _ms_stats(codec["decode_cpu"]), "encode_cpu": _ms_stats(codec["encode_cpu"]),
                                 "worker_png_kb_mean": round(float(np.mean(png_bytes)) / args.workers / 1024, 1)}
        results_json["ours_vote_plus_codec"] = _ms_stats([v + c for v, c in zip(times["ours"], whole)])
    for method in crowdkit:
        data = ck[method.name]
        n = len(data["iou"])
        entry: dict[str, Any] = {"images": n, "error": method.error}
        if n:
            entry.update({"mean_iou": round(float(np.mean(data["iou"])), 4), **_ms_stats(data["total"]),
                          "fit_median_ms": round(float(np.median(data["fit"])) * 1e3, 3),
                          "conflict_pixels_mean": round(float(np.mean(data["conflicts"])), 1),
                          "ours_mean_iou_same_images": round(float(np.mean(ious["ours"][:n])), 4),
                          "ours_smoothing0_mean_iou_same_images": round(float(np.mean(ious["ours_smoothing0"][:n])), 4),
                          "median_worker_mean_iou_same_images": round(float(np.median(per_worker[:n].mean(axis=0))), 4)})
        results_json["methods"][f"crowd-kit {method.name}"] = entry

    rows = []
    for name, entry in results_json["methods"].items():
        if entry.get("images"):
            cpu_ms = entry["cpu"]["median_ms"] if "cpu" in entry else "-"
            rows.append([name, entry["images"], f"{entry['mean_iou']:.4f}", entry["median_ms"], entry["p95_ms"],
                         entry["total_s"], cpu_ms, entry.get("error") or ""])
        else:
            rows.append([name, 0, "-", "-", "-", "-", "-", entry.get("error") or ""])
    print(benchlib.table(["method", "images", "mean IoU", "median ms", "p95 ms", "total s", "CPU median ms", "note"],
                         rows))
    print(f"median single worker mean IoU {results_json['median_worker_mean_iou']:.4f} "
          f"(workers: {results_json['worker_mean_iou']}); disagreeing pixels "
          f"{results_json['disagreeing_pixels_share_mean']:.2%}")
    if not args.no_codec:
        c = results_json["codec"]
        print(f"codec per image: decode {args.workers} PNGs + labels_from_rgb {c['decode_workers']['median_ms']:.2f} ms "
              f"median (p95 {c['decode_workers']['p95_ms']:.2f}); rgb_from_labels + PNG save "
              f"{c['encode_result']['median_ms']:.2f} ms (p95 {c['encode_result']['p95_ms']:.2f}); "
              f"vote + codec {results_json['ours_vote_plus_codec']['median_ms']:.2f} ms median")
    if baseline is not None:
        print(f"baseline vote_mask labels differ from ours on {baseline_mismatch} of {args.images} images")
    benchlib.save_results("consolidation_masks", results_json, args.out)


if __name__ == "__main__":
    main()
