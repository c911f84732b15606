/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's notification loop; decisions are in broker-dest.c.
 *
 * The program is hostile: each value is read once from a notification or
 * from its memory, sizes are capped, and SECCOMP_IOCTL_NOTIF_ID_VALID is
 * checked after every step that names the program by pid (a pid can be
 * reused once the thread dies) and before acting. A call that would block
 * is parked and finished from the poll loop, so one slow peer never
 * freezes the sandbox's other calls or signal forwarding. */
#include "supervise/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sys/syscalls.h"
#include "util/cleanup.h"
#include "util/log.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9 */
#endif

static bool is_socket(int fd)
{
        struct stat st;

        return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* A call on the program's socket under way (ipf_broker_guard() to
 * ipf_broker_guard_end()): the timer may have fired just before it began
 * (red team 6 #4), so it fires again until the call is over. */
static volatile sig_atomic_t guard_active;
/* The timer is no longer known to be armed until guard_until_us: it
 * fired, or was set to 1 ms here. A SIGALRM need not be the timer's (under
 * `signal host` the program can send us one in a loop, red team 7 #1): the
 * 1 ms shot it sets here may expire with no guard under way, and the next
 * guard, trusting guard_until_us, armed nothing. */
static volatile sig_atomic_t timer_touched;

static void on_timer(int sig)
{
        static const struct itimerval again = {.it_value = {.tv_usec = 1000}};
        int saved_errno = errno;

        (void)sig; /* to interrupt a blocked connect(2) or close(2) */
        timer_touched = 1;
        if (guard_active)
                (void)setitimer(ITIMER_REAL, &again, NULL);
        errno = saved_errno;
}

void ipf_broker_wake_receive(void)
{
        static const struct itimerval tick = {.it_interval = {.tv_usec = 1000},
                                              .it_value = {.tv_usec = 1000}};

        (void)setitimer(ITIMER_REAL, &tick, NULL);
}

/* What the sandbox is, from what init sent us: its root (the program's
 * view of the file system), its network namespace, and the devices of its
 * own fresh filesystems, measured by init before any program existed.
 * Takes ownership of ROOTFD. */
static int sandbox_learn(struct ipf_broker_sandbox *sb, const struct ipf_sandbox_facts *facts,
                         pid_t init_pid, int rootfd, int netnsfd)
{
        struct stat st;

        sb->init_pid = init_pid;
        sb->rootfd = rootfd;
        if (fstat(netnsfd, &st) < 0)
                return -errno;
        sb->netns_dev = st.st_dev;
        sb->netns_ino = st.st_ino;
        for (size_t i = 0; i < facts->n_private && i < IPF_SANDBOX_MAX_PRIVATE; i++)
                sb->private_devs[sb->n_private++] = (dev_t)facts->private_devs[i];
        return 0;
}

/* A pinned endpoint is reached through its entry in /proc/self/fd. With
 * that directory as our working directory, by its bare number (broker-dest.c:
 * pinned_address()): on each call the kernel then looks up one name rather
 * than walking /proc, the self link and fd first. ipf_broker_done() puts
 * the working directory back. */
static int enter_proc_fd(struct ipf_broker *b)
{
        b->cwdfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (b->cwdfd < 0)
                return -errno;
        b->saved_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (b->saved_cwd < 0 || fchdir(b->cwdfd) < 0)
                return -errno;
        return 0;
}

int ipf_broker_init(struct ipf_broker *b, const int fds[IPF_SANDBOX_N_FDS],
                    const struct ipf_sandbox_facts *facts, const struct ipf_policy *p,
                    pid_t init_pid, struct ipf_decision_log *log, bool permissive)
{
        uint64_t wake = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
        int r;

        *b = (struct ipf_broker){.listener = fds[IPF_SANDBOX_FD_LISTENER],
                                 .saved_cwd = -1,
                                 .policy = p,
                                 .log = log,
                                 .permissive = permissive,
                                 .sb.rootfd = -1,
                                 .cwdfd = -1};
        if (sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &b->sizes) < 0)
                return -errno;
        /* The kernel's structs may be larger than our headers' (STYLE §3). */
        b->req = calloc(1, b->sizes.seccomp_notif > sizeof(struct seccomp_notif)
                                   ? b->sizes.seccomp_notif
                                   : sizeof(struct seccomp_notif));
        if (!b->req)
                return -ENOMEM;
        r = fcntl(fds[IPF_SANDBOX_FD_ROOT], F_DUPFD_CLOEXEC, 3);
        if (r < 0)
                return -errno;
        r = sandbox_learn(&b->sb, facts, init_pid, r, fds[IPF_SANDBOX_FD_NETNS]);
        if (r < 0)
                return r;
        /* SIGALRM interrupts a connect(2) that would block us
         * (guarded_connect()): no SA_RESTART, and not blocked. */
        {
                struct sigaction sa = {.sa_handler = on_timer};
                sigset_t alarm;

                sigemptyset(&alarm);
                sigaddset(&alarm, SIGALRM);
                if (sigaction(SIGALRM, &sa, &b->saved_alarm) < 0 ||
                    sigprocmask(SIG_UNBLOCK, &alarm, NULL) < 0)
                        return -errno;
                b->alarm_set = true;
        }
        r = enter_proc_fd(b);
        if (r < 0)
                return r;
        /* 6.6: wake the program on the CPU that answers it. An optimisation:
         * older kernels say EINVAL and we carry on. */
        (void)ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, wake);
        return 0;
}

