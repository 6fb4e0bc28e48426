#!/usr/bin/env bash
# The checks only a machine with an NVIDIA GPU can make, as one prepared script.
# NOT RUN YET: written on a machine without a GPU (checked there with `bash -n` only).
#
#   bench/gpu_check.sh [WORK_DIR]      from the repository root; WORK_DIR defaults to bench/work/gpu
#
# 1. Install: `make install TORCH=cuda` (PyPI's CUDA build of the pinned torch); torch must see CUDA.
#    Then the test suite's CUDA branch, skipped on machines without a GPU: checks.device resolves
#    cuda and auto to cuda after a real kernel launch, plan.gpus pins the visible ids
#    (tests/test_plan.py::test_on_a_gpu_cuda_is_resolved_with_a_real_kernel_and_auto_pins_the_visible_ids;
#    a skip fails the check).
# 2. The demo recordings at 5 minutes x 32 channels through `sortcanary run` with torch_device: cuda:
#    both healthy recordings sorted, the silent one blocked (exit 1); canary and full-sort seconds per
#    recording and their ratio, from results/summary.tsv.
# 3. A forced CUDA out-of-memory error: one recording, an oversized sorter batch_size, and the GPU
#    memory each Python process may use capped at GPU_CAP_GB (torch.cuda.set_per_process_memory_fraction,
#    from a sitecustomize.py on PYTHONPATH for this step only). The full sort must fail with
#    resource/gpu_out_of_memory and be retried with batch_size divided by retry_batch_divisor (2).
#    The canary is off in this step: it runs with the same batch_size, so it would block the recording
#    before the full sort (that is the canary's job; the retry is the full sort's).
#
# Everything it measures goes to WORK_DIR/gpu_check.txt. Exit 0 when every check holds.
# Sizes to adjust if step 3 does not run out of memory: GPU_CAP_GB (default 2), OVERSIZED_BATCH
# (default 960000 samples, 38 s at the demo's 25 kHz; Kilosort4's default is 60000).
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=$(mkdir -p "${1:-bench/work/gpu}" && cd "${1:-bench/work/gpu}" && pwd)
GPU_CAP_GB=${GPU_CAP_GB:-2}
OVERSIZED_BATCH=${OVERSIZED_BATCH:-960000}
BIN=$PWD/.venv/bin
OUT=$WORK/gpu_check.txt
rm -rf "${WORK:?}"/* && : >"$OUT"
say() { echo "$*" | tee -a "$OUT"; }
failed=0
check() { if eval "$1"; then say "PASS: $2"; else say "FAIL: $2"; failed=1; fi; }

command -v nvidia-smi >/dev/null || { echo "gpu_check: no nvidia-smi here; run it on a machine with an NVIDIA GPU" >&2; exit 2; }
say "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)"

# -- 1. install ------------------------------------------------------------------------------------
make install TORCH=cuda
say "$("$BIN/python" -c 'import torch; print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, available: {torch.cuda.is_available()}")')"
check '"$BIN/python" -c "import torch, sys; sys.exit(not torch.cuda.is_available())"' "torch sees CUDA"
CUDA_TEST=tests/test_plan.py::test_on_a_gpu_cuda_is_resolved_with_a_real_kernel_and_auto_pins_the_visible_ids
"$BIN/python" -m pytest -n 0 -q -rs "$CUDA_TEST" >"$WORK/cuda_test.log" 2>&1 || true
check 'grep -q "1 passed" "$WORK/cuda_test.log"' "checks.device and plan.gpus on CUDA (log: $WORK/cuda_test.log)"

# -- 2. canary + full sort on CUDA, 5 minutes of recording ---------------------------------------------
"$BIN/sortcanary" demo-data "$WORK/recordings" --duration 300 --channels 32 >/dev/null
"$BIN/sortcanary" init "$WORK/run" --recordings "$WORK/recordings" >/dev/null
sed -i 's/^torch_device: auto/torch_device: cuda/' "$WORK/run/config/config.yaml"
start=$(date +%s)
set +e
"$BIN/sortcanary" run "$WORK/recordings" --directory "$WORK/run" --cores "$(nproc)" >"$WORK/run.log" 2>&1
rc=$?
set -e
say "sortcanary run: exit $rc in $(($(date +%s) - start)) s (log: $WORK/run.log)"
check '[ $rc -eq 1 ]' "exit 1: the run ended with a recording blocked"
cat >"$WORK/check_summary.py" <<'EOF'
import csv, sys

rows = {r["recording"]: r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t", quoting=csv.QUOTE_NONE)}
for name, r in sorted(rows.items()):
    ratio = f"{float(r['canary_s']) / float(r['sort_s']):.3f}" if r["canary_s"] and r["sort_s"] else "-"
    print(f"{name}: canary {r['canary']} {r['canary_s']} s, sort {r['sort']} {r['sort_s']} s, "
          f"units {r['units']}, canary/full {ratio}")
ok = all(rows[n]["sort"] == "done" for n in ("healthy_a", "healthy_b")) and rows["silent"]["sort"] == "blocked"
print("healthy sorted, silent blocked:", ok)
sys.exit(0 if ok else 1)
EOF
check '"$BIN/python" "$WORK/check_summary.py" "$WORK/run/results/summary.tsv" | tee -a "$OUT"' \
  "both healthy recordings sorted on CUDA, the silent one blocked"
check 'grep -q "\"torch_device\": \"cuda\"" "$WORK/run/results/preflight.json"' "preflight resolved torch_device to cuda"

# -- 3. CUDA out of memory -> resource retry with a halved batch -----------------------------------
mkdir -p "$WORK/oom/recordings" "$WORK/oom/config" "$WORK/gpucap"
cp -r "$WORK/recordings/healthy_a" "$WORK/oom/recordings/"
cat >"$WORK/oom/config/config.yaml" <<EOF
recordings_dir: $WORK/oom/recordings
torch_device: cuda
sorter_params: {batch_size: $OVERSIZED_BATCH}
canary: {window_s: 0}
EOF
cat >"$WORK/gpucap/sitecustomize.py" <<'EOF'
import os

cap_gb = os.environ.get("GPU_CHECK_CAP_GB")
if cap_gb:
    import torch

    if torch.cuda.is_available():
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, float(cap_gb) * 1e9 / total))
EOF
set +e
PYTHONPATH="$WORK/gpucap" GPU_CHECK_CAP_GB=$GPU_CAP_GB \
  "$BIN/sortcanary" run "$WORK/oom/recordings" --directory "$WORK/oom" --cores "$(nproc)" >"$WORK/oom.log" 2>&1
rc=$?
set -e
say "oversized batch ($OVERSIZED_BATCH samples, GPU capped at $GPU_CAP_GB GB): sortcanary run exit $rc (log: $WORK/oom.log)"
cat >"$WORK/check_retry.py" <<'EOF'
import json, re, sys
from pathlib import Path

work, oversized = Path(sys.argv[1]), int(sys.argv[2])
attempts_path = work / "logs/sort/healthy_a.attempts.json"
attempts = json.loads(attempts_path.read_text()) if attempts_path.exists() else []
for a in attempts:
    print(f"attempt {a['attempt']}: {a['category']}/{a['error_class']}: {a['message'][:120]}")
# Snakemake clears a job's log before each retry: the log holds the last attempt's parameters.
used = re.findall(r"'batch_size': (\d+)", (work / "logs/sort/healthy_a.log").read_text())
sort_json = work / "results/sorted/healthy_a/sort.json"
print(f"last attempt's batch_size: {used[-1] if used else '?'}; sorted: {sort_json.exists()}")
first_oom = bool(attempts) and attempts[0]["attempt"] == 1 and attempts[0]["error_class"] == "gpu_out_of_memory"
halved = bool(used) and int(used[-1]) < oversized and oversized % int(used[-1]) == 0
print("first attempt out of GPU memory, retried with a divided batch:", first_oom and halved)
sys.exit(0 if first_oom and halved else 1)
EOF
check '"$BIN/python" "$WORK/check_retry.py" "$WORK/oom" "$OVERSIZED_BATCH" | tee -a "$OUT"' \
  "CUDA out of memory was retried with batch_size divided by retry_batch_divisor"

say "results: $OUT"
exit $failed
