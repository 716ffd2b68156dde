#!/usr/bin/env bash
# Benchmark: `csi-self-check login` with a fresh cache (a full check) and with the
# cached summary, on a typical home and on a home with FILES files in ~/.ssh, side
# by side with `ls -la ~/.ssh` on the same homes, with hyperfine.
#
#   tests/bench/login.sh [FILES]          # FILES files in the big ~/.ssh (100000)
#
# login prints only to a terminal, so the benchmark runs on one: started without a
# terminal, the script runs itself again inside tmux and waits. Not a test: speed
# is compared, never asserted. Needs hyperfine, tmux and ssh-keygen (installed with
# apt-get when root and missing). Prints hyperfine's table.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=${1:-100000}
for tool in hyperfine tmux ssh-keygen; do
  if ! command -v "$tool" >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "install $tool first" >&2; exit 2; }
    apt-get update -qq && apt-get install -y -qq hyperfine tmux openssh-client >/dev/null
  fi
done
if [ -z "${CSI_BENCH_INNER:-}" ] && ! [ -t 0 ]; then
  out=$(mktemp)
  tmux -L csi-bench-login -f /dev/null new-session -d -x 200 -y 50 \
    "CSI_BENCH_INNER=1 $0 $files > $out 2>&1; tmux -L csi-bench-login wait-for -S done"
  tmux -L csi-bench-login wait-for done
  tmux -L csi-bench-login kill-server 2>/dev/null || true
  cat "$out" && rm -f "$out"
  exit 0
fi
cargo build --release --quiet
bin=$PWD/target/release/csi-self-check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_home() { # $1 home, $2 extra files in ~/.ssh
  mkdir -p "$1/.ssh" && chmod 700 "$1/.ssh"
  (
    cd "$1/.ssh"
    ssh-keygen -q -t ed25519 -a 2 -N 'pass phrase' -f id_loose && chmod 640 id_loose
    ssh-keygen -q -t ed25519 -a 2 -N 'pass phrase' -f id_work && chmod 400 id_work
    printf 'Host *\n  IdentitiesOnly yes\n' > config
    cat id_*.pub > authorized_keys
    touch known_hosts
    seq 1 "$2" | while read -r i; do printf 'not a key %s\n' "$i" > "f$i"; done
  )
  printf 'HISTCONTROL=ignoreboth\n' > "$1/.bashrc"
  printf 'ls\ncd /tmp\n' > "$1/.bash_history" && chmod 600 "$1/.bash_history"
}
make_home "$work/typical" 0
make_home "$work/big" "$files"

# The login's output goes to the terminal it tests for; ls's to /dev/null, its
# cheapest place. Each side pays for one `sh -c`, which hyperfine subtracts.
login() { echo "$bin --home $1 login </dev/tty 2>/dev/tty"; }
fresh() { echo "rm -f $1/.local/state/csi-self-check/login-summary.json"; }
"$bin" --home "$work/typical" login </dev/tty 2>/dev/null
"$bin" --home "$work/big" login </dev/tty 2>/dev/null
hyperfine --warmup 3 --runs 20 --export-markdown "$work/table.md" \
  -n "login, cached (typical)" "$(login "$work/typical")" \
  -n "ls -la ~/.ssh (typical)" "ls -la $work/typical/.ssh" \
  -n "login, cached (+$files files)" "$(login "$work/big")" \
  -n "ls -la ~/.ssh (+$files files)" "ls -la $work/big/.ssh" \
  >/dev/null 2>>"$work/hyperfine.log"
hyperfine --warmup 1 --runs 10 --export-markdown "$work/fresh.md" \
  --prepare "$(fresh "$work/typical")" -n "login, fresh (typical)" "$(login "$work/typical")" \
  --prepare "$(fresh "$work/big")" -n "login, fresh (+$files files)" "$(login "$work/big")" \
  >/dev/null 2>>"$work/hyperfine.log"
cat "$work/table.md" "$work/fresh.md"
echo
echo "What the uncached login on the big home printed:"
rm -f "$work/big/.local/state/csi-self-check/login-summary.json"
script -qec "$bin --home $work/big login" /dev/null | tr -d '\r' | cut -c1-120
