#!/usr/bin/env bash
# Installs Debian's chromium if it is missing, then prints its path.
# The browser test of the inspector page (adapters/inspector) reads it
# from CHROME_PATH:  export CHROME_PATH=$(scripts/chromium.sh)
set -euo pipefail

find_chromium() {
	command -v chromium || command -v chromium-browser || true
}

path=$(find_chromium)
if [ -z "$path" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "chromium.sh: chromium is missing and installing it needs root" >&2
		exit 1
	fi
	{
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
	} >&2
	path=$(find_chromium)
fi
if [ -z "$path" ]; then
	echo "chromium.sh: chromium is still missing after apt-get install" >&2
	exit 1
fi
"$path" --version >&2
echo "$path"
