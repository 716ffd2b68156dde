#!/usr/bin/env bash
# Benchmark: `csi-self-check breach import` on N random SHA-1 lines in the Pwned
# Passwords format (HEX:COUNT, CRLF, in no order), then lookups of the same queries
# (half present, half absent) in the index and by binary search over the sorted
# text: a plain in-process script (python3, seek and readline), and look(1) from
# bsdextrautils, one process per query. Warm (pages cached) and cold (the files'
# pages dropped with dd iflag=nocache, checked with fincore).
#
#   tests/bench/breach.sh [N]        # default 100000000
#
# Not a test: figures are printed, never asserted. Needs python3, GNU time, look
# (bsdextrautils) and fincore (util-linux); apt-get when root and missing. Uses
# about 160 bytes a line in $TMPDIR (text, sorted text, index, sorted runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100000000}
queries=100000
cold=10000
for pair in look:bsdextrautils /usr/bin/time:time fincore:util-linux python3:python3; do
  command -v "${pair%%:*}" >/dev/null && continue
  [ "$(id -u)" = 0 ] || { echo "install ${pair#*:} first" >&2; exit 2; }
  apt-get update -qq && apt-get install -y -qq "${pair#*:}" >/dev/null
done
cargo build --release --quiet
# Resolved once: a rebuild during the run would be timed too.
gen_bin=$(cargo bench --bench breach --no-run 2>&1 | grep -o 'target/release/deps/breach-[0-9a-f]*' | head -n 1)
bin=$PWD/target/release/csi-self-check
bench() { "$PWD/$gen_bin" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
drop() { for f in "$@"; do dd if="$f" iflag=nocache count=0 status=none; done; }
resident() { fincore --noheadings --output RES --bytes "$1" | tr -d ' '; }
seconds() { local s=$EPOCHREALTIME; "$@" >/dev/null; echo "$EPOCHREALTIME - $s" | bc; }

echo "generating $n lines and $queries queries ..." >&2
gen=$(seconds bench --generate "$n" "$work/pwned.txt" "$work/queries.txt" "$queries")
awk -v every=$((queries / cold)) 'NR % every == 0' "$work/queries.txt" > "$work/cold.txt"
text_bytes=$(stat -c %s "$work/pwned.txt")

echo "importing ..." >&2
/usr/bin/time -v "$bin" breach import "$work/pwned.txt" --output "$work/breach.idx" \
  > "$work/import.out" 2> "$work/import.time"
import_s=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i in t; i++) s = s * 60 + t[i]; print s}' "$work/import.time")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/import.time")
idx_bytes=$(stat -c %s "$work/breach.idx")

echo "looking up ..." >&2
bench --lookup "$work/breach.idx" "$work/queries.txt" >/dev/null
warm=$(bench --lookup "$work/breach.idx" "$work/queries.txt")
drop "$work/breach.idx"
idx_resident=$(resident "$work/breach.idx")
coldrun=$(bench --lookup "$work/breach.idx" "$work/cold.txt")

echo "sorting the text for look and the script ..." >&2
sort_s=$(seconds env LC_ALL=C sort -S 1G -T "$work" -o "$work/sorted.txt" "$work/pwned.txt")
rm "$work/pwned.txt"
cat > "$work/search.py" <<'PY'
import os, sys, time
path, queries = sys.argv[1], [l.strip().encode() for l in open(sys.argv[2])]
f = open(path, "rb", buffering=0)
size = os.fstat(f.fileno()).st_size
def find(key):
    lo, hi = 0, size  # invariant: the line for key, if any, starts in [lo, hi)
    while hi - lo > 256:
        mid = (lo + hi) // 2
        f.seek(mid); chunk = f.read(128)
        start = mid + chunk.index(b"\n") + 1
        f.seek(start); line = f.read(40)
        if line < key: lo = start
        else: hi = start
    f.seek(lo); block = f.read(hi - lo + 128)
    for line in block.split(b"\n"):
        if line[:40] == key: return True
    return False
t = time.perf_counter(); found = sum(find(q) for q in queries); s = time.perf_counter() - t
print(f"lookups {len(queries)} found {found} seconds {s:.3f} per_second {len(queries) / s:.0f}")
PY
python3 "$work/search.py" "$work/sorted.txt" "$work/queries.txt" >/dev/null
pywarm=$(python3 "$work/search.py" "$work/sorted.txt" "$work/queries.txt")
drop "$work/sorted.txt"
pycold=$(python3 "$work/search.py" "$work/sorted.txt" "$work/cold.txt")
head -n 1000 "$work/queries.txt" > "$work/look.txt"
look_s=$(seconds bash -c 'while read -r q; do look "$q" "$1" >/dev/null || true; done < "$2"' _ "$work/sorted.txt" "$work/look.txt")

rate() { awk '{for (i = 1; i < NF; i++) if ($i == "per_second") print $(i + 1)}' <<<"$1"; }
found() { awk '{for (i = 1; i < NF; i++) if ($i == "found") print $(i + 1)}' <<<"$1"; }
printf '\n%s lines (%s bytes of text), generated in %.0f s\n\n' "$n" "$text_bytes" "$gen"
printf '%-44s %s\n' "index size" "$idx_bytes bytes, $(echo "scale=2; $idx_bytes / $n" | bc) bytes a hash"
printf '%-44s %s\n' "import: time" "$(printf '%.1f' "$import_s") s"
printf '%-44s %s\n' "import: peak memory (max RSS)" "$((rss_kb / 1024)) MiB"
printf '%-44s %s\n' "sort -S 1G of the text (for look, script)" "$(printf '%.1f' "$sort_s") s"
printf '%-44s %s\n' "index, warm: lookups/s" "$(rate "$warm") ($(found "$warm") of $queries found)"
printf '%-44s %s\n' "index, cold: lookups/s" "$(rate "$coldrun") ($(found "$coldrun") of $cold found; $idx_resident bytes resident before)"
printf '%-44s %s\n' "sorted text, script, warm: lookups/s" "$(rate "$pywarm") ($(found "$pywarm") found)"
printf '%-44s %s\n' "sorted text, script, cold: lookups/s" "$(rate "$pycold") ($(found "$pycold") of $cold found)"
printf '%-44s %s\n' "sorted text, look(1), warm: lookups/s" "$(echo "scale=0; 1000 / $look_s" | bc) (one process per query)"
