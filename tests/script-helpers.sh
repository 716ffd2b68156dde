# The messages of the shell tests (tests/package.sh, tests/ansible.sh,
# tests/hermetic.sh), each line naming the script: sourced after `cd` to the
# checkout, with `script` set to the script's path.
# shellcheck shell=bash

say() { echo "$script: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}
# A skip is visible, and under CI a failure: CI must run every test.
skip() {
  [ "${CI:-}" != true ] || fail "cannot be skipped under CI: $1"
  echo "SKIPPED $script: $1"
  exit 0
}
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
}
