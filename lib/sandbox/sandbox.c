/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one place that owns the SPEC §2 order. The supervisor clones the
 * sandbox's init process straight into all namespaces (the user namespace is
 * created first by the kernel and owns the others); init applies each layer
 * in order, forks the program — never a second exec of ipcfence — and
 * becomes the reaper. Init confines itself before forking, so the program
 * inherits every layer and nothing unconfined ever runs inside. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

const char *ipf_step_to_string(enum ipf_step s)
{
        static const char *const names[_IPF_STEP_MAX] = {
                [IPF_STEP_PARENT] = "supervisor",
                [IPF_STEP_FDS] = "closing inherited descriptors",
                [IPF_STEP_USERNS] = "user namespace",
                [IPF_STEP_MOUNTS] = "mount namespace",
                [IPF_STEP_NET] = "network namespace",
                [IPF_STEP_NNP] = "no_new_privs",
                [IPF_STEP_LANDLOCK] = "Landlock",
                [IPF_STEP_CAPS] = "capabilities",
                [IPF_STEP_SECCOMP] = "seccomp",
                [IPF_STEP_LISTENER] = "handing the seccomp listener to the supervisor",
                [IPF_STEP_EXEC] = "executing the program",
        };
        return s >= 0 && s < _IPF_STEP_MAX ? names[s] : "unknown step";
}

struct child_ctx {
        const struct ipf_plan *plan;
        char *const *argv;
        const struct ipf_run_options *o;
        const sigset_t *forward, *orig_mask;
        int report_fd, life_fd, broker_fd;
};

static _Noreturn void child_fail(int report_fd, enum ipf_step step, int err, const char *detail,
                                 int code)
{
        struct ipf_child_report rep = {.step = step, .err = err};

        snprintf(rep.detail, sizeof(rep.detail), "%s", detail ? detail : "");
        /* A short write leaves the supervisor to report the bare exit. */
        (void)!write(report_fd, &rep, sizeof(rep));
        _exit(code);
}

/* Close every descriptor but the two pipes: SPEC §1 keeps only 0-2, and
 * Landlock does not restrict what was opened before it. */
static int close_inherited(const int *keep, size_t n)
{
        unsigned next = 3;

        /* KEEP is sorted ascending. */
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < 3)
                        continue;
                if ((unsigned)keep[i] > next && sys_close_range(next, keep[i] - 1, 0) < 0)
                        return -errno;
                next = (unsigned)keep[i] + 1;
        }
        return sys_close_range(next, ~0U, 0) < 0 ? -errno : 0;
}

static int int_cmp(const void *a, const void *b)
{
        return *(const int *)a - *(const int *)b;
}

/* As env(1): 127 when COMMAND is not found, 126 when it cannot be
 * executed, 125 when we could not even try (no memory, no process). */
static int exec_failure_status(int err)
{
        switch (err) {
        case ENOENT:
                return IPF_EXIT_NOT_FOUND;
        case EAGAIN:
        case ENOMEM:
        case ENOSYS:
                return IPF_EXIT_FAILURE;
        default:
                return IPF_EXIT_CANNOT_EXEC;
        }
}

/* posix_spawn: vfork semantics (no copy of init's page tables) and exec
 * errors returned here rather than through another pipe. glibc tries clone3
 * first, gets ENOSYS from our filter and falls back to clone. The report
 * and life pipes are close-on-exec and never reach the program. */
static pid_t spawn_program(const struct child_ctx *c)
{
        posix_spawnattr_t attr;
        short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
        sigset_t stops;
        pid_t pid;
        int r;

        if (c->o->new_session)
                flags |= POSIX_SPAWN_SETSID;
        /* What init ignores (init_main()), the program gets as it was. */
        sigemptyset(&stops);
        sigaddset(&stops, SIGTSTP);
        sigaddset(&stops, SIGTTIN);
        sigaddset(&stops, SIGTTOU);
        r = posix_spawnattr_init(&attr);
        if (r == 0)
                r = posix_spawnattr_setflags(&attr, flags);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &stops);
        if (r == 0)
                r = posix_spawnattr_setsigmask(&attr, c->orig_mask);
        if (r == 0)
                r = posix_spawnp(&pid, c->argv[0], NULL, &attr, c->argv, environ);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                child_fail(c->report_fd, IPF_STEP_EXEC, r, c->argv[0], exec_failure_status(r));
        return pid;
}

