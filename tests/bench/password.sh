#!/usr/bin/env bash
# Benchmark: `csi-self-check password --stdin`, the PAM helper `csi-self-check pam`,
# `pwscore` (libpwquality-tools) and `pwqcheck -1` (passwdqc) as whole processes on
# the same inputs, side by side in one hyperfine run, plus the in-process cost per
# check (`cargo bench --bench password`).
#
#   tests/bench/password.sh
#
# Not a test: speed is compared, never asserted. Installs hyperfine,
# libpwquality-tools (with cracklib's dictionary, without which pwscore fails at
# once) and passwdqc with apt-get when root and they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
for pair in hyperfine:hyperfine pwscore:libpwquality-tools pwqcheck:passwdqc \
  cracklib-check:cracklib-runtime; do
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
home=$work/home
mkdir "$home"
# Through the shell (hyperfine subtracts its cost), as Debian 12's hyperfine has no --input.
# The PAM helper judges as in the auth phase; it reads the system policy.
pam="env PAM_TYPE=auth PAM_USER=nobody $bin pam"
hyperfine --warmup 5 --runs 60 --ignore-failure --export-markdown "$work/table.md" \
  -n "pwscore, typical" "pwscore < $work/typical" \
  -n "pwqcheck -1, typical" "pwqcheck -1 < $work/typical" \
  -n "csi-self-check password, typical" "$bin --home $home password --stdin --format json < $work/typical" \
  -n "csi-self-check pam, typical" "$pam < $work/typical" \
  -n "pwscore, 510 punctuation" "pwscore < $work/punctuation" \
  -n "pwqcheck -1, 510 punctuation" "pwqcheck -1 < $work/punctuation" \
  -n "csi-self-check password, 510 punctuation" "$bin --home $home password --stdin --format json < $work/punctuation" \
  -n "csi-self-check pam, 510 punctuation" "$pam < $work/punctuation" \
  -n "pwscore, 512 repeats" "pwscore < $work/repeats" \
  -n "pwqcheck -1, 512 repeats" "pwqcheck -1 < $work/repeats" \
  -n "csi-self-check password, 512 repeats" "$bin --home $home password --stdin --format json < $work/repeats" \
  -n "csi-self-check pam, 512 repeats" "$pam < $work/repeats" >&2
cat "$work/table.md"
echo
cargo bench --quiet --bench password 2>/dev/null