/* Our duplicate may be the last reference to the program's socket, whose
 * close then waits for SO_LINGER (round 5 #2): under the guard. */
static void pending_done(struct ipf_broker *b, struct ipf_broker_pending *p)
{
        if (p->sockfd >= 0)
                ipf_broker_guard(b);
        /* The duplicate and the pin were opened one after the other: most
         * often neighbours, closed in one call (a connect's hot path). */
        if (p->sockfd >= 0 && p->pin == p->sockfd + 1 &&
            sys_close_range((unsigned)p->sockfd, (unsigned)p->pin, 0) == 0)
                p->sockfd = p->pin = -1;
        closep(&p->host_sock);
        closep(&p->sockfd);
        closep(&p->pin);
        ipf_broker_guard_end();
        free(p->payload);
        p->payload = NULL;
}

int ipf_broker_allow_inode(struct ipf_broker *b, dev_t dev, ino_t ino, const char *view)
{
        if (b->sb.n_hosted == IPF_BROKER_MAX_HOSTED)
                return -E2BIG;
        if (!view || strlen(view) >= sizeof(b->sb.hosted[0].view))
                return -ENAMETOOLONG;
        strcpy(b->sb.hosted[b->sb.n_hosted].view, view);
        b->sb.hosted[b->sb.n_hosted].dev = dev;
        b->sb.hosted[b->sb.n_hosted].ino = ino;
        b->sb.n_hosted++;
        return 0;
}

void ipf_broker_done(struct ipf_broker *b)
{
        for (size_t i = 0; i < b->n_pending; i++)
                pending_done(b, &b->pending[i]);
        b->n_pending = 0;
        if (b->alarm_set) {
                /* Disarmed first: SIGALRM's own action would end us. */
                static const struct itimerval off = {{0, 0}, {0, 0}};

                (void)setitimer(ITIMER_REAL, &off, NULL);
                (void)sigaction(SIGALRM, &b->saved_alarm, NULL);
        }
        b->alarm_set = false;
        for (size_t i = 0; i < b->n_pidfds; i++)
                closep(&b->pidfds[i].fd);
        b->n_pidfds = 0;
        for (size_t i = 0; i < b->n_pins; i++) {
                closep(&b->pins[i].fd);
                free(b->pins[i].path);
        }
        b->n_pins = 0;
        if (b->saved_cwd >= 0 && fchdir(b->saved_cwd) < 0)
                ipf_debug("cannot go back to our working directory: %m, ignoring");
        closep(&b->saved_cwd);
        closep(&b->sb.rootfd);
        closep(&b->cwdfd);
        free(b->req);
        b->req = NULL;
}

