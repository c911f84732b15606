/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor: the ipcfence process itself, outside the sandbox. It
 * builds the plan before the fork, starts the sandbox, reports set-up
 * failures, forwards signals to the sandbox's init and exits with the
 * program's status. No threads: signal handlers and one loop (serve()). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compile/plan.h"
#include "sandbox/sandbox.h"
#include "util/cleanup.h"
#include "supervise/broker.h"
#include "supervise/dbus-proxy.h"
#include "supervise/decision-log.h"
#include "util/log.h"

/* Signals a service manager or a user sends to stop or poke a program. */
static const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

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

static int exit_status(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}

/* What the signal handlers share with the loop. The handlers block each
 * other (sa_mask), and only the SIGCHLD one reaps init: a forwarded signal
 * never reaches a pid that init's end freed for reuse. */
static struct {
        pid_t init_pid;
        bool own_pidns;
        bool receiving; /* the loop may block in the broker's receive */
        int wake_fd; /* an eventfd, written once init is reaped */
        volatile sig_atomic_t init_status; /* waitpid()'s, set before init_gone */
        volatile sig_atomic_t init_gone;
} sup = {.wake_fd = -1};

static void on_child(int sig)
{
        int saved_errno = errno, status;

        (void)sig;
        /* OWN_PIDNS false (`signal host`): the program can stop init,
         * which would then never run its cleanup. */
        if (sup.init_gone || waitpid(sup.init_pid, &status,
                                     WNOHANG | (sup.own_pidns ? 0 : WUNTRACED)) != sup.init_pid) {
                errno = saved_errno;
                return;
        }
        if (WIFSTOPPED(status)) {
                (void)kill(sup.init_pid, SIGKILL);
        } else {
                sup.init_status = status;
                sup.init_gone = 1;
                /* Reaped between the loop's check and its receive, on a
                 * kernel that would not end the receive: SIGALRM will. */
                if (sup.receiving)
                        ipf_broker_wake_receive();
                (void)eventfd_write(sup.wake_fd, 1);
        }
        errno = saved_errno;
}

/* Forward a signal to the sandbox's init, except those the terminal sent
 * to the whole foreground process group: the program got them already, and
 * init decides for --new-session. */
static void on_forwarded(int sig, siginfo_t *si, void *ucontext)
{
        int saved_errno = errno;

        (void)ucontext;
        if (si->si_code != SI_KERNEL && !sup.init_gone)
                (void)kill(sup.init_pid, sig);
        errno = saved_errno;
}

/* The dispositions we replace, SIGCHLD's first. */
struct saved_actions {
        struct sigaction act[1 + ELEMENTSOF(forwarded_signals)];
        size_t n;
};

/* No SA_RESTART (red team 6 #1): a blocking call of the broker that one
 * of these interrupts returns EINTR, as for the guard timer's SIGALRM,
 * which the broker takes for "would block". Restarted, it would block
 * again with the guard's SIGALRM spent: one that arrives while a handler
 * runs, or after a restart was decided, is taken by on_timer() and
 * interrupts nothing. Under `signal host` the program can send us
 * SIGUSR1 (numbered below SIGALRM, so handled first) in a loop, and a
 * connect to a full backlog then kept us for good: no call served. */
static int handle_signals(const sigset_t *wait_set, struct saved_actions *saved)
{
        struct sigaction chld = {.sa_handler = on_child};
        struct sigaction fwd = {.sa_sigaction = on_forwarded, .sa_flags = SA_SIGINFO};

        chld.sa_mask = fwd.sa_mask = *wait_set;
        saved->n = 0;
        if (sigaction(SIGCHLD, &chld, &saved->act[saved->n]) < 0)
                return -errno;
        saved->n++;
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++) {
                int sig = forwarded_signals[i];

                if (sigaction(sig, &fwd, &saved->act[saved->n]) < 0)
                        return -errno;
                saved->n++;
                /* Ignored (nohup): so it stays, and the program inherited
                 * SIG_IGN for it as well. */
                if (saved->act[saved->n - 1].sa_handler == SIG_IGN)
                        (void)sigaction(sig, &saved->act[saved->n - 1], NULL);
        }
        return 0;
}

static void restore_signals(const struct saved_actions *saved)
{
        for (size_t i = 0; i < saved->n; i++)
                (void)sigaction(i == 0 ? SIGCHLD : forwarded_signals[i - 1], &saved->act[i], NULL);
}

