#!/usr/bin/env bash
# Benchmark: the default run (key-permissions) side by side with the closest peers on
# the same ~/.ssh — `find -perm /077` (the metadata walk, reading nothing) and
# `grep -rlI 'PRIVATE KEY'` (reading every file) — with hyperfine.
#
#   tests/bench/key-permissions.sh [FILES]   # FILES extra files in ~/.ssh/many (10000)
#
# Not a test: speed is compared, never asserted. Needs hyperfine and ssh-keygen
# (installed with apt-get when root and missing). Prints hyperfine's table.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=${1:-10000}
for tool in hyperfine ssh-keygen; do
  if ! command -v "$tool" >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "install $tool first" >&2; exit 2; }
    apt-get update -qq && apt-get install -y -qq hyperfine openssh-client >/dev/null
  fi
done
cargo build --release --quiet
bin=$PWD/target/release/csi-self-check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_home() { # $1 home, $2 extra files
  mkdir -p "$1/.ssh" && chmod 700 "$1/.ssh"
  (
    cd "$1/.ssh"
    ssh-keygen -q -t ed25519 -a 2 -N 'pass phrase' -f id_loose && chmod 644 id_loose
    ssh-keygen -q -t ed25519 -a 2 -N 'pass phrase' -f id_tight && chmod 400 id_tight
    ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f id_pem && chmod 600 id_pem
    mkfifo id_rsa
    ln -s /etc/shadow id_x
    truncate -s 10G huge
    printf 'Host *\n  IdentitiesOnly yes\n' > config
    cat id_*.pub > authorized_keys
    touch known_hosts
    if [ "$2" -gt 0 ]; then
      mkdir many
      for i in $(seq 1 "$2"); do head -c 300 /dev/urandom | base64 -w 76 > "many/f$i"; done
    fi
  )
}
make_home "$work/typical" 0
make_home "$work/big" "$files"

hyperfine -N --warmup 5 --runs 40 --ignore-failure --export-markdown "$work/table.md" \
  -n "csi-self-check (typical ~/.ssh)" "$bin --home $work/typical --format json" \
  -n "find -perm /077 (typical)" "find $work/typical/.ssh -type f -perm /077" \
  -n "grep -rlI (typical)" "grep -rlI 'PRIVATE KEY' $work/typical/.ssh" \
  -n "csi-self-check (+$files files)" "$bin --home $work/big --format json" \
  -n "find -perm /077 (+$files files)" "find $work/big/.ssh -type f -perm /077" \
  -n "grep -rlI (+$files files)" "grep -rlI 'PRIVATE KEY' $work/big/.ssh" >&2
cat "$work/table.md"
