#!/usr/bin/env bash
# Clustering quality on Fashion-MNIST test (10 000 images): each algorithm over several seeds
# with clusterscope-cli --seeds, two runs at a time on one BLAS thread each (the numbers do not
# depend on timing or thread count), then K-means on the pixels over the same seeds.
#   [SEEDS=0-4] [ALGORITHMS="roy aekm dkm"] bench/quality.sh [BUILD_DIR] [OUT_DIR] [CLI OPTIONS...]
# Options after OUT_DIR go to every run (for example --init fan-in). Each algorithm's table
# (every seed, then mean ± std) is printed and kept in OUT_DIR/ALGORITHM/summary.csv beside
# the runs' folders (seed-S). About 5 minutes per run on this machine's cores: 35 minutes for
# the defaults.
set -eu
build=${1:-build}
out=${2:-quality-runs}
shift $(($# < 2 ? $# : 2))
cli="$build/src/cli/clusterscope-cli"
seeds=${SEEDS:-0-4}

for algorithm in ${ALGORITHMS:-roy aekm dkm}; do
  echo "## $algorithm, seeds $seeds"
  OPENBLAS_NUM_THREADS=1 "$cli" --dataset fashion-mnist-test --algorithm "$algorithm" \
    --seeds "$seeds" --jobs 2 -q --output "$out/$algorithm" "$@"
done
echo "## K-means on the pixels (n_init 10), seeds $seeds"
OPENBLAS_NUM_THREADS=1 "$cli" --dataset fashion-mnist-test --kmeans-only --seeds "$seeds" --jobs 2 -q