#define APPLY(c, step, call)                                                                \
        do {                                                                                \
                char _detail[sizeof(((struct ipf_child_report *)0)->detail)] = "";          \
                int _r = (call);                                                            \
                if (_r < 0)                                                                 \
                        child_fail((c)->report_fd, (step), -_r, _detail, IPF_EXIT_FAILURE); \
        } while (0)

/* SCM_RIGHTS over our socketpair: sendmsg(2) is not trapped by the filter,
 * so this cannot deadlock on our own listener (nono#1208). */
/* The seccomp filter travels from the supervisor to init over the broker
 * socket, as one message: this header and the instructions. */
struct filter_header {
        uint32_t flags;
        uint32_t len;
};

int ipf_sandbox_send_filter(const struct ipf_sandbox *sb, const struct ipf_seccomp_plan *s)
{
        struct filter_header h = {.flags = s->flags, .len = s->len};
        struct iovec iov[2] = {{.iov_base = &h, .iov_len = sizeof(h)},
                               {.iov_base = s->insns, .iov_len = s->len * sizeof(*s->insns)}};
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
        ssize_t n = sendmsg(sb->broker_fd, &msg, MSG_NOSIGNAL);

        if (n < 0)
                return -errno;
        return (size_t)n == iov[0].iov_len + iov[1].iov_len ? 0 : -EMSGSIZE;
}

/* Init's side: the filter, or -errno (EOF, -EPIPE: the supervisor gave up
 * on compiling it and is about to kill us). */
static int recv_filter(int sock, struct ipf_seccomp_plan *ret)
{
        size_t max = sizeof(struct filter_header) + BPF_MAXINSNS * sizeof(struct sock_filter);
        _cleanup_free_ char *buf = malloc(max);
        struct filter_header h;
        ssize_t n;

        if (!buf)
                return -ENOMEM;
        do
                n = recv(sock, buf, max, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t)n < sizeof(h))
                return -EPIPE;
        memcpy(&h, buf, sizeof(h));
        if (h.len == 0 || h.len > BPF_MAXINSNS ||
            (size_t)n != sizeof(h) + h.len * sizeof(struct sock_filter))
                return -EBADMSG;
        ret->insns = malloc(h.len * sizeof(struct sock_filter));
        if (!ret->insns)
                return -ENOMEM;
        memcpy(ret->insns, buf + sizeof(h), h.len * sizeof(struct sock_filter));
        ret->len = (unsigned short)h.len;
        ret->flags = h.flags;
        return 0;
}

static int send_fds(int sock, const int *fds, size_t n, const struct ipf_sandbox_facts *facts)
{
        char cbuf[CMSG_SPACE(sizeof(int) * IPF_SANDBOX_N_FDS)] = {0};
        struct iovec iov = {.iov_base = (void *)facts, .iov_len = sizeof(*facts)};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = cbuf,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*facts) ? 0 : -errno;
}

int ipf_sandbox_recv_fds(int sock, int ret_fds[IPF_SANDBOX_N_FDS],
                         struct ipf_sandbox_facts *ret_facts)
{
        char cbuf[CMSG_SPACE(sizeof(int) * IPF_SANDBOX_N_FDS)] = {0};
        struct ipf_sandbox_facts facts;
        struct iovec iov = {.iov_base = &facts, .iov_len = sizeof(facts)};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = cbuf,
                             .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *c;
        ssize_t n;

        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        c = CMSG_FIRSTHDR(&msg);
        if (n != (ssize_t)sizeof(facts) || facts.n_private > IPF_SANDBOX_MAX_PRIVATE || !c ||
            c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len != CMSG_LEN(sizeof(int) * IPF_SANDBOX_N_FDS)) {
                /* Close whatever did arrive. */
                for (size_t i = 0; c && i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        close(fd);
                }
                return -ECONNRESET;
        }
        memcpy(ret_fds, CMSG_DATA(c), sizeof(int) * IPF_SANDBOX_N_FDS);
        *ret_facts = facts;
        return 0;
}

