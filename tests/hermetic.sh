#!/usr/bin/env bash
# Proves the integration tests hermetic: runs `cargo test --test integration` as root in
# a private mount namespace where root's home is a planted one, full of the state a
# real account could have — remembered fingerprints, reminders shown, a cached login
# summary, a backup record, a user breach index that lists the tests' "strong"
# passwords, and a loose unencrypted key in ~/.ssh. A test that reads the real home
# sees them and fails; afterwards the planted home must be exactly as planted, so a
# test that writes there fails the script too.
#
# Nobody else on the machine sees any of it: the bind mounts live in the namespace
# only, and the planted home is a fresh directory under /tmp, removed at the end.
# ~/.cargo and ~/.rustup are bound into the planted home so that cargo still works.
#
#   tests/hermetic.sh                  # the whole integration suite
#   tests/hermetic.sh password::       # arguments go to cargo test, after --test integration
set -euo pipefail
cd "$(dirname "$0")/.."

script=tests/hermetic.sh
. tests/script-helpers.sh

[ "$(id -u)" = 0 ] || skip "needs root: the tests that need root must run, and unshare --mount does"
for tool in unshare mount mountpoint ssh-keygen sha1sum getent; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
unshare --mount --propagation private true 2>/dev/null || skip "unshare --mount is not allowed here"

real_home=$(getent passwd 0 | cut -d: -f6)
[ -d "$real_home" ] || fail "root's home $real_home does not exist"
# What the namespace keeps of the real home: the toolchain, and nothing else.
keep=()
for dir in .cargo .rustup; do
  [ -d "$real_home/$dir" ] && keep+=("$dir")
done

planted=$(mktemp -d /tmp/planted-root.XXXXXX)
cleanup() {
  # The toolchain binds exist only inside the namespace, which is gone by now; never
  # remove through one that is somehow visible here.
  local dir
  for dir in "${keep[@]}"; do
    if mountpoint -q "$planted/$dir"; then
      say "$planted/$dir is a mount point here; not removing $planted"
      return
    fi
  done
  rm -rf --one-file-system "$planted"
  rm -f "$planted.bus-log"
}
trap cleanup EXIT
chmod 0700 "$planted"

say "building the binary (for the planted breach index)"
cargo build --locked --quiet --bin csi-self-check
bin=$(realpath "${CARGO_TARGET_DIR:-target}/debug/csi-self-check")

say "planting a used home in $planted"
state=$planted/.local/state/csi-self-check
mkdir -p -m 0700 "$planted/.local" "$planted/.local/state" "$state" \
  "$planted/.local/share" "$planted/.local/share/csi-self-check" "$planted/.ssh"
b64() { head -c 32 /dev/urandom | base64 -w0; }
now=$(date +%s)
umask 077
# `password --remember bank` once: any later password check of this account compares.
cat >"$state/fingerprints.json" <<EOF
{"key_id": "$(b64)", "fingerprints": [{"label": "bank", "kind": "password", "remembered": "2026-01-01", "mac": "$(b64)"}]}
EOF
# Every reminder shown a moment ago: a run on this account would show none.
{
  printf '{"last_shown": {'
  sep=
  for item in password-dissemination host-authentication software-installation \
    relocate-information-offsite stolen-missing-equipment password-sharing role-accounts \
    data-access-passwords self-access incident-reporting; do
    printf '%s"%s": %s' "$sep" "$item" "$now"
    sep=', '
  done
  printf '}}\n'
} >"$state/reminders.json"
# A fresh login summary: a login on this account prints this line, whatever the home holds.
cat >"$state/login-summary.json" <<EOF
{"written_at": $now, "failures": ["csi-self-check: FAIL PLANTED-LOGIN-SUMMARY in the real home"], "failure_count": 1}
EOF
cat >"$state/backup.json" <<EOF
{"confirmed_at": $now, "keys": ["SHA256:planted"], "revocations": []}
EOF
# A loose key without a passphrase.
ssh-keygen -q -t ed25519 -N '' -C planted -f "$planted/.ssh/id_ed25519"
chmod 0644 "$planted/.ssh/id_ed25519"
# The user breach index, listing the passwords the tests expect to pass.
download=$(mktemp)
for password in 'vX9#qL2!mR7$kT4@' 'Correct-Horse-Battery-9!' 'Tr0ub4dor&3-Elephant-Wing' \
  'Kettle-Blue-42!'; do
  printf '%s:%s\r\n' "$(printf %s "$password" | sha1sum | cut -c1-40 | tr a-f A-F)" 99
