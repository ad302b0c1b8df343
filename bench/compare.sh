#!/bin/bash
# compare.sh: Clusterscope against PyTorch + scikit-learn, side by side in one run.
#
# Installs what it compares against (Debian's python3-torch, python3-sklearn, python3-numpy)
# when missing, builds ours if needed (meson, ./build), runs both sides on the same data
# (Fashion-MNIST train + test, the first N samples) with the same settings and threads, and
# prints a Markdown table: ours, theirs, theirs/ours, and our share of the sgemm rate measured
# in the same run at the network's layer shapes (bench-epoch).
#
#   bench/compare.sh                 # n = 70 000, 2 threads: the full comparison (minutes)
#   bench/compare.sh --quick         # n = 2 000: checks that everything runs (about a minute)
#   bench/compare.sh --n 35000 --threads 1 --scaling "5000 10000 35000"
#
# Also ours alone: the peak resident memory of a CLI run on the same n (1 pretraining + 1 roy
# epoch, run folder written) against the float32 dataset, and a synthetic run of 1 000 000
# points in 100 dimensions (no pretraining: K-means on the codes, one roy epoch and its
# re-initialisation) with its time and peak memory (--no-million skips it: about 5 minutes).
#
# The two rows "as the CLI runs it" time whole CLI runs (3 epochs minus 1, halved): the epoch
# a user waits on, with the picture, metrics and snapshots.
# Ours: build/bench/bench-epoch (load, sgemm rates, one pretraining epoch, one roy epoch) and
# build/bench/kmeans-codes (K-means alone on a .npy, the load of the 70k gzip files).
# Theirs: bench/torch_epoch.py (the same autoencoder, loss, Adam and batch in PyTorch, K-means
# by scikit-learn) and bench/sklearn_kmeans.py. The K-means row runs both on the same codes:
# the codes of all N points after the PyTorch pretraining epoch (or --codes FILE).
# Benchmarks belong on an otherwise idle machine: how busy the cores were just before is printed.
#
# Copyright 2026 The Clusterscope authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

PY=/usr/bin/python3 # Debian's interpreter: it sees python3-torch and python3-sklearn
PACKAGES=(python3-torch python3-sklearn python3-numpy python3-threadpoolctl)
FULL_N=70000

n=$FULL_N
threads=2
seed=0
scaling=""
builddir=build
workdir=""
keep=0
install=1
codes=""
quick=0
million=1
rounds=2

usage() {
	sed -n '2,/^# Copyright/{/^# Copyright/d;s/^# \{0,1\}//;p}' "$0"
	cat <<EOF
Options:
  --n N            samples, the first N of train + test (default $FULL_N)
  --threads T      threads for both sides: OpenBLAS, torch, OpenMP (default 2)
  --seed S         seed for PyTorch and both K-means (default 0)
  --scaling "A B C"  sizes for ours' scaling rows (default: N/7 N/2 N, 10k 35k 70k at 70k)
  --quick          n = 2000: check that the script works
  --codes FILE     K-means row on this n x m .npy instead of the PyTorch codes
  --builddir DIR   meson build directory (default ./build)
  --workdir DIR    where intermediate files go (default: a temporary directory, removed)
  --keep           keep the work directory
  --no-million     skip the 1 000 000 x 100 synthetic run
  --rounds R       alternate ours and theirs R times, keep each side's fastest (default 2)
  --no-install     do not install missing packages (fail instead)
EOF
}

die() {
	echo "compare.sh: $*" >&2
	exit 1
}
say() { echo "compare.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--n) n=${2:?}; shift 2 ;;
	--n=*) n=${1#*=}; shift ;;
	--threads) threads=${2:?}; shift 2 ;;
	--threads=*) threads=${1#*=}; shift ;;
	--seed) seed=${2:?}; shift 2 ;;
	--seed=*) seed=${1#*=}; shift ;;
	--scaling) scaling=${2:?}; shift 2 ;;
	--scaling=*) scaling=${1#*=}; shift ;;
	--quick) quick=1; shift ;;
	--codes) codes=${2:?}; shift 2 ;;
	--codes=*) codes=${1#*=}; shift ;;
	--builddir) builddir=${2:?}; shift 2 ;;
	--builddir=*) builddir=${1#*=}; shift ;;
	--workdir) workdir=${2:?}; shift 2 ;;
	--workdir=*) workdir=${1#*=}; shift ;;
	--keep) keep=1; shift ;;
	--no-million) million=0; shift ;;
	--rounds) rounds=${2:?}; shift 2 ;;
	--rounds=*) rounds=${1#*=}; shift ;;
	--no-install) install=0; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if [ "$quick" = 1 ]; then n=2000; million=0; rounds=1; fi
