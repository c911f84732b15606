#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make demo`: real servers on the host, the same real clients run outside
# and inside ipcfence (default profile: no rules). Each server records what
# it receives, so "denied" is checked on the host side too. Exits 0 only if
# every endpoint is reachable outside and unreachable inside.
set -u

BUILD=${BUILD:-build}
IPCFENCE=$(cd "$BUILD" 2>/dev/null && pwd)/ipcfence
IPCFENCE_PROFILE_PATH="$(pwd)/profiles"
export IPCFENCE_PROFILE_PATH
if [ ! -x "$IPCFENCE" ]; then
        echo "demo: $BUILD/ipcfence is missing (run make)" >&2
        exit 1
fi
for p in socat ipcmk ipcs; do
        if ! command -v "$p" >/dev/null; then
                echo "demo: $p is not installed" >&2
                exit 1
        fi
done
# The system python3: version-manager shims on $PATH may not work inside.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || {
        echo "demo: python3 is not installed" >&2
        exit 1
}

D=$(mktemp -d /tmp/ipcfence-demo.XXXXXX) || exit 1
pids=""
shmid=""
cleanup() {
        for p in $pids; do
                kill "$p" 2>/dev/null
        done
        wait 2>/dev/null
        [ -z "$shmid" ] || ipcrm -m "$shmid" 2>/dev/null
        rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# wait_for CMD...: poll up to 5 s until CMD succeeds.
wait_for() {
        i=0
        while ! "$@" 2>/dev/null; do
                i=$((i + 1))
                [ "$i" -lt 250 ] || return 1
                sleep 0.02
        done
}

# The last ": reason" of a client's error output.
reason() {
        sed -n '$s/.*: //p' "$1" | cut -c1-40
}

ok=0
bad=0
# row ENDPOINT OUTSIDE_STATUS INSIDE_STATUS INSIDE_ERRFILE LOG_OR_EMPTY
row() {
        ep=$1 out_rc=$2 in_rc=$3 errf=$4 log=$5
        if [ "$out_rc" -eq 0 ]; then outside="reached"; else outside="NOT reached"; fi
        verdict=expected
        if [ "$in_rc" -eq 0 ]; then
                inside="REACHED"
                verdict=UNEXPECTED
        elif [ "$in_rc" -ge 125 ] && [ "$in_rc" -le 127 ]; then
                # ipcfence itself failed: the client never ran.
                inside="ipcfence failed ($in_rc): $(reason "$errf")"
                verdict=UNEXPECTED
        else
                inside="denied: $(reason "$errf")"
        fi
        [ "$out_rc" -eq 0 ] || verdict=UNEXPECTED
        if [ -n "$log" ]; then
                if ! wait_for grep -q outside "$log"; then
                        verdict=UNEXPECTED
                        outside="$outside (server got nothing)"
                fi
                if grep -q inside "$log" 2>/dev/null; then
                        verdict=UNEXPECTED
                        inside="$inside (server got data!)"
                fi
        fi
        printf '  %-48s %-13s %-36s %s\n' "$ep" "$outside" "$inside" "$verdict"
        if [ "$verdict" = expected ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
}

# client NAME ADDRESS: socat sends "outside" directly, then "inside" through
# ipcfence; prints the two exit statuses.
client() {
        printf 'outside\n' | socat -u - "$2" 2>"$D/$1.out.err"
        o=$?
        printf 'inside\n' | "$IPCFENCE" -- socat -u - "$2" 2>"$D/$1.in.err"
        i=$?
        echo "$o $i"
}

echo "ipcfence demo: the same client outside and inside the sandbox (default profile)"
echo
printf '  %-48s %-13s %-36s %s\n' "endpoint (real server on the host)" "outside" \
        "inside ipcfence" ""

# 1. A unix socket in /tmp: socat server, socat client.
sock=$D/app.sock
socat -u "UNIX-LISTEN:$sock,fork" "OPEN:$D/unix.log,creat,append" 2>/dev/null &
pids="$pids $!"
wait_for test -S "$sock" || echo "demo: socat did not listen on $sock" >&2
set -- $(client unix "UNIX-CONNECT:$sock")
row "unix socket $sock" "$1" "$2" "$D/unix.in.err" "$D/unix.log"

# 2. An abstract unix socket: socat server, socat client.
name=ipcfence-demo-$$
socat -u "ABSTRACT-LISTEN:$name,fork" "OPEN:$D/abstract.log,creat,append" 2>/dev/null &
pids="$pids $!"
wait_for grep -q "@$name" /proc/net/unix || echo "demo: socat did not listen on @$name" >&2
set -- $(client abstract "ABSTRACT-CONNECT:$name")
row "abstract unix socket @$name" "$1" "$2" "$D/abstract.in.err" "$D/abstract.log"

# 3. TCP on 127.0.0.1: python3 server on an ephemeral port, socat client.
"$PY" -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
log = open(sys.argv[2], "a")
while True:
    c, _ = s.accept()
    log.write(c.recv(1024).decode(errors="replace")); log.flush()
    c.close()
' "$D/port" "$D/tcp.log" &
pids="$pids $!"
wait_for test -s "$D/port" || echo "demo: the python3 server did not start" >&2
port=$(cat "$D/port" 2>/dev/null)
set -- $(client tcp "TCP:127.0.0.1:${port:-1}")
row "tcp 127.0.0.1:$port (python3 server)" "$1" "$2" "$D/tcp.in.err" "$D/tcp.log"

# 4. A SysV shared memory segment made by ipcmk; python3 attaches it.
shmid=$(ipcmk -M 4096 | awk '{print $NF}')
shmat='
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
p = libc.shmat(int(sys.argv[1]), None, 0)
if p is None or p == ctypes.c_void_p(-1).value:
    sys.exit("shmat: " + os.strerror(ctypes.get_errno()))
'
"$IPCFENCE" -- "$PY" -c "$shmat" "$shmid" 2>"$D/sysv.in.err"
i=$?
if ipcs -m -i "$shmid" | grep -q 'att_time=Not set'; then untouched=1; else untouched=0; fi
"$PY" -c "$shmat" "$shmid" 2>"$D/sysv.out.err"
o=$?
if ipcs -m -i "$shmid" | grep -q 'att_time=Not set'; then o=1; fi
[ "$untouched" -eq 1 ] || i=0
row "SysV shm segment $shmid (ipcmk)" "$o" "$i" "$D/sysv.in.err" ""

echo
if [ "$bad" -eq 0 ]; then
        echo "demo: all $ok endpoints reachable outside, unreachable inside ipcfence, as expected"
        exit 0
fi
echo "demo: $bad of $((ok + bad)) endpoint(s) did not behave as expected"
for f in "$D"/*.err; do
        [ -s "$f" ] && sed "s|^|  ${f##*/}: |" "$f"
done
exit 1
