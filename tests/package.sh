#!/usr/bin/env bash
# The packaging test (issue 9): builds the .deb and the RPM from this checkout, installs
# the .deb with dpkg, checks that everything works from its installed place, reinstalls,
# removes and purges it, and holds both packages to Cargo.toml's list of assets.
# Run by tests/run as root; elsewhere it prints SKIPPED, and under CI=true a skip fails.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly pkg=csi-self-check
# Pinned so that CI builds the same .deb every time; installed once into ~/.cargo/bin.
readonly cargo_deb_version=3.8.0
started=$SECONDS

script=tests/package.sh
. tests/script-helpers.sh
# expect_same_lines WHAT FILE_EXPECTED FILE_ACTUAL
expect_same_lines() {
  diff -u "$2" "$3" >&2 || fail "$1 differ (- expected, + actual)"
}

[ "$(id -u)" = 0 ] || skip "needs root: it installs and removes the .deb with dpkg"
for tool in dpkg dpkg-deb rpmbuild rpm jq man zsh fish ssh-keygen systemd-analyze \
  desktop-file-validate unshare; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (tests/run installs it as root)"
done
unshare --mount --propagation private true 2>/dev/null || skip "unshare --mount is not allowed here"
[ -e /usr/share/bash-completion/bash_completion ] ||
  skip "bash-completion is not installed (tests/run installs it as root)"
# Never clobber a real installation: this test installs and purges its own.
if status=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null) &&
  [ "$status" != not-installed ]; then
  fail "package $pkg is on this machine already ($status); remove it (dpkg -P $pkg) to run this test"
fi
[ ! -e /usr/bin/$pkg ] || fail "/usr/bin/$pkg exists but no package owns it; move it away to run this test"

