#!/usr/bin/env bash
# Clustering quality on Fashion-MNIST test (10 000 images) with the default settings
# (50 pretraining + 50 clustering epochs, K = 10, R = 1): roy for seeds 0-4, dkm and aekm for
# seed 0, and plain K-means on the pixels. Prints a Markdown table.
#   [SEEDS="0 1 2 ..."] bench/quality.sh [BUILD_DIR] [OUT_DIR]
# SEEDS: the roy seeds (default 0-4).
# Runs two at a time with one BLAS thread each (the numbers do not depend on timing): about
# 35 minutes on 2 cores. Each run's folder stays in OUT_DIR; runs already there are kept.
set -eu
build=${1:-build}
out=${2:-quality-runs}
cli="$build/src/cli/clusterscope-cli"
mkdir -p "$out"

[ -f "$out/kmeans-pixels.txt" ] || "$cli" --dataset fashion-mnist-test --kmeans-only --seed 0 > "$out/kmeans-pixels.txt"
seeds=${SEEDS:-0 1 2 3 4}
roy_runs=$(for s in $seeds; do printf 'roy-%s ' "$s"; done)
runs="$roy_runs aekm-0 dkm-0"
todo=""
for run in $runs; do [ -f "$out/$run/metrics.csv" ] || todo="$todo $run"; done
export cli out
# shellcheck disable=SC2016
[ -z "$todo" ] || printf '%s\n' $todo | OPENBLAS_NUM_THREADS=1 xargs -P 2 -I{} sh -c \
  'run={}; "$cli" --dataset fashion-mnist-test --algorithm "${run%-*}" --seed "${run#*-}" -q --output "$out/$run"'

# Column numbers in metrics.csv: epoch 1, acc 5, nmi 6, seconds 10.
row() { awk -F, -v e="$2" 'NR > 1 && $1 == e { printf "%s %s", $5, $6 }' "$1/metrics.csv"; }
last() { awk -F, 'NR > 1 { a = $5; n = $6 } END { printf "%s %s", a, n }' "$1/metrics.csv"; }

echo "| run | ACC | NMI | AE + K-means after pretraining (ACC / NMI) |"
echo "|---|---|---|---|"
for run in $roy_runs dkm-0 aekm-0; do
  read -r acc nmi <<< "$(last "$out/$run")"
  read -r pacc pnmi <<< "$(row "$out/$run" 50)"
  printf "| %s | %.3f | %.3f | %.3f / %.3f |\n" "$run" "$acc" "$nmi" "$pacc" "$pnmi"
done
for run in $roy_runs; do last "$out/$run"; echo; done | awk -v seeds="$seeds" '
  { a[NR] = $1; n[NR] = $2; sa += $1; sn += $2 }
  END {
    ma = sa / NR; mn = sn / NR
    for (i = 1; i <= NR; i++) { va += (a[i] - ma) ^ 2; vn += (n[i] - mn) ^ 2 }
    printf "| roy, seeds %s (mean ± std) | %.3f ± %.3f | %.3f ± %.3f | |\n", seeds, ma, sqrt(va / (NR - 1)), mn, sqrt(vn / (NR - 1))
  }'
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
  END { printf "| K-means on pixels (n_init 10) | %.3f | %.3f | |\n", v["acc"], v["nmi"] }' "$out/kmeans-pixels.txt"
