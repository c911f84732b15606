/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor: the ipcfence process itself, outside the sandbox. It
 * builds the plan before the fork, starts the sandbox, reports set-up
 * failures, forwards signals to the sandbox's init and exits with the
 * program's status. No threads: everything is one sigwaitinfo() loop. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile/plan.h"
#include "sandbox/sandbox.h"
#include "util/cleanup.h"
#include "util/log.h"

/* Signals a service manager or a user sends to stop or poke a program. */
static const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static void host_from_process(struct ipf_host *h)
{
        *h = (struct ipf_host){
                .uid = getuid(),
                .gid = getgid(),
                .xdg_runtime_dir = secure_getenv("XDG_RUNTIME_DIR"),
        };
}

/* Read the child's report: 0 on EOF (the program was executed), 1 with a
 * report, -errno on a read error. */
static int read_report(int fd, struct ipf_child_report *rep)
{
        ssize_t n;

        do
                n = read(fd, rep, sizeof(*rep));
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return 0;
        if ((size_t)n != sizeof(*rep))
                return -EIO;
        rep->detail[sizeof(rep->detail) - 1] = '\0';
        return 1;
}

static int wait_init(pid_t init_pid, const sigset_t *wait_set)
{
        for (;;) {
                siginfo_t si;
                int status, sig = sigwaitinfo(wait_set, &si);
                pid_t pid;

                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        /* Terminal signals reach the sandbox by its process
                         * group already; init decides for --new-session. */
                        if (si.si_code != SI_KERNEL)
                                (void)kill(init_pid, sig);
                        continue;
                }
                pid = waitpid(init_pid, &status, WNOHANG);
                if (pid == init_pid) {
                        if (WIFEXITED(status))
                                return WEXITSTATUS(status);
                        return 128 + WTERMSIG(status);
                }
        }
}

static int report_failure(const struct ipf_child_report *rep, struct ipf_diag *reterr)
{
        const char *what = ipf_step_to_string(rep->step);

        /* Init exited with the status env(1) would use (126, 127, 125). */
        if (rep->step == IPF_STEP_EXEC) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot execute '%s': %s", rep->detail,
                             strerror(rep->err));
                return 0;
        }
        ipf_diag_set(reterr, NULL, 0, 0, "cannot set up the sandbox: %s%s%s: %s%s", what,
                     rep->detail[0] ? ": " : "", rep->detail, strerror(rep->err),
                     rep->step == IPF_STEP_USERNS ? ipf_sandbox_userns_hint(rep->err) : "");
        return -rep->err;
}

int ipf_run(const struct ipf_policy *p, char *const argv[], const struct ipf_run_options *o,
            int *ret_status, struct ipf_diag *reterr)
{
        struct ipf_features features;
        struct ipf_host host;
        struct ipf_plan plan = {0};
        struct ipf_sandbox sb = {.report_fd = -1, .life_fd = -1};
        struct ipf_child_report rep;
        sigset_t forward, wait_set, orig_mask;
        int r, status;

        ipf_features_probe(&features);
        host_from_process(&host);
        r = ipf_plan_build(p, &features, &host, &plan, reterr);
        if (r < 0)
                return r;
        if (plan.landlock.fallback)
                ipf_notice("notice: %s", plan.landlock.fallback);

        sigemptyset(&forward);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                sigaddset(&forward, forwarded_signals[i]);
        wait_set = forward;
        sigaddset(&wait_set, SIGCHLD);
        /* Blocked before the clone so that none is lost in between; the
         * program gets the original mask back right before exec. */
        sigprocmask(SIG_BLOCK, &wait_set, &orig_mask);

        r = ipf_sandbox_spawn(&plan, argv, o, &forward, &orig_mask, &sb);
        if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot create the sandbox's namespaces: %s%s",
                             strerror(-r), ipf_sandbox_userns_hint(-r));
                goto out;
        }
        r = read_report(sb.report_fd, &rep);
        status = wait_init(sb.init_pid, &wait_set);
        if (r > 0)
                r = report_failure(&rep, reterr);
        else if (r < 0)
                ipf_diag_set(reterr, NULL, 0, 0, "cannot read the sandbox's report: %s",
                             strerror(-r));
        if (r >= 0) {
                *ret_status = status;
                r = 0;
        }
out:
        sigprocmask(SIG_SETMASK, &orig_mask, NULL);
        closep(&sb.report_fd);
        closep(&sb.life_fd);
        ipf_plan_done(&plan);
        return r;
}