work=$(mktemp -d)
# Nothing here may read or write the home, keyring or desktop of the account running the
# test. The installed binary runs in an environment of the test's own: HOME an empty
# directory, the runtime directory empty, the session bus a socket nobody listens on;
# and it always gets --home, or a home it cannot reach (the profile.d hook's run below).
mkdir -m 0755 "$work/env-home"
mkdir -m 0700 "$work/run"
sandboxed() {
  env -i PATH=/usr/bin:/bin HOME="$work/env-home" XDG_RUNTIME_DIR="$work/run" \
    DBUS_SESSION_BUS_ADDRESS="unix:path=$work/run/no-bus" "$@"
}
# rpm keeps its database in ~/.rpmdb on Debian and reads ~/.rpmmacros: it gets a home of
# its own; cargo, which rpmbuild runs, keeps the toolchain of the account.
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
mkdir -m 0700 "$work/rpm-home"
installed=false
cleanup() {
  if $installed; then dpkg -P "$pkg" >/dev/null 2>&1 || :; fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- build ------------------------------------------------------------------------
if [ "$(cargo deb --version 2>/dev/null || :)" != "cargo-deb $cargo_deb_version" ]; then
  say "installing cargo-deb $cargo_deb_version from crates.io (once; about 2 minutes on 2 cores)"
  cargo install --locked --quiet cargo-deb --version "$cargo_deb_version"
fi
say "building the .deb (cargo deb: a release build)"
cargo deb --locked --quiet --output "$work/$pkg.deb" >/dev/null
deb=$work/$pkg.deb
say "building the RPM (rpmbuild, in place: reuses the release build)"
# --nodeps: the BuildRequires name Fedora's cargo and rust, which Debian's rpm database
# does not hold; the cargo on PATH builds it.
HOME=$work/rpm-home rpmbuild -bb --nodeps --build-in-place --quiet --define "_topdir $work/rpmbuild" \
  src/dist/rpm/$pkg.spec >"$work/rpmbuild.log" 2>&1 || {
  cat "$work/rpmbuild.log" >&2
  fail "rpmbuild failed"
}
rpm_file=$(find "$work/rpmbuild/RPMS" -name "$pkg-*.rpm")
[ -f "$rpm_file" ] || fail "rpmbuild made no $pkg RPM"

# ---- the manifest: Cargo.toml's [package.metadata.deb] assets ---------------------
# "MODE /DEST" per regular file, as the .deb must carry them: a destination ending in
# / takes the source's name; cargo-deb gzips man pages and adds the copyright file.
perms() { # a 3-digit octal mode -> ls's permissions of a regular file
  local mode=$1 out=- digit i
  for i in 0 1 2; do
    digit=${mode:i:1}
    if ((digit & 4)); then out+=r; else out+=-; fi
    if ((digit & 2)); then out+=w; else out+=-; fi
    if ((digit & 1)); then out+=x; else out+=-; fi
  done
  echo "$out"
}
cargo metadata --locked --no-deps --format-version 1 |
  jq -r --arg pkg "$pkg" '.packages[] | select(.name == $pkg) | .metadata.deb.assets[] | @tsv' |
  while IFS=$'\t' read -r source dest mode; do
    case $dest in */) dest=$dest${source##*/} ;; esac
    case $dest in usr/share/man/*) dest=$dest.gz ;; esac
    echo "$(perms "$mode") /$dest"
  done >"$work/manifest"
echo "-rw-r--r-- /usr/share/doc/$pkg/copyright" >>"$work/manifest"
sort -o "$work/manifest" "$work/manifest"
[ "$(wc -l <"$work/manifest")" -ge 18 ] || fail "read too few assets from Cargo.toml"
grep -q "^-rw-r--r-- /etc/$pkg/policy.toml$" "$work/manifest" || fail "the manifest lacks the policy"
readonly module=/usr/lib/x86_64-linux-gnu/security/pam_csi_self_check.so
grep -q "^-rw-r--r-- $module$" "$work/manifest" || fail "the manifest lacks the PAM module"
grep -q "^-rw-r--r-- /usr/share/pam-configs/$pkg$" "$work/manifest" ||
  fail "the manifest lacks the pam-auth-update profile"

# ---- the .deb's contents ----------------------------------------------------------
dpkg-deb -c "$deb" | awk '/^-/ { sub(/^\./, "", $6); print $1, $6 }' | sort >"$work/deb-files"
expect_same_lines "the .deb's files and Cargo.toml's assets" "$work/manifest" "$work/deb-files"
dpkg-deb -c "$deb" | awk '$2 != "0/0" { print; bad = 1 } END { exit bad }' ||
  fail "the .deb has files not owned by root:root"
dpkg-deb -f "$deb" Package Version >/dev/null
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | sort >"$work/deb-conffiles"
awk '$2 ~ /^\/etc\// { print $2 }' "$work/manifest" >"$work/etc-files"
expect_same_lines "the .deb's conffiles and the manifest's files under /etc" \
  "$work/etc-files" "$work/deb-conffiles"
if dpkg-deb -c "$deb" | grep -q ' \./etc/pam\.d/'; then fail "the .deb installs into /etc/pam.d"; fi

# ---- the RPM's contents, compared with the .deb's ---------------------------------
# Differences that are the distributions' and not the packages': Fedora's zsh looks in
# site-functions, %license goes to /usr/share/licenses, PAM modules to %{_libdir}/security,
# the build-id links are rpm's, copyright and the pam-auth-update profile are Debian's,
# and Debian's rpm does not gzip man pages as Fedora's does.
HOME=$work/rpm-home rpm -qp --qf '[%{FILEMODES:perms} %{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm_file" >"$work/rpm-all"
awk '/^-/ { print $1, $NF }' "$work/rpm-all" |
  sed -e "s| /usr/share/zsh/site-functions/| /usr/share/zsh/vendor-completions/|" \
    -e "s| /usr/share/licenses/$pkg/| /usr/share/doc/$pkg/|" \
    -e "s| /usr/lib64/security/| /usr/lib/x86_64-linux-gnu/security/|" \
    -e 's|\(/usr/share/man/.*\.[1-9]\)$|\1.gz|' | sort >"$work/rpm-files"
grep -v -e " /usr/share/doc/$pkg/copyright$" -e " /usr/share/pam-configs/$pkg$" \
  "$work/deb-files" >"$work/deb-files-for-rpm"
expect_same_lines "the .deb's and the RPM's files (normalised)" \
  "$work/deb-files-for-rpm" "$work/rpm-files"
awk '/^-/ && $2 == "cn" { print $NF }' "$work/rpm-all" | sort >"$work/rpm-config"
expect_same_lines "the RPM's %config(noreplace) files and the .deb's conffiles" \
  "$work/deb-conffiles" "$work/rpm-config"
grep -q "^d.* /etc/$pkg/policy.d$" "$work/rpm-all" || fail "the RPM does not own /etc/$pkg/policy.d"
# rpm's own erase semantics, in a scratch root: an edited %config(noreplace) file is
# kept as .rpmsave and everything else goes.
# (Debian's rpm keeps its database in ~/.rpmdb; in the scratch root it is /var/lib/rpm,
# and it warns that dpkg owns this system: its stderr goes to a log.)
root=$work/rpmroot
scratch_rpm() { HOME=$work/rpm-home rpm --root "$root" --dbpath /var/lib/rpm "$@" 2>>"$work/rpm.log"; }
scratch_rpm --initdb
scratch_rpm -i --nodeps --noscripts "$rpm_file"
echo "# edited by tests/package.sh" >>"$root/etc/$pkg/policy.toml"
scratch_rpm -e --nodeps --noscripts "$pkg"
(cd "$root" && find . -path ./var/lib/rpm -prune -o ! -type d -print) >"$work/rpm-left"
expect_same_lines "what rpm -e leaves" <(echo "./etc/$pkg/policy.toml.rpmsave") "$work/rpm-left"

# ---- install the .deb -------------------------------------------------------------
say "installing the .deb with dpkg -i"
installed=true
dpkg -i "$deb" >/dev/null
expect_eq "package status" installed "$(dpkg-query -W -f '${db:Status-Status}' "$pkg")"
dpkg -L "$pkg" | while read -r path; do
  [ -d "$path" ] || echo "$(stat -c %A "$path") $path"
done | sort >"$work/installed-files"
expect_same_lines "the files dpkg installed and the manifest" "$work/manifest" "$work/installed-files"
expect_eq "the installed policy's mode and owner" "644 root:root" "$(stat -c '%a %U:%G' /etc/$pkg/policy.toml)"
cmp -s /etc/$pkg/policy.toml policy/default.toml || fail "the installed policy is not policy/default.toml"
for schema in src/dist/schema/*.schema.json; do
  cmp -s "$schema" "/usr/share/$pkg/schema/${schema##*/}" || fail "the installed ${schema##*/} is not $schema"
done
expect_eq "policy.d" "directory 755 root:root" "$(stat -c '%F %a %U:%G' /etc/$pkg/policy.d)"

# --version, from /usr/bin by PATH.
version=$(cargo metadata --locked --no-deps --format-version 1 |
  jq -r --arg pkg "$pkg" '.packages[] | select(.name == $pkg) | .version')
expected="$pkg $version"
if [ -e .git ] && commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  expected="$expected (commit $commit)"
fi
expect_eq "csi-self-check --version" "$expected" "$(sandboxed $pkg --version)"
expect_eq "command -v" /usr/bin/$pkg "$(env -i PATH=/usr/bin:/bin sh -c "command -v $pkg")"

# The man pages, found by man on its own path and rendered without a warning.
expect_eq "man -w csi-self-check" /usr/share/man/man1/$pkg.1.gz "$(sandboxed man -w $pkg)"
expect_eq "man -w 5 csi-self-check-policy" /usr/share/man/man5/$pkg-policy.5.gz \
  "$(sandboxed man -w 5 $pkg-policy)"
for page in "$pkg" "5 $pkg-policy"; do
  # shellcheck disable=SC2086 # "5 NAME" is two arguments
  warnings=$(sandboxed MANWIDTH=80 man --warnings -E UTF-8 $page 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man $page: $warnings"
done

# bash: loaded by bash-completion's own loader from its directory, and completing.
completed=$(env -i PATH=/usr/bin:/bin bash --norc --noprofile -c '
  . /usr/share/bash-completion/bash_completion
  __load_completion csi-self-check || exit 1
  spec=$(complete -p csi-self-check) || exit 1
  function=$(printf "%s\n" "$spec" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
  COMP_WORDS=(csi-self-check pol) COMP_CWORD=1 COMP_LINE="csi-self-check pol" COMP_POINT=18
  "$function" csi-self-check pol csi-self-check
  printf "%s\n" "${COMPREPLY[@]}"') || fail "bash-completion did not load the installed completion"
expect_eq "bash completion of 'csi-self-check pol'" policy "$completed"
# zsh: compinit finds it on zsh's own fpath.
expect_eq "zsh's completion function" _$pkg \
  "$(env -i PATH=/usr/bin:/bin HOME="$work" zsh -fc 'autoload -Uz compinit && compinit -u -D && print -r -- ${_comps[csi-self-check]}')"
# fish: autoloaded from vendor_completions.d (with fish's own config, which sets that
# path up; HOME is empty), in a directory with nothing named pol* to complete instead.
completed=$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" fish -c 'complete -C "csi-self-check pol"' | cut -f1)
expect_eq "fish completion of 'csi-self-check pol'" policy "$completed"

# The profile.d hook, from /etc/profile.d, under set -eu: silent where not interactive;
# in an interactive shell it runs the installed binary, which prints nothing without a
# terminal and exits 0. That run has no --home: it checks the home of the password
# database, this account's, so it runs in a private mount namespace where that home is
# an empty tmpfs.
real_home=$(getent passwd "$(id -u)" | cut -d: -f6)
without_home() {
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare --mount --propagation private sh -c 'mount -t tmpfs -o mode=0700 tmpfs "$1" && shift && exec "$@"' \
    without-home "$real_home" "$@"
}
for shell in sh bash; do
  out=$(env -i PATH=/usr/bin:/bin HOME="$work" $shell -c "set -eu; . /etc/profile.d/$pkg.sh; echo sourced" 2>&1)
  expect_eq "$shell sourcing the profile.d hook" sourced "$out"
done
trace=$(without_home env -i PATH=/usr/bin:/bin HOME="$work" bash --norc --noprofile -i -c \
  "set -eu; set -x; . /etc/profile.d/$pkg.sh; set +x; echo sourced" </dev/null 2>&1) ||
  fail "the profile.d hook failed in an interactive shell: $trace"
grep -qx "++* $pkg login" <<<"$trace" || fail "the interactive hook did not run '$pkg login': $trace"
expect_eq "the interactive hook's output" sourced "$(grep -v '^+' <<<"$trace" | grep -v '^bash: ' || :)"

# The units and the autostart entry, where systemd and the desktop read them.
systemd-analyze verify /usr/lib/systemd/system/$pkg-audit.service \
  /usr/lib/systemd/system/$pkg-audit.timer || fail "systemd-analyze verify of the installed units"
desktop-file-validate /etc/xdg/autostart/$pkg.desktop || fail "the installed autostart entry"
score=$(systemd-analyze security --offline=true --no-pager /usr/lib/systemd/system/$pkg-audit.service |
  sed -n "s/^→ Overall exposure level for $pkg-audit.service: \([0-9.]*\) .*/\1/p")
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' ||
  fail "systemd-analyze security rates the installed audit service [$score], above 2.0"

# Where systemd is PID 1, the installed service runs for real, sandbox and all (its
# output where node_exporter reads it), and the timer starts; elsewhere the integration
# test tests/integration/service.rs runs its command within the unit's limits instead.
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ -d /run/systemd/system ]; then
  textfiles=/var/lib/prometheus/node-exporter
  prom=$textfiles/$pkg.prom
  [ ! -e "$prom" ] || fail "$prom exists already; move it away to run this test"
  made_textfiles=false
  if [ ! -d $textfiles ]; then mkdir -p $textfiles && made_textfiles=true; fi
  systemctl daemon-reload
  say "starting $pkg-audit.service with systemctl"
  systemctl start $pkg-audit.service || :
  expect_eq "the audit service's result" success \
    "$(systemctl show -p Result --value $pkg-audit.service)"
  grep -qx 'csi_self_check_audit_success 1' "$prom" ||
    fail "the service's metrics do not say every account was checked: $(cat "$prom")"
  systemctl start $pkg-audit.timer
  expect_eq "the timer after systemctl start" active "$(systemctl is-active $pkg-audit.timer)"
  systemctl stop $pkg-audit.timer
  rm -f "$prom"
  if $made_textfiles; then rmdir $textfiles; fi
else
  say "systemd is not PID 1 here: the units are verified and rated, not started"
fi

# The PAM module: libpam finds it by its bare name in its own directory, it exports
# the password phase, the profile is one pam-auth-update reads, and a password change
# through it runs the installed /usr/bin/csi-self-check, which refuses a weak password
# naming the word (pam_permit stands where pam_unix would store it). The service file
# is the test's own and always removed.
nm -D --defined-only "$module" | grep -q ' T pam_sm_chauthtok$' ||
  fail "$module does not export pam_sm_chauthtok"
grep -q '^Password-Type: Primary$' /usr/share/pam-configs/$pkg &&
  grep -q 'requisite[[:space:]]*pam_csi_self_check.so retry=3$' /usr/share/pam-configs/$pkg ||
  fail "the pam-auth-update profile does not put the module in the password stack"
if command -v pamtester >/dev/null 2>&1; then
  service=/etc/pam.d/csi-self-check-package-test-$$
  trap 'rm -f "$service"; cleanup' EXIT
  printf '%s\n' 'auth required pam_permit.so' 'account required pam_permit.so' \
    'password requisite pam_csi_self_check.so retry=1' 'password required pam_permit.so' \
    'session required pam_permit.so' >"$service"
  set +e
  out=$(printf 'Dolphin2024!\n' | pamtester -v "${service##*/}" nobody chauthtok 2>&1)
  status=$?
  set -e
  rm -f "$service"
  [ "$status" != 0 ] || fail "the installed module accepted Dolphin2024!: $out"
  grep -q "a common word 'dolphin'" <<<"$out" || fail "the installed module did not say why: $out"
else
  [ "${CI:-}" != true ] || fail "pamtester is not installed (tests/run installs it)"
  echo "SKIPPED tests/package.sh: the password change through the installed module (no pamtester)"
fi

# The installed binary on a fixture home with a loose key, under the installed policy.
home=$work/home
mkdir -m 0755 "$home"
mkdir -m 0700 "$home/.ssh"
ssh-keygen -q -t ed25519 -N '' -C fixture -f "$home/.ssh/id_ed25519"
chmod 0644 "$home/.ssh/id_ed25519"
set +e
report=$(sandboxed /usr/bin/$pkg --home "$home" --format json --only key-permissions)
status=$?
set -e
expect_eq "exit status on a home with a loose key" 1 "$status"
tests/schema/validate <(printf '%s\n' "$report") || fail "the installed binary's JSON does not follow its schema"
jq -e --arg key "$home/.ssh/id_ed25519" \
  'any(.findings[]; .status == "fail" and .path == $key and .code == "private-key-world-accessible")' \
  <<<"$report" >/dev/null || fail "no failure for the loose key in: $report"
sandboxed /usr/bin/$pkg policy show | grep -q "/etc/$pkg/policy.toml" ||
  fail "policy show does not name the installed /etc/$pkg/policy.toml"
expect_eq "what the installed binary left in its environment's HOME and runtime directory" "" \
  "$(cd "$work" && find env-home run -mindepth 1)"

# ---- an edited conffile survives a reinstall, dpkg -r keeps it, dpkg -P removes all --
echo "# edited by tests/package.sh" >>/etc/$pkg/policy.toml
dpkg -i "$deb" >/dev/null
grep -qx "# edited by tests/package.sh" /etc/$pkg/policy.toml || fail "reinstalling lost the edit"
sandboxed /usr/bin/$pkg policy check /etc/$pkg/policy.toml >/dev/null ||
  fail "the edited policy no longer validates"

say "removing it with dpkg -r"
dpkg -r "$pkg" >/dev/null
expect_eq "status after dpkg -r" config-files "$(dpkg-query -W -f '${db:Status-Status}' "$pkg")"
awk '{ print $2 }' "$work/manifest" | while read -r path; do
  if [ -e "$path" ]; then echo "$path"; fi
done >"$work/left-after-remove"
# dpkg keeps every conffile until purge, edited or not.
expect_same_lines "what dpkg -r leaves" "$work/deb-conffiles" "$work/left-after-remove"
grep -qx "# edited by tests/package.sh" /etc/$pkg/policy.toml || fail "dpkg -r lost the edit"
# The hook left behind stays silent and harmless without the binary.
out=$(env -i PATH=/usr/bin:/bin HOME="$work" bash --norc --noprofile -i -c \
  "set -eu; . /etc/profile.d/$pkg.sh; echo sourced" </dev/null 2>&1 | grep -v '^bash: ' || :)
expect_eq "the hook without the binary" sourced "$out"

say "purging it with dpkg -P"
dpkg -P "$pkg" >/dev/null
installed=false
expect_eq "status after dpkg -P" not-installed \
  "$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || echo not-installed)"
for path in $(awk '{ print $2 }' "$work/manifest") /etc/$pkg/policy.d /etc/$pkg; do
  [ ! -e "$path" ] || fail "$path is left after dpkg -P"
done

# ---- the Ansible playbook, run for real with this .deb -----------------------------
tests/ansible.sh "$deb"

echo "tests/package.sh: the .deb and the RPM pass ($((SECONDS - started)) s)"
