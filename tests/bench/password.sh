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
# The PAM helper judges as in the auth phase; it reads the system policy. The
# variables are the shell's assignments, not `env`, whose own exec would be timed.
pam="PAM_TYPE=auth PAM_USER=nobody $bin pam"
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
# hyperfine subtracts a shell's start, which is as long as these runs and varies
# as much: the same typical password again, each command started directly, 400
# times in turn, less the median start of /bin/true.
python3 - "$bin" "$home" "$work/typical" <<'EOF'
import os, statistics, subprocess, sys, time
bin, home, typical = sys.argv[1:4]
commands = {
    "/bin/true": ["/bin/true"],
    "pwscore": ["pwscore"],
    "pwqcheck -1": ["pwqcheck", "-1"],
    "csi-self-check password": [bin, "--home", home, "password", "--stdin", "--format", "json"],
    "csi-self-check pam": [bin, "pam"],
}
env = dict(os.environ, PAM_TYPE="auth", PAM_USER="nobody")
times = {name: [] for name in commands}
for _ in range(400):
    for name, argv in commands.items():
        with open(typical, "rb") as stdin:
            start = time.perf_counter()
            subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env)
            times[name].append(time.perf_counter() - start)
start_cost = statistics.median(times.pop("/bin/true"))
net = {name: statistics.median(t) - start_cost for name, t in times.items()}
print("| typical password, less a process start | median [ms] | × pwscore |")
print("|:---|---:|---:|")
for name, seconds in net.items():
    print(f"| `{name}` | {seconds * 1000:.2f} | {seconds / net['pwscore']:.2f} |")
EOF
echo
cargo bench --quiet --bench password 2>/dev/null
