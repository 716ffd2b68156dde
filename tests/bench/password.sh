#!/usr/bin/env bash
# Benchmark: `csi-self-check password --stdin` and `pwscore` (libpwquality-tools) as
# whole processes on the same inputs, side by side with hyperfine, plus the
# in-process cost per check (`cargo bench --bench password`).
#
#   tests/bench/password.sh
#
# Not a test: speed is compared, never asserted. Installs hyperfine and
# libpwquality-tools with apt-get when root and they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
for pair in hyperfine:hyperfine pwscore:libpwquality-tools; do
  command -v "${pair%%:*}" >/dev/null && continue
  [ "$(id -u)" = 0 ] || { echo "install ${pair#*:} first" >&2; exit 2; }
  apt-get update -qq && apt-get install -y -qq "${pair#*:}" >/dev/null
done
cargo build --release --quiet
bin=$PWD/target/release/csi-self-check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'Kettle-Blue-42!\n' > "$work/typical"
printf '%s\n' "$(printf '!@#$%%^&*()%.0s' $(seq 51))" > "$work/punctuation"
printf '%s\n' "$(printf 'aA1!%.0s' $(seq 128))" > "$work/repeats"
# Through the shell (hyperfine subtracts its cost), as Debian 12's hyperfine has no --input.
hyperfine --warmup 5 --runs 60 --ignore-failure --export-markdown "$work/table.md" \
  -n "pwscore, typical" "pwscore < $work/typical" \
  -n "csi-self-check, typical" "$bin password --stdin --format json < $work/typical" \
  -n "pwscore, 510 punctuation" "pwscore < $work/punctuation" \
  -n "csi-self-check, 510 punctuation" "$bin password --stdin --format json < $work/punctuation" \
  -n "pwscore, 512 repeats" "pwscore < $work/repeats" \
  -n "csi-self-check, 512 repeats" "$bin password --stdin --format json < $work/repeats" >&2
cat "$work/table.md"
echo
cargo bench --quiet --bench password 2>/dev/null
