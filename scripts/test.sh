#!/usr/bin/env bash
# test.sh: what `make test` runs. It starts the servers the tests need
# (scripts/services.sh up: apt installs on a fresh machine, which wait on
# the network and the disk) in the background, runs the static checks
# meanwhile (make tidy-check fmt-check vet lint cross, which wait on the
# CPU), then waits for the servers and runs every test with -race against
# them, their DSNs in the environment. The servers this run started are
# stopped when it ends, whatever ends it; the background `up` is always
# waited for, never killed halfway through an apt-get.
#
# Settings: GO (go), MAKE (make), PKGS (./...).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
MAKE=${MAKE:-make}
PKGS=${PKGS:-./...}
SERVICES=scripts/services.sh

tmp=$(mktemp -d)
bash "$SERVICES" up >"$tmp/env" 2>"$tmp/log" &
up=$!
up_waited=

wait_up() {
	[ -z "$up_waited" ] || return "$up_rc"
	up_rc=0
	wait "$up" || up_rc=$?
	up_waited=1
	sed 's/^/  /' "$tmp/log" >&2
	return "$up_rc"
}

finish() {
	local rc=$?
	wait_up || true
	if [ "$up_rc" -eq 0 ]; then
		# shellcheck disable=SC1091
		. "$tmp/env"
		if [ -n "${GOGOSCOPE_SERVICES_STARTED:-}" ]; then
			# shellcheck disable=SC2086
			bash "$SERVICES" down $GOGOSCOPE_SERVICES_STARTED || true
		fi
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap finish EXIT

checks=0
"$MAKE" --no-print-directory tidy-check fmt-check vet lint cross || checks=$?

echo "services: waiting for scripts/services.sh up (started before the checks)" >&2
if ! wait_up; then
	echo "test: scripts/services.sh up failed (its log is above)" >&2
	exit 1
fi
[ "$checks" -eq 0 ] || exit "$checks"

# shellcheck disable=SC1091
. "$tmp/env"
"$GO" test -race -timeout 30m -count=1 $PKGS