/* SIGKILL init from the loop: with our signals blocked, so that the
 * handler cannot reap it between the check and the kill. */
static void kill_init(const sigset_t *wait_set)
{
        sigset_t saved;

        sigprocmask(SIG_BLOCK, wait_set, &saved);
        if (!sup.init_gone)
                (void)kill(sup.init_pid, SIGKILL);
        sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* Serve the broker until init is gone. Signals are handled in handlers,
 * so that the broker can block in SECCOMP_IOCTL_NOTIF_RECV itself, without
 * a poll(2) before each notification, when that cannot miss init's end:
 * with our own PID namespace init is the last task with the filter, and
 * once it has exited a recent kernel (6.18 here) ends every receive with
 * ENOENT (the filter has no users left); on older ones the SIGCHLD
 * handler's signal does (EINTR, no SA_RESTART), and, should init be reaped
 * between our check and the receive, the SIGALRM ticks it then starts
 * (ipf_broker_wake_receive()). ENOENT also means a call withdrawn (its
 * thread was killed): the next wait is in poll(2), which tells them apart
 * (POLLHUP) and waits for the eventfd the SIGCHLD handler writes once it
 * has reaped init. With `signal host` the program's descendants outlive
 * init, and parked calls are retried every 5 ms: then we always wait in
 * poll(2). */
static void serve(struct ipf_broker *b, bool own_pidns, const sigset_t *wait_set)
{
        struct pollfd fds[2] = {
                {.fd = sup.wake_fd, .events = POLLIN},
                {.fd = b ? b->listener : -1, .events = POLLIN},
        };
        bool in_receive = own_pidns;

        /* With a broker comes SIGALRM's handler; with `signal host` we poll. */
        sup.receiving = b && own_pidns;

        while (!sup.init_gone) {
                bool parked = b && b->n_pending;
                int r = 0;

                if (in_receive && fds[1].fd >= 0 && !parked) {
                        r = ipf_broker_process(b);
                        in_receive = r != -ENOENT;
                } else if (poll(fds, 2, parked ? 5 : -1) > 0) {
                        if (fds[1].revents & POLLIN) {
                                r = ipf_broker_process(b);
                                in_receive = own_pidns;
                        } else if (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                                fds[1].fd = -1; /* every filtered task is gone */
                        }
                }
                /* A broker that cannot read notifications would leave the
                 * program blocked in them: fail closed. */
                if (r < 0 && r != -ENOENT) {
                        ipf_log(IPF_LOG_ERR, "broker failed: %s; stopping the sandbox",
                                strerror(-r));
                        kill_init(wait_set);
                        fds[1].fd = -1;
                }
                if (b && b->n_pending)
                        ipf_broker_retry(b);
                /* Answered: what the calls logged (a timer wakes us too). */
                if (b)
                        ipf_decision_log_flush_due(b->log);
        }
}

/* Forward signals and broker calls until init exits. Returns the exit
 * status for ipcfence. OWN_PIDNS false (`signal host`): we are a child
 * subreaper, and kill what init leaves. */
static int supervise_loop(pid_t init_pid, const sigset_t *wait_set, struct ipf_broker *b,
                          bool own_pidns)
{
        struct saved_actions saved = {.n = 0};
        int status;

        sup.init_pid = init_pid;
        sup.own_pidns = own_pidns;
        sup.init_gone = 0;
        sup.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (sup.wake_fd < 0 || handle_signals(wait_set, &saved) < 0) {
                /* Nothing to wait with: the sandbox goes, blocking. */
                ipf_log(IPF_LOG_ERR, "cannot wait for the sandbox: %s; stopping it",
                        strerror(errno));
                (void)kill(init_pid, SIGKILL);
                (void)waitpid(init_pid, &status, 0);
                status = (int)IPF_EXIT_FAILURE << 8;
        } else {
                sigprocmask(SIG_UNBLOCK, wait_set, NULL);
                serve(b, own_pidns, wait_set);
                sigprocmask(SIG_BLOCK, wait_set, NULL);
                sup.receiving = false;
                status = sup.init_status;
        }
        restore_signals(&saved);
        closep(&sup.wake_fd);
        if (!own_pidns)
                ipf_kill_descendants();
        return exit_status(status);
}

/* The supervisor lends nothing: a root caller's ipcfence drops its own
 * capabilities once the sandbox exists, so a brokered call has exactly
 * the program's privileges (issue #3: same uid, no capabilities). It keeps
 * what it needs over the sandbox as the owner of its user namespace. This
 * is the supervisor's own set, not the sandbox's layer (init drops that
 * with libcap-ng): one capset(2) empties it, without parsing /proc. */
static int drop_own_capabilities(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {0};

        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        if (!(d[0].permitted | d[1].permitted | d[0].inheritable | d[1].inheritable))
                return 0;
        memset(d, 0, sizeof(d));
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
            syscall(SYS_capset, &h, d) < 0)
                return -errno;
        return 0;
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

/* Everything after the sandbox is up: hand what init sent to a broker and
 * supervise until init exits. */
static int run_supervised(const struct ipf_policy *p, const struct ipf_run_options *o,
                          const struct ipf_sandbox *sb, const int fds[IPF_SANDBOX_N_FDS],
                          const struct ipf_sandbox_facts *facts, struct ipf_decision_log *log,
                          const struct ipf_dbus_proxies *proxies, const sigset_t *wait_set,
                          bool own_pidns, int *ret_status, struct ipf_diag *reterr)
{
        struct ipf_broker broker = {.listener = -1, .saved_cwd = -1, .sb.rootfd = -1, .cwdfd = -1};
        int r = 0;

        if (fds[IPF_SANDBOX_FD_LISTENER] >= 0) {
                r = ipf_broker_init(&broker, fds, facts, p, sb->init_pid, log, o->permissive);
                /* The proxies' sockets in the view are host inodes: the
                 * filtered buses, and the only host sockets reachable
                 * without a rule naming them. */
                for (int bus = 0; r >= 0 && bus < _IPF_BUS_MAX; bus++)
                        if (proxies->bus[bus].pid > 0)
                                r = ipf_broker_allow_inode(&broker, proxies->bus[bus].dev,
                                                           proxies->bus[bus].ino,
                                                           proxies->bus[bus].view);
                if (r < 0) {
                        ipf_diag_set(reterr, NULL, 0, 0, "cannot start the broker: %s",
                                     strerror(-r));
                        /* Nothing runs unbrokered: without a broker the sandbox goes. */
                        (void)kill(sb->init_pid, SIGKILL);
                }
        }
        *ret_status = supervise_loop(sb->init_pid, wait_set, r < 0 ? NULL : &broker, own_pidns);
        ipf_broker_done(&broker);
        return r;
}

/* Everything before the sandbox: features, host facts, the D-Bus proxies
 * (started first, so they come up while the plan is compiled), the plan
 * and the decision log. On failure nothing is left running or allocated. */
static int prepare(const struct ipf_policy *p, const struct ipf_run_options *o,
                   struct ipf_host *host, char xdg_buf[PATH_MAX], struct ipf_plan *plan,
                   struct ipf_dbus_proxies *proxies, struct ipf_decision_log **ret_log,
                   struct ipf_diag *reterr)
{
        struct ipf_features features;
        int r;

        ipf_features_probe(&features);
        ipf_host_from_process(host, xdg_buf);
        r = ipf_plan_check_supported(p, reterr);
        if (r < 0)
                return r;
        r = ipf_dbus_proxies_start(proxies, p, host, reterr);
        if (r < 0)
                return r;
        r = ipf_plan_compile_early(p, &features, host, plan, reterr);
        if (r < 0) {
                ipf_dbus_proxies_stop(proxies);
                return r;
        }
        if (plan->landlock.fallback)
                ipf_notice("notice: %s", plan->landlock.fallback);
        /* Before anything runs: a log we cannot write is a reason not to. */
        r = ipf_decision_log_open(o->log, o->log_all, ipf_policy_name(p), ret_log);
        if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot open the decision log '%s': %s", o->log,
                             strerror(-r));
                ipf_dbus_proxies_stop(proxies);
                ipf_plan_done(plan);
        }
        return r;
}

