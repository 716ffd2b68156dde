# csi-self-check: a short warning about your credential hygiene at login.
# Sourced by /etc/profile (and by Fedora's /etc/bashrc) in every shell: POSIX sh,
# safe under `set -eu`, prints nothing in a non-interactive shell (scp, sftp,
# `ssh host cmd`), and leaves no variable behind. `csi-self-check login` itself
# prints only to a terminal, only on stderr, within a deadline, and exits 0.
case $- in
*i*)
    if command -v csi-self-check >/dev/null 2>&1; then
        csi-self-check login || :
    fi
    ;;
esac
