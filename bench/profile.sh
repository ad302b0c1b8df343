#!/bin/bash
# profile.sh: where a training run's CPU time goes, by perf's cpu-clock samples.
#
#   bench/profile.sh [CLI] [DATASET] [THREADS]
#
# Runs CLI (default build/src/cli/clusterscope-cli) for one pretraining and one roy epoch on
# DATASET (default fashion-mnist, 70k) with THREADS BLAS threads (default 2) under
# `perf record -e cpu-clock` (this VM has no hardware counters; the software clock still
# samples every thread), then prints the share of samples by group: OpenBLAS's kernel, its
# packing copies, its zeroing of C (beta = 0), its threads waiting (sched_yield and the
# scheduler), the engine's Adam step, its other element-wise loops, K-means, and the rest.
# PERF_DATA=FILE reports on an earlier recording instead of running. BY_THREAD=1 adds each
# thread's share and its kernel / waiting split: the OpenBLAS worker against the training
# thread shows how evenly the products were shared (a descheduled vCPU leaves one spinning).
# Needs linux-perf (Debian's package). Copyright 2026 The Clusterscope authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

cli=${1:-build/src/cli/clusterscope-cli}
dataset=${2:-fashion-mnist}
threads=${3:-2}
command -v perf >/dev/null || { echo "profile.sh: perf not found (apt-get install linux-perf)" >&2; exit 1; }
if [ -n "${PERF_DATA:-}" ]; then
	data=$PERF_DATA
else
	[ -x "$cli" ] || { echo "profile.sh: $cli: not an executable" >&2; exit 1; }
	data=$(mktemp "${TMPDIR:-/tmp}/clusterscope-perf.XXXXXX")
	trap 'rm -f "$data" "$data.old"' EXIT
	OPENBLAS_NUM_THREADS=$threads perf record -q -e cpu-clock -o "$data" \
		"$cli" --dataset "$dataset" -p 1 -e 1 -q >/dev/null 2>&1
fi
perf report -i "$data" --sort symbol --stdio 2>/dev/null | awk '
	/^#/ || NF < 3 { next }
	{
		pct = $1; sub(/%/, "", pct); sym = $3
		if (sym ~ /^sgemm_kernel/) g = "OpenBLAS sgemm kernel"
		else if (sym ~ /^sgemm_(it|in|ot|on)copy/) g = "OpenBLAS packing copies"
		else if (sym ~ /^sgemm_beta/) g = "OpenBLAS zeroing C (beta = 0)"
		else if (sym ~ /sched|^schedule$|syscall|yield/) g = "threads waiting (sched_yield, scheduler)"
		else if (sym ~ /adam/) g = "engine: Adam"
		else if (sym ~ /backward|delta_|relu_|bias_rows|dense_forward|cs_autoencoder_forward|rec_loss|cs_autoencoder_encode|memmove|memcpy|memset/) g = "engine: other element-wise loops and copies"
		else if (sym ~ /kmeans|hamerly|block_dists|dists_to|seed|soft_assign/) g = "engine: K-means"
		else g = "other"
		share[g] += pct
	}
	END {
		for (g in share) printf "%6.1f %%  %s\n", share[g], g
	}' | sort -rn
if [ -n "${BY_THREAD:-}" ]; then
	echo
	echo "by thread (share of all samples: total, sgemm kernel, waiting):"
	perf report -i "$data" --sort pid,symbol --stdio 2>/dev/null | awk '
		/^#/ || NF < 4 { next }
		{
			pct = $1; sub(/%/, "", pct); thread = $2; sym = $4
			total[thread] += pct
			if (sym ~ /^sgemm_kernel/) kernel[thread] += pct
			else if (sym ~ /sched|^schedule$|syscall|yield/) wait[thread] += pct
		}
		END {
			for (t in total)
				if (total[t] >= 0.5)
					printf "%6.1f %%  %-28s kernel %5.1f %%  waiting %5.1f %%\n", total[t], t, kernel[t], wait[t]
		}' | sort -rn
fi