int ipf_run(const struct ipf_policy *p, char *const argv[], const struct ipf_run_options *o,
            int *ret_status, struct ipf_diag *reterr)
{
        struct ipf_host host;
        char xdg_buf[PATH_MAX];
        struct ipf_plan plan = {0};
        struct ipf_dbus_proxies proxies = IPF_DBUS_PROXIES_INIT;
        struct ipf_sandbox sb = {.report_fd = -1, .life_fd = -1, .broker_fd = -1};
        struct ipf_child_report rep;
        sigset_t forward, wait_set, orig_mask;
        int r, status = IPF_EXIT_FAILURE;
        int fds[IPF_SANDBOX_N_FDS] = {-1, -1, -1};
        bool own_pidns = true;
        struct ipf_decision_log *log = NULL;
        struct ipf_sandbox_facts facts = {0};

        /* An inherited SIG_IGN for SIGCHLD would make the kernel reap init
         * (and, in init, the program) behind our back: nobody would ever see
         * the exit. Init inherits this disposition at the clone. */
        signal(SIGCHLD, SIG_DFL);
        r = prepare(p, o, &host, xdg_buf, &plan, &proxies, &log, reterr);
        if (r < 0)
                return r;

        sigemptyset(&forward);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                sigaddset(&forward, forwarded_signals[i]);
        wait_set = forward;
        sigaddset(&wait_set, SIGCHLD);
        /* Blocked before the clone so that none is lost in between; the
         * program gets the original mask back right before exec. */
        sigprocmask(SIG_BLOCK, &wait_set, &orig_mask);

        /* `signal host`: no PID namespace whose end kills the rest, and
         * the program can kill init: its orphans must become ours. */
        own_pidns = plan.clone_flags & CLONE_NEWPID;
        if (!own_pidns && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                r = -errno;
                ipf_diag_set(reterr, NULL, 0, 0, "cannot become a child subreaper: %s",
                             strerror(-r));
                goto out;
        }
        /* Init binds the proxies' sockets into its view: they must exist. */
        r = ipf_dbus_proxies_wait(&proxies, &host, reterr);
        if (r < 0)
                goto out;
        r = ipf_sandbox_spawn(&plan, argv, o, &forward, &orig_mask, &sb);
        if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot create the sandbox's namespaces: %s%s",
                             strerror(-r), ipf_sandbox_userns_hint(-r));
                goto out;
        }
        /* After the clone: a root caller's user namespace may map uid 0 only
         * if its creator could set file capabilities (parent_could_setfcap). */
        r = drop_own_capabilities();
        if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot drop our own capabilities");
                (void)kill(sb.init_pid, SIGKILL);
                (void)supervise_loop(sb.init_pid, &wait_set, NULL, own_pidns);
                goto out;
        }
        /* The filter, compiled while init builds the sandbox (two cores:
         * in parallel), is sent before init reaches its seccomp step. If it
         * cannot be, init goes: nothing runs without it. */
        r = ipf_plan_compile_seccomp(p, &plan, reterr);
        if (r >= 0)
                r = ipf_sandbox_send_filter(&sb, &plan.seccomp);
        /* Init already gone (a failed mount...): its report says why. */
        if (r == -EPIPE || r == -ECONNRESET)
                r = 0;
        if (r < 0) {
                if (reterr && !reterr->msg[0])
                        ipf_diag_set(reterr, NULL, 0, 0, "cannot hand the sandbox its filter: %s",
                                     strerror(-r));
                (void)kill(sb.init_pid, SIGKILL);
                (void)supervise_loop(sb.init_pid, &wait_set, NULL, own_pidns);
                goto out;
        }
        /* EOF here means init failed before its filter: the report says why.
         * Init sends after its view is built, with the proxies' sockets
         * bound: the host needs them no more, and nothing is left behind
         * even if we are killed from here on. */
        if (ipf_sandbox_recv_fds(sb.broker_fd, fds, &facts) >= 0)
                ipf_dbus_proxies_unlink(&proxies);
        r = read_report(sb.report_fd, &rep);
        if (r > 0) {
                r = report_failure(&rep, reterr);
                status = supervise_loop(sb.init_pid, &wait_set, NULL, own_pidns);
        } else if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot read the sandbox's report: %s",
                             strerror(-r));
                (void)kill(sb.init_pid, SIGKILL);
                status = supervise_loop(sb.init_pid, &wait_set, NULL, own_pidns);
        } else {
                r = run_supervised(p, o, &sb, fds, &facts, log, &proxies, &wait_set, own_pidns,
                                   &status, reterr);
        }
        if (r >= 0) {
                *ret_status = status;
                r = 0;
        }
out:
        sigprocmask(SIG_SETMASK, &orig_mask, NULL);
        for (size_t i = 0; i < IPF_SANDBOX_N_FDS; i++)
                closep(&fds[i]);
        closep(&sb.report_fd);
        closep(&sb.life_fd);
        closep(&sb.broker_fd);
        /* After init: the proxies live exactly as long as the sandbox. */
        ipf_dbus_proxies_stop(&proxies);
        ipf_decision_log_free(log);
        ipf_plan_done(&plan);
        return r;
}
