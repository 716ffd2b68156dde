#!/usr/bin/env bash
# The Ansible test (issue 19): runs the shipped playbook for real, with ansible-core
# from Debian's packages and a local connection, against this machine. It installs
# the .deb given as $1 (built by tests/package.sh, which calls this), audits two
# throwaway accounts, fetches the host's JSON report to the controller and writes the
# fleet summary; a second run must change nothing; and afterwards an ordinary user's
# `password --stdin` must still read the system's breach index, which the playbook
# used to lock away by making /var/lib/csi-self-check 0700.
# Needs root; elsewhere it prints SKIPPED, and under CI=true a skip fails.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly pkg=csi-self-check
readonly deb=${1:?usage: tests/ansible.sh PACKAGE.deb}
readonly state_dir=/var/lib/$pkg cache_dir=/var/cache/$pkg
readonly users=(csiansible1 csiansible2)
started=$SECONDS

script=tests/ansible.sh
. tests/script-helpers.sh

[ "$(id -u)" = 0 ] || skip "needs root: the playbook installs the .deb and audits real accounts"
for tool in ansible-playbook jq useradd runuser ssh-keygen sha1sum; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (tests/run installs it as root)"
done
/usr/bin/python3 -c 'import apt' 2>/dev/null || skip "python3-apt, which Ansible's apt module needs, is not installed"
[ -f "$deb" ] || fail "no package at $deb"
# Never clobber a real installation or its data.
if status=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null) &&
  [ "$status" != not-installed ]; then
  fail "package $pkg is on this machine ($status); remove it (dpkg -P $pkg) to run this test"
fi
for dir in "$state_dir" "$cache_dir"; do
  [ ! -e "$dir" ] || fail "$dir exists; move it away to run this test"
done
for user in "${users[@]}"; do
  ! id "$user" >/dev/null 2>&1 || userdel -r -f "$user" >/dev/null 2>&1 || :
done

work=$(mktemp -d)
cleanup() {
  dpkg -P "$pkg" >/dev/null 2>&1 || :
  rm -rf "$state_dir" "$cache_dir" "$work"
  for user in "${users[@]}"; do userdel -r -f "$user" >/dev/null 2>&1 || :; done
}
trap cleanup EXIT

# ---- the machine as the old playbook left it ---------------------------------------
# Two accounts: one with an unencrypted key its group may read (not compliant), one
# clean, who also plays the ordinary user at the end.
for user in "${users[@]}"; do useradd -m -s /bin/bash "$user"; done
home1=$(getent passwd csiansible1 | cut -d: -f6)
runuser -u csiansible1 -- sh -c "umask 077 && mkdir $home1/.ssh &&
  ssh-keygen -q -t ed25519 -N '' -C test -f $home1/.ssh/id_ed25519 && chmod 0640 $home1/.ssh/id_ed25519"
# The system's breach index, in the directory as the old playbook made it: 0700.
breached='Breached-Lantern-41!'
mkdir -m 0700 "$state_dir"
dpkg-deb -x "$deb" "$work/unpacked"
printf '%s:42\r\n' "$(printf '%s' "$breached" | sha1sum | cut -d' ' -f1 | tr a-f A-F)" >"$work/pwned.txt"
"$work/unpacked/usr/bin/$pkg" breach import "$work/pwned.txt" --output "$state_dir/breach.idx" >/dev/null
expect_eq "the old directory's mode" 700 "$(stat -c %a "$state_dir")"

