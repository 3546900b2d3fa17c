#!/usr/bin/env bash
# The real components some tests check against, from Debian's packages: Go and etcd's raft
# source (the etcd adapter is built from them), Chromium (the HTML report's browser test),
# python3 (the Python adapter). Without them those tests skip, with a notice.
set -euo pipefail
packages=(golang-go golang-etcd-server-dev chromium python3)
if ! command -v apt-get >/dev/null; then
  echo "install-system-deps: no apt-get here; install ${packages[*]} yourself (the tests that need them skip meanwhile)" >&2
  exit 0
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then sudo=(sudo); else
    echo "install-system-deps: not root and no sudo; install ${packages[*]} yourself (the tests that need them skip meanwhile)" >&2
    exit 0
  fi
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
echo "install-system-deps: ${packages[*]} installed"
