#!/usr/bin/env bash
# Benchmark: the history scan on a generated history of about 200 MB holding a known
# number of secrets, side by side with ripgrep (`rg -c`) and `grep -cE` on the same
# patterns (the scan's own expression, printed by `cargo bench --bench history --
# --pattern`). Then the scan
# alone, in process and pass by pass (`-- --scan`), on a synthetic zsh history of the
# same size: no start-up, no file reading, the first pass apart from the steady state.
#
#   tests/bench/history.sh [MEGABYTES]     # default 200
#
# The counts go to a file: with their output on /dev/null (hyperfine's default), GNU
# grep and ripgrep both stop at the first match.
#
# Not a test: speed is compared, never asserted. Needs python3, hyperfine and ripgrep
# (installed when run as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
megabytes=${1:-200}
for tool in hyperfine:hyperfine rg:ripgrep; do
  command -v "${tool%%:*}" >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq "${tool#*:}" >/dev/null; }
done
cargo build --release --quiet
pattern=$(cargo bench --quiet --bench history -- --pattern 2>/dev/null)
bin=$PWD/target/release/csi-self-check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home"
python3 - "$home/.bash_history" "$megabytes" <<'PY'
import random, sys
path, megabytes = sys.argv[1], int(sys.argv[2])
random.seed(11)
ordinary = ["ls -la", "cd ~/src/project", "git status", "git commit -m 'fix build'", "make -j4",
            "ssh -p 2222 build.example.org", "mysql -p", "curl -s https://example.org/api",
            "vim src/main.rs", "docker ps", "export PATH=$HOME/bin:$PATH", "grep -rn TODO src"]
secrets = ["sshpass -p 'S3cr3t!x{n}' ssh host{n}", "export DB_PASSWORD=hunter2{n}zz",
           "mysql -uroot -pW1ldcat{n}!", "curl -u alice:pw{n}xyz https://api.example.org",
           "git clone https://bob:tok{n}en@git.example.org/r.git"]
total, n, planted = megabytes << 20, 0, 0
with open(path, "w") as f:
    while f.tell() < total:
        n += 1
        if n % 1000 == 0:
            f.write(random.choice(secrets).format(n=n) + "\n"); planted += 1
        else:
            f.write(random.choice(ordinary) + "\n")
open(path + ".planted", "w").write(str(planted))
PY
planted=$(cat "$home/.bash_history.planted"); rm "$home/.bash_history.planted"
chmod 600 "$home/.bash_history"
size=$(du -m "$home/.bash_history" | cut -f1)
# The report shows at most 200 findings a check and counts the rest in one line.
found=$("$bin" --home "$home" --only history-secrets --format json | python3 -c '
import json, re, sys
findings = json.load(sys.stdin)["findings"]
shown = sum(1 for f in findings if f["code"] == "history-secret")
more = [int(re.match(r"(\d+) more", f["message"]).group(1)) for f in findings if f["code"] == "findings-left-out"]
print(f"{shown} and counts {more[0]} more" if more else shown)' || true)
printf '%s\n' "$pattern" > "$work/pattern"
grepped=$(LC_ALL=C grep -a -cE -f "$work/pattern" "$home/.bash_history" || true)
rged=$(rg -a -c -f "$work/pattern" "$home/.bash_history" || true)
echo "history: ${size} MB, ${planted} secrets planted; csi-self-check reports ${found}; rg -c counts ${rged} lines, grep -cE ${grepped}"
hyperfine --warmup 1 --runs ${RUNS:-5} --ignore-failure --export-markdown "$work/table.md" \
  -n "csi-self-check history scan" "$bin --home $home --only history-secrets --format json > /dev/null" \
  -n "rg -c (same patterns)" "rg -a -c -f $work/pattern $home/.bash_history > $work/count" \
  -n "grep -cE (same patterns, LC_ALL=C)" "LC_ALL=C grep -a -cE -f $work/pattern $home/.bash_history > $work/count" >&2
cat "$work/table.md"
cargo bench --quiet --bench history -- --scan "$megabytes"