# ---- the playbook, twice -----------------------------------------------------------
cat >"$work/inventory" <<'EOF'
[fleet]
localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3
EOF
mkdir "$work/home" "$work/tmp"
# An empty configuration of its own: no ansible.cfg of this machine applies.
: >"$work/ansible.cfg"
playbook() {
  # Its own HOME and temporary directories: nothing of root's real home is touched.
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work/home" LANG=C.UTF-8 \
    ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_REMOTE_TEMP="$work/tmp" \
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_CONFIG="$work/ansible.cfg" \
    ansible-playbook -i "$work/inventory" src/dist/ansible/$pkg-audit.yml \
    -e "csi_deb=$deb" -e "csi_dest=$work/csi-audit" \
    -e '{"csi_users": ["csiansible1", "csiansible2"]}'
}
# The play recap's line for localhost, as "ok=N changed=N unreachable=N failed=N".
recap() {
  sed -n 's/^localhost *: \(ok=[0-9]*\) *\(changed=[0-9]*\) *\(unreachable=[0-9]*\) *\(failed=[0-9]*\).*/\1 \2 \3 \4/p' "$1"
}
say "running the playbook (installs the .deb, audits, fetches, summarises)"
playbook >"$work/first.log" 2>&1 || {
  cat "$work/first.log" >&2
  fail "the first run of the playbook failed"
}
first=$(recap "$work/first.log")
case $first in
*" changed=0 "*) fail "the first run changed nothing: $first" ;;
*" unreachable=0 failed=0") ;;
*) cat "$work/first.log" >&2 && fail "the first run: $first" ;;
esac
expect_eq "the package after the playbook" installed "$(dpkg-query -W -f '${db:Status-Status}' "$pkg")"
expect_eq "the state directory" "755 root:root" "$(stat -c '%a %U:%G' "$state_dir")"
expect_eq "the result directory" "700 root:root" "$(stat -c '%a %U:%G' "$state_dir/audit")"

report=$work/csi-audit/localhost.json
[ -f "$report" ] || fail "the playbook fetched no report to $report"
expect_eq "the verdicts in the fetched report" "csiansible1 not-compliant,csiansible2 compliant" \
  "$(jq -r '[.users[] | "\(.user) \(.verdict)"] | join(",")' "$report")"
summary=$work/csi-audit/summary.json
expect_eq "the summary's hosts not compliant" '["localhost"]' "$(jq -c .hosts_not_compliant "$summary")"
expect_eq "the summary's accounts not compliant" \
  '[{"host":"localhost","user":"csiansible1","verdict":"not-compliant"}]' \
  "$(jq -c '[.accounts_not_compliant[] | {host, user, verdict}]' "$summary")"
jq -e '.accounts_not_compliant[0].code | startswith("private-key-") or . == "key-unencrypted"' \
  "$summary" >/dev/null || fail "the summary names no problem: $(cat "$summary")"
for document in "$report" "$summary"; do
  tests/schema/validate "$document" || fail "$document does not follow its JSON Schema"
done

say "running the playbook again: it must change nothing"
summary_before=$(cat "$summary")
playbook >"$work/second.log" 2>&1 || {
  cat "$work/second.log" >&2
  fail "the second run of the playbook failed"
}
second=$(recap "$work/second.log")
case $second in
*" changed=0 unreachable=0 failed=0") ;;
*) cat "$work/second.log" >&2 && fail "the second run changed something: $second" ;;
esac
expect_eq "the summary after the second run" "$summary_before" "$(cat "$summary")"

# ---- an ordinary user afterwards ---------------------------------------------------
home2=$(getent passwd csiansible2 | cut -d: -f6)
as_user() {
  runuser -u csiansible2 -- env -i PATH=/usr/bin:/bin HOME="$home2" LANG=C.UTF-8 "$@"
}
set +e
out=$(printf 'Quiet-Lantern-Orbit-77' | as_user /usr/bin/$pkg password --stdin 2>&1)
status=$?
set -e
expect_eq "an ordinary user's password --stdin of a strong password ($out)" 0 "$status"
set +e
out=$(printf '%s' "$breached" | as_user /usr/bin/$pkg password --stdin 2>&1)
status=$?
set -e
expect_eq "an ordinary user's password --stdin of a breached password ($out)" 1 "$status"
grep -q "breach" <<<"$out" || fail "the breached password was not found in the system's index: $out"

echo "tests/ansible.sh: the playbook installs, audits, fetches and summarises, idempotently ($((SECONDS - started)) s)"
