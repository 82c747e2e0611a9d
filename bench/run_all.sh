#!/usr/bin/env bash
# Every figure of bench/RESULTS.md, one after the other (~20 min on 2 cores). Logs and results JSON go
# to .cache/bench-results/all-<time>/. PG_URL (default postgresql://postgres@127.0.0.1:5432/test)
# is the PostgreSQL server on which each run creates, then drops, a database of its own.
#
#   bench/run_all.sh                 # the engine's benchmarks
#   ONLY="ingest output" bench/run_all.sh
#   ONLY=s3 bench/run_all.sh         # S3 API against moto, and a 1 GB multipart upload
#   ONLY="footprint soak" bench/run_all.sh   # idle memory of serve; honest and hostile workers for a minute
#   ONLY=crash bench/run_all.sh      # serve's process group SIGKILLed 3 times under 16 workers
#   ONLY=consolidation CROWDKIT_PYTHON=/tmp/ckvenv/bin/python bench/run_all.sh   # with crowd-kit alongside
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
PG_URL="${PG_URL:-postgresql://postgres@127.0.0.1:5432/test}"
OUT=".cache/bench-results/all-$(date -u +%Y%m%d-%H%M%S)"
ONLY="${ONLY:-ingest workers output peers}"
mkdir -p "$OUT"
export LS_BENCH_CACHE="${LS_BENCH_CACHE:-.cache/peers}"

run() {  # run NAME COMMAND...: tee the output to $OUT/NAME.log
  local name=$1; shift
  echo "== $name: $*" | tee "$OUT/$name.log"
  "$@" 2>&1 | tee -a "$OUT/$name.log"
}

for what in $ONLY; do
  case $what in
    ingest)
      run ingest-sqlite $PY bench/ingest.py --out "$OUT/ingest-sqlite.json"
      run ingest-postgres $PY bench/ingest.py --database-url "$PG_URL" --out "$OUT/ingest-postgres.json" ;;
    workers)
      run workers-sqlite $PY bench/workers.py --out "$OUT/workers-sqlite.json"
      run workers-sqlite-combined $PY bench/workers.py --mode combined --out "$OUT/workers-sqlite-combined.json"
      run workers-postgres $PY bench/workers.py --database-url "$PG_URL" --out "$OUT/workers-postgres.json"
      run workers-sqlite-httpx $PY bench/workers.py --levels 16 --client httpx --out "$OUT/workers-sqlite-httpx.json" ;;
    output)
      run output-sqlite $PY bench/output.py --out "$OUT/output-sqlite.json"
      run output-postgres $PY bench/output.py --database-url "$PG_URL" --out "$OUT/output-postgres.json" ;;
    peers)
      for r in 1 2; do
        run "peers-run$r" $PY bench/peers/crowdform_target.py --out "$OUT/peers-run$r.json"
      done
      $PY ../shared/peers/label-studio/report.py "$OUT"/peers-run*.json | tee "$OUT/peers-report.md" ;;
    consolidation)  # crowd-kit runs alongside only when CROWDKIT_PYTHON names its throwaway venv's python
      ck=(); [ -n "${CROWDKIT_PYTHON:-}" ] && ck=(--crowdkit-python "$CROWDKIT_PYTHON")
      run consolidation-classes $PY bench/consolidation_classes.py --size 10k-x5 --size 100k-x5 --size 1m-x3 --sparse "${ck[@]}"
      run consolidation-boxes $PY bench/consolidation_boxes.py
      run consolidation-masks $PY bench/consolidation_masks.py "${ck[@]}" ;;
    s3)
      run s3 $PY bench/s3.py --out "$OUT/s3.json" ;;
    footprint)
      run footprint-sqlite $PY bench/footprint.py --out "$OUT/footprint-sqlite.json"
      run footprint-postgres $PY bench/footprint.py --database-url "$PG_URL" --out "$OUT/footprint-postgres.json" ;;
    soak)
      run soak-sqlite $PY bench/soak.py --out "$OUT/soak-sqlite.json"
      run soak-postgres $PY bench/soak.py --database-url "$PG_URL" --out "$OUT/soak-postgres.json" ;;
    crash)
      run crash-sqlite $PY bench/crash.py --out "$OUT/crash-sqlite.json"
      run crash-postgres $PY bench/crash.py --database-url "$PG_URL" --out "$OUT/crash-postgres.json" ;;
  esac
done
echo "results in $OUT"