done >"$download"
"$bin" breach import "$download" --output "$planted/.local/share/csi-self-check/breach.idx" >/dev/null
rm -f "$download"
umask 022
for dir in "${keep[@]}"; do
  mkdir -m 0700 "$planted/$dir"
done

# COMMAND… in a private mount namespace where the planted home is root's home.
in_namespace() {
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare --mount --propagation private bash -c '
    set -e
    planted=$1 real_home=$2
    shift 2
    for dir in .cargo .rustup; do
      if [ -d "$planted/$dir" ]; then mount --bind "$real_home/$dir" "$planted/$dir"; fi
    done
    mount --rbind "$planted" "$real_home"
    exec "$@"
  ' in-namespace "$planted" "$real_home" "$@"
}

# The plant works: the binary run on the account itself — what no test may do — sees
# the loose key, the fingerprints, the breach index and the login summary.
say "checking that the binary sees the planted home"
# shellcheck disable=SC2016 # expanded by the inner shell
in_namespace bash -c '
  bin=$1 home=$2
  seen() { case $2 in *"$3"*) ;; *) echo "tests/hermetic.sh: FAILED: $1 does not show $3: $2" >&2; exit 1 ;; esac; }
  seen "a check of the account" "$("$bin" --format json --only key-security || :)" "$home/.ssh/id_ed25519"
  out=$(printf %s "vX9#qL2!mR7\$kT4@" | "$bin" --format json password --stdin || :)
  seen "a password check" "$out" password-breached
  seen "a password check" "$out" reuse-not-checked
  if command -v script >/dev/null; then
    seen "a login" "$(env -i PATH=/usr/bin:/bin TERM=dumb script -q -e -c "$bin login" /dev/null 2>&1 || :)" PLANTED-LOGIN-SUMMARY
  fi
' self-check "$bin" "$real_home"

# Every file of the planted home with its mode, owner and content, toolchain aside.
snapshot() {
  (cd "$planted" && find . \( -path ./.cargo -o -path ./.rustup \) -prune -o -printf '%p %M %u\n' |
    LC_ALL=C sort && find . \( -path ./.cargo -o -path ./.rustup \) -prune -o -type f -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum)
}
before=$(snapshot)

# The account's session bus, as a desktop login has it, is a trap: a socket at
# /run/user/UID/bus (a tmpfs over /run/user, in the namespace only) that notes every
# connection, named by DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR in the tests'
# environment. Nothing may connect: that would be the real keyring or desktop.
bus_log=$planted.bus-log
: >"$bus_log"
# shellcheck disable=SC2016 # expanded by the inner shell
trap_bus='
  if [ -d /run/user ] && command -v python3 >/dev/null; then
    mount -t tmpfs -o mode=0755 tmpfs /run/user
    runtime=/run/user/$(id -u)
    mkdir -m 0700 "$runtime"
    python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(64)
while True:
    c, _ = s.accept()
    with open(sys.argv[2], \"a\") as log:
        log.write(\"a connection to the session bus\\n\")
    c.close()
" "$runtime/bus" "$BUS_LOG" &
    bus_pid=$!
    while [ ! -S "$runtime/bus" ]; do sleep 0.05; done
    export DBUS_SESSION_BUS_ADDRESS=unix:path=$runtime/bus XDG_RUNTIME_DIR=$runtime
  else
    echo "tests/hermetic.sh: no /run/user or python3: the session bus is not watched" >&2
  fi
'

say "running cargo test --test integration $* with $real_home planted"
set +e
# shellcheck disable=SC2016 # expanded by the inner shell
BUS_LOG=$bus_log in_namespace bash -c "$trap_bus"'
  cargo test --locked --test integration "$@"
  status=$?
  if [ -n "${bus_pid:-}" ]; then kill "$bus_pid"; fi
  exit $status
' cargo-test "$@"
status=$?
set -e

failed=()
[ "$status" = 0 ] || failed+=("cargo test exited $status with a planted home")
after=$(snapshot)
if [ "$before" != "$after" ]; then
  diff <(echo "$before") <(echo "$after") >&2 || :
  failed+=("the tests changed the planted home (- planted, + after the tests)")
fi
if [ -s "$bus_log" ]; then
  failed+=("the tests reached the account's session bus: $(wc -l <"$bus_log") connection(s)")
fi
if ((${#failed[@]})); then
  for why in "${failed[@]}"; do say "FAILED: $why"; done
  exit 1
fi
say "the integration tests pass with a planted home, and left it as planted"
