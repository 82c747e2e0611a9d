"""Bounding-box consolidation on a synthetic crowd with a known truth (issue 5, "Boxes").

    .venv/bin/python bench/consolidation_boxes.py [--images 10000] [--workers 5] [--seed 0] [--out FILE]
    .venv/bin/python bench/consolidation_boxes.py --wbf-python /tmp/wbfvenv/bin/python   # also run WBF

Each image (640x480) holds 1-8 true boxes of 5 classes. Each worker misses a box with probability
0.08, shifts each edge by Gaussian noise (sd 4% of the box size), scales width and height by a
log-normal factor (sd 0.08), gives a wrong class 4% of the time and adds Poisson(0.15) extra boxes
at random places. Scores: precision, recall and F1 at IoU >= 0.5 with the right class (optimal
one-to-one matching per image), mean IoU of the true positives, for the consolidated boxes and for
every single worker (the median worker is reported). Time: ``BoxConsolidator.fit`` on all images,
best of 5; a second fit weighted by the first fit's ``worker_quality_`` is scored too (not timed).
With ``--wbf-python``, ``ensemble_boxes.weighted_boxes_fusion`` (iou_thr 0.55, skip_box_thr 0,
conf_type "avg", each worker's boxes one model with score 1) runs on the same data in that
interpreter (a throwaway venv: it is never a project dependency), scored as it comes ("wbf") and
with the boxes fewer than half the workers drew dropped by their fused score ("wbf_majority").
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from crowdform.consolidation.boxes import BoxConsolidator, corners, iou_matrix  # noqa: E402

WIDTH, HEIGHT, CLASSES = 640.0, 480.0, 5


def synthetic_crowd(n_images: int, n_workers: int, seed: int) -> dict[str, np.ndarray]:
    """Truth and answers as flat arrays (see the module docstring for the noise model)."""
    rng = np.random.default_rng(seed)
    per_image = rng.integers(1, 9, n_images)
    t_obj = np.repeat(np.arange(n_images), per_image)
    n_true = len(t_obj)
    size = np.exp(rng.uniform(np.log(24), np.log(220), (n_true, 2)))
    left = rng.uniform(0, WIDTH - size[:, 0])
    top = rng.uniform(0, HEIGHT - size[:, 1])
    t_box = np.stack([left, top, size[:, 0], size[:, 1]], axis=1)
    t_lab = rng.integers(0, CLASSES, n_true)

    rows_obj, rows_wrk, rows_box, rows_lab = [], [], [], []
    for w in range(n_workers):
        seen = rng.random(n_true) >= 0.08
        box = t_box[seen].copy()
        x0, y0 = box[:, 0], box[:, 1]
        x1, y1 = x0 + box[:, 2], y0 + box[:, 3]
        sd_x, sd_y = 0.04 * box[:, 2], 0.04 * box[:, 3]
        x0 = x0 + rng.normal(0, sd_x)
        x1 = x1 + rng.normal(0, sd_x)
        y0 = y0 + rng.normal(0, sd_y)
        y1 = y1 + rng.normal(0, sd_y)
        scale = np.exp(rng.normal(0, 0.08, (len(box), 2)))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = np.abs(x1 - x0) / 2 * scale[:, 0], np.abs(y1 - y0) / 2 * scale[:, 1]
        box = np.stack([cx - half_w, cy - half_h, 2 * half_w, 2 * half_h], axis=1)
        lab = t_lab[seen].copy()
        wrong = rng.random(len(lab)) < 0.04
        lab[wrong] = (lab[wrong] + rng.integers(1, CLASSES, wrong.sum())) % CLASSES
        n_extra = rng.poisson(0.15, n_images)
        e_obj = np.repeat(np.arange(n_images), n_extra)
        e_size = np.exp(rng.uniform(np.log(24), np.log(220), (len(e_obj), 2)))
        e_box = np.stack([rng.uniform(0, WIDTH - e_size[:, 0]), rng.uniform(0, HEIGHT - e_size[:, 1]),
                          e_size[:, 0], e_size[:, 1]], axis=1)
        rows_obj += [t_obj[seen], e_obj]
        rows_wrk += [np.full(seen.sum() + len(e_obj), w)]
        rows_box += [box, e_box]
        rows_lab += [lab, rng.integers(0, CLASSES, len(e_obj))]
    obj = np.concatenate(rows_obj)
    order = np.argsort(obj, kind="stable")
    return {"t_obj": t_obj, "t_box": t_box, "t_lab": t_lab, "obj": obj[order],
            "wrk": np.concatenate(rows_wrk)[order], "box": np.concatenate(rows_box)[order],
            "lab": np.concatenate(rows_lab)[order]}


def score(truth: dict[str, np.ndarray], obj: np.ndarray, box: np.ndarray, lab: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 at IoU >= 0.5 with the right class, and the mean IoU of true positives."""
    n_images = int(truth["t_obj"].max()) + 1
    t_start = np.searchsorted(truth["t_obj"], np.arange(n_images + 1))
    order = np.argsort(obj, kind="stable")
    obj, box, lab = obj[order], box[order], lab[order]
    p_start = np.searchsorted(obj, np.arange(n_images + 1))
    t_corner, p_corner = corners(truth["t_box"]), corners(box)
    tp, ious = 0, []
    for i in range(n_images):
        t = slice(t_start[i], t_start[i + 1])
        p = slice(p_start[i], p_start[i + 1])
        if t.start == t.stop or p.start == p.stop:
            continue
        m = iou_matrix(t_corner[t], p_corner[p]) * (truth["t_lab"][t][:, None] == lab[p][None, :])
        rows, cols = linear_sum_assignment(-m)
        good = m[rows, cols] >= 0.5
        tp += int(good.sum())
        ious += m[rows, cols][good].tolist()
    precision, recall = tp / max(len(obj), 1), tp / len(truth["t_obj"])
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(precision + recall, 1e-12),
            "mean_iou": float(np.mean(ious)) if ious else 0.0}


