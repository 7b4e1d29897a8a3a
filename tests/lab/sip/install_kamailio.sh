#!/bin/sh
# Install kamailio (the lab's SIP servers, tests/lab/README.md "## sip") from Debian's packages when
# missing; called by `make venv`. Idempotent and quiet: nothing happens when both packages are in.
# The package must not start a service of its own: the lab starts kamailio itself, per lab, by PID.
# Not root: a warning (the SIP self-tests then skip), or an error under CI, which must run them.
set -u
PACKAGES="kamailio kamailio-tls-modules"
LOG="${KAMAILIO_INSTALL_LOG:-/tmp/kamailio-install.log}"

installed() {
    for package in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' || return 1
    done
}

installed && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null 2>&1; then
    message="kamailio is not installed and this is not root with apt-get: run as root"
    message="$message 'apt-get install --no-install-recommends $PACKAGES' for the lab's SIP servers"
    if [ -n "${CI:-}" ]; then
        echo "venv: $message" >&2
        exit 1
    fi
    echo "venv: warning: $message (tests/lab_selftest/test_sip_lab.py skips without it)" >&2
    exit 0
fi

echo "installing $PACKAGES from Debian's packages (log: $LOG)"
# A policy-rc.d that denies every start keeps the package's own service down; one already there
# (containers ship one) is left as it is.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# written by the lab'"'"'s install_kamailio.sh for the time of one install\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    made_policy=yes
fi
cleanup() {
    if [ -n "$made_policy" ]; then rm -f "$policy"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export DEBIAN_FRONTEND=noninteractive
: > "$LOG"
# The package lists are fetched only when apt does not know the package yet (a fresh machine).
if ! apt-cache policy kamailio 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -q >> "$LOG" 2>&1 || { tail -20 "$LOG" >&2; exit 1; }
fi
apt-get install -y -q --no-install-recommends $PACKAGES >> "$LOG" 2>&1 || { tail -20 "$LOG" >&2; exit 1; }
installed || { echo "venv: $PACKAGES did not install; see $LOG" >&2; exit 1; }

# Had the package started its service anyway, stop exactly that process, by its own PID file.
for pidfile in /run/kamailio/kamailio.pid /var/run/kamailio/kamailio.pid; do
    if [ -s "$pidfile" ]; then
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2> /dev/null; then
            kill "$pid" && echo "venv: stopped the kamailio service the package started (pid $pid)" >&2
        fi
    fi
done
exit 0
