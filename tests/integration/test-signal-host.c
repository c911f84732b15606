/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `signal host`: no PID namespace of its own, so the program can signal the
 * host's processes of its uid by their pids (without the rule it cannot);
 * ptrace and the other process-access calls stay denied; the host's /proc
 * is read-only; and no descendant — double-forked into its own session or
 * not — outlives the program or a SIGKILLed ipcfence. Checked on host
 * processes: the victim's fate, and /proc scans for a unique marker. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(signal_host);

#define SH(r, ...)                                                                          \
        itest_runl((r), NULL, itest_ipcfence(), "--allow=signal host", "--", itest_probe(), \
                   __VA_ARGS__, (char *)NULL)


/* The victim died within a second. */
static bool died(pid_t v)
{
        for (int i = 0; i < 100; i++) {
                if (!itest_alive(v))
                        return true;
                poll(NULL, 0, 10);
        }
        return false;
}


Test(signal_host, kill_host_process_with_rule)
{
        pid_t v = itest_victim();
        struct itest_result r;

        SH(&r, "kill", itest_pidstr(v), "TERM");
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert(died(v), "the host victim %d did not get the signal", (int)v);
}

Test(signal_host, kill_host_process_without_rule_fails)
{
        pid_t v = itest_victim();
        struct itest_result r;

        IN(&r, "kill", itest_pidstr(v), "TERM");
        cr_assert_str_eq(itest_line(&r), "ESRCH", "%s", itest_show(&r));
        cr_assert(!died(v), "the host victim %d died", (int)v);
}

/* The rule lifts signals, not tracing. */
Test(signal_host, ptrace_family_still_denied)
{
        pid_t v = itest_victim();
        struct itest_result r;

        SH(&r, "ptrace", itest_pidstr(v));
        cr_assert(itest_denied(&r), "ptrace(%d): %s", (int)v, itest_show(&r));
        cr_assert_eq(itest_tracer_of(v), 0, "the host victim is being traced");
        SH(&r, "vm-read", itest_pidstr(v));
        cr_assert(itest_denied(&r), "process_vm_readv(%d): %s", (int)v, itest_show(&r));
        SH(&r, "pidfd-getfd", itest_pidstr(v), "0");
        cr_assert(itest_denied(&r), "pidfd_getfd(%d): %s", (int)v, itest_show(&r));
        cr_assert(itest_alive(v), "the host victim %d died", (int)v);
}

/* The host's /proc, read-only: the victim is visible, and a file of it
 * that its owner may write on the host cannot be written inside. */
Test(signal_host, proc_is_the_hosts_read_only)
{
        pid_t v = itest_victim();
        char path[64];
        struct itest_result r;

        snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)v);
        SH(&r, "stat", path);
        cr_assert_str_eq(itest_line(&r), "ok", "the host's pid %d is not visible: %s", (int)v,
                         itest_show(&r));
        HOST(&r, "open-write", path);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        SH(&r, "open-write", path);
        cr_assert_str_eq(itest_line(&r), "EROFS", "%s", itest_show(&r));
}

/* A grandchild in its own session outlives its parent on the host (the
 * control); in the sandbox it goes when the program exits. */
Test(signal_host, leftover_killed_when_program_exits)
{
        const char *marker = itest_unique("ipf-itest-marker"), *control;
        char gc[128];
        struct itest_result r;

        control = itest_unique("ipf-itest-control");
        snprintf(gc, sizeof(gc), "%s-gc", control);
        HOST(&r, "double-fork", control);
        cr_assert_str_eq(itest_line(&r), "forked", "%s", itest_show(&r));
        cr_assert_eq(itest_count_procs(gc), 1, "control: no grandchild on the host");
        itest_kill_procs(gc);

        snprintf(gc, sizeof(gc), "%s-gc", marker);
        SH(&r, "double-fork", marker);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_str_eq(itest_line(&r), "forked", "%s", itest_show(&r));
        if (!itest_wait_procs(gc, 0, 5000)) {
                int n = itest_kill_procs(gc);

                cr_assert_fail("%d double-forked process(es) outlived the program", n);
        }
}

Test(signal_host, leftover_killed_when_ipcfence_is_killed)
{
        const char *marker = itest_unique("ipf-itest-marker");
        char gc[128];
        struct itest_proc p;
        struct itest_result r;

        snprintf(gc, sizeof(gc), "%s-gc", marker);
        itest_spawnl(&p, NULL, itest_ipcfence(), "--allow=signal host", "--", itest_probe(),
                     "double-fork", marker, "60", (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready\n", ITEST_TIMEOUT_MS),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        cr_assert_eq(itest_count_procs(gc), 1, "no grandchild running");
        cr_assert_eq(kill(p.pid, SIGKILL), 0);
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(r.status, 128 + SIGKILL, "%s", itest_show(&r));
        if (!itest_wait_procs(marker, 0, 5000)) {
                int n = itest_kill_procs(marker);

                cr_assert_fail("%d process(es) with the marker survived SIGKILL of ipcfence", n);
        }
}

/* The program can signal its own init (its parent, a host pid under
 * `signal host`, same uid): SIGKILLing it must not let the program or a
 * double-forked descendant outlive ipcfence (red team round 3: with init
 * gone nobody killed them; the supervisor is a child subreaper now). */
Test(signal_host, killing_init_leaves_nothing_behind)
{
        const char *marker = itest_unique("ipf-itest-marker");
        char script[1024];
        struct itest_result r;

        snprintf(script, sizeof(script),
                 "'%s' double-fork %s >/dev/null; kill -KILL $PPID; exec '%s' sleep 60 %s-self",
                 itest_probe(), marker, itest_probe(), marker);
        IPF(&r, "--allow=signal host", "--", "/bin/sh", "-c", script);
        if (!itest_wait_procs(marker, 0, 5000)) {
                int n = itest_kill_procs(marker);

                cr_assert_fail("%d process(es) outlived ipcfence (status %d)", n, r.status);
        }
}
