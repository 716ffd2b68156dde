#!/usr/bin/env bash
# Coverage-guided fuzzing of the readers of the person's files (src/fuzz.rs), with
# afl on the stable toolchain (cargo-afl: `cargo install cargo-afl`, which builds
# AFL++'s runtime itself).
#   tests/fuzz.sh TARGET SECONDS   one target
#   tests/fuzz.sh all SECONDS      each target in turn, SECONDS each
# Seeds: tests/fuzz/seeds/TARGET plus what is made here at run time (keys from
# ssh-keygen/openssl/puttygen/gpg — never committed —, the built-in policy, this
# machine's mountinfo, a small breach index, password stores made by sqlite3,
# certutil and openssl); dictionary: tests/fuzz/dict/TARGET.dict.
# Output under target/fuzz/TARGET (not committed). A crash or hang afl finds is
# listed at the end; copy it to tests/fuzz/regressions/TARGET/ and fix the reader.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

targets=(keys secrets history ssh-config shell-rc shell-record policy mountinfo screen-lock breach-index state
  credentials block-stack gpg-agent gnome-keyring app-stores)

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

# The file-based targets write each input, fsync included, and some a whole home
# or sysfs tree per input: in RAM (/dev/shm) they run a hundred times faster than
# on a disk. TMPDIR, when set, decides.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
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
    gpg-agent)
      # The agent's own files, as gpg makes them: one key without a passphrase,
      # one with, in a throw-away home.
      if command -v gpg >/dev/null; then
        local gnupg=$scratch/gnupg
        mkdir -m 700 -p "$gnupg"
        gpg --homedir "$gnupg" --batch --pinentry-mode loopback --passphrase '' \
          --quick-gen-key clear@fuzz.invalid ed25519 sign never 2>/dev/null
        gpg --homedir "$gnupg" --batch --pinentry-mode loopback --passphrase fuzzpass \
          --quick-gen-key guarded@fuzz.invalid rsa1024 sign never 2>/dev/null
        gpgconf --homedir "$gnupg" --kill gpg-agent 2>/dev/null || true
        local n=0
        for key in "$gnupg"/private-keys-v1.d/*.key; do
          cp "$key" "$dir/generated-$n.key"
          n=$((n + 1))
        done
        rm -rf -- "$gnupg"
      fi
      ;;
    app-stores)
      # The first byte picks the store (src/fuzz/stores.rs); the rest is the file.
      if command -v sqlite3 >/dev/null; then
        local db=$scratch/login-data
        sqlite3 "$db" "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
          INSERT INTO meta VALUES ('version', '40');
          CREATE TABLE logins (origin_url VARCHAR NOT NULL, username_value VARCHAR, password_value BLOB,
            signon_realm VARCHAR NOT NULL, date_created INTEGER NOT NULL, blacklisted_by_user INTEGER NOT NULL,
            scheme INTEGER NOT NULL, id INTEGER PRIMARY KEY AUTOINCREMENT);
          INSERT INTO logins VALUES ('https://a.example.org/', 'me', X'7631300102030405060708090a0b0c0d0e0f', 'https://a.example.org/', 0, 0, 0, NULL);
          INSERT INTO logins VALUES ('https://b.example.org/', 'me', X'763131ABABABABABABABABABABABABABAB', 'https://b.example.org/', 0, 0, 0, NULL);
          INSERT INTO logins VALUES ('https://c.example.org/', '', X'', 'https://c.example.org/', 0, 1, 0, NULL);"
        { printf c; cat "$db"; } >"$dir/generated-login-data"
        rm -f "$db"
        sqlite3 "$db" "CREATE TABLE moz_logins (id INTEGER PRIMARY KEY, hostname TEXT NOT NULL, encryptedPassword TEXT NOT NULL);
          INSERT INTO moz_logins VALUES (1, 'https://a.example.org', 'MDo=');"
        { printf s; cat "$db"; } >"$dir/generated-signons"
        rm -f "$db"
      fi
      if command -v certutil >/dev/null; then
        local nss=$scratch/nss
        mkdir -p "$nss"
        certutil -N -d "sql:$nss" --empty-password 2>/dev/null
        { printf k; cat "$nss/key4.db"; } >"$dir/generated-key4-empty"
        rm -rf -- "$nss" && mkdir -p "$nss"
        printf 'fuzzpass\n' >"$scratch/nss-password"
        certutil -N -d "sql:$nss" -f "$scratch/nss-password" 2>/dev/null
        { printf k; cat "$nss/key4.db"; } >"$dir/generated-key4-password"
        rm -rf -- "$nss" "$scratch/nss-password"
      fi
      if command -v openssl >/dev/null; then
        # DBeaver's credentials-config.json: an IV, then AES-128-CBC under its
        # built-in key.
        {
          printf d
          printf '\x0f\x0e\x0d\x0c\x0b\x0a\x09\x08\x07\x06\x05\x04\x03\x02\x01\x00'
          printf '{"postgres-jdbc-1":{"#connection":{"user":"me","password":"fuzz"}}}' |
            openssl enc -aes-128-cbc -K babb4a9f774ab853c96c2d653dfe544a -iv 0f0e0d0c0b0a09080706050403020100
        } >"$dir/generated-dbeaver"
      fi
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
