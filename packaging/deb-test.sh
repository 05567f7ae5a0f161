#!/bin/bash
# deb-test.sh PACKAGE.deb: install the fovea package on this machine, check
# what it installed, run the systemd unit's command as the fovea user for 50
# frames, check the results reached the outbox, and purge the package.
#
# It runs as root. By default it changes nothing on this machine: it
# re-runs itself in a private mount namespace where /etc, /usr and /var are
# overlays on a tmpfs that vanish when it ends, and /run/systemd is hidden,
# so the host's systemd is not asked to start the service. With
# DEB_TEST_IN_PLACE=1 (CI, on a throwaway machine) it installs for real,
# and where systemd runs it also checks that the service starts.
set -euo pipefail
deb=${1:?usage: deb-test.sh PACKAGE.deb}
frames=50
unit=/usr/lib/systemd/system/fovea.service

fail() { echo "deb-test: FAIL: $*" >&2; exit 1; }
ok() { echo "deb-test: ok: $*"; }

[ "$(id -u)" = 0 ] || fail "run as root: it installs and purges a package (in a throwaway mount namespace unless DEB_TEST_IN_PLACE=1)"
if [ "${DEB_TEST_IN_PLACE:-}" != 1 ] && [ "${DEB_TEST_ISOLATED:-}" != 1 ]; then
	exec unshare --mount --propagation private env DEB_TEST_ISOLATED=1 "$0" "$@"
fi
if [ "${DEB_TEST_ISOLATED:-}" = 1 ]; then
	ovl=$(mktemp -d)
	mount -t tmpfs fovea-deb-test "$ovl"
	for d in etc usr var; do
		mkdir -p "$ovl/$d/upper" "$ovl/$d/work"
		mount -t overlay overlay -o "lowerdir=/$d,upperdir=$ovl/$d/upper,workdir=$ovl/$d/work" "/$d"
	done
	if [ -d /run/systemd ]; then mount -t tmpfs fovea-deb-test /run/systemd; fi
	echo "deb-test: isolated: /etc, /usr, /var are throwaway overlays (DEB_TEST_IN_PLACE=1 installs for real)"
fi
# (No "producer | grep -q" or "| head" under pipefail: the reader exits
# early and the producer's SIGPIPE would fail the pipeline.)
if [[ "$(dpkg-query -W -f='${Status}' fovea 2>/dev/null || true)" == *" installed"* ]]; then
	fail "a fovea package is installed already; this test would purge it (dpkg --purge fovea first)"
fi
purged=no
cleanup() { [ "$purged" = yes ] || dpkg --purge fovea >/dev/null 2>&1 || true; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
dpkg -i "$deb"
ok "dpkg -i $(basename "$deb")"

# The user: a system account without a login shell, in the video group.
getent passwd fovea >/dev/null || fail "no fovea user"
shell=$(getent passwd fovea | cut -d: -f7)
[ "$shell" = /usr/sbin/nologin ] || fail "fovea's shell is $shell; want /usr/sbin/nologin"
[ "$(id -u fovea)" -lt 1000 ] || fail "fovea is uid $(id -u fovea); want a system uid below 1000"
if getent group video >/dev/null; then
	[[ " $(id -nG fovea) " == *" video "* ]] || fail "fovea is not in the video group: $(id -nG fovea)"
fi
ok "user fovea: uid $(id -u fovea), groups $(id -nG fovea)"

# The files.
for f in /usr/bin/fovea "$unit" /etc/fovea/fovea.yaml /usr/share/fovea/models/shapes.tflite; do
	[ -f "$f" ] || fail "$f is missing"
done
[ -x /usr/bin/fovea ] || fail "/usr/bin/fovea is not executable"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' fovea)
[[ "$conffiles" == *" /etc/fovea/fovea.yaml "* ]] || fail "/etc/fovea/fovea.yaml is not a conffile"
perm=$(stat -c '%U:%G %a' /etc/fovea/fovea.yaml)
[ "$perm" = "root:fovea 640" ] || fail "/etc/fovea/fovea.yaml is $perm; want root:fovea 640"
state=$(stat -c '%U:%G %a' /var/lib/fovea)
[ "$state" = "fovea:fovea 750" ] || fail "/var/lib/fovea is $state; want fovea:fovea 750"
version=$(/usr/bin/fovea version)
version=${version%%$'\n'*}
want="fovea $(dpkg-deb -f "$deb" Version)"
[ "$version" = "$want" ] || fail "fovea version says '$version'; want '$want'"
ok "files, conffile, modes; $version"

# The unit.
grep -q '^ExecStart=/usr/bin/fovea ' "$unit" || fail "$unit does not start /usr/bin/fovea"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$unit"
	ok "systemd-analyze verify"
else
	echo "deb-test: skipped systemd-analyze verify: systemd is not installed here"
fi
if [ -d /run/systemd/system ]; then
	# postinst started the service: see it run, then stop it, since the
	# manual run below needs the outbox it holds.
	for _ in $(seq 50); do systemctl is-active -q fovea && break; sleep 0.2; done
	systemctl is-active -q fovea || { systemctl status fovea --no-pager || true; fail "the fovea service is not active"; }
	ok "the fovea service is active"
	systemctl stop fovea
fi

# The unit's commands, as the unit's user, for a bounded number of frames.
pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
start=$(sed -n 's/^ExecStart=//p' "$unit")
read -r -a precmd <<<"$pre"
read -r -a cmd <<<"$start"
runuser -u fovea -- "${precmd[@]}"
ok "ExecStartPre: $pre"
before=$( (fovea outbox stats --data /var/lib/fovea 2>/dev/null || true) | awk '$1 == "appended" { print $2 }')
before=${before:-0}
timeout 120 runuser -u fovea -- "${cmd[@]}" --frames "$frames"
after=$(fovea outbox stats --data /var/lib/fovea | awk '$1 == "appended" { print $2 }')
[ "$((after - before))" -ge "$frames" ] || fail "the outbox gained $((after - before)) results; want at least $frames"
ok "ExecStart as fovea: $start --frames $frames stored $((after - before)) results"

# Purge.
dpkg --purge fovea
purged=yes
for f in /usr/bin/fovea "$unit" /etc/fovea /var/lib/fovea /usr/share/fovea; do
	[ ! -e "$f" ] || fail "$f is still there after purge"
done
ok "dpkg --purge removed the files, the config and the state"
echo "deb-test: PASS"