is_uint() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ]; }
is_uint "$n" && [ "$n" -le $FULL_N ] || die "--n must be in [1, $FULL_N]"
is_uint "$threads" || die "--threads must be a positive integer"
is_uint "$rounds" || die "--rounds must be a positive integer"
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer"
if [ -z "$scaling" ]; then
	if [ "$n" = $FULL_N ]; then scaling="10000 35000 70000"; else scaling="$((n / 7)) $((n / 2)) $n"; fi
fi
for s in $scaling; do
	is_uint "$s" && [ "$s" -le $FULL_N ] && [ "$s" -ge 10 ] || die "--scaling sizes must be in [10, $FULL_N]"
done
[ -z "$codes" ] || [ -f "$codes" ] || die "$codes: no such file"
[ -z "$codes" ] || codes=$(realpath "$codes")

cd "$(dirname "$(realpath "$0")")/.."
cmdline="bench/compare.sh --n $n --threads $threads --rounds $rounds --seed $seed --scaling \"$scaling\"${codes:+ --codes $codes}"

# (a) What we compare against.
missing=()
for p in "${PACKAGES[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$install" = 1 ] || die "missing packages: ${missing[*]} (run without --no-install as root)"
	if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
	say "installing ${missing[*]}"
	"${SUDO[@]}" apt-get update >&2
	DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y "${missing[@]}" >&2
fi
"$PY" -c 'import torch, sklearn, numpy' || die "$PY cannot import torch, sklearn and numpy"

# (b) Ours.
if [ ! -f "$builddir/build.ninja" ]; then
	say "configuring $builddir"
	meson setup "$builddir" >&2
fi
say "building bench-epoch, kmeans-codes and clusterscope-cli in $builddir"
meson compile -C "$builddir" bench/bench-epoch bench/kmeans-codes src/cli/clusterscope-cli >&2
BENCH_EPOCH=$builddir/bench/bench-epoch
KMEANS_CODES=$builddir/bench/kmeans-codes
CLI=$builddir/src/cli/clusterscope-cli
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian's time package) is needed for the memory rows"

if [ -z "$workdir" ]; then
	workdir=$(mktemp -d "${TMPDIR:-/tmp}/clusterscope-compare.XXXXXX")
	[ "$keep" = 1 ] || trap 'rm -rf "$workdir"' EXIT
else
	mkdir -p "$workdir"
fi
W=$workdir
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

# The engine reads the same samples: the built-in 70k spec, or the first n written as .npy.
spec_for() {
	if [ "$1" = $FULL_N ]; then
		echo fashion-mnist
	else
		[ -f "$W/fashion-$1.npy" ] || "$PY" bench/torch_epoch.py npy --n "$1" --out "$W/fashion-$1.npy" >&2
		echo "$W/fashion-$1.npy"
	fi
}

# Values out of the tools' lines.
kv() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<"$1" | head -1; }
epoch_field() { # bench-epoch output, "pretrain" or "roy", field 1-4: total train encode kmeans
	sed -nE "s/^$2 epoch +([0-9.]+) s +\(train ([0-9.]+), encode ([0-9.]+), k-means n_init [0-9]+ ([0-9.]+)\).*/\1 \2 \3 \4/p" <<<"$1" |
		awk -v f="$3" '{print $f}'
}
ratio() { awk -v t="$1" -v o="$2" 'BEGIN { if (t == "" || o == "" || o + 0 <= 0) print "—"; else printf "%.2f", t / o }'; }
step=0
out=""
run() { # label, command...: runs it, keeps its output in $out and in the work directory
	local file
	step=$((step + 1))
	file=$W/$(printf '%02d-%s' "$step" "$1").txt
	shift
	say "$*"
	"$@" >"$file" || die "failed: $*"
	sed 's/^/    /' "$file" >&2
	out=$(<"$file")
}

