#!/bin/sh
# scripts/bare_debian.sh: the README's first two commands, verbatim, on a bare
# Debian as a new user gets it (the debian:bookworm container: git, no make, no
# compiler). Builds a debootstrap --variant=minbase root with git added, clones
# this repository's commit into /src/tlsexplain with the shared folder read-only
# beside it (/src/shared), then in a chroot runs the first two indented lines of
# README.md one after the other, timing each. Not part of make check: the
# first command downloads about 1 GB, the second runs every test suite.
#
#   scripts/bare_debian.sh              as root; HEAD of this repository
#
# Settings (environment):
#   BARE_DIR     work folder (default /var/tmp/tlsexplain-bare): root/ the
#                chroot, debootstrap.log, cmd1.log, cmd2.log; the root of the
#                previous run is deleted first
#   BARE_REF     the commit to test (default HEAD); only committed work is cloned
#   BARE_SUITE   Debian release (default bookworm)
#   BARE_MIRROR  Debian mirror (default: the first of apt's configured ones)
#   BARE_NETNS   1 (default): the second command runs in a network namespace
#                of its own with only loopback, as a container has, so its test
#                servers cannot meet the host's ports and a test that needs the
#                network fails; 0: the host's network
#   BARE_TIMEOUT1, BARE_TIMEOUT2   limits in seconds (default 2700, 7200)
#   BARE_GEN     capture generators to run after the two commands, e.g.
#                "basic failures certs dhe" (test-captures/gen/NAME.sh, each
#                in a network namespace of its own), then tests/scenarios.py on
#                the captures they wrote over the clone's; default none
#
# Mounts (in a mount namespace of its own, so nothing leaks to the host even
# on kill -9, and unmounted on exit anyway): /proc (a PID namespace: every
# process the commands leave behind dies with them), /sys and /dev (bind, with
# /dev/pts and /dev/shm), /src/shared (read-only). /tmp is the root's own
# folder on disk, as in a container.
# Prints the time and exit status of each command and the test summary; exits
# non-zero when either command failed.
set -eu

die() { echo "bare_debian: $*" >&2; exit 2; }
log() { echo "bare_debian: $*"; }

# run_in_root NAME NETNS LIMIT CMD: CMD in the chroot from the clone, with a
# container's bare environment (env -i), under a time limit of LIMIT seconds,
# in a network namespace with only loopback when NETNS is 1; output on the
# terminal and in NAME.log, exit status in NAME.rc, seconds in NAME.secs.
run_in_root() {
    name=$1 netns=$2 limit=$3 cmd=$4
    echo "# $cmd"
    start=$(date +%s)
    {
        rc=0
        # the command is passed as an argument: no second round of quoting
        # shellcheck disable=SC2016
        set -- chroot "$ROOT" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            timeout -k 30 "$limit" sh -c 'cd /src/tlsexplain && eval "$1"' sh "$cmd"
        if [ "$netns" = 1 ]; then
            unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh "$@" || rc=$?
        else
            "$@" || rc=$?
        fi
        echo "$rc" >"$BARE_DIR/$name.rc"
    } 2>&1 | tee "$BARE_DIR/$name.log"
    echo $(( $(date +%s) - start )) >"$BARE_DIR/$name.secs"
}

# ---- inside the mount and PID namespaces (the script runs itself there)
if [ "${1:-}" = --inner ]; then
    # shellcheck disable=SC2317  # called by the trap
    unmount_all() {
        # deepest first (BARE_DIR has no blanks: checked outside)
        awk -v r="$ROOT" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do
            umount -l "$m" 2>/dev/null || true
        done
    }
    trap unmount_all EXIT
    trap 'exit 130' INT TERM
    mount --make-rprivate /
    mount -t proc proc "$ROOT/proc"
    mount --rbind /sys "$ROOT/sys"
    mount --rbind /dev "$ROOT/dev"
    mount --bind "$SHARED" "$ROOT/src/shared"
    mount -o remount,bind,ro "$ROOT/src/shared"
    run_in_root cmd1 0 "${BARE_TIMEOUT1:-2700}" "$CMD1"
    run_in_root cmd2 "${BARE_NETNS:-1}" "${BARE_TIMEOUT2:-7200}" "$CMD2"
    # the capture generators with the tools install-deps.sh gave, then the
    # scenario suite on the captures they made
    for g in ${BARE_GEN:-}; do
        run_in_root "gen-$g" 1 1800 "bash test-captures/gen/$g.sh"
    done
    if [ -n "${BARE_GEN:-}" ]; then
        # shellcheck disable=SC2016  # expanded in the chroot
        run_in_root gen-scenarios 0 600 \
            'echo "$(git status --short test-captures | wc -l) files of test-captures/ rewritten"; python3 tests/scenarios.py'
    fi
    exit 0
fi

# ---- outside
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
for t in debootstrap unshare chroot git ip timeout; do
    command -v "$t" >/dev/null 2>&1 || die "$t missing (sh scripts/install-deps.sh installs it)"