def run_wbf(python: str, data: dict[str, np.ndarray], n_workers: int) -> dict[str, Any]:
    """Weighted box fusion in another interpreter; returns its boxes and its time per image."""
    script = r"""
import sys, time, numpy as np
from ensemble_boxes import weighted_boxes_fusion
d = np.load(sys.argv[1]); W, H, nw = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
obj, wrk, box, lab = d["obj"], d["wrk"], d["box"], d["lab"]
n = int(d["n_images"]); starts = np.searchsorted(obj, np.arange(n + 1))
c = np.stack([box[:,0]/W, box[:,1]/H, (box[:,0]+box[:,2])/W, (box[:,1]+box[:,3])/H], 1).clip(0, 1)
out_o, out_b, out_l, out_s = [], [], [], []
t0 = time.perf_counter()
for i in range(n):
    s = slice(starts[i], starts[i+1]); ww = wrk[s]
    bl = [c[s][ww == w].tolist() for w in range(nw)]
    sl = [[1.0] * len(b) for b in bl]; ll = [lab[s][ww == w].tolist() for w in range(nw)]
    b, sc, l = weighted_boxes_fusion(bl, sl, ll, iou_thr=0.55, skip_box_thr=0.0, conf_type="avg")
    out_o += [i] * len(b); out_b += list(b); out_s += list(sc); out_l += list(l)
elapsed = time.perf_counter() - t0
b = np.array(out_b).reshape(-1, 4)
np.savez(sys.argv[2], obj=np.array(out_o), box=np.stack([b[:,0]*W, b[:,1]*H, (b[:,2]-b[:,0])*W, (b[:,3]-b[:,1])*H], 1),
         lab=np.array(out_l).astype(int), score=np.array(out_s), elapsed=elapsed)
"""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(src, obj=data["obj"], wrk=data["wrk"], box=data["box"], lab=data["lab"],
                 n_images=int(data["t_obj"].max()) + 1)
        subprocess.run([python, "-c", script, str(src), str(dst), str(WIDTH), str(HEIGHT), str(n_workers)], check=True)
        out = dict(np.load(dst))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--wbf-python", help="an interpreter with ensemble-boxes installed (throwaway venv)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()

    data = synthetic_crowd(args.images, args.workers, args.seed)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        model = BoxConsolidator().fit(data["obj"], data["wrk"], data["box"], data["lab"])
        timings.append(time.perf_counter() - start)
    best = min(timings)
    results: dict[str, Any] = {
        "images": args.images, "workers": args.workers, "true_boxes": len(data["t_obj"]), "drawn_boxes": len(data["obj"]),
        "consolidated": score(data, model.objects_, model.boxes_, model.labels_),
        "seconds": round(best, 4), "images_per_s": round(args.images / best),
    }
    reweighted = BoxConsolidator().fit(data["obj"], data["wrk"], data["box"], data["lab"],
                                       worker_weights=model.worker_quality_)
    results["consolidated_second_pass"] = score(data, reweighted.objects_, reweighted.boxes_, reweighted.labels_)
    results["worker_quality"] = [round(float(q), 4) for q in model.worker_quality_]
    singles = [score(data, data["obj"][data["wrk"] == w], data["box"][data["wrk"] == w], data["lab"][data["wrk"] == w])
               for w in range(args.workers)]
    results["median_worker"] = {key: float(np.median([s[key] for s in singles])) for key in singles[0]}
    if args.wbf_python:
        wbf = run_wbf(args.wbf_python, data, args.workers)
        keep = wbf["score"] >= 0.5  # "avg" score = share of models that contributed (capped at 1)
        results["wbf"] = score(data, wbf["obj"], wbf["box"], wbf["lab"])
        results["wbf_majority"] = score(data, wbf["obj"][keep], wbf["box"][keep], wbf["lab"][keep])
        results["wbf_us_per_image"] = round(float(wbf["elapsed"]) / args.images * 1e6, 1)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