# The share of all cores busy over three seconds (the load average lags by minutes).
cpu_busy() {
	local u1 t1 u2 t2
	read -r u1 t1 < <(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
	sleep 3
	read -r u2 t2 < <(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
	awk -v a=$((u2 - u1)) -v b=$((t2 - t1)) 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'
}
busy_before=$(cpu_busy)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
spec=$(spec_for "$n")

# (c) Both sides. Ours first: load, sgemm rates, a pretraining epoch and a roy epoch.
# Rounds alternate the two sides, so a slow spell of this shared host hits both; each row
# keeps each side's fastest round.
ours="" theirs_pre="" theirs_roy=""
faster() { # new old field-extractor...: prints whichever output has the smaller value
	local a b
	a=$("${@:3}" "$1")
	b=$([ -n "$2" ] && "${@:3}" "$2")
	if [ -z "$2" ] || awk -v a="$a" -v b="$b" 'BEGIN { exit !(a + 0 < b + 0) }'; then printf '%s' "$1"; else printf '%s' "$2"; fi
}
ours_pre_field() { epoch_field "$1" pretrain 2; }
ours_roy_field() { epoch_field "$1" roy 1; }
theirs_field() { kv "$1" seconds; }
# Peak resident memory (GNU time's %M, KiB) and wall seconds of a CLI run: "KiB seconds".
measured() { # label, cli arguments...
	local prefix
	step=$((step + 1))
	prefix=$W/$(printf '%02d-%s' "$step" "$1")
	shift
	say "$CLI $*"
	/usr/bin/time -o "$prefix.time" -f '%M %e' "$CLI" "$@" >"$prefix.out" 2>"$prefix.txt" ||
		die "failed: $CLI $* (see $W)"
	cat "$prefix.time"
}
# The epochs a user waits on, as the CLI runs them (the picture's work, metrics and snapshots
# included): the wall time of 3 epochs minus that of 1, halved, so loading and the first
# epoch's one-off work cancel. Pretraining: -p 3 against -p 1; roy: no pretraining (K-means on
# the initial codes, then clustering), -e 3 against -e 1.
cli_epoch() { # label, cli arguments for 1 epoch..., then "--", those for 3
	local label=$1 one=() three=() t1 t3
	shift
	while [ "$1" != -- ]; do one+=("$1"); shift; done
	shift
	three=("$@")
	read -r _ t1 <<<"$(measured "$label-1" --dataset "$spec" --seed "$seed" -q "${one[@]}")"
	read -r _ t3 <<<"$(measured "$label-3" --dataset "$spec" --seed "$seed" -q "${three[@]}")"
	awk -v a="$t1" -v b="$t3" 'BEGIN { printf "%.2f", (b - a) / 2 }'
}
min_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || a + 0 < b + 0) print a; else print b }'; }
ours_pre="" ours_roy="" cli_pre="" cli_roy=""
for r in $(seq 1 "$rounds"); do
	run ours-epoch-$n-round$r "$BENCH_EPOCH" --dataset "$spec" --threads "$threads"
	ours_pre=$(faster "$out" "$ours_pre" ours_pre_field)
	ours_roy=$(faster "$out" "$ours_roy" ours_roy_field)
	run torch-pretrain-$n-round$r "$PY" bench/torch_epoch.py pretrain --n "$n" --threads "$threads" \
		--seed "$seed" --save-state "$W/torch-state.pt" --save-codes "$W/torch-codes.npy"
	theirs_pre=$(faster "$out" "$theirs_pre" theirs_field)
	run torch-roy-$n-round$r "$PY" bench/torch_epoch.py roy --n "$n" --threads "$threads" \
		--seed "$seed" --load-state "$W/torch-state.pt"
	theirs_roy=$(faster "$out" "$theirs_roy" theirs_field)
	cli_pre=$(min_of "$(cli_epoch cli-pretrain-$n-round$r -p 1 -e 0 -- -p 3 -e 0)" "$cli_pre")
	cli_roy=$(min_of "$(cli_epoch cli-roy-$n-round$r -p 0 -e 1 -- -p 0 -e 3)" "$cli_roy")
done
ours=$ours_pre
codes_file=${codes:-$W/torch-codes.npy}
run ours-kmeans "$KMEANS_CODES" --threads "$threads" --seed "$seed" "$codes_file"
ours_km=$out
run sklearn-kmeans "$PY" bench/sklearn_kmeans.py "$codes_file" --threads "$threads" --seed "$seed"
theirs_km=$out
run ours-load "$KMEANS_CODES" --load-only fashion-mnist
ours_load=$out
theirs_load=$(kv "$theirs_pre" load)

