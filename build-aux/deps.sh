#!/bin/sh
# Install (as root) or name (as a user) the Debian packages a step needs.
# Usage: deps.sh build|test|demo|bench
set -eu
build="gcc make pkg-config libseccomp-dev libcap-ng-dev"
case "${1:-build}" in
build) want="$build" ;;
test)  want="$build libcriterion-dev socat python3 util-linux bsdutils openssh-client iproute2 procps dbus-daemon dbus-bin xdg-dbus-proxy python3-dbus python3-gi libglib2.0-bin" ;;
demo)  want="$build socat python3 util-linux" ;;
bench) want="$build bubblewrap socat python3 dbus-daemon xdg-dbus-proxy" ;;
fuzz)  want="$build clang libclang-rt-14-dev" ;;
*) echo "deps.sh: unknown step '$1'" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
        s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        case "$s" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
        echo "deps: installing$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $missing
else
        echo "ipcfence: missing packages; run: sudo apt-get install$missing" >&2
        exit 1
fi
