#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test runner behind `make check-tests` (env BUILD=build|build-asan, cwd:
# the repository root):
#   1. $BUILD/tests/unit-tests (Criterion);
#   2. every $BUILD/tests/replay-NAME over tests/fuzz/corpus/NAME/;
#   3. $BUILD/tests/integration-tests, as the caller and, when the caller is
#      root, again as uid 65534 (STYLE §5: integration runs unprivileged).
# The integration binaries and the probe are copied to a fresh world-readable
# directory outside /tmp, /var/tmp and /run: the sandbox masks those (a probe
# there would be invisible inside), and uid 65534 may not be able to read the
# checkout. HOME and XDG_RUNTIME_DIR are per-uid temporary directories.
#
# Exit: 0 all passed; 1 something failed; 77 a precondition is missing (the
# reason is printed) — a failure when IPCFENCE_TEST_STRICT=1.
set -u

BUILD=${BUILD:-build}
REPO=$(pwd)
STRICT=${IPCFENCE_TEST_STRICT:-0}
JOBS=2
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

n_passed=0
n_failed=0
n_skipped=0
summary=""
skip_reasons=""
cleanup_dirs=""

LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/ipf-run-tests.XXXXXX") || exit 1
cleanup() {
        rm -rf "$LOGDIR"
        for d in $cleanup_dirs; do
                rm -rf "$d"
        done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

note() {
        printf 'run-tests: %s\n' "$*"
}

fail() {
        note "FAIL: $*"
        n_failed=$((n_failed + 1))
        summary="$summary
  $*"
}

skip() {
        note "SKIP: $*"
        n_skipped=$((n_skipped + 1))
        skip_reasons="$skip_reasons
  $*"
        summary="$summary
  skipped: $*"
}

# The path is inside a directory the sandbox replaces with an empty tmpfs.
masked() {
        case "$1/" in
        /tmp/* | /var/tmp/* | /run/* | /dev/*) return 0 ;;
        esac
        return 1
}

# run_criterion LABEL CMD...: run a Criterion binary, show its output, add
# its Synthesis line to the summary and its counts to the totals.
run_criterion() {
        label=$1
        shift
        log="$LOGDIR/$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '-').log"
        note "== $label"
        { "$@"; echo $? >"$log.rc"; } 2>&1 | tee "$log"
        rc=$(cat "$log.rc" 2>/dev/null || echo 1)
        syn=$(grep 'Synthesis:' "$log" | tail -n 1)
        if [ -z "$syn" ]; then
                fail "$label: no Criterion summary (exit $rc)"
                return
        fi
        summary="$summary
  $label: ${syn#*Synthesis: }"
        passing=$(printf '%s' "$syn" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
        failing=$(printf '%s' "$syn" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
        crashing=$(printf '%s' "$syn" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
        skips=$(grep -c 'SKIP: ' "$log")
        n_passed=$((n_passed + ${passing:-0}))
        n_failed=$((n_failed + ${failing:-0} + ${crashing:-0}))
        n_skipped=$((n_skipped + skips))
        if [ "$rc" -ne 0 ] && [ "${failing:-0}" -eq 0 ] && [ "${crashing:-0}" -eq 0 ]; then
                fail "$label: exit status $rc"
        fi
}

# ---- 1. unit tests
if [ -x "$BUILD/tests/unit-tests" ]; then
        run_criterion "unit-tests" "$BUILD/tests/unit-tests" --jobs "$JOBS"
else
        fail "unit-tests: $BUILD/tests/unit-tests is missing (make $BUILD/tests/unit-tests)"
fi

# ---- 2. fuzz corpus replays
for replay in "$BUILD"/tests/replay-*; do
        [ -x "$replay" ] || continue
        name=${replay##*/replay-}
        corpus=tests/fuzz/corpus/$name
        if [ ! -d "$corpus" ] || [ -z "$(find "$corpus" -type f | head -n 1)" ]; then
                note "replay-$name: no corpus in $corpus, nothing to replay"
                continue
        fi
        count=$(find "$corpus" -type f | wc -l)
        note "== replay-$name over $count input(s) in $corpus"
        if find "$corpus" -type f -print0 | xargs -0 "$replay" >"$LOGDIR/replay-$name.log" 2>&1
        then
                n_passed=$((n_passed + 1))
                summary="$summary
  replay-$name: $count input(s) ok"
        else
                tail -n 40 "$LOGDIR/replay-$name.log"
                fail "replay-$name: failed on the corpus in $corpus"
        fi
done

# ---- 3. integration tests
integration() {
        for f in "$BUILD/ipcfence" "$BUILD/tests/probe" "$BUILD/tests/integration-tests"; do
                if [ ! -x "$f" ]; then
                        fail "integration: $f is missing (make $f)"
                        return
                fi
        done
        if ! command -v unshare >/dev/null; then
                skip "integration: unshare(1) (util-linux) is not installed"
                return
        fi
        if ! out=$(unshare --user true 2>&1); then
                skip "integration: unprivileged user namespaces are refused for uid $(id -u): $out"
                return
        fi

        if [ "$(id -u)" -eq 0 ]; then
                base=/var/lib
        else
                base=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}
                mkdir -p "$base" 2>/dev/null
                if [ ! -w "$base" ] || masked "$(cd "$base" 2>/dev/null && pwd -P)"; then
                        base=$REPO/$BUILD
                fi
        fi
        if ! T=$(mktemp -d "$base/ipcfence-tests.XXXXXX"); then
                fail "integration: cannot create a directory in $base"
                return
        fi
        cleanup_dirs="$cleanup_dirs $T"
        if masked "$(cd "$T" && pwd -P)"; then
                skip "integration: $T is under a directory the sandbox masks; set XDG_CACHE_HOME"
                return
        fi
        chmod 755 "$T"
        mkdir "$T/bin"
        cp "$BUILD/ipcfence" "$BUILD/tests/probe" "$BUILD/tests/integration-tests" "$T/bin/"
        cp -R profiles "$T/profiles"
        chmod -R a+rX "$T/bin" "$T/profiles"

        # As the caller.
        uid=$(id -u)
        home=$T/home-$uid
        mkdir -m 700 "$home"
        if [ "$uid" -eq 0 ]; then
                xdg=$(mktemp -d /run/ipf-xdg-0.XXXXXX)
        elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] &&
                [ -w "$XDG_RUNTIME_DIR" ]; then
                xdg=$(mktemp -d "$XDG_RUNTIME_DIR/ipf-xdg.XXXXXX")
        else
                xdg=$(mktemp -d "$T/xdg-$uid.XXXXXX")
        fi
        cleanup_dirs="$cleanup_dirs $xdg"
        chmod 700 "$xdg"
        user=$(id -un 2>/dev/null || echo "$uid")
        cd "$home" || return
        run_criterion "integration-tests (uid $uid)" \
                env -i PATH="$SYS_PATH" HOME="$home" USER="$user" LOGNAME="$user" \
                XDG_RUNTIME_DIR="$xdg" LANG=C.UTF-8 TERM=dumb \
                IPCFENCE="$T/bin/ipcfence" IPF_PROBE="$T/bin/probe" \
                IPCFENCE_PROFILE_PATH="$REPO/profiles" IPCFENCE_TEST_STRICT="$STRICT" \
                ${IPF_RACE_ATTEMPTS:+IPF_RACE_ATTEMPTS="$IPF_RACE_ATTEMPTS"} \
                ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
                ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
                "$T/bin/integration-tests" --jobs "$JOBS"
        cd "$REPO" || exit 1

        [ "$uid" -eq 0 ] || return

        # Again as an unprivileged uid.
        nobody=65534
        if ! command -v setpriv >/dev/null; then
                skip "integration (uid $nobody): setpriv(1) is not installed"
                return
        fi
        if ! out=$(setpriv --reuid=$nobody --regid=$nobody --clear-groups --inh-caps=-all \
                unshare --user true 2>&1); then
                skip "integration (uid $nobody): user namespaces are refused: $out"
                return
        fi
        home=$T/home-$nobody
        mkdir -m 700 "$home"
        xdg=$(mktemp -d /run/ipf-xdg-$nobody.XXXXXX)
        cleanup_dirs="$cleanup_dirs $xdg"
        chmod 700 "$xdg"
        chown "$nobody:$nobody" "$home" "$xdg"
        cd "$home" || return
        run_criterion "integration-tests (uid $nobody)" \
                env -i PATH="$SYS_PATH" HOME="$home" USER=nobody LOGNAME=nobody \
                XDG_RUNTIME_DIR="$xdg" LANG=C.UTF-8 TERM=dumb \
                IPCFENCE="$T/bin/ipcfence" IPF_PROBE="$T/bin/probe" \
                IPCFENCE_PROFILE_PATH="$T/profiles" IPCFENCE_TEST_STRICT="$STRICT" \
                ${IPF_RACE_ATTEMPTS:+IPF_RACE_ATTEMPTS="$IPF_RACE_ATTEMPTS"} \
                ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
                ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
                setpriv --reuid=$nobody --regid=$nobody --clear-groups --inh-caps=-all \
                "$T/bin/integration-tests" --jobs "$JOBS"
        cd "$REPO" || exit 1
}
integration

note "summary ($BUILD):$summary"
if [ -n "$skip_reasons" ] && [ "$STRICT" = 1 ]; then
        note "IPCFENCE_TEST_STRICT=1: a skipped precondition is a failure:$skip_reasons"
        n_failed=$((n_failed + 1))
fi
echo "run-tests: $n_passed passed, $n_failed failed, $n_skipped skipped"
[ "$n_failed" -eq 0 ] || exit 1
[ -z "$skip_reasons" ] || exit 77
exit 0
