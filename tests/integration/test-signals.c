/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signals and ptrace: a confined program cannot signal or trace a host
 * process (the victim lives on); it is not pid 1, so signals behave as
 * outside; the six forwarded signals reach it, with or without a handler. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

ITEST_SUITE(signals);



Test(signals, cannot_kill_host_process)
{
        pid_t v = itest_victim();
        struct itest_result r;

        IN(&r, "kill", itest_pidstr(v), "KILL");
        cr_assert(itest_denied(&r), "kill(%d) inside: %s", (int)v, itest_show(&r));
        IN(&r, "kill", itest_pidstr(v), "TERM");
        cr_assert(itest_denied(&r), "kill(%d) inside: %s", (int)v, itest_show(&r));
        cr_assert(itest_alive(v), "the host victim %d died", (int)v);
}

Test(signals, cannot_ptrace_host_process)
{
        pid_t v = itest_victim();
        struct itest_result r;

        IN(&r, "ptrace", itest_pidstr(v));
        cr_assert(itest_denied(&r), "ptrace(%d) inside: %s", (int)v, itest_show(&r));
        cr_assert_eq(itest_tracer_of(v), 0, "the host victim is being traced");
        IN(&r, "vm-read", itest_pidstr(v));
        cr_assert(itest_denied(&r), "process_vm_readv(%d) inside: %s", (int)v, itest_show(&r));
        IN(&r, "pidfd-getfd", itest_pidstr(v), "0");
        cr_assert(itest_denied(&r), "pidfd_getfd(%d) inside: %s", (int)v, itest_show(&r));
        IN(&r, "kcmp", itest_pidstr(v));
        cr_assert(itest_denied(&r), "kcmp(%d) inside: %s", (int)v, itest_show(&r));
        cr_assert(itest_alive(v), "the host victim %d died", (int)v);
}

/* Even on a process the probe forked itself (visible in its PID namespace),
 * the seccomp filter refuses the tracing family. */
Test(signals, ptrace_family_filtered)
{
        itest_assert_filtered("ptrace", "child", (char *)NULL);
        itest_assert_filtered("vm-read", "child", (char *)NULL);
        itest_assert_filtered("vm-write", "child", (char *)NULL);
        itest_assert_filtered("pidfd-getfd", "child", "0", (char *)NULL);
        itest_assert_filtered("kcmp", "child", (char *)NULL);
}

/* Signalling inside the sandbox still works. */
Test(signals, kill_own_child_allowed)
{
        struct itest_result r;

        IN(&r, "kill", "child", "TERM");
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
}

Test(signals, program_is_pid_2_under_an_init)
{
        struct itest_result r;

        IN(&r, "getpid");
        cr_assert_str_eq(itest_line(&r), "2", "%s", itest_show(&r));
        IN(&r, "getppid");
        cr_assert_str_eq(itest_line(&r), "1", "%s", itest_show(&r));
}

Test(signals, sh_kill_term_self_exits_143)
{
        struct itest_result r;

        IPF(&r, "--", "sh", "-c", "kill -TERM $$; echo survived");
        cr_assert_eq(r.status, 143, "%s", itest_show(&r));
        cr_assert(!strstr(r.out, "survived"), "%s", itest_show(&r));
        IN(&r, "self-term");
        cr_assert_eq(r.status, 143, "%s", itest_show(&r));
}

static void start_and_wait_ready(struct itest_proc *p, const char *op)
{
        itest_spawnl(p, NULL, itest_ipcfence(), "--", itest_probe(), op, op[0] == 's' ? "30" : NULL,
                     (char *)NULL);
        cr_assert(itest_proc_wait_output(p, "ready\n", ITEST_TIMEOUT_MS),
                  "the probe never became ready: stdout='%s' stderr='%s'", p->out, p->err);
}

Test(signals, sigterm_reaches_program_without_handler)
{
        struct itest_proc p;
        struct itest_result r;

        start_and_wait_ready(&p, "sleep");
        cr_assert_eq(kill(p.pid, SIGTERM), 0);
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(r.status, 143, "%s", itest_show(&r));
        cr_assert(!strstr(r.out, "ok"), "the program slept on: %s", itest_show(&r));
}

/* INT, HUP, QUIT, USR1, USR2 kill a program without a handler; the status
 * is 128+N for the signal forwarded. */
Test(signals, other_forwarded_signals_reach_program_without_handler)
{
        static const int sigs[] = {SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                struct itest_proc p;
                struct itest_result r;

                start_and_wait_ready(&p, "sleep");
                cr_assert_eq(kill(p.pid, sigs[i]), 0);
                itest_proc_finish(&p, &r, 0);
                cr_assert_eq(r.status, 128 + sigs[i], "SIG%s: %s", sigabbrev_np(sigs[i]),
                             itest_show(&r));
        }
}

Test(signals, forwarded_signals_reach_program_handler)
{
        static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2};
        struct itest_proc p;
        struct itest_result r;
        char want[32];

        start_and_wait_ready(&p, "wait-signal");
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                snprintf(want, sizeof(want), "SIG%s\n", sigabbrev_np(sigs[i]));
                cr_assert_eq(kill(p.pid, sigs[i]), 0);
                cr_assert(itest_proc_wait_output(&p, want, 5000),
                          "%s was not forwarded: stdout='%s' stderr='%s'", want, p.out, p.err);
        }
        cr_assert_eq(kill(p.pid, SIGTERM), 0);
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert(strstr(r.out, "SIGTERM\n"), "%s", itest_show(&r));
}