/* The devices of the fresh filesystems init mounted, noted as it mounted
 * them: no program exists yet to swap a path for a symlink (red team #4),
 * and a mount that did not happen is not counted (round 4 #1). */
static struct ipf_sandbox_facts init_facts;

/* Hand the broker what it needs: the listener, our root and network
 * namespace (it cannot open them through /proc once we are non-dumpable),
 * and the facts above. */
static int send_broker_fds(int sock, int listener)
{
        int fds[IPF_SANDBOX_N_FDS] = {listener, -1, -1};
        int r;

        fds[IPF_SANDBOX_FD_ROOT] = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        fds[IPF_SANDBOX_FD_NETNS] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        r = fds[IPF_SANDBOX_FD_ROOT] < 0 || fds[IPF_SANDBOX_FD_NETNS] < 0
                    ? -errno
                    : send_fds(sock, fds, IPF_SANDBOX_N_FDS, &init_facts);
        for (size_t i = 0; i < IPF_SANDBOX_N_FDS; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        return r;
}

static void apply_mounts(const struct child_ctx *c)
{
        char detail[sizeof(((struct ipf_child_report *)0)->detail)] = "";
        int r = ipf_apply_mounts(&c->plan->mounts, &init_facts, detail, sizeof(detail));

        if (r < 0)
                child_fail(c->report_fd, IPF_STEP_MOUNTS, -r, detail, IPF_EXIT_FAILURE);
        if (r > 0 && c->o->verbosity >= 0)
                dprintf(STDERR_FILENO,
                        "ipcfence: working directory '%s' is not visible in the sandbox, "
                        "starting in '/'\n",
                        detail);
}

static _Noreturn void init_main(const struct child_ctx *c)
{
        const struct ipf_plan *plan = c->plan;
        struct pollfd pfd = {.fd = c->life_fd, .events = POLLIN};
        int keep[] = {c->report_fd, c->life_fd, c->broker_fd};
        int listener = -1;
        bool own_pidns = plan->clone_flags & CLONE_NEWPID;
        struct ipf_seccomp_plan filter = plan->seccomp;
        pid_t program;

        /* Die with the supervisor; if it is already gone, stop here. In a
         * PID namespace of our own, our death kills the rest; in the
         * host's, we must live to kill it (init.c). */
        if (own_pidns) {
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                        child_fail(c->report_fd, IPF_STEP_PARENT, errno, NULL, IPF_EXIT_FAILURE);
        } else {
                sigset_t gone;

                sigemptyset(&gone);
                sigaddset(&gone, IPF_INIT_SUPERVISOR_GONE);
                /* Not a namespace's init, which the kernel keeps from being
                 * stopped: the terminal's ^Z must stop the program, not us
                 * (a stopped init is killed by the supervisor). */
                signal(SIGTSTP, SIG_IGN);
                signal(SIGTTIN, SIG_IGN);
                signal(SIGTTOU, SIG_IGN);
                if (sigprocmask(SIG_BLOCK, &gone, NULL) < 0 ||
                    prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ||
                    prctl(PR_SET_PDEATHSIG, IPF_INIT_SUPERVISOR_GONE) < 0)
                        child_fail(c->report_fd, IPF_STEP_PARENT, errno, NULL, IPF_EXIT_FAILURE);
        }
        if (poll(&pfd, 1, 0) != 0)
                child_fail(c->report_fd, IPF_STEP_PARENT, ESRCH, NULL, IPF_EXIT_FAILURE);

        /* Before anything that opens a file: inherited fds must not survive
         * into the confined program (and Landlock ignores them). */
        qsort(keep, ELEMENTSOF(keep), sizeof(int), int_cmp);
        if (close_inherited(keep, ELEMENTSOF(keep)) < 0)
                child_fail(c->report_fd, IPF_STEP_FDS, errno, NULL, IPF_EXIT_FAILURE);
        /* The maps first: every later step needs our capabilities in the new
         * user namespace, and files we create must be owned by the caller. */
        APPLY(c, IPF_STEP_USERNS, ipf_apply_userns(plan->uid, plan->gid, _detail, sizeof(_detail)));
        /* Mounts need CAP_SYS_ADMIN over the mount namespace; /proc must be
         * mounted by a process inside the new PID namespace (we are its 1). */
        apply_mounts(c);
        if (plan->loopback_up)
                APPLY(c, IPF_STEP_NET, ipf_apply_loopback(_detail, sizeof(_detail)));
        /* no_new_privs: required by Landlock and seccomp without
         * CAP_SYS_ADMIN, and keeps setuid binaries from regaining privilege. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(c->report_fd, IPF_STEP_NNP, errno, NULL, IPF_EXIT_FAILURE);
        APPLY(c, IPF_STEP_LANDLOCK, ipf_apply_landlock(&plan->landlock, _detail, sizeof(_detail)));
        /* Capabilities after the steps that need them, before seccomp so the
         * filter need not allow capset/prctl for us. */
        APPLY(c, IPF_STEP_CAPS, ipf_apply_caps(_detail, sizeof(_detail)));
        /* seccomp last: from here on the filter covers us and the program. */
        /* The supervisor compiled the filter while we built the above. */
        if (filter.len == 0) {
                int r = recv_filter(c->broker_fd, &filter);

                if (r < 0)
                        child_fail(c->report_fd, IPF_STEP_SECCOMP, -r, "receiving the filter",
                                   IPF_EXIT_FAILURE);
        }
        APPLY(c, IPF_STEP_SECCOMP, ipf_apply_seccomp(&filter, &listener, _detail, sizeof(_detail)));
        /* The broker must hold the listener before the program can make a
         * trapped call. */
        if (listener >= 0) {
                int r = send_broker_fds(c->broker_fd, listener);

                if (r < 0)
                        child_fail(c->report_fd, IPF_STEP_LISTENER, -r, NULL, IPF_EXIT_FAILURE);
        }
        close(c->broker_fd);
        /* The program may not read or write pid 1's memory via /proc/1/mem.
         * Not best effort: nothing runs with less than the plan. */
        if (prctl(PR_SET_DUMPABLE, 0) < 0)
                child_fail(c->report_fd, IPF_STEP_SECCOMP, errno, "dumpable", IPF_EXIT_FAILURE);

        program = spawn_program(c);
        /* The program is executing: EOF tells the supervisor so. */
        close(c->report_fd);
        ipf_init_run(program, c->forward, c->o->new_session, own_pidns);
}

const char *ipf_sandbox_userns_hint(int err)
{
        if (err != EPERM && err != EACCES && err != ENOSPC && err != EINVAL)
                return "";
        return " (unprivileged user namespaces are refused on this host: see sysctls "
               "user.max_user_namespaces, kernel.unprivileged_userns_clone and, on Ubuntu, "
               "kernel.apparmor_restrict_unprivileged_userns with ipcfence's AppArmor profile "
               "installed by `make install`)";
}

int ipf_sandbox_spawn(const struct ipf_plan *plan, char *const argv[],
                      const struct ipf_run_options *o, const sigset_t *forward,
                      const sigset_t *orig_mask, struct ipf_sandbox *ret)
{
        _cleanup_close_ int report_r = -1, report_w = -1, life_r = -1, life_w = -1;
        _cleanup_close_ int broker_ours = -1, broker_init = -1;
        int fds[2];
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        report_r = fds[0], report_w = fds[1];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        life_r = fds[0], life_w = fds[1];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
                return -errno;
        broker_ours = fds[0], broker_init = fds[1];

        /* Raw clone: fork semantics (no new stack) plus namespace flags. */
        pid = (pid_t)syscall(SYS_clone, plan->clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                struct child_ctx c = {
                        .plan = plan,
                        .argv = argv,
                        .o = o,
                        .forward = forward,
                        .orig_mask = orig_mask,
                        .report_fd = report_w,
                        .life_fd = life_r,
                        .broker_fd = broker_init,
                };
                close(report_r);
                close(life_w);
                close(broker_ours);
                init_main(&c);
        }
        *ret = (struct ipf_sandbox){
                .init_pid = pid,
                .report_fd = TAKE_FD(report_r),
                .life_fd = TAKE_FD(life_w),
                .broker_fd = TAKE_FD(broker_ours),
        };
        return 0;
}