bool ipf_broker_id_valid(const struct ipf_broker *b, uint64_t id)
{
        return ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

bool ipf_broker_caller_valid(const struct ipf_broker *b)
{
        return ipf_broker_id_valid(b, b->req->id);
}

void ipf_broker_respond(const struct ipf_broker *b, uint64_t id, int64_t val, int err)
{
        struct seccomp_notif_resp resp = {.id = id, .val = err ? 0 : val, .error = err};

        /* ENOENT: the thread died or was interrupted meanwhile; nothing to do. */
        (void)ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* A pidfd for the thread PID (6.9: PIDFD_THREAD), else for its process. */
static int open_pidfd(pid_t pid)
{
        int fd = sys_pidfd_open(pid, PIDFD_THREAD);

        if (fd < 0 && errno == EINVAL)
                fd = sys_pidfd_open(pid, 0);
        return fd;
}

static struct ipf_broker_pidfd *pidfd_slot(struct ipf_broker *b, pid_t pid)
{
        for (size_t i = 0; i < b->n_pidfds; i++)
                if (b->pidfds[i].pid == pid)
                        return &b->pidfds[i];
        return NULL;
}

static void pidfd_forget(struct ipf_broker *b, pid_t pid)
{
        struct ipf_broker_pidfd *e = pidfd_slot(b, pid);

        if (!e)
                return;
        closep(&e->fd);
        *e = b->pidfds[--b->n_pidfds];
        if (b->next_pidfd >= b->n_pidfds)
                b->next_pidfd = 0;
}

/* A pidfd for the thread that made notification ID, thread PID: kept from
 * an earlier call of that thread, or opened and kept. A pidfd names its
 * thread for good. Once that thread is gone its id may be reused, but the
 * pidfd then names no thread at all: pidfd_getfd() fails with ESRCH and
 * the caller forgets it (pidfd_forget()). So a kept pidfd reaches the
 * thread that is calling now or none. A new one is kept only once ID_VALID
 * showed that PID still named the caller after it was opened. The broker
 * owns the fd; -ESRCH if the caller is gone, or -errno. */
static int pidfd_of(struct ipf_broker *b, pid_t pid, uint64_t id)
{
        struct ipf_broker_pidfd *e = pidfd_slot(b, pid);
        _cleanup_close_ int fd = -1;

        if (e)
                return e->fd;
        fd = open_pidfd(pid);
        if (fd < 0)
                return -errno;
        if (!ipf_broker_id_valid(b, id))
                return -ESRCH;
        if (b->n_pidfds < IPF_BROKER_MAX_PIDFDS) {
                e = &b->pidfds[b->n_pidfds++];
        } else {
                e = &b->pidfds[b->next_pidfd];
                b->next_pidfd = (b->next_pidfd + 1) % IPF_BROKER_MAX_PIDFDS;
                closep(&e->fd);
        }
        *e = (struct ipf_broker_pidfd){.pid = pid, .fd = TAKE_FD(fd)};
        return e->fd;
}

/* Our duplicate of the program's descriptor FD (pidfd_getfd: the same open
 * file), or -errno. A kept pidfd that fails is forgotten and the call made
 * once more with a new one: its thread may be gone and the id reused. */
int ipf_broker_program_fd(struct ipf_broker *b, pid_t pid, uint64_t id, int fd)
{
        struct ipf_broker_pidfd *e = pidfd_slot(b, pid);
        int pidfd, r;

        if (e) {
                r = sys_pidfd_getfd(e->fd, fd, 0);
                if (r >= 0)
                        return r;
                pidfd_forget(b, pid);
        }
        pidfd = pidfd_of(b, pid, id);
        if (pidfd < 0)
                return pidfd;
        r = sys_pidfd_getfd(pidfd, fd, 0);
        return r < 0 ? -errno : r;
}

int ipf_broker_read_memory(pid_t pid, uint64_t addr, void *buf, size_t len)
{
        struct iovec local = {.iov_base = buf, .iov_len = len};
        struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

        if (n < 0)
                return errno == ESRCH ? -ESRCH : -EFAULT;
        return (size_t)n == len ? 0 : -EFAULT;
}

void ipf_broker_guard(struct ipf_broker *b)
{
        static const struct itimerval arm = {.it_value = {.tv_usec = IPF_BROKER_BLOCK_US}};
        struct timespec ts;
        long now;

        clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
        now = ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
        guard_active = 1;
        if (timer_touched || now + 1000 > b->guard_until_us) {
                timer_touched = 0; /* before: one that fires now is seen next time */
                if (setitimer(ITIMER_REAL, &arm, NULL) == 0)
                        b->guard_until_us = now + IPF_BROKER_BLOCK_US;
                else
                        b->guard_until_us = 0;
        }
}

void ipf_broker_guard_end(void)
{
        guard_active = 0;
}

/* connect(2) on the program's own socket (a duplicate: the same open
 * file), in the mode the program set, which it may change from another
 * thread at any moment: a timer bounds how long the call may keep us
 * (round 2: clearing O_NONBLOCK under us froze the supervisor). -EINTR:
 * it would block, and the program waits, not us.
 *
 * The timer is armed for IPF_BROKER_BLOCK_US when less than a millisecond
 * of it is left, not around each call: a call that does not block is never
 * interrupted. A stray SIGALRM afterwards wakes poll(2), the notification
 * receive or an ADDFD waiting for the program, which all carry on (EINTR:
 * ipf_broker_addfd() asks again); a decision-log write that blocks on a
 * full pipe at that moment would lose its line. */
static long guarded_connect(struct ipf_broker *b, int sockfd, const struct sockaddr_storage *a,
                            socklen_t len)
{
        long r;

        ipf_broker_guard(b);
        r = connect(sockfd, (const struct sockaddr *)a, len) < 0 ? -errno : 0;
        ipf_broker_guard_end();
        return r;
}

/* Whether the program's descriptor FD is close-on-exec: a property of its
 * descriptor table, which our duplicate does not share. */
int ipf_broker_fd_cloexec(pid_t pid, int fd)
{
        char path[64], buf[256];
        _cleanup_fclose_ FILE *f = NULL;
        unsigned flags;

        snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(buf, sizeof(buf), f))
                if (sscanf(buf, "flags: %o", &flags) == 1)
                        return (flags & O_CLOEXEC) ? 1 : 0;
        return -EIO;
}

static long now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bind S before connecting so the program can never bind it elsewhere or
 * listen on it once it is in its hands (round 2 #1, #2): an autobound
 * abstract name, or an ephemeral port held for the socket's life. */
static int prebind(int s, int domain)
{
        struct sockaddr_storage a = {.ss_family = (sa_family_t)domain};
        socklen_t len = domain == AF_INET    ? sizeof(struct sockaddr_in)
                        : domain == AF_INET6 ? sizeof(struct sockaddr_in6)
                                             : sizeof(sa_family_t);

        return bind(s, (struct sockaddr *)&a, len) < 0 ? -errno : 0;
}

int ipf_broker_addfd(const struct ipf_broker *b, struct seccomp_notif_addfd *addfd)
{
        int r;

        /* The kernel waits, interruptibly, for the program to take the
         * descriptor; interrupted (our connect guard), it withdrew it. */
        do
                r = ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, addfd);
        while (r < 0 && errno == EINTR);
        return r;
}

int ipf_broker_host_twin(const struct ipf_broker *b, uint64_t id, pid_t pid, int sockfd, int fd,
                         int flags, int *ret_domain, int *ret_fl, bool *ret_cloexec)
{
        int domain, type, proto, fl, cloexec, s;
        socklen_t n = sizeof(int);

        if (getsockopt(sockfd, SOL_SOCKET, SO_DOMAIN, &domain, &n) < 0 ||
            getsockopt(sockfd, SOL_SOCKET, SO_TYPE, &type, &n) < 0 ||
            getsockopt(sockfd, SOL_SOCKET, SO_PROTOCOL, &proto, &n) < 0)
                return -errno;
        fl = fcntl(sockfd, F_GETFL);
        cloexec = ipf_broker_fd_cloexec(pid, fd);
        if (fl < 0 || cloexec < 0 || !ipf_broker_id_valid(b, id))
                return -ESRCH;
        s = socket(domain, type | SOCK_CLOEXEC | flags, proto);
        if (s < 0)
                return -errno;
        *ret_domain = domain;
        *ret_fl = fl;
        *ret_cloexec = cloexec;
        return s;
}

/* Put our socket S in place of the program's descriptor FD_NUMBER of call
 * ID, with the file flags FL and close-on-exec it had (ADDFD with SETFD). */
long ipf_broker_install(const struct ipf_broker *b, uint64_t id, int s, int fd_number, int fl,
                        bool cloexec)
{
        struct seccomp_notif_addfd addfd = {
                .id = id,
                .flags = SECCOMP_ADDFD_FLAG_SETFD,
                .srcfd = (__u32)s,
                .newfd = (__u32)fd_number,
                .newfd_flags = cloexec ? O_CLOEXEC : 0,
        };

        (void)fcntl(s, F_SETFL, fl);
        if (ipf_broker_addfd(b, &addfd) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return 0;
}

static long install(struct ipf_broker *b, struct ipf_broker_pending *p, int s)
{
        return ipf_broker_install(b, p->id, s, p->fd_number, p->program_fl, p->cloexec);
}

/* An allowed host endpoint (abstract name, TCP) from inside the sandbox's
 * network namespace: connect a socket of ours in the host's namespace with
 * the program's domain, type and protocol, and only once it is connected
 * put it in the program's place. A socket that never connected never
 * reaches the program: it could be bound, listened on, or pointed
 * elsewhere with sendmsg(2), which is not trapped — except a non-blocking
 * TCP socket, installed while connecting (below). Options the program set
 * on its own socket, and a local address it bound, do not carry over.
 * Returns 0 (installed), 1 (still connecting: park P), or -errno. */
static long inject_connect(struct ipf_broker *b, struct ipf_broker_pending *p, int fd)
{
        int domain;
        _cleanup_close_ int s = -1;
        long r;

        /* Our own file, non-blocking: the program cannot make us wait. */
        s = ipf_broker_host_twin(b, p->id, p->pid, p->sockfd, fd, SOCK_NONBLOCK, &domain,
                                 &p->program_fl, &p->cloexec);
        if (s < 0)
                return s;
        p->fd_number = fd;
        r = prebind(s, domain);
        if (r < 0)
                return r;
        r = connect(s, (const struct sockaddr *)&p->addr, p->addr_len) < 0 ? -errno : 0;
        if (r == 0)
                return install(b, p, s);
        if (r != -EINPROGRESS && r != -EAGAIN)
                return r; /* refused, unreachable...: the program's socket is untouched */
        /* A non-blocking socket gets the kernel's answer now: EAGAIN (a
         * unix backlog is full; nothing installed), or EINPROGRESS with
         * our socket in its place, still connecting: it is bound, and a
         * TCP socket that connects or fails can no longer listen(2), nor
         * connect elsewhere (trapped), nor send elsewhere (MSG_FASTOPEN is
         * refused), so it reaches nothing but the allowed endpoint. */
        if (p->program_fl & O_NONBLOCK) {
                if (r == -EAGAIN)
                        return r;
                r = install(b, p, s);
                return r < 0 ? r : -EINPROGRESS;
        }
        p->host_sock = TAKE_FD(s);
        p->deadline_ms = now_ms() + IPF_BROKER_CONNECT_TIMEOUT_MS;
        return 1;
}

/* A parked host-side connect: installed and answered once connected, or
 * answered with the failure. True when done. */
static bool retry_host(struct ipf_broker *b, struct ipf_broker_pending *p)
{
        struct pollfd pfd = {.fd = p->host_sock, .events = POLLOUT};
        socklen_t elen = sizeof(int);
        int err = 0;
        long r;

        if (now_ms() > p->deadline_ms) {
                ipf_broker_respond(b, p->id, 0, -ETIMEDOUT);
                return true;
        }
        if (p->addr.ss_family == AF_UNIX) {
                /* The server's backlog was full: try again. */
                r = connect(p->host_sock, (const struct sockaddr *)&p->addr, p->addr_len) < 0
                            ? -errno
                            : 0;
                if (r == -EAGAIN)
                        return false;
                if (r == -EISCONN)
                        r = 0;
        } else {
                if (poll(&pfd, 1, 0) <= 0)
                        return false;
                r = getsockopt(p->host_sock, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 ? -errno : -err;
        }
        if (r == 0)
                r = install(b, p, p->host_sock);
        if (r != -ESRCH)
                ipf_broker_respond(b, p->id, 0, r < 0 ? (int)r : 0);
        return true;
}

static bool park(struct ipf_broker *b, const struct ipf_broker_pending *p)
{
        if (b->n_pending == IPF_BROKER_MAX_PENDING)
                return false;
        b->pending[b->n_pending++] = *p;
        return true;
}

/* The decision and the call, shared by connect and sendto. */
static void handle(struct ipf_broker *b, const struct seccomp_notif *req, bool sending)
{
        const __u64 *a = req->data.args;
        uint64_t addr_ptr = sending ? a[4] : a[1];
        socklen_t len = (socklen_t)(sending ? a[5] : a[2]);
        struct ipf_broker_pending p = {.id = req->id,
                                       .pid = (pid_t)req->pid,
                                       .sockfd = -1,
                                       .pin = -1,
                                       .host_sock = -1,
                                       .sending = sending};
        struct sockaddr_storage addr;
        bool was_blocking, host = false;
        long r;

        /* The kernel's own limit: more is EINVAL, for connect and sendto. */
        if ((sending ? a[5] : a[2]) > sizeof(addr)) {
                ipf_broker_respond(b, req->id, 0, -EINVAL);
                return;
        }
        r = ipf_broker_read_memory(p.pid, addr_ptr, &addr, len);
        if (r == 0 && sending) {
                p.payload_len = (size_t)a[2];
                p.flags = (int)a[3];
                if (p.payload_len > IPF_BROKER_MAX_PAYLOAD)
                        r = -EMSGSIZE;
                else if (!(p.payload = malloc(p.payload_len ? p.payload_len : 1)))
                        r = -ENOMEM;
                else
                        r = ipf_broker_read_memory(p.pid, a[1], p.payload, p.payload_len);
        }
        if (r >= 0) {
                int fd = ipf_broker_program_fd(b, p.pid, req->id, (int)a[0]);

                p.sockfd = fd;
                if (fd < 0)
                        r = fd;
        }
        /* The pid named the caller in all of the above: nothing is decided
         * on another thread's memory or socket. ipf_broker_decide() checks
         * again after any step of its own that names the pid. */
        if (!ipf_broker_id_valid(b, req->id))
                r = -ESRCH;
        if (r >= 0)
                r = ipf_broker_decide(b, p.pid, p.sockfd, &addr, len, sending ? "send" : "connect",
                                      &p.addr, &p.addr_len, &p.pin, &host);
        /* Not a socket: the kernel says so before it looks at the address.
         * Checked only on the way out (the calls below fail with ENOTSOCK
         * by themselves), so that an allowed connect pays nothing for it. */
        if (r < 0 && r != -ESRCH && p.sockfd >= 0 && !is_socket(p.sockfd))
                r = -ENOTSOCK;
        if (r >= 0 && host) {
                /* Answered only once connected, also for a non-blocking
                 * socket (a connect may complete at once). */
                r = inject_connect(b, &p, (int)a[0]);
                if (r == 1 && park(b, &p))
                        return;
                if (r == 1)
                        r = -EAGAIN; /* too many calls in flight */
        } else if (r >= 0 && !sending) {
                r = guarded_connect(b, p.sockfd, &p.addr, p.addr_len);
                /* A blocking socket that would wait (TCP handshake, a full
                 * unix backlog): the program waits, parked, not us. */
                if (r == -EINTR && park(b, &p))
                        return;
                if (r == -EINTR)
                        r = -EAGAIN; /* too many calls in flight */
        } else if (r >= 0) {
                /* Not MSG_ZEROCOPY: the kernel would send from our copy,
                 * freed by then, after we answered (round 5). */
                p.flags &= ~MSG_ZEROCOPY;
                r = sendto(p.sockfd, p.payload, p.payload_len,
                           p.flags | MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&p.addr,
                           p.addr_len);
                if (r < 0)
                        r = -errno;
                was_blocking =
                        !(p.flags & MSG_DONTWAIT) && !(fcntl(p.sockfd, F_GETFL) & O_NONBLOCK);
                if (r == -EAGAIN && was_blocking && park(b, &p))
                        return;
                /* The kernel would have sent the program SIGPIPE. */
                if (r == -EPIPE && !(p.flags & MSG_NOSIGNAL))
                        (void)syscall(SYS_pidfd_send_signal, pidfd_of(b, p.pid, req->id), SIGPIPE,
                                      NULL, 0);
        }
        /* Ours go before the answer: the program still holds its socket, so
         * these closes are cheap, and the program, woken on this CPU by the
         * answer, does not wait for them. */
        pending_done(b, &p);
        if (r != -ESRCH)
                ipf_broker_respond(b, req->id, r < 0 ? 0 : r, r < 0 ? (int)r : 0);
}

int ipf_broker_process(struct ipf_broker *b)
{
        memset(b->req, 0, b->sizes.seccomp_notif);
        if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_RECV, b->req) < 0)
                return errno == EINTR ? 0 : -errno;
        switch (b->req->data.nr) {
        case __NR_connect:
                handle(b, b->req, false);
                break;
        case __NR_sendto:
                handle(b, b->req, true);
                break;
        case __NR_bind:
                ipf_broker_bind(b, b->req);
                break;
        case __NR_listen:
                ipf_broker_listen(b, b->req);
                break;
        case __NR_mq_open:
                ipf_broker_mq_open(b, b->req);
                break;
        case __NR_mq_unlink:
                ipf_broker_mq_unlink(b, b->req);
                break;
        default:
                /* The filter traps nothing else; refuse rather than guess. */
                ipf_broker_respond(b, b->req->id, 0, -ENOSYS);
        }
        return 0;
}

/* Finish a parked call if it can be; true when it is done. */
static bool retry_one(struct ipf_broker *b, struct ipf_broker_pending *p)
{
        struct pollfd pfd = {.fd = p->sockfd, .events = POLLOUT};
        socklen_t elen = sizeof(int);
        int err = 0;
        long r;

        if (!ipf_broker_id_valid(b, p->id))
                return true; /* the program gave up (signal, exit) */
        if (p->host_sock >= 0)
                return retry_host(b, p);
        if (poll(&pfd, 1, 0) <= 0)
                return false;
        if (p->sending) {
                r = sendto(p->sockfd, p->payload, p->payload_len,
                           p->flags | MSG_DONTWAIT | MSG_NOSIGNAL,
                           (const struct sockaddr *)&p->addr, p->addr_len);
                r = r < 0 ? -errno : r;
        } else if (getsockopt(p->sockfd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err) {
                r = -err;
        } else {
                /* Connected, or (unix) room in the backlog now: try again. */
                r = guarded_connect(b, p->sockfd, &p->addr, p->addr_len);
                if (r == -EISCONN)
                        r = 0;
        }
        if (r == -EAGAIN || r == -EINPROGRESS || r == -EALREADY || r == -EINTR)
                return false;
        ipf_broker_respond(b, p->id, r < 0 ? 0 : r, r < 0 ? (int)r : 0);
        return true;
}

size_t ipf_broker_retry(struct ipf_broker *b)
{
        size_t w = 0;

        for (size_t i = 0; i < b->n_pending; i++) {
                if (retry_one(b, &b->pending[i]))
                        pending_done(b, &b->pending[i]);
                else
                        b->pending[w++] = b->pending[i];
        }
        b->n_pending = w;
        return w;
}
