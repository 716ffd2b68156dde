#!/usr/bin/env bash
# Benchmark: `csi-self-check --deep` on a generated home of 100,000 files with a few
# private keys hidden in it, side by side with `find HOME -type f -size -65k` (the
# same metadata walk, reading nothing) and `grep -rlI 'PRIVATE KEY' HOME`, warm and
# with the files' pages evicted (vmtouch -e; this container may not drop the kernel's
# caches, so directory metadata stays cached). Checks that every key grep finds is
# found too, and the binary ones grep cannot.
#
#   tests/bench/deep.sh [FILES]        # default 100000
#   DEEP_BENCH_DIR=DIR tests/bench/deep.sh   # keep the generated home in DIR and
#                                            # reuse it on the next run
#
# Not a test: speed is compared, never asserted. Needs python3, hyperfine, vmtouch,
# ssh-keygen and openssl (apt-get when root and missing). Uses about 2 GB in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=${1:-100000}
for pair in hyperfine:hyperfine vmtouch:vmtouch ssh-keygen:openssh-client openssl:openssl; do
  command -v "${pair%%:*}" >/dev/null && continue
  [ "$(id -u)" = 0 ] || { echo "install ${pair#*:} first" >&2; exit 2; }
  apt-get update -qq && apt-get install -y -qq "${pair#*:}" >/dev/null
done
cargo build --release --quiet
bin=$PWD/target/release/csi-self-check
if [ -n "${DEEP_BENCH_DIR:-}" ]; then
  work=$DEEP_BENCH_DIR && mkdir -p "$work"
else
  work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
fi
home=$work/home
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
if [ ! -e "$work/generated-$files" ]; then
rm -rf "$home"
python3 - "$home" "$files" <<'PY'
import os, random, sys
home, total = sys.argv[1], int(sys.argv[2])
random.seed(7)
words = ("alpha beta gamma delta server config deploy notes meeting report build test "
         "function return value struct impl module import class def print error").split()
def text(size):
    out, n = [], 0
    while n < size:
        line = " ".join(random.choice(words) for _ in range(random.randint(4, 12))) + "\n"
        out.append(line); n += len(line)
    return "".join(out).encode()
def put(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f: f.write(data)
plan = [  # (share of files, where, maker)
    (0.45, "projects/p{a}/src/m{b}", lambda: text(random.randint(200, 20000))),
    (0.15, "projects/p{a}/.git/objects/{b:02x}", lambda: os.urandom(random.randint(100, 3000))),
    (0.15, "Documents/d{a}/{b}", lambda: text(random.randint(500, 30000))),
    (0.05, "Pictures/album{a}", lambda: os.urandom(random.randint(70000, 300000))),
    (0.20, ".cache/app{a}/{b:02x}", lambda: os.urandom(random.randint(50, 8000))),
]
n = 0
for share, pattern, make in plan:
    count = int(total * share)
    for i in range(count):
        d = pattern.format(a=i % 97, b=(i // 97) % 40)
        put(os.path.join(home, d, f"f{i}"), make()); n += 1
print(f"generated {n} files", file=sys.stderr)
PY
mkdir -p "$home/Downloads" "$home/projects/p3/deploy" "$home/projects/p7/certs"
ssh-keygen -q -t ed25519 -N '' -f "$home/projects/p3/deploy/id_deploy"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$home/Downloads/server.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -outform DER -out "$home/projects/p7/certs/key.der" 2>/dev/null
{ echo "server notes"; ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f "$work/k" && cat "$work/k"; } > "$home/Documents/d5/servers.txt"
touch "$work/generated-$files"
fi
echo "files: $(find "$home" -type f | wc -l)" >&2

deep="$bin --home $home --deep --only key-encryption --format json"
# Which keys each finds.
grep -rlI 'PRIVATE KEY' "$home" | sort > "$work/grep.txt" || true
$deep | python3 -c 'import json,sys; [print(f["path"]) for f in json.load(sys.stdin)["findings"]]' | sort > "$work/ours.txt" || true
echo "grep finds: $(wc -l < "$work/grep.txt"); csi-self-check --deep finds: $(wc -l < "$work/ours.txt")"
missing=$(comm -23 "$work/grep.txt" "$work/ours.txt")
[ -z "$missing" ] && echo "every key grep finds is found" || echo "MISSED: $missing"
echo "found beyond grep: $(comm -13 "$work/grep.txt" "$work/ours.txt" | tr '\n' ' ')"

run() { # $1 name suffix, $2 prepare
  hyperfine --warmup 1 --runs ${RUNS:-5} --ignore-failure ${2:+--prepare "$2"} \
    --export-markdown "$work/$1.md" --export-json "$work/$1.json" \
    -n "csi-self-check --deep ($1)" "$deep > /dev/null" \
    -n "find -type f -size -65k ($1)" "find $home -type f -size -65k > /dev/null" \
    -n "grep -rlI 'PRIVATE KEY' ($1)" "grep -rlI 'PRIVATE KEY' $home > /dev/null" >&2
  cat "$work/$1.md"
  # Medians, and the processor time (user + system, mean), which a machine shared
  # with other work disturbs less than the wall clock.
  python3 - "$work/$1.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
ours, find, grep = runs
print("| command | median | processor time |\n|:---|---:|---:|")
for r in runs:
    print(f"| {r['command']} | {r['median']:.3f} s | {r['user'] + r['system']:.3f} s |")
print(f"median: --deep is {ours['median'] / find['median']:.2f}x find, "
      f"{grep['median'] / ours['median']:.2f}x faster than grep; processor time: "
      f"{(ours['user'] + ours['system']) / (find['user'] + find['system']):.2f}x find, "
      f"{(grep['user'] + grep['system']) / (ours['user'] + ours['system']):.2f}x less than grep")
PY
}
# Warm: every page of the home in the cache, whatever ran before.
vmtouch -qt "$home"
run warm ""
run evicted "vmtouch -qe $home"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
