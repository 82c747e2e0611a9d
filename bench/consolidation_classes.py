"""Classification consolidation on a synthetic crowd with a known truth (issue 5, "Classification").

The crowd: 10 classes with prior proportional to 1/(c+1); workers 25% experts (accuracy 0.90-0.98),
45% good (0.75-0.90), 22% sloppy (0.50-0.75), 5% uniform spammers, 3% constant spammers; 60% of a
worker's errors go to the true class's two look-alike classes, the rest uniformly to the others;
10% hard items (accuracy x 0.7); about 150 answers per worker with lognormal activity. An oracle
that knows every worker's true confusion matrices (easy and hard items mixed) gives the ceiling.

For each algorithm: accuracy, AUROC of (1 - confidence) as a detector of wrong labels, wall time
and peak traced memory (``tracemalloc`` sees NumPy's buffers) of ``fit`` alone, the encoding of
the answers being shared and timed separately.

    .venv/bin/python bench/consolidation_classes.py --size 100k-x5 [--size 1m-x3 ...] [--seed 0]
        [--algorithms mv,aws,ds,onecoin,glad] [--crowdkit-python /tmp/ckvenv/bin/python]
        [--sparse] [--json FILE]

``--crowdkit-python`` runs crowd-kit's counterparts in that interpreter (a throwaway virtualenv
with ``crowd-kit==1.4.2`` and ``scikit-learn<1.6``; never the project's) on the same crowd.
``--sparse`` adds the "small, sparse crowd" variants: 2 answers per object, and a crowd where half
the workers answer fewer than 10 times.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from crowdform.consolidation.answers import CategoricalAnswers  # noqa: E402
from crowdform.consolidation.aws_dawid_skene import AwsDawidSkene  # noqa: E402
from crowdform.consolidation.dawid_skene import DawidSkene  # noqa: E402
from crowdform.consolidation.glad import Glad  # noqa: E402
from crowdform.consolidation.majority_vote import MajorityVote  # noqa: E402
from crowdform.consolidation.one_coin import OneCoinDawidSkene  # noqa: E402

K = 10
SIZES = {"10k-x5": (10_000, 5), "100k-x5": (100_000, 5), "1m-x3": (1_000_000, 3), "1k-x5": (1_000, 5)}
ALGORITHMS: dict[str, Any] = {
    "mv": MajorityVote,
    "aws": lambda: AwsDawidSkene(confidence_cap=None, single_answer_confidence=None),
    "ds": DawidSkene,
    # Classic Dawid-Skene with crowd-kit's stopping rule (tol 1e-5; our library's default is 1e-7).
    "ds-classic": lambda: DawidSkene(smoothing=0.0, prior_objects=0.0, tol=1e-5),
    "onecoin": OneCoinDawidSkene,
    "glad": Glad,
}
CROWDKIT = {"mv": "MajorityVote", "ds": "DawidSkene", "onecoin": "OneCoinDawidSkene", "glad": "GLAD"}


def make_crowd(n_objects: int, per_object: int, seed: int, answers_per_worker: float = 150.0,
               activity_sigma: float = 1.0) -> dict[str, Any]:
    """Answers (object, worker, label), the truth, and the oracle's posteriors."""
    rng = np.random.default_rng(seed)
    prior = 1.0 / (np.arange(K) + 1)
    prior /= prior.sum()
    truth = rng.choice(K, size=n_objects, p=prior)
    hard = rng.random(n_objects) < 0.10
    n_workers = max(per_object, int(round(n_objects * per_object / answers_per_worker)))
    kind = rng.choice(5, size=n_workers, p=[0.25, 0.45, 0.22, 0.05, 0.03])
    low = np.array([0.90, 0.75, 0.50, 0.0, 0.0])[kind]
    high = np.array([0.98, 0.90, 0.75, 0.0, 0.0])[kind]
    accuracy = rng.uniform(low, high)
    constant = rng.integers(0, K, n_workers)
    lookalike = np.stack([(np.arange(K) + 1) % K, (np.arange(K) + rng.integers(2, K - 1, K)) % K], axis=1)
    lookalike[:, 1] = np.where(lookalike[:, 1] == lookalike[:, 0], (lookalike[:, 0] + 1) % K, lookalike[:, 1])
    # Who answers what: `per_object` distinct workers per object, drawn by lognormal activity.
    activity = rng.lognormal(0.0, activity_sigma, n_workers)
    activity /= activity.sum()
    workers = rng.choice(n_workers, size=(n_objects, per_object), p=activity)
    for _ in range(100):  # redraw repeated workers within an object (rare)
        ordered = np.sort(workers, axis=1)
        dup_rows = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if not dup_rows.size:
            break
        workers[dup_rows] = rng.choice(n_workers, size=(dup_rows.size, per_object), p=activity)
    objects = np.repeat(np.arange(n_objects), per_object)
    workers = workers.ravel()
    t = truth[objects]
    acc = accuracy[workers] * np.where(hard[objects], 0.7, 1.0)
    error = np.where(rng.random(objects.size) < 0.6, lookalike[t, rng.integers(0, 2, objects.size)],
                     (t + rng.integers(1, K, objects.size)) % K)
    labels = np.where(rng.random(objects.size) < acc, t, error)
    labels = np.where(kind[workers] == 3, rng.integers(0, K, objects.size), labels)
    labels = np.where(kind[workers] == 4, constant[workers], labels)
    # Oracle: each worker's true confusion matrix on easy and on hard items, mixed 90/10.
    def confusion(scale: float) -> np.ndarray:
        a = accuracy * scale
        c = np.zeros((n_workers, K, K))
        rows = np.arange(K)
        c += (0.4 * (1 - a) / (K - 1))[:, None, None]
        for j in range(2):
            c[:, rows, lookalike[:, j]] += (0.3 * (1 - a))[:, None]
        c[:, rows, rows] = a[:, None]
        c[kind == 3] = 1.0 / K
        c[kind == 4] = 0.0
        c[kind == 4, :, constant[kind == 4]] = 1.0
        return c
    true_confusion = 0.9 * confusion(1.0) + 0.1 * confusion(0.7)
    log_post = np.log(prior)[None, :].repeat(n_objects, axis=0)
    for k in range(K):
        log_post[:, k] += np.bincount(objects, weights=np.log(np.maximum(true_confusion[workers, k, labels], 1e-300)),
                                      minlength=n_objects)
    oracle = log_post.argmax(axis=1)
    return {"objects": objects, "workers": workers, "labels": labels, "truth": truth, "oracle": oracle,
            "n_workers": n_workers}


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    from scipy.stats import rankdata

    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def run_ours(name: str, answers: CategoricalAnswers, truth: np.ndarray) -> dict[str, Any]:
    model = ALGORITHMS[name]()
    tracemalloc.start()
    start = time.perf_counter()
    model.fit(answers)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    wrong = model.labels_ != truth
    return {"algorithm": f"crowdform {name}", "accuracy": float(1 - wrong.mean()),
            "auroc": auroc(1 - model.confidence_, wrong), "seconds": seconds, "peak_mb": peak / 2**20,
            "iterations": getattr(model, "n_iter_", None)}


