#!/usr/bin/env bash
# run-campaign.sh: builds the parser harnesses with clang -fsanitize=fuzzer,address,undefined
# and runs a libFuzzer campaign on one of them, at the lowest CPU priority.
#
#   tests/fuzz/run-campaign.sh HARNESS SECONDS [libFuzzer options...]
#   tests/fuzz/run-campaign.sh --merge HARNESS   # minimise the campaign corpus into the seeds
#
# HARNESS is csv, npy, idx, config or model. The campaign's corpus grows in
# build-fuzz/campaign/HARNESS (starting from tests/fuzz/corpus/HARNESS), crashers land in
# build-fuzz/campaign/HARNESS-artifacts/, and the last lines of libFuzzer's log (executions,
# cov:, ft:, corpus size) go to build-fuzz/campaign/HARNESS.log for tests/fuzz/CAMPAIGNS.md.
# A crasher, once fixed, belongs in tests/fuzz/corpus/HARNESS so the fuzz suite replays it.
#
# Copyright 2026 The Clusterscope authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
cd "$(dirname "$0")/../.."

merge=0
if [ "${1:-}" = "--merge" ]; then
  merge=1
  shift
fi
name="${1:?usage: $0 [--merge] HARNESS [SECONDS [libFuzzer options...]]}"
seconds="${2:-600}"
shift $(( $# >= 2 ? 2 : 1 ))
if [ ! -f "tests/fuzz/fuzz-$name.c" ]; then
  echo "no harness tests/fuzz/fuzz-$name.c" >&2
  exit 2
fi

dir=build-fuzz
lock=/tmp/cs-build.lock
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang flock "$lock" meson setup "$dir" -Dgui=false -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Dc_args=-fsanitize=fuzzer-no-link
fi
flock "$lock" meson compile -C "$dir" "tests/fuzz/fuzz-$name"

seeds="tests/fuzz/corpus/$name"
work="$dir/campaign/$name"
artifacts="$dir/campaign/$name-artifacts/"
mkdir -p "$work" "$artifacts"

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

if [ "$merge" = 1 ]; then
  # Keeps the seeds and adds the campaign inputs that reach new coverage.
  exec "$dir/tests/fuzz/fuzz-$name" -merge=1 "$seeds" "$work"
fi

# -rss_limit_mb and -malloc_limit_mb turn a huge allocation from a forged size into a finding
# instead of an out-of-memory machine; -timeout catches inputs that make a parser spin.
nice -n 19 "$dir/tests/fuzz/fuzz-$name" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -max_len=16384 -print_final_stats=1 -artifact_prefix="$artifacts" "$@" \
  "$work" "$seeds" 2>&1 | tee "$dir/campaign/$name.full.log" | grep -E '^#[0-9]+' | tail -3 \
  > "$dir/campaign/$name.log" || true
grep -E '^(stat::|#[0-9]+ +DONE)' "$dir/campaign/$name.full.log" >> "$dir/campaign/$name.log" || true
cat "$dir/campaign/$name.log"
ls "$artifacts"
