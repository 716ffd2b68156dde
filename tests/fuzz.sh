#!/usr/bin/env bash
# Coverage-guided fuzzing of the readers of the person's files (src/fuzz.rs), with
# afl on the stable toolchain (cargo-afl: `cargo install cargo-afl`, which builds
# AFL++'s runtime itself).
#   tests/fuzz.sh TARGET SECONDS   one target
#   tests/fuzz.sh all SECONDS      each target in turn, SECONDS each
# Seeds: tests/fuzz/seeds/TARGET plus what is made here at run time (keys from
# ssh-keygen/openssl/puttygen — never committed —, the built-in policy, this
# machine's mountinfo, a small breach index); dictionary: tests/fuzz/dict/TARGET.dict.
# Output under target/fuzz/TARGET (not committed). A crash or hang afl finds is
# listed at the end; copy it to tests/fuzz/regressions/TARGET/ and fix the reader.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

targets=(keys secrets history ssh-config shell-rc shell-record policy mountinfo screen-lock breach-index state)

usage() {
  echo "usage: tests/fuzz.sh TARGET|all SECONDS (targets: ${targets[*]})" >&2
  exit 2
}
[ $# = 2 ] || usage
[[ $2 =~ ^[0-9]+$ ]] || usage
seconds=$2
if [ "$1" = all ]; then
  chosen=("${targets[@]}")
else
  [[ " ${targets[*]} " == *" $1 "* ]] || usage
  chosen=("$1")
fi
if ! cargo afl --version >/dev/null 2>&1; then
  echo "tests/fuzz.sh: needs cargo-afl (cargo install cargo-afl)" >&2
  exit 2
fi

(cd tests/fuzz && cargo afl build --release --quiet)
fuzzer=$root/tests/fuzz/target/release/csi-self-check-fuzz
work=$root/target/fuzz
mkdir -p "$work"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/csi-fuzz.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT

# Seeds made at run time for the targets whose fixtures are made at test time.
generated_seeds() {
  local target=$1 dir=$2
  case $target in
    keys)
      ssh-keygen -q -t ed25519 -N '' -C fuzz -f "$dir/ed25519" </dev/null
      ssh-keygen -q -t ed25519 -N fuzzpass -a 2 -C fuzz -f "$dir/ed25519-enc" </dev/null
      ssh-keygen -q -t rsa -b 1024 -m PEM -N '' -f "$dir/rsa-pem" </dev/null
      ssh-keygen -q -t rsa -b 1024 -m PKCS8 -N fuzzpass -f "$dir/rsa-pkcs8-enc" </dev/null
      ssh-keygen -q -t ecdsa -m RFC4716 -N fuzzpass -f "$dir/ecdsa-ssh2" </dev/null || true
      rm -f "$dir"/*.pub
      if command -v openssl >/dev/null; then
        openssl genpkey -algorithm ed25519 -out "$dir/pkcs8.pem" 2>/dev/null
        openssl pkey -in "$dir/pkcs8.pem" -outform DER -out "$dir/pkcs8.der" 2>/dev/null
        openssl req -x509 -key "$dir/pkcs8.pem" -subj /CN=fuzz -days 1 -out "$dir/cert.pem" 2>/dev/null
        openssl pkcs12 -export -inkey "$dir/pkcs8.pem" -in "$dir/cert.pem" -passout pass:fuzz -out "$dir/key.p12" 2>/dev/null
        rm -f "$dir/cert.pem"
      fi
      if command -v puttygen >/dev/null; then
        HOME=/dev/null puttygen -q -t ed25519 -o "$dir/key.ppk" --new-passphrase /dev/null 2>/dev/null || true
      fi
      ;;
    policy) cp policy/default.toml "$dir/default.toml" ;;
    mountinfo) head -c 65536 /proc/self/mountinfo >"$dir/this-machine" ;;
    breach-index)
      local source=$scratch/pwned.txt
      printf '%s\r\n' 000000005AD76BD555C1D6D771DE417A4B87E4B4:10 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3730471 FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:1 >"$source"
      cargo build --quiet
      target/debug/csi-self-check breach import "$source" --output "$dir/small.idx" >/dev/null
      ;;
  esac
}

summary=()
for target in "${chosen[@]}"; do
  seeds=$work/seeds/$target
  rm -rf "$seeds" "$work/$target"
  mkdir -p "$seeds"
  cp tests/fuzz/seeds/"$target"/* "$seeds"/
  generated_seeds "$target" "$seeds"
  echo "tests/fuzz.sh: $target for $seconds s" >&2
  # -t: an input that takes over 1000 ms is a hang; AFL_NO_AFFINITY: the machine's
  # cores are shared; -V: stop after SECONDS.
  CSI_FUZZ_TARGET=$target CSI_FUZZ_SCRATCH=$scratch AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
    AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1 \
    cargo afl fuzz -i "$seeds" -o "$work/$target" -x "tests/fuzz/dict/$target.dict" \
    -t 1000 -V "$seconds" -- "$fuzzer" >"$work/$target.log" 2>&1 || {
    echo "tests/fuzz.sh: afl-fuzz failed for $target; see $work/$target.log" >&2
    tail -20 "$work/$target.log" >&2
    exit 1
  }
  stats=$work/$target/default/fuzzer_stats
  field() { sed -n "s/^$1 *: *//p" "$stats"; }
  line="$target: $(field run_time) s, $(field execs_done) executions, $(field corpus_count) paths, $(field edges_found) edges, $(field saved_crashes) crashes, $(field saved_hangs) hangs"
  summary+=("$line")
  for found in "$work/$target"/default/crashes/id:* "$work/$target"/default/hangs/id:*; do
    [ -e "$found" ] && summary+=("  found: $found")
  done
done
printf '%s\n' "${summary[@]}"