CROWDKIT_RUNNER = r"""
import json, sys, time, tracemalloc
import numpy as np, pandas as pd
from crowdkit import aggregation
data = np.load(sys.argv[1])
frame = pd.DataFrame({"task": data["objects"], "worker": data["workers"], "label": data["labels"]})
truth = data["truth"]
out = []
for ours, theirs in json.loads(sys.argv[2]).items():
    model = getattr(aggregation, theirs)()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        labels = model.fit_predict(frame)
    except Exception as error:
        tracemalloc.stop()
        out.append({"algorithm": f"crowd-kit {theirs}", "error": repr(error)[:200]})
        continue
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    predicted = labels.sort_index().to_numpy()
    wrong = predicted != truth
    item = {"algorithm": f"crowd-kit {theirs}", "accuracy": float(1 - wrong.mean()), "seconds": seconds,
            "peak_mb": peak / 2**20}
    proba = getattr(model, "probas_", None)
    if proba is not None:
        conf = proba.sort_index().max(axis=1).to_numpy()
        from scipy.stats import rankdata
        n_pos = int(wrong.sum()); n_neg = wrong.size - n_pos
        r = rankdata(1 - conf)
        item["auroc"] = float((r[wrong].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)) if n_pos and n_neg else None
    out.append(item)
print(json.dumps(out))
"""


