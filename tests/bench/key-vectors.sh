#!/usr/bin/env bash
# Measurement: the key-encryption verdict on every file of python-cryptography's
# test vectors (PyPI `cryptography_vectors`, material this project did not write),
# against what python-cryptography itself makes of each file — its loaders are the
# oracle: a private key it loads without a password (or with the empty one) is
# unencrypted, one that asks for a password is encrypted (PKCS#12 vectors are also
# tried with their suites' passwords, `cryptography` and `password`, to tell a protected key from a
# protected truststore), a file it loads no private key from is no key, and a file
# with a private-key marker that it refuses is "rejected" (corrupt or unsupported).
#
#   tests/bench/key-vectors.sh            # prints the table the README shows
#
# Not a test: the figures go to the README. Installs cryptography and
# cryptography_vectors into a throwaway virtualenv under $TMPDIR each run; nothing
# from them is kept, and no key leaves the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/csi-self-check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q cryptography cryptography_vectors
"$work/venv/bin/python" - "$bin" "$work" <<'PY'
import collections, concurrent.futures, json, os, shutil, subprocess, sys
import cryptography, cryptography_vectors
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.serialization import pkcs12

binary, work = sys.argv[1], sys.argv[2]
root = os.path.dirname(cryptography_vectors.__file__)
MARKERS = (b"PRIVATE KEY", b"SECRET KEY BLOCK", b"PuTTY-User-Key-File", b"private-key")

def oracle(data, name):
    """What python-cryptography makes of the file."""
    for load in (ser.load_pem_private_key, ser.load_der_private_key):
        try:
            load(data, None)
            return "unencrypted"
        except TypeError:
            try:
                load(data, b"")
                return "unencrypted"
            except Exception:
                return "encrypted"
        except Exception:
            pass
    try:
        ser.load_ssh_private_key(data, None)
        return "unencrypted"
    except Exception as error:
        if "password" in str(error).lower():
            return "encrypted"
    if name.endswith((".p12", ".pfx")):
        for password, verdict in ((None, "unencrypted"), (b"", "unencrypted"),
                                  (b"cryptography", "encrypted"), (b"password", "encrypted")):
            try:
                key = pkcs12.load_key_and_certificates(data, password)[0]
                return verdict if key is not None else "no key"
            except Exception:
                pass
        return "rejected"
    return "rejected" if any(m in data[:65536] for m in MARKERS) else "no key"

def ours(index, path):
    """The key-encryption verdict of a run on a home holding only this file."""
    home = os.path.join(work, "homes", str(index))
    os.makedirs(os.path.join(home, ".pki"), mode=0o700)
    shutil.copyfile(path, os.path.join(home, ".pki", "file"))
    run = subprocess.run([binary, "--home", home, "--only", "key-encryption", "--format", "json"],
                         capture_output=True, env={"PATH": "/usr/bin:/bin"})
    shutil.rmtree(home)
    findings = [f for f in json.loads(run.stdout)["findings"] if f.get("path", "").endswith("/file")]
    if not findings:
        return "no key"
    return {"fail": "unencrypted", "pass": "encrypted", "warn": "unknown"}[findings[0]["status"]]

files = []
for directory, dirs, names in os.walk(root):
    dirs[:] = [d for d in dirs if d != "__pycache__"]
    for name in names:
        path = os.path.join(directory, name)
        if not name.endswith((".py", ".typed")) and 15 <= os.path.getsize(path) <= (1 << 20):
            files.append(path)
files.sort()
truths = [oracle(open(p, "rb").read(), p) for p in files]
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    verdicts = list(pool.map(ours, range(len(files)), files))
table = collections.Counter(zip(truths, verdicts))
rows = ["unencrypted", "encrypted", "no key", "rejected"]
cols = ["unencrypted", "encrypted", "unknown", "no key"]
print(f"cryptography_vectors {cryptography_vectors.__version__}, oracle cryptography {cryptography.__version__}: {len(files)} files\n")
print("| python-cryptography says \\ csi-self-check says | " + " | ".join(cols) + " |")
print("|---|" + "---|" * len(cols))
for r in rows:
    print(f"| {r} | " + " | ".join(str(table[(r, c)]) for c in cols) + " |")
print()
for (truth, verdict), path in sorted(zip(zip(truths, verdicts), files)):
    agree = truth == verdict or (truth == "rejected" and verdict in ("no key", "unknown"))
    if not agree:
        print(f"  {truth:11} -> {verdict:11} {os.path.relpath(path, root)}")
PY
