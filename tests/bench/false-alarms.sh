#!/usr/bin/env bash
# False alarms of the history scan on benign command lines nobody here wrote: every
# example command of the tldr pages (tldr-pages/tldr, CC BY 4.0), its placeholders
# filled in with benign words. The pages come from a checkout of that repository: the
# package registries carry only tldr clients (npm `tldr`, PyPI `tldr`, `tldr-man`,
# `tldr-py`, …), which download the pages when first run.
#
#   tests/bench/false-alarms.sh PATH/TO/tldr          # the repository's top level
#
# How a placeholder is filled: `{{[-p|--password]}}` takes its long spelling and
# `{{-apr1}}` stays an option; one that names a file or directory
# (`{{path/to/passwords.txt}}`) keeps its text; one that names a secret
# (`{{password}}`, `{{api_key}}`) or stands after an option that takes one (`--secret
# {{1234}}`, `-p {{pat}}`) becomes a shell variable, as a careful person types it
# (`$PASSWORD`), since a literal there would be a real secret on a command line;
# numbers stay; every other one becomes one of a
# fixed list of ordinary words, picked by the placeholder's text. Every line the scan
# reports is printed, masked, with the count. Not a test: the figure goes in the
# README.
set -euo pipefail
cd "$(dirname "$0")/../.."
tldr=${1:?usage: tests/bench/false-alarms.sh PATH/TO/tldr}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$tldr/pages" "$work/lines" <<'PY'
import hashlib, pathlib, re, sys
pages, out = pathlib.Path(sys.argv[1]), sys.argv[2]
words = ["shop", "label", "report", "alpha", "notes", "backup", "demo", "profile", "message",
         "main", "sample", "project", "photo", "music", "data", "server1", "build", "release",
         "docs", "web", "alice", "example.org", "eth0", "blue", "summer"]
secret = re.compile(r"pass|token|secret|key|credential|auth|\bpin\b|otp|cookie|session|hash", re.I)
after_secret_option = re.compile(r"(?i)(pass\w*|secret|token|key|auth|pw|pat)['\"]?[=: ]\s*['\"]?$|\s-[pPw]\s*['\"]?$")
pathlike = re.compile(r"path|/|file|dir|\.[A-Za-z0-9]{1,4}$")
def fill(inner, before):
    alternatives = re.fullmatch(r"\[(.*)\]", inner)
    if alternatives:
        return alternatives.group(1).split("|")[-1]
    inner = inner.split("|")[0]
    if inner.startswith("-"):
        return inner
    if pathlike.search(inner):
        # `{{domain/username%password}}`: the secret's part becomes a variable.
        return re.sub(r"\w*(?:pass|token|secret|key)\w*", lambda w: "$" + w.group(0).upper(),
                      inner.replace(" ", "_"), flags=re.I)
    if secret.search(inner) or after_secret_option.search(before[-40:]):
        name = re.sub(r"\W", "_", inner).upper().strip("_")
        return "$" + (name if name[:1].isalpha() else "SECRET")
    if re.fullmatch(r"[0-9.:,+-]+", inner):
        return inner
    return words[int(hashlib.sha1(inner.encode()).hexdigest(), 16) % len(words)]
def fill_line(line):
    out, at = "", 0
    for m in re.finditer(r"\{\{(.*?)\}\}", line):
        out += line[at:m.start()]
        out += fill(m.group(1), out)
        at = m.end()
    return out + line[at:]
lines = []
for page in sorted(pages.glob("*/*.md")):
    for line in page.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("`") and line.endswith("`") and len(line) > 2:
            lines.append(fill_line(line[1:-1]))
open(out, "w").write("\n".join(lines) + "\n")
PY
cargo bench --quiet --bench history -- --report "$work/lines" 2>/dev/null
[ -z "${KEEP:-}" ] || cp "$work/lines" "$KEEP"