def run_crowdkit(python: str, crowd: dict[str, Any], names: list[str], timeout: float) -> list[dict[str, Any]]:
    wanted = {n: CROWDKIT[n] for n in names if n in CROWDKIT}
    results = []
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "crowd.npz"
        np.savez(data, objects=crowd["objects"], workers=crowd["workers"], labels=crowd["labels"], truth=crowd["truth"])
        script = Path(folder) / "runner.py"
        script.write_text(CROWDKIT_RUNNER)
        for ours, theirs in wanted.items():  # one process per model, so one that hangs can be cut off
            try:
                done = subprocess.run([python, str(script), str(data), json.dumps({ours: theirs})],
                                      capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                results.append({"algorithm": f"crowd-kit {theirs}", "error": f"did not finish in {timeout:.0f} s"})
                continue
            if done.returncode:
                results.append({"algorithm": f"crowd-kit {theirs}", "error": done.stderr.strip()[-300:]})
            else:
                results.extend(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="objects x answers (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS))
    parser.add_argument("--crowdkit-python", help="interpreter of a throwaway venv with crowd-kit 1.4.2")
    parser.add_argument("--crowdkit-timeout", type=float, default=600.0)
    parser.add_argument("--sparse", action="store_true", help="also run the small, sparse crowd variants")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    names = args.algorithms.split(",")
    scenarios = [(size, *SIZES[size], {}) for size in args.size or ["10k-x5"]]
    if args.sparse:
        scenarios += [("10k-x2", 10_000, 2, {}),
                      ("10k-x5-sparse", 10_000, 5, {"answers_per_worker": 12.0, "activity_sigma": 1.6})]
    report = []
    for label, n_objects, per_object, options in scenarios:
        crowd = make_crowd(n_objects, per_object, args.seed, **options)
        start = time.perf_counter()
        answers = CategoricalAnswers.from_codes(crowd["objects"], crowd["workers"], crowd["labels"], K)
        encode = time.perf_counter() - start
        per_worker = answers.answers_per_worker
        head = (f"{label}: {answers.n_answers} answers, {answers.n_workers} workers "
                f"(median {int(np.median(per_worker))} answers, {np.mean(per_worker < 10):.0%} under 10), "
                f"oracle accuracy {np.mean(crowd['oracle'] == crowd['truth']):.4f}, encoding {encode:.2f} s")
        print(head, flush=True)
        rows = [run_ours(name, answers, crowd["truth"]) for name in names]
        if args.crowdkit_python:
            rows += run_crowdkit(args.crowdkit_python, crowd, names, args.crowdkit_timeout)
        for row in rows:
            if "error" in row:
                print(f"  {row['algorithm']:<30} {row['error']}")
                continue
            au = row.get("auroc")
            print(f"  {row['algorithm']:<30} accuracy {row['accuracy']:.4f}  AUROC {au if au is None else round(au, 3)}"
                  f"  {row['seconds']:8.2f} s  peak {row['peak_mb']:8.1f} MB", flush=True)
        report.append({"scenario": label, "summary": head, "oracle_accuracy": float(np.mean(crowd["oracle"] == crowd["truth"])),
                       "results": rows})
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
