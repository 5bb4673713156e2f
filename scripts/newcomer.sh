#!/usr/bin/env bash
# newcomer.sh walks the newcomer's path on a fresh clone: it clones the
# repository's HEAD (committed work only) into a temporary directory, runs
# the commands of the README's "Two commands" section there, as written, in
# a shell that has not exported GOTOOLCHAIN, then runs every example with
# `go run`. It fails at the first step that fails, naming it.
#
#   scripts/newcomer.sh             # the whole path: make example, make test, each example
#   scripts/newcomer.sh --no-test   # everything but `make test` (the full suite, the slow part)
#   scripts/newcomer.sh --cold      # also with empty module and build caches, as on a new machine
#
# Environment: NEWCOMER_KEEP=1 keeps the clone; NEWCOMER_TIMEOUT bounds each
# example (default 300 s).
set -euo pipefail

skip_test=0
cold=0
for arg in "$@"; do
	case "$arg" in
	--no-test) skip_test=1 ;;
	--cold) cold=1 ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) echo "newcomer: unknown argument $arg (see --help)" >&2; exit 2 ;;
	esac
done

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/gogoscope-newcomer.XXXXXX")
cleanup() {
	if [ "${NEWCOMER_KEEP:-0}" = 1 ]; then
		echo "newcomer: the clone is kept in $work/gogoscope"
	else
		# Module caches are read-only; make them removable first.
		chmod -R u+w "$work" 2>/dev/null || true
		rm -rf "$work"
	fi
}
trap cleanup EXIT

step() { printf '\n== newcomer: %s\n' "$*"; }

step "clone $(git -C "$repo" rev-parse --short HEAD) of $repo"
git clone --quiet --no-local "$repo" "$work/gogoscope"
cd "$work/gogoscope"

# A newcomer's shell: none of the go settings this machine's session may
# have exported.
unset GOTOOLCHAIN GOFLAGS GOWORK
if [ "$cold" = 1 ]; then
	export GOMODCACHE="$work/modcache" GOCACHE="$work/gocache"
fi

# The format and tidy checks must hold however make is started: first in
# this shell, where GOTOOLCHAIN is not exported (the Makefile selects the
# toolchain for its recipes).
step "make fmt-check tidy-check, GOTOOLCHAIN not exported"
make fmt-check tidy-check

# The commands of the README's "Two commands" section: the lines of the
# first sh block after that heading, comments dropped.
mapfile -t commands < <(awk '
	/^## Two commands/ { section = 1; next }
	section && /^## / { exit }
	section && /^```sh/ { block = 1; next }
	block && /^```/ { exit }
	block { sub(/[ \t]*#.*/, ""); if ($0 != "") print }
' README.md)
if [ "${#commands[@]}" -eq 0 ]; then
	echo "newcomer: README.md has no sh block under \"## Two commands\"" >&2
	exit 1
fi
for cmd in "${commands[@]}"; do
	if [ "$skip_test" = 1 ] && [ "$cmd" = "make test" ]; then
		step "$cmd: skipped (--no-test)"
		continue
	fi
	step "$cmd"
	eval "$cmd" || { echo "newcomer: \"$cmd\" failed" >&2; exit 1; }
done

# Every example, as its doc comment says: go run ./examples/NAME, on its
# defaults, with stdin closed.
found=0
for dir in examples/*/; do
	name=$(basename "$dir")
	[ -f "$dir/main.go" ] || continue
	found=$((found + 1))
	step "go run ./examples/$name"
	if ! timeout "${NEWCOMER_TIMEOUT:-300}" go run "./examples/$name" </dev/null; then
		echo "newcomer: example $name failed (or ran longer than ${NEWCOMER_TIMEOUT:-300}s)" >&2
		exit 1
	fi
done
if [ "$found" -eq 0 ]; then
	echo "newcomer: no examples found" >&2
	exit 1
fi
step "done: the README's commands and $found examples ran on a fresh clone"
