/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's pid 1. The program is never pid 1, so that signals behave as
 * outside: the kernel drops signals with a default action sent to a
 * namespace's init, which would make `kill -TERM $$` a no-op (SPEC §2). */
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

_Noreturn void ipf_init_run(pid_t program, const sigset_t *forward, bool forward_tty_signals)
{
        sigset_t wait_set = *forward;

        sigaddset(&wait_set, SIGCHLD);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&wait_set, &si);

                if (sig < 0)
                        continue; /* EINTR */
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
                        /* Our exit kills whatever the program left behind. */
                        if (pid == program)
                                _exit(status_to_exit(status));
                }
        }
}
