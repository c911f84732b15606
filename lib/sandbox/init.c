/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's pid 1. The program is never pid 1, so that signals behave as
 * outside: the kernel drops signals with a default action sent to a
 * namespace's init, which would make `kill -TERM $$` a no-op (SPEC §2).
 *
 * With `signal host` there is no PID namespace of our own, whose end would
 * kill everything in it: init is a child subreaper instead, so that every
 * descendant, double-forked or not, stays its child, and it kills them all
 * when the program exits or the supervisor dies (IPF_INIT_SUPERVISOR_GONE,
 * its parent-death signal). */
#include <stdio.h>
#include <sys/prctl.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

static int status_to_exit(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return IPF_EXIT_FAILURE;
}

void ipf_kill_descendants(void)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
        for (;;) {
                FILE *f = fopen(path, "re");
                int pid;

                if (f) {
                        while (fscanf(f, "%d", &pid) == 1)
                                (void)kill(pid, SIGKILL);
                        fclose(f);
                }
                if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
                        return;
        }
}

_Noreturn void ipf_init_run(pid_t program, const sigset_t *forward, bool forward_tty_signals,
                            bool own_pidns)
{
        sigset_t wait_set = *forward;

        sigaddset(&wait_set, SIGCHLD);
        if (!own_pidns)
                sigaddset(&wait_set, IPF_INIT_SUPERVISOR_GONE);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&wait_set, &si);

                if (sig < 0)
                        continue; /* EINTR */
                if (sig == IPF_INIT_SUPERVISOR_GONE && !own_pidns) {
                        ipf_kill_descendants();
                        _exit(IPF_EXIT_FAILURE);
                }
                if (sig != SIGCHLD) {
                        /* A signal from the terminal already reached the
                         * program, which shares our process group — unless
                         * it runs in a session of its own. */
                        if (si.si_code != SI_KERNEL || forward_tty_signals)
                                (void)kill(program, sig);
                        continue;
                }
                for (;;) {
                        int status;
                        pid_t pid = waitpid(-1, &status, WNOHANG);

                        if (pid <= 0)
                                break;
                        /* Our exit kills whatever the program left behind:
                         * the kernel does, in our own PID namespace. */
                        if (pid == program) {
                                if (!own_pidns)
                                        ipf_kill_descendants();
                                _exit(status_to_exit(status));
                        }
                }
        }
}
