#!/usr/bin/env bash
# Makes sure the browser Playwright uses (CHROMIUM_PATH, default Debian's /usr/bin/chromium) exists
# before `npm test` runs anything. When it is missing and installing is permitted (root, or sudo
# without a password) it installs Debian's chromium package; otherwise it stops with one line saying
# exactly what to run.
#   CHROMIUM_INSTALL=never   never install, only check
#   CHROMIUM_INSTALL_DRY_RUN=1   print the install command instead of running it (for tests)
set -uo pipefail

# where Debian's package puts it (overridable only so tests can simulate a machine without it)
default_path="${CHROMIUM_PACKAGE_PATH:-/usr/bin/chromium}"
browser="${CHROMIUM_PATH:-$default_path}"
[[ -x "$browser" ]] && exit 0

install_line="sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium"
fail() {
  echo "npm test needs Chromium at ${browser}, which is missing: $1" >&2
  exit 1
}

if [[ "$browser" != "$default_path" ]]; then
  fail "point CHROMIUM_PATH at an installed Chromium, or unset it and run: ${install_line}"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  fail "install Chromium and run: CHROMIUM_PATH=/path/to/chromium npm test"
fi
if [[ "${CHROMIUM_INSTALL:-auto}" == "never" ]]; then
  fail "run: ${install_line}"
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  fail "run: ${install_line}"
fi

if [[ "${CHROMIUM_INSTALL_DRY_RUN:-}" == "1" ]]; then
  echo "would run: ${as_root[*]:+${as_root[*]} }apt-get install -y --no-install-recommends chromium"
  exit 0
fi
echo "==> Chromium is missing at ${browser}: installing Debian's chromium package"
if ! "${as_root[@]}" apt-get update -q || ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; then
  fail "installing it failed (see above); run: ${install_line}"
fi
[[ -x "$browser" ]] || fail "the chromium package installed no ${browser}; run: ${install_line}"