# Scaling: every size measured the same way, side by side: rounds alternate the sizes and each
# size keeps its fastest round. (Taking N's row from the comparison above, measured between
# PyTorch runs, made 70k look 20 % slower per sample than 10k and 35k measured here.)
declare -A scale_s
for r in $(seq 1 "$rounds"); do
	for s in $scaling; do
		run ours-epoch-$s-scaling$r "$BENCH_EPOCH" --dataset "$(spec_for "$s")" --threads "$threads"
		t=$(epoch_field "$out" pretrain 2)
		if [ -z "${scale_s[$s]:-}" ] || awk -v a="$t" -v b="${scale_s[$s]}" 'BEGIN { exit !(a + 0 < b + 0) }'; then
			scale_s[$s]=$t
		fi
	done
done

read -r rss_kib rss_s <<<"$(measured rss-$n --dataset "$spec" -p 1 -e 1 --seed "$seed" --output "$W/rss-run")"
if [ "$million" = 1 ]; then
	read -r mil_kib mil_s <<<"$(measured million --dataset synthetic-blobs --synthetic-n 1000000 \
		--synthetic-d 100 -p 0 -e 1 --seed "$seed")"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# (d) The table.
square=$(awk '/^sgemm 2048/ {print $3}' <<<"$ours")
shapes=$(awk '/^sgemm layer shapes/ {print $4}' <<<"$ours")
blas=$(sed -n 's/^BLAS threads *//p' <<<"$ours")
train_rate=$(awk '/^  training pass/ {print $3}' <<<"$ours")
pre_train=$(epoch_field "$ours" pretrain 2)
roy_total=$(epoch_field "$ours_roy" roy 1)
roy_train=$(epoch_field "$ours_roy" roy 2)
roy_encode=$(epoch_field "$ours_roy" roy 3)
roy_kmeans=$(epoch_field "$ours_roy" roy 4)
[ -n "$pre_train" ] && [ -n "$roy_total" ] && [ -n "$shapes" ] || die "could not read bench-epoch's output (see above)"
# Share of the layer-shape sgemm rate: the pretraining pass as bench-epoch reports it; the roy
# pass has the same products (plus the small clustering loss), so the same FLOPs over its time.
pre_share=$(awk -v r="$train_rate" -v s="$shapes" -v q="$square" \
	'BEGIN { printf "%.0f %% (%.1f of %.1f GFLOP/s; %.0f %% of 2048^3)", 100 * r / s, r, s, 100 * r / q }')
roy_share=$(awk -v r="$train_rate" -v p="$pre_train" -v t="$roy_train" -v s="$shapes" \
	'BEGIN { if (t > 0) printf "%.0f %%", 100 * r * p / t / s; else print "—" }')
inertia_note=$(awk -v o="$(kv "$ours_km" inertia)" -v t="$(kv "$theirs_km" inertia)" \
	'BEGIN { printf "inertia ours %.6g, theirs %.6g: ours %+.3f %%", o, t, 100 * (o - t) / t }')