done
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(git -C "$here" rev-parse --show-toplevel)
SHARED=$(cd "$REPO/../shared" 2>/dev/null && pwd) || die "no ../shared beside $REPO"
BARE_DIR=${BARE_DIR:-/var/tmp/tlsexplain-bare}
ROOT=$BARE_DIR/root
# /proc/mounts writes a blank as \040: a path without blanks is compared as is
case $BARE_DIR in *[[:space:]]*) die "BARE_DIR must not contain blanks" ;; esac
SUITE=${BARE_SUITE:-bookworm}
COMMIT=$(git -C "$REPO" rev-parse --verify "${BARE_REF:-HEAD}^{commit}") || die "bad BARE_REF"
if [ -z "${BARE_REF:-}" ] && [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]; then
    log "warning: uncommitted changes in $REPO are not tested"
fi

# the mirror apt uses here: deb822 "URIs:" or a one-line "deb" entry whose
# path ends in /debian (not -security, not another vendor)
mirror=${BARE_MIRROR:-$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }
         /^deb / { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i ~ /:\/\//) { print $i; break } }' |
    grep -E '/debian/?$' | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}

mounted_under_root() { awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1' /proc/mounts; }
mkdir -p "$BARE_DIR"
if [ -e "$ROOT" ]; then
    [ -z "$(mounted_under_root)" ] || die "something is still mounted under $ROOT; unmount it first"
    log "removing the previous root $ROOT"
    rm -rf --one-file-system "$ROOT"
fi
rm -f "$BARE_DIR"/cmd[12].* "$BARE_DIR"/gen-*

log "debootstrap --variant=minbase --include=git $SUITE from $mirror (log: $BARE_DIR/debootstrap.log)"
t0=$(date +%s)
debootstrap --variant=minbase --include=git "$SUITE" "$ROOT" "$mirror" \
    >"$BARE_DIR/debootstrap.log" 2>&1 || { tail -n 20 "$BARE_DIR/debootstrap.log" >&2; die "debootstrap failed"; }
log "root ready in $(( $(date +%s) - t0 )) s, $(chroot "$ROOT" dpkg-query -W | wc -l) packages"

# apt sources as the container image has them: the host's Debian entry
# (release, updates, security) when it names this release, else debootstrap's
if grep -qs "Suites:.*\b$SUITE\b" /etc/apt/sources.list.d/debian.sources; then
    cp /etc/apt/sources.list.d/debian.sources "$ROOT/etc/apt/sources.list.d/"
    rm -f "$ROOT/etc/apt/sources.list"
fi
# The Debian container images forbid package scripts to start services
# (policy-rc.d, invoke-rc.d(8)): nginx's postinst must not start a daemon.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

log "cloning $REPO at $COMMIT into /src/tlsexplain"
mkdir -p "$ROOT/src/shared"
git clone -q --no-local "$REPO" "$ROOT/src/tlsexplain"
git -C "$ROOT/src/tlsexplain" checkout -q "$COMMIT"

# the README's first two commands: its first two lines indented as code
CMD1=$(awk '/^    [^ ]/ { print substr($0, 5); if (++n == 2) exit }' "$ROOT/src/tlsexplain/README.md" | sed -n 1p)
CMD2=$(awk '/^    [^ ]/ { print substr($0, 5); if (++n == 2) exit }' "$ROOT/src/tlsexplain/README.md" | sed -n 2p)
if [ -z "$CMD1" ] || [ -z "$CMD2" ]; then
    die "README.md has no two indented commands"
fi

export ROOT SHARED BARE_DIR CMD1 CMD2
rc=0
unshare --mount --pid --fork --kill-child -- sh "$here/bare_debian.sh" --inner || rc=$?
[ -z "$(mounted_under_root)" ] || { log "warning: mounts left under $ROOT:"; mounted_under_root; }

summary=$BARE_DIR/summary.txt
{
    echo "commit $COMMIT ($SUITE minbase + git, mirror $mirror)"
    for n in 1 2; do
        eval "cmd=\$CMD$n"
        echo "command $n: $cmd: exit $(cat "$BARE_DIR/cmd$n.rc" 2>/dev/null || echo '?')" \
             "in $(cat "$BARE_DIR/cmd$n.secs" 2>/dev/null || echo '?') s"
    done
    grep -E '^install-deps: ' "$BARE_DIR/cmd1.log" 2>/dev/null || true
    grep -E '^(suites with failures:|all: )' "$BARE_DIR/cmd2.log" 2>/dev/null || true
    for g in ${BARE_GEN:-} scenarios; do
        [ -f "$BARE_DIR/gen-$g.rc" ] || continue
        echo "gen $g: exit $(cat "$BARE_DIR/gen-$g.rc") in $(cat "$BARE_DIR/gen-$g.secs") s" \
             "$(grep -E '^[a-z]+: [0-9]+ passed' "$BARE_DIR/gen-$g.log" | tail -n 1)"
    done
} >"$summary"
echo
cat "$summary"
[ "$rc" = 0 ] || exit 1
for f in "$BARE_DIR"/cmd1.rc "$BARE_DIR"/cmd2.rc "$BARE_DIR"/gen-*.rc; do
    [ -e "$f" ] || continue
    [ "$(cat "$f")" = 0 ] || exit 1
done
[ -e "$BARE_DIR/cmd2.rc" ]