km_iters="iterations of the kept run: ours $(kv "$ours_km" n_iter), theirs $(kv "$theirs_km" n_iter)"
fmt() { [ -n "$1" ] && printf '%.2f' "$1" || printf '—'; }
fmt3() { [ -n "$1" ] && printf '%.3f' "$1" || printf '—'; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cores=$(getconf _NPROCESSORS_ONLN) # not nproc: it follows OMP_NUM_THREADS
echo "## Clusterscope vs PyTorch $("$PY" -c 'import torch; print(torch.__version__)') + scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)')"
echo
echo "- Machine: $cpu, $cores cores; OpenBLAS: $blas"
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "- Command: \`$cmdline\`"
echo "- Data: Fashion-MNIST train + test, first $n samples, 784 features; batch 256, Adam, d-500-500-2000-10; $threads thread(s) each side"
echo "- sgemm measured in this run: $square GFLOP/s at 2048^3, $shapes GFLOP/s at the network's batch-256 layer shapes"
echo "- CPU busy in the 3 s before the run: $busy_before %; load average (1/5/15 min) before: $load_before, after: $load_after"
if [ "$busy_before" -ge 20 ]; then
	echo
	echo "**The machine was busy when this run started ($busy_before % of the cores): with a core taken, OpenMP"
	echo "threads (PyTorch, scikit-learn) spin-wait and slow down far more than OpenBLAS's, so the"
	echo "ratios below overstate our lead. Rerun on an idle machine.**"
fi
echo
echo "| measurement | ours (s) | theirs (s) | theirs / ours | ours vs sgemm at layer shapes | notes |"
echo "|---|---:|---:|---:|---|---|"
echo "| pretrain epoch, n=$n (training pass) | $(fmt "$pre_train") | $(fmt "$(kv "$theirs_pre" seconds)") | $(ratio "$(kv "$theirs_pre" seconds)" "$pre_train") | $pre_share | theirs: torch, reconstruction only |"
echo "| **pretrain epoch as the CLI runs it**, n=$n | $(fmt "$cli_pre") | $(fmt "$(kv "$theirs_pre" seconds)") | $(ratio "$(kv "$theirs_pre" seconds)" "$cli_pre") | | ours: wall time of -p 3 minus -p 1, halved (picture, metrics, snapshots included) |"
echo "| **roy epoch as the CLI runs it**, n=$n | $(fmt "$cli_roy") | $(fmt "$(kv "$theirs_roy" seconds)") | $(ratio "$(kv "$theirs_roy" seconds)" "$cli_roy") | | ours: -p 0 -e 3 minus -e 1, halved; theirs: torch + sklearn KMeans n_init 10 |"
echo "| roy epoch, n=$n (train + encode + K-means) | $(fmt "$roy_total") | $(fmt "$(kv "$theirs_roy" seconds)") | $(ratio "$(kv "$theirs_roy" seconds)" "$roy_total") | | theirs: torch + sklearn KMeans n_init 10 |"
echo "| &nbsp;&nbsp;roy: training pass | $(fmt "$roy_train") | $(fmt "$(kv "$theirs_roy" train)") | $(ratio "$(kv "$theirs_roy" train)" "$roy_train") | $roy_share | clustering loss against fixed centroids |"
echo "| &nbsp;&nbsp;roy: encode all $n | $(fmt "$roy_encode") | $(fmt "$(kv "$theirs_roy" encode)") | $(ratio "$(kv "$theirs_roy" encode)" "$roy_encode") | | theirs: blocks of 10 000 under no_grad |"
echo "| &nbsp;&nbsp;roy: K-means, K 10, n_init 10 | $(fmt "$roy_kmeans") | $(fmt "$(kv "$theirs_roy" kmeans)") | $(ratio "$(kv "$theirs_roy" kmeans)" "$roy_kmeans") | | each on its own codes |"
echo "| K-means alone, $(kv "$ours_km" n) x $(kv "$ours_km" d) codes, K 10, n_init 10 | $(fmt3 "$(kv "$ours_km" seconds)") | $(fmt3 "$(kv "$theirs_km" seconds)") | $(ratio "$(kv "$theirs_km" seconds)" "$(kv "$ours_km" seconds)") | | same codes; $inertia_note; $km_iters |"
for s in $scaling; do
	echo "| scaling: pretrain epoch (training pass), n=$s | $(fmt "${scale_s[$s]}") | — | — | | $(awk -v t="${scale_s[$s]}" -v s="$s" 'BEGIN { if (t != "") printf "%.1f µs per sample", 1e6 * t / s }') |"
done
data_mib=$(awk -v n="$n" 'BEGIN { printf "%.0f", n * 784 * 4 / 1048576 }')
echo "| peak memory, CLI run n=$n (1 + 1 epochs, run folder) | $(awk -v k="$rss_kib" 'BEGIN { printf "%.0f MiB", k / 1024 }') | — | — | | float32 data $data_mib MiB: data + $(awk -v k="$rss_kib" -v d="$data_mib" 'BEGIN { printf "%.0f", k / 1024 - d }') MiB (target: + 300); $(fmt "$rss_s") s |"
if [ "$million" = 1 ]; then
	echo "| synthetic 1 000 000 x 100: K-means init + 1 roy epoch with re-init | $(fmt "$mil_s") | — | — | | peak memory $(awk -v k="$mil_kib" 'BEGIN { printf "%.0f MiB", k / 1024 }') (float32 data 381 MiB) |"
fi
echo "| dataset load, Fashion-MNIST 70k from gzip | $(fmt3 "$(kv "$ours_load" load)") | $(fmt3 "$theirs_load") | $(ratio "$theirs_load" "$(kv "$ours_load" load)") | | theirs: gzip + numpy frombuffer, /255 float32 |"
echo
echo "Ours' roy epoch is the engine's own timing (bench-epoch): training pass, encoding and K-means; the"
echo "per-epoch metrics, projection and snapshot that follow are not in it. Theirs' roy epoch trains"
echo "against centroids from K-means (n_init 1, untimed) on the codes after its pretraining epoch."
echo
echo "<details><summary>Raw output</summary>"
echo
echo '```'
for f in "$W"/*.txt; do
	echo "## $(basename "$f" .txt | cut -c4-)"
	cat "$f"
done
echo '```'
echo
echo "</details>"
