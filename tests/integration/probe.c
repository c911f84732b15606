/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe: try exactly one IPC (or kernel attack surface) operation and print
 * one line: "ok" or the errno name ("EACCES", "ENOENT", ...). Exit 0 on
 * success, 1 on failure, 2 on usage errors. The integration tests run it
 * both on the host (to prove an endpoint is reachable, so that a test can
 * fail) and inside ipcfence (to show it is not).
 *
 * A few operations print something else, documented in usage(): status, ns,
 * fds, fd-open, fstype, getpid, getppid, getsid, sleep, wait-signal.
 *
 * Targets written "child" (kill, ptrace, vm-read, vm-write, pidfd-getfd,
 * kcmp) are a child the probe forks itself: it exists whatever the PID
 * namespace, so the outcome is decided by seccomp, not by visibility.
 *
 * It deliberately calls raw syscalls and defines the newer uapi constants
 * itself: the build headers (Debian 12: Linux 6.1) may be older than the
 * running kernel, and libc wrappers may be missing. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/io_uring.h>
#include <linux/kcmp.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef TIOCL_GETSHIFTSTATE
#define TIOCL_GETSHIFTSTATE 6
#endif
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif
#ifndef DEVPTS_SUPER_MAGIC
#define DEVPTS_SUPER_MAGIC 0x1cd1
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
/* x86-64 numbers; only used when the headers predate the syscall. */
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* struct clone_args, version 0 (64 bytes), without <linux/sched.h>, which
 * clashes with glibc's <sched.h> on some header combinations. */
struct probe_clone_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* LeakSanitizer stops the world with ptrace, which the sandbox denies; the
 * probe is short-lived and its leaks are not what the tests look at. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
        return 1;
}

static volatile char scratch = 'p'; /* target of vm-read/vm-write in a child */

static const char *errno_name(int e)
{
        static char buf[32];
        const char *n = strerrorname_np(e);

        if (n)
                return n;
        snprintf(buf, sizeof(buf), "E%d", e);
        return buf;
}

/* R is 0 (or any value >= 0) for success or -errno. */
static int report(int r)
{
        if (r >= 0) {
                puts("ok");
                return 0;
        }
        puts(errno_name(-r));
        return 1;
}

static int neg_errno(void)
{
        return errno > 0 ? -errno : -EIO;
}

static _Noreturn void usage(void)
{
        fputs("usage: probe OP [ARG...]\n"
              "  unix-connect PATH | unix-dgram-send PATH\n"
              "  unix-connect-per-byte PATH   (one connect and one line per byte on stdin)\n"
              "  abstract-connect NAME | abstract-dgram-send NAME\n"
              "  tcp-connect HOST PORT | udp-send HOST PORT\n"
              "  shm-attach SHMID | shm-get KEY | msg-send KEY | sem-get KEY\n"
              "  mq-open /NAME | shm-open /NAME | fifo-open PATH   (write one byte on success)\n"
              "  kill PID|child SIG | ptrace PID|child | vm-read PID|child | vm-write child\n"
              "  pidfd-getfd PID|self|child [FD] | kcmp PID|child\n"
              "  io-uring | bpf | userfaultfd | dev-userfaultfd | perf-event-open\n"
              "  keyctl | add-key | request-key | tiocsti | tiocsti-high | tioclinux\n"
              "  unshare-user | unshare-net | setns-net | clone3 | clone-newuser\n"
              "  fsopen | open-tree | mount-tmpfs [DIR]\n"
              "  mptcp-socket | netlink-socket PROTO | packet-socket | alg-socket\n"
              "  socket FAMILY TYPE PROTO\n"
              "  status | ns | fds | fd-open N | stat PATH | fstype PATH\n"
              "  getpid | getppid | getsid | self-term | sleep SECONDS [TAG] | wait-signal [TAG]\n"
              "  unix-listen PATH|@NAME | tcp-listen HOST PORT   (print listening, serve one)\n"
              "  mq-create /NAME | mq-create-private /NAME | mq-unlink /NAME\n"
              "  open-write PATH | mount-ro PATH\n"
              "  double-fork TAG [SECONDS]\n",
              stderr);
        exit(2);
}

static long parse_long(const char *s)
{
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(s, &end, 0);
        if (errno != 0 || !end || end == s || *end != '\0')
                usage();
        return v;
}

static const struct {
        const char *name;
        int sig;
} signals[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
        {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
        {"TERM", SIGTERM}, {"STOP", SIGSTOP}, {"CONT", SIGCONT},
};

static int parse_signal(const char *s)
{
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
                if (strcmp(s, signals[i].name) == 0)
                        return signals[i].sig;
        return (int)parse_long(s);
}

static pid_t child_pid = -1;

static void reap_child(void)
{
        if (child_pid > 0) {
                kill(child_pid, SIGKILL);
                while (waitpid(child_pid, NULL, __WALL) < 0 && errno == EINTR)
                        ;
                child_pid = -1;
        }
}

/* "child": fork a child that waits to be killed; "self": ourselves. */
static pid_t parse_target(const char *s)
{
        if (strcmp(s, "self") == 0)
                return getpid();
        if (strcmp(s, "child") == 0) {
                child_pid = fork();
                if (child_pid < 0) {
                        report(neg_errno());
                        exit(1);
                }
                if (child_pid == 0) {
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        for (;;)
                                pause();
                }
                atexit(reap_child);
                return child_pid;
        }
        return (pid_t)parse_long(s);
}

static int unix_addr(const char *name, bool abstract, struct sockaddr_un *sa, socklen_t *len)
{
        size_t n = strlen(name);

        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (abstract) {
                if (n + 1 > sizeof(sa->sun_path))
                        return -ENAMETOOLONG;
                memcpy(sa->sun_path + 1, name, n);
                *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
        } else {
                if (n >= sizeof(sa->sun_path))
                        return -ENAMETOOLONG;
                memcpy(sa->sun_path, name, n);
                *len = (socklen_t)sizeof(*sa);
        }
        return 0;
}

static int op_unix(const char *name, int type, bool abstract, bool by_sendmsg)
{
        struct sockaddr_un sa;
        socklen_t len;
        int fd, r;

        r = unix_addr(name, abstract, &sa, &len);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return neg_errno();
        if (by_sendmsg) {
                /* The address in the msghdr, where BPF cannot see it. */
                char byte = 'x';
                struct iovec iov = {.iov_base = &byte, .iov_len = 1};
                struct msghdr msg = {
                        .msg_name = &sa, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};

                r = sendmsg(fd, &msg, 0) < 0 ? neg_errno() : 0;
        } else if (type == SOCK_DGRAM) {
                r = sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, len) < 0 ? neg_errno() : 0;
        } else {
                r = connect(fd, (struct sockaddr *)&sa, len) < 0 ? neg_errno() : 0;
        }
        close(fd);
        return r;
}

/* One connect, and its line, for each byte read on stdin, until EOF: the
 * same process, so the same supervisor, across changes the test makes on
 * the host between them. */
static int op_unix_per_byte(const char *path)
{
        char byte;

        while (read(STDIN_FILENO, &byte, 1) == 1) {
                (void)report(op_unix(path, SOCK_STREAM, false, false));
                fflush(stdout);
        }
        return 0;
}

static int inet_addr_parse(const char *host, const char *port, struct sockaddr_storage *ss,
                           socklen_t *len)
{
        struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        long p = parse_long(port);

        if (p < 0 || p > 65535)
                usage();
        memset(ss, 0, sizeof(*ss));
        if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
                in4->sin_family = AF_INET;
                in4->sin_port = htons((uint16_t)p);
                *len = sizeof(*in4);
        } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)p);
                *len = sizeof(*in6);
        } else {
                usage();
        }
        return 0;
}

static int op_inet(const char *host, const char *port, int type)
{
        struct timeval tv = {.tv_sec = 5};
        struct sockaddr_storage ss;
        socklen_t len;
        int fd, r;

        inet_addr_parse(host, port, &ss, &len);
        fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return neg_errno();
        /* Bound the connect: an unreachable host must not hang the test. */
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (type == SOCK_DGRAM)
                r = sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) < 0 ? neg_errno() : 0;
        else
                r = connect(fd, (struct sockaddr *)&ss, len) < 0 ? neg_errno() : 0;
        close(fd);
        return r;
}

static int op_shm_attach(const char *id)
{
        void *p = shmat((int)parse_long(id), NULL, SHM_RDONLY);

        if (p == (void *)-1)
                return neg_errno();
        shmdt(p);
        return 0;
}

static int op_sysv_get(const char *key, char kind)
{
        key_t k = (key_t)parse_long(key);
        struct {
                long mtype;
                char mtext[1];
        } msg = {1, {'x'}};
        int id;

        if (kind == 'm')
                id = shmget(k, 0, 0);
        else if (kind == 's')
                id = semget(k, 0, 0);
        else
                id = msgget(k, 0);
        if (id < 0)
                return neg_errno();
        if (kind == 'q' && msgsnd(id, &msg, sizeof(msg.mtext), IPC_NOWAIT) < 0)
                return neg_errno();
        return 0;
}

static int op_mq_open(const char *name)
{
        mqd_t q = mq_open(name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        int r = 0;

        if (q == (mqd_t)-1)
                return neg_errno();
        if (mq_send(q, "x", 1, 0) < 0)
                r = neg_errno();
        mq_close(q);
        return r;
}

static int write_one(int fd)
{
        int r = write(fd, "x", 1) == 1 ? 0 : neg_errno();

        close(fd);
        return r;
}

static int op_shm_open(const char *name)
{
        int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);

        return fd < 0 ? neg_errno() : write_one(fd);
}

static int op_fifo_open(const char *path)
{
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

        return fd < 0 ? neg_errno() : write_one(fd);
}

static int op_kill(const char *pid, const char *sig)
{
        pid_t p = parse_target(pid);

        return kill(p, parse_signal(sig)) < 0 ? neg_errno() : 0;
}

static int op_ptrace(const char *pid)
{
        pid_t p = parse_target(pid);

        if (ptrace(PTRACE_ATTACH, p, NULL, NULL) < 0)
                return neg_errno();
        (void)waitpid(p, NULL, __WALL);
        (void)ptrace(PTRACE_DETACH, p, NULL, NULL);
        return 0;
}

/* The first mapping of PID, a readable address in most processes. */
static uintptr_t first_mapping(pid_t pid)
{
        char path[64];
        unsigned long a = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return (uintptr_t)&scratch;
        if (fscanf(f, "%lx", &a) != 1)
                a = (uintptr_t)&scratch;
        fclose(f);
        return (uintptr_t)a;
}

static int op_vm(const char *pid, bool write)
{
        pid_t p = parse_target(pid);
        char buf = 'w';
        uintptr_t addr = p == child_pid ? (uintptr_t)&scratch : first_mapping(p);
        struct iovec local = {.iov_base = &buf, .iov_len = 1};
        struct iovec remote = {.iov_base = (void *)addr, .iov_len = 1};
        ssize_t n;

        if (write)
                n = process_vm_writev(p, &local, 1, &remote, 1, 0);
        else
                n = process_vm_readv(p, &local, 1, &remote, 1, 0);
        return n < 0 ? neg_errno() : 0;
}

static int op_pidfd_getfd(const char *pid, const char *fdarg)
{
        pid_t p = parse_target(pid);
        int target = fdarg ? (int)parse_long(fdarg) : 0;
        int pidfd, fd;

        pidfd = (int)syscall(SYS_pidfd_open, p, 0);
        if (pidfd < 0)
                return neg_errno();
        fd = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
        if (fd < 0) {
                int r = neg_errno();
                close(pidfd);
                return r;
        }
        close(fd);
        close(pidfd);
        return 0;
}

static int op_kcmp(const char *pid)
{
        pid_t p = parse_target(pid);

        return syscall(SYS_kcmp, getpid(), p, KCMP_VM, 0, 0) < 0 ? neg_errno() : 0;
}

static int close_fd_result(long fd)
{
        if (fd < 0)
                return neg_errno();
        close((int)fd);
        return 0;
}

static int op_io_uring(void)
{
        struct io_uring_params params;

        memset(&params, 0, sizeof(params));
        return close_fd_result(syscall(SYS_io_uring_setup, 1, &params));
}

/* BPF_OBJ_GET needs no privilege (since Linux 6.5 the unprivileged_bpf_disabled
 * check sits in map/prog creation): a kernel that sees the call answers ENOENT
 * for a missing pin, so any other answer comes from a filter in front of it. */
static int op_bpf(void)
{
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.pathname = (uint64_t)(uintptr_t) "/sys/fs/bpf/ipcfence-probe-missing";
        return close_fd_result(syscall(SYS_bpf, BPF_OBJ_GET, &attr, sizeof(attr)));
}

static int op_perf_event_open(void)
{
        struct perf_event_attr a;

        memset(&a, 0, sizeof(a));
        a.type = PERF_TYPE_SOFTWARE;
        a.size = sizeof(a);
        a.config = PERF_COUNT_SW_TASK_CLOCK;
        a.disabled = 1;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        return close_fd_result(syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

static int op_keys(const char *which)
{
        long r;

        if (strcmp(which, "keyctl") == 0)
                r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 1);
        else if (strcmp(which, "add-key") == 0)
                r = syscall(SYS_add_key, "user", "ipcfence-probe", "x", 1,
                            KEY_SPEC_PROCESS_KEYRING);
        else
                r = syscall(SYS_request_key, "user", "ipcfence-probe-missing", NULL,
                            KEY_SPEC_PROCESS_KEYRING);
        return r < 0 ? neg_errno() : 0;
}

/* Issue REQ on fd 0 (or /dev/tty) as its controlling terminal: TIOCSTI on a
 * terminal that is not ours fails with EPERM whatever the filter, which
 * would make the test unable to fail. So a child takes the terminal as its
 * controlling tty (setsid + TIOCSCTTY) and issues the ioctl; it reports a
 * failure of those preparatory steps as "setsid:ERR" / "tiocsctty:ERR". */
static int op_tty(unsigned long req, void *arg)
{
        char line[64] = "";
        int fd = 0, p[2];
        ssize_t n;
        pid_t pid;
        long r;

        if (!isatty(0)) {
                fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (fd < 0) {
                        printf("notty:%s\n", errno_name(errno));
                        return 1;
                }
        }
        if (tcgetsid(fd) == getsid(0) && getsid(0) > 0) {
                r = syscall(SYS_ioctl, fd, req, arg);
                return report(r < 0 ? neg_errno() : 0);
        }
        if (pipe2(p, O_CLOEXEC) < 0)
                return report(neg_errno());
        pid = fork();
        if (pid < 0)
                return report(neg_errno());
        if (pid == 0) {
                if (setsid() < 0)
                        snprintf(line, sizeof(line), "setsid:%s", errno_name(errno));
                else if (ioctl(fd, TIOCSCTTY, 0) < 0)
                        snprintf(line, sizeof(line), "tiocsctty:%s", errno_name(errno));
                else if (syscall(SYS_ioctl, fd, req, arg) < 0)
                        snprintf(line, sizeof(line), "%s", errno_name(errno));
                else
                        snprintf(line, sizeof(line), "ok");
                (void)!write(p[1], line, strlen(line));
                _exit(0);
        }
        close(p[1]);
        n = read(p[0], line, sizeof(line) - 1);
        close(p[0]);
        (void)waitpid(pid, NULL, 0);
        if (n <= 0) {
                puts("EIO");
                return 1;
        }
        line[n] = '\0';
        puts(line);
        return strcmp(line, "ok") == 0 ? 0 : 1;
}

static int wait_child_result(long r)
{
        int st;

        if (r < 0)
                return neg_errno();
        if (r == 0)
                _exit(0);
        if (waitpid((pid_t)r, &st, 0) < 0)
                return neg_errno();
        return 0;
}

static int op_clone3(void)
{
        struct probe_clone_args args;

        memset(&args, 0, sizeof(args));
        args.exit_signal = SIGCHLD;
        return wait_child_result(syscall(SYS_clone3, &args, sizeof(args)));
}

static int op_clone_newuser(void)
{
        /* x86-64 raw clone: flags, stack, parent_tid, child_tid, tls. */
        return wait_child_result(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
}

static int netlink_proto(const char *s)
{
        if (strcmp(s, "route") == 0)
                return NETLINK_ROUTE;
        if (strcmp(s, "audit") == 0)
                return NETLINK_AUDIT;
        if (strcmp(s, "kobject-uevent") == 0)
                return NETLINK_KOBJECT_UEVENT;
        return (int)parse_long(s);
}

static int op_socket(int family, int type, int proto)
{
        return close_fd_result(socket(family, type | SOCK_CLOEXEC, proto));
}

static int op_status(void)
{
        char line[512];
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return report(neg_errno());
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs:", 11) == 0 ||
                    strncmp(line, "Seccomp:", 8) == 0)
                        fputs(line, stdout);
        fclose(f);
        return 0;
}

static int op_ns(void)
{
        static const char *const names[] = {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"};
        char path[64], target[128];

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                ssize_t n;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
                n = readlink(path, target, sizeof(target) - 1);
                if (n < 0)
                        snprintf(target, sizeof(target), "%s", errno_name(errno));
                else
                        target[n] = '\0';
                printf("%s %s\n", names[i], target);
        }
        return 0;
}

/* Every open fd above 2, "none" if there is none. Scans by fcntl rather
 * than /proc so that it works whatever /proc is. */
static int op_fds(void)
{
        bool any = false;

        for (int fd = 3; fd < 4096; fd++)
                if (fcntl(fd, F_GETFD) >= 0) {
                        printf("%s%d", any ? " " : "", fd);
                        any = true;
                }
        puts(any ? "" : "none");
        return 0;
}

static int op_fstype(const char *path)
{
        struct statfs s;

        if (statfs(path, &s) < 0)
                return report(neg_errno());
        switch ((unsigned long)s.f_type) {
        case TMPFS_MAGIC:
                puts("tmpfs");
                break;
        case MQUEUE_MAGIC:
                puts("mqueue");
                break;
        case DEVPTS_SUPER_MAGIC:
                puts("devpts");
                break;
        case PROC_SUPER_MAGIC:
                puts("proc");
                break;
        default:
                printf("0x%lx\n", (unsigned long)s.f_type);
        }
        return 0;
}

static void sleep_seconds(long s)
{
        struct timespec ts = {.tv_sec = s};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static volatile sig_atomic_t caught_mask;

static void on_signal(int sig)
{
        caught_mask |= 1 << sig;
}

/* Print "ready", then the name of each forwarded signal as it arrives; exit
 * 0 after SIGTERM. Signals are blocked outside sigsuspend() so none is lost
 * between the check and the wait. */
static int op_wait_signal(void)
{
        static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM};
        struct sigaction sa;
        sigset_t block, old;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&block);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                sigaction(sigs[i], &sa, NULL);
                sigaddset(&block, sigs[i]);
        }
        sigprocmask(SIG_BLOCK, &block, &old);
        puts("ready");
        fflush(stdout);
        for (;;) {
                int mask;

                sigsuspend(&old);
                mask = caught_mask;
                caught_mask = 0;
                for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                        if (mask & (1 << sigs[i]) && sigs[i] != SIGTERM)
                                printf("SIG%s\n", sigabbrev_np(sigs[i]));
                if (mask & (1 << SIGTERM)) {
                        puts("SIGTERM");
                        return 0;
                }
                fflush(stdout);
        }
}

/* bind(2) a unix socket at PATH: Landlock decides where endpoints may be
 * created. */
static int op_unix_bind(const char *path)
{
        struct sockaddr_un sa;
        socklen_t len;
        int fd, r;

        r = unix_addr(path, false, &sa, &len);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return neg_errno();
        r = bind(fd, (struct sockaddr *)&sa, len) < 0 ? neg_errno() : 0;
        close(fd);
        return r;
}

/* The broker's TOCTOU test: while this thread connects again and again
 * with one shared address buffer, flipper threads rewrite that buffer
 * between an allowed and a denied path as fast as they can. The broker
 * must act on what it checked: the denied listener (checked by the test
 * from the host side) never sees a connection. */
static struct sockaddr_un race_addr;
static char race_paths[2][sizeof(race_addr.sun_path)];
static volatile int race_stop;

static void *race_flipper(void *arg)
{
        size_t which = (size_t)(uintptr_t)arg;

        while (!race_stop) {
                memcpy(race_addr.sun_path, race_paths[which], sizeof(race_addr.sun_path));
                which ^= 1;
        }
        return NULL;
}

static int op_race_connect(const char *allowed, const char *denied, const char *count)
{
        long n = parse_long(count), ok = 0;
        pthread_t t[2];

        if (n <= 0 || strlen(allowed) >= sizeof(race_paths[0]) ||
            strlen(denied) >= sizeof(race_paths[0]))
                usage();
        strcpy(race_paths[0], allowed);
        strcpy(race_paths[1], denied);
        race_addr.sun_family = AF_UNIX;
        memcpy(race_addr.sun_path, race_paths[0], sizeof(race_addr.sun_path));
        for (size_t i = 0; i < 2; i++)
                if (pthread_create(&t[i], NULL, race_flipper, (void *)(uintptr_t)i) != 0)
                        return -EAGAIN;
        /* Non-blocking: the test's listener accepts only at the end, and a
         * full backlog must not turn the race into a wait. */
        for (long i = 0; i < n; i++) {
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

                if (fd < 0)
                        break;
                if (connect(fd, (struct sockaddr *)&race_addr, sizeof(race_addr)) == 0)
                        ok++;
                close(fd);
        }
        race_stop = 1;
        for (size_t i = 0; i < 2; i++)
                pthread_join(t[i], NULL);
        printf("connected %ld of %ld\n", ok, n);
        return 0;
}

/* Hostile arguments: the broker answers as the kernel would and stays up. */
static int op_bogus_connect(void)
{
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int r;

        if (fd < 0)
                return neg_errno();
        r = connect(fd, (struct sockaddr *)1, sizeof(sa)) < 0 ? errno : 0;
        printf("bad-pointer %s\n", r ? errno_name(r) : "ok");
        r = connect(fd, (struct sockaddr *)&sa, 1u << 20) < 0 ? errno : 0;
        printf("huge-length %s\n", r ? errno_name(r) : "ok");
        r = connect(999, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? errno : 0;
        printf("bad-fd %s\n", r ? errno_name(r) : "ok");
        r = connect(STDIN_FILENO, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? errno : 0;
        printf("not-a-socket %s\n", r ? errno_name(r) : "ok");
        r = sendto(fd, (void *)1, 10, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? errno : 0;
        printf("bad-payload %s\n", r ? errno_name(r) : "ok");
        /* Longer than struct sockaddr_un, no NUL: the kernel says EINVAL
         * (the broker once overflowed a stack buffer copying the name). */
        {
                struct sockaddr_storage big;

                memset(&big, 'A', sizeof(big));
                big.ss_family = AF_UNIX;
                ((char *)&big)[2] = '/';
                r = connect(fd, (struct sockaddr *)&big, 128) < 0 ? errno : 0;
                printf("long-path %s\n", r ? errno_name(r) : "ok");
                ((char *)&big)[2] = '\0';
                r = connect(fd, (struct sockaddr *)&big, 128) < 0 ? errno : 0;
                printf("long-abstract %s\n", r ? errno_name(r) : "ok");
        }
        close(fd);
        return 0;
}

/* Many threads hammering the broker with denied connects at once. */
static const char *flood_path;
static long flood_each;

static void *flood_thread(void *arg)
{
        struct sockaddr_un sa;
        socklen_t len;

        (void)arg;
        if (unix_addr(flood_path, false, &sa, &len) < 0)
                return NULL;
        for (long i = 0; i < flood_each; i++) {
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

                if (fd < 0)
                        break;
                (void)connect(fd, (struct sockaddr *)&sa, len);
                close(fd);
        }
        return NULL;
}

static int op_flood(const char *path, const char *threads, const char *each)
{
        long nt = parse_long(threads);
        pthread_t t[256];

        flood_path = path;
        flood_each = parse_long(each);
        if (nt <= 0 || nt > 256 || flood_each <= 0)
                usage();
        for (long i = 0; i < nt; i++)
                if (pthread_create(&t[i], NULL, flood_thread, NULL) != 0)
                        return -EAGAIN;
        for (long i = 0; i < nt; i++)
                pthread_join(t[i], NULL);
        return 0;
}

/* kill-mid ROUNDS: children flood the broker with connects to a server
 * of our own whose backlog is full (calls the broker parks) and to a host
 * path (calls it denies), and are SIGKILLed mid-notification. Prints
 * "half" after half the rounds and "done" at the end, pausing a second
 * after each so that the supervisor's descriptors can be counted. */
static int op_kill_mid(const char *rounds)
{
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        long n = parse_long(rounds);
        int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/probe-mid-%d", (int)getpid());
        if (n <= 0 || srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            listen(srv, 0) < 0)
                return report(neg_errno());
        for (long r = 1; r <= n; r++) {
                pid_t pid = fork();

                if (pid < 0)
                        return report(neg_errno());
                if (pid == 0) {
                        /* More threads than the broker keeps pidfds for
                         * (16): its cache is full after the first round. */
                        pthread_t t[48];

                        flood_path = a.sun_path;
                        flood_each = 1000000;
                        for (int i = 0; i < 48; i++)
                                (void)pthread_create(&t[i], NULL, flood_thread, NULL);
                        pause();
                        _exit(0);
                }
                usleep(50 * 1000);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                if (r == n / 2 || r == n) {
                        puts(r == n ? "done" : "half");
                        fflush(stdout);
                        sleep(1);
                }
        }
        return report(0);
}

/* Run ARGV as on a kernel without Landlock: a filter answers ENOSYS to the
 * Landlock syscalls (STYLE §5: fallbacks are tested under a shim). */
static int op_no_landlock(char **argv)
{
        struct sock_filter insns[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 444, 0, 2),
                BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 446, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = sizeof(insns) / sizeof(insns[0]), .filter = insns};

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return neg_errno();
        execv(argv[0], argv);
        return neg_errno();
}

/* A non-blocking TCP connect keeps its semantics through the broker:
 * EINPROGRESS (or 0), then writable with SO_ERROR 0, and the descriptor
 * keeps its number, O_NONBLOCK and close-on-exec. */
/* MUST_WAIT: the connect must answer EINPROGRESS first, as the kernel does
 * for any non-blocking TCP connect (ENOTCONN stands for "it did not"). */
static int op_tcp_connect_nonblocking(const char *host, const char *port, bool must_wait)
{
        struct sockaddr_storage ss;
        socklen_t len, elen = sizeof(int);
        struct pollfd pfd;
        int fd, r, err = 0;

        inet_addr_parse(host, port, &ss, &len);
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return neg_errno();
        r = connect(fd, (struct sockaddr *)&ss, len);
        if (r < 0 && errno != EINPROGRESS)
                return neg_errno();
        if (must_wait && r == 0)
                return -ENOTCONN;
        pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, 5000) != 1)
                return -ETIMEDOUT;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
                return neg_errno();
        if (err)
                return -err;
        if (!(fcntl(fd, F_GETFL) & O_NONBLOCK) || !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
                return -EBADFD;
        return 0;
}

/* sendmsg(2) with MSG_FASTOPEN: an implicit connect the filter refuses. */
static int op_fastopen(const char *host, const char *port)
{
        struct sockaddr_storage ss;
        socklen_t len;
        char byte = 'x';
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        int fd;

        inet_addr_parse(host, port, &ss, &len);
        msg.msg_name = &ss;
        msg.msg_namelen = len;
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return neg_errno();
        return sendmsg(fd, &msg, MSG_FASTOPEN | MSG_NOSIGNAL) < 0 ? neg_errno() : 0;
}

/* ---- listen rules, host POSIX queues, network host, signal host */

/* Print "listening", wait up to 15 s for one connection on FD (listening),
 * write one byte to it and print "accepted"; a test connects from the host.
 * Exit 0 after a connection, 1 with "ETIMEDOUT" if none came. */
static int serve_one(int fd)
{
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int c;

        if (listen(fd, 4) < 0)
                return report(neg_errno());
        puts("listening");
        fflush(stdout);
        if (poll(&pfd, 1, 15000) != 1)
                return report(-ETIMEDOUT);
        c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
                return report(neg_errno());
        if (write(c, "x", 1) != 1)
                return report(neg_errno());
        close(c);
        puts("accepted");
        return 0;
}

/* unix-listen PATH|@NAME: bind a stream socket, then serve_one(). */
static int op_unix_listen(const char *name)
{
        bool abstract = name[0] == '@';
        struct sockaddr_un sa;
        socklen_t len;
        int fd, r;

        r = unix_addr(abstract ? name + 1 : name, abstract, &sa, &len);
        if (r < 0)
                return report(r);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return report(neg_errno());
        if (bind(fd, (struct sockaddr *)&sa, len) < 0)
                return report(neg_errno());
        return serve_one(fd);
}

/* tcp-listen HOST PORT: bind (SO_REUSEADDR), then serve_one(). */
/* freeze-connect: the round 2 self-freeze. A socket of ours whose
 * O_NONBLOCK another thread flips without pause, connecting to our own
 * server whose backlog is full and never drains: the broker's connect on
 * the shared open file must never block it for long. */
static int freeze_fd = -1;

static void *nonblock_flipper(void *arg)
{
        (void)arg;
        for (;;) {
                (void)fcntl(freeze_fd, F_SETFL, 0);
                (void)fcntl(freeze_fd, F_SETFL, O_NONBLOCK);
        }
        return NULL;
}

static int op_freeze_connect(void)
{
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pthread_t t;

        snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/probe-freeze-%d", (int)getpid());
        if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(srv, 0) < 0)
                return report(neg_errno());
        for (int i = 0; i < 64; i++) {
                int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

                if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
                        break; /* full */
        }
        freeze_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (freeze_fd < 0 || pthread_create(&t, NULL, nonblock_flipper, NULL) != 0)
                return report(-EIO);
        puts("ready");
        fflush(stdout);
        while (connect(freeze_fd, (struct sockaddr *)&a, sizeof(a)) < 0)
                ; /* EAGAIN, until a blocking attempt parks us for good */
        return report(0);
}

/* linger-close: the round 5 freeze. A blocking sendto(2) with a
 * destination on a full TCP socket is parked by the broker, holding its
 * duplicate; the program closes its own descriptor (SO_LINGER 100000 s)
 * and interrupts the call, so that the broker's close is the last one and
 * would wait for the linger. */
static int linger_fd = -1;
static struct sockaddr_in linger_to;

static void on_usr1(int sig)
{
        (void)sig;
}

static void *linger_sender(void *arg)
{
        static char buf[65536];

        (void)arg;
        (void)sendto(linger_fd, buf, sizeof(buf), 0, (struct sockaddr *)&linger_to,
                     sizeof(linger_to));
        return NULL;
}

static int op_linger_close(void)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t alen = sizeof(a);
        struct linger lg = {.l_onoff = 1, .l_linger = 100000};
        struct sigaction sa = {.sa_handler = on_usr1};
        int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), small = 4096, one = 1;
        static char buf[4096];
        pthread_t t;

        sigaction(SIGUSR1, &sa, NULL);
        (void)setsockopt(srv, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(srv, 1) < 0 ||
            getsockname(srv, (struct sockaddr *)&a, &alen) < 0)
                return report(neg_errno());
        linger_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        (void)setsockopt(linger_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
        if (linger_fd < 0 || connect(linger_fd, (struct sockaddr *)&a, sizeof(a)) < 0)
                return report(neg_errno());
        (void)accept(srv, NULL, NULL); /* never read */
        while (send(linger_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
                ;
        (void)setsockopt(linger_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        (void)setsockopt(linger_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        linger_to = a;
        if (pthread_create(&t, NULL, linger_sender, NULL) != 0)
                return report(-EAGAIN);
        usleep(200 * 1000); /* parked by now */
        close(linger_fd);
        pthread_kill(t, SIGUSR1);
        puts("ready");
        fflush(stdout);
        pause();
        return 0;
}

/* stdin-squat NAME: bind descriptor 0 (a host socket the caller passed)
 * to the abstract NAME. */
static int op_stdin_squat(const char *name)
{
        struct sockaddr_un sa;
        socklen_t len;
        int r = unix_addr(name, true, &sa, &len);

        if (r < 0)
                return report(r);
        return report(bind(STDIN_FILENO, (struct sockaddr *)&sa, len) < 0 ? neg_errno() : 0);
}

/* tcp-listen-unbound: listen(2) on a TCP socket never bound, which the
 * kernel binds to a port of its choosing (autobind). */
static int op_tcp_listen_unbound(void)
{
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return report(neg_errno());
        return report(listen(fd, 5) < 0 ? neg_errno() : 0);
}

/* unspec-bind PORT: bind an AF_INET socket with sin_family AF_UNSPEC,
 * which the kernel takes as INADDR_ANY. */
static int op_unspec_bind(const char *port)
{
        struct sockaddr_in a = {.sin_family = AF_UNSPEC,
                                .sin_port = htons((uint16_t)atoi(port)),
                                .sin_addr.s_addr = htonl(INADDR_ANY)};
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return report(neg_errno());
        return report(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? neg_errno() : 0);
}

/* netlink-mcast: a NETLINK_ROUTE message sent to a multicast group, which
 * needs CAP_NET_ADMIN. */
static int op_netlink_mcast(void)
{
        struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_groups = 1 /* RTMGRP_LINK */};
        struct nlmsghdr h = {.nlmsg_len = sizeof(h), .nlmsg_type = NLMSG_NOOP};
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

        if (fd < 0)
                return report(neg_errno());
        return report(sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&to, sizeof(to)) < 0
                              ? neg_errno()
                              : 0);
}

static int op_tcp_listen(const char *host, const char *port)
{
        struct sockaddr_storage ss;
        socklen_t len;
        int fd, one = 1;

        inet_addr_parse(host, port, &ss, &len);
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return report(neg_errno());
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&ss, len) < 0)
                return report(neg_errno());
        return serve_one(fd);
}

/* mq-create /NAME: create the queue (O_CREAT, no O_EXCL) and send a byte. */
static int op_mq_create(const char *name)
{
        struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 16};
        mqd_t q = mq_open(name, O_CREAT | O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0600, &a);
        int r = 0;

        if (q == (mqd_t)-1)
                return neg_errno();
        if (mq_send(q, "x", 1, 0) < 0)
                r = neg_errno();
        mq_close(q);
        return r;
}

/* mq-create-private /NAME: with umask 077, create the queue asking for
 * mode 0666 (the queue must get 0600). */
static int op_mq_create_private(const char *name)
{
        mqd_t q;

        umask(077);
        q = mq_open(name, O_CREAT | O_RDWR | O_CLOEXEC, 0666, NULL);
        if (q == (mqd_t)-1)
                return neg_errno();
        mq_close(q);
        return 0;
}

/* open-write PATH: open an existing file for writing, write nothing. */
static int op_open_write(const char *path)
{
        return close_fd_result(open(path, O_WRONLY | O_CLOEXEC));
}

/* mount-ro PATH: "ro" or "rw", the flag of the mount PATH is on. */
static int op_mount_ro(const char *path)
{
        struct statvfs v;

        if (statvfs(path, &v) < 0)
                return report(neg_errno());
        puts(v.f_flag & ST_RDONLY ? "ro" : "rw");
        return 0;
}

/* double-fork TAG [SECONDS]: leave a grandchild in its own session,
 * running "probe sleep 60 TAG-gc", and print "forked" once it runs; then
 * sleep SECONDS (printing "ready") or exit. */
static int op_double_fork(const char *self, const char *tag, const char *seconds)
{
        char gc_tag[256];
        int p[2], st;
        char c;
        pid_t pid;

        snprintf(gc_tag, sizeof(gc_tag), "%s-gc", tag);
        if (pipe2(p, O_CLOEXEC) < 0)
                return report(neg_errno());
        pid = fork();
        if (pid < 0)
                return report(neg_errno());
        if (pid == 0) {
                if (setsid() < 0)
                        _exit(1);
                if (fork() == 0) {
                        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                        if (null >= 0) {
                                dup2(null, 1);
                                dup2(null, 2);
                        }
                        execl(self, self, "sleep", "60", gc_tag, (char *)NULL);
                        _exit(127);
                }
                _exit(0);
        }
        close(p[1]);
        (void)waitpid(pid, &st, 0);
        /* EOF once the grandchild has exec'd (close-on-exec) or died. */
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
                ;
        close(p[0]);
        puts("forked");
        if (seconds) {
                puts("ready");
                fflush(stdout);
                sleep_seconds(parse_long(seconds));
        }
        return 0;
}

#define NEED(n)                      \
        do {                         \
                if (argc != 2 + (n)) \
                        usage();     \
        } while (0)

int main(int argc, char *argv[])
{
        const char *op;

        if (argc < 2)
                usage();
        op = argv[1];

        if (strcmp(op, "fastopen") == 0) {
                NEED(2);
                return report(op_fastopen(argv[2], argv[3]));
        } else if (strcmp(op, "tcp-connect-nonblocking") == 0) {
                NEED(2);
                return report(op_tcp_connect_nonblocking(argv[2], argv[3], false));
        } else if (strcmp(op, "tcp-connect-inprogress") == 0) {
                NEED(2);
                return report(op_tcp_connect_nonblocking(argv[2], argv[3], true));
        } else if (strcmp(op, "no-landlock") == 0) {
                if (argc < 3)
                        usage();
                return report(op_no_landlock(argv + 2));
        } else if (strcmp(op, "unix-bind") == 0) {
                NEED(1);
                return report(op_unix_bind(argv[2]));
        } else if (strcmp(op, "race-connect") == 0) {
                NEED(3);
                return op_race_connect(argv[2], argv[3], argv[4]);
        } else if (strcmp(op, "bogus-connect") == 0) {
                NEED(0);
                return op_bogus_connect();
        } else if (strcmp(op, "flood") == 0) {
                NEED(3);
                return report(op_flood(argv[2], argv[3], argv[4]));
        } else if (strcmp(op, "kill-mid") == 0) {
                NEED(1);
                return op_kill_mid(argv[2]);
        } else if (strcmp(op, "unix-connect-per-byte") == 0) {
                NEED(1);
                return op_unix_per_byte(argv[2]);
        } else if (strcmp(op, "unix-connect") == 0) {
                NEED(1);
                return report(op_unix(argv[2], SOCK_STREAM, false, false));
        } else if (strcmp(op, "unix-dgram-send") == 0) {
                NEED(1);
                return report(op_unix(argv[2], SOCK_DGRAM, false, false));
        } else if (strcmp(op, "unix-dgram-sendmsg") == 0) {
                NEED(1);
                return report(op_unix(argv[2], SOCK_DGRAM, false, true));
        } else if (strcmp(op, "abstract-connect") == 0) {
                NEED(1);
                return report(op_unix(argv[2], SOCK_STREAM, true, false));
        } else if (strcmp(op, "abstract-dgram-send") == 0) {
                NEED(1);
                return report(op_unix(argv[2], SOCK_DGRAM, true, false));
        } else if (strcmp(op, "tcp-connect") == 0) {
                NEED(2);
                return report(op_inet(argv[2], argv[3], SOCK_STREAM));
        } else if (strcmp(op, "udp-send") == 0) {
                NEED(2);
                return report(op_inet(argv[2], argv[3], SOCK_DGRAM));
        } else if (strcmp(op, "shm-attach") == 0) {
                NEED(1);
                return report(op_shm_attach(argv[2]));
        } else if (strcmp(op, "shm-get") == 0) {
                NEED(1);
                return report(op_sysv_get(argv[2], 'm'));
        } else if (strcmp(op, "sem-get") == 0) {
                NEED(1);
                return report(op_sysv_get(argv[2], 's'));
        } else if (strcmp(op, "msg-send") == 0) {
                NEED(1);
                return report(op_sysv_get(argv[2], 'q'));
        } else if (strcmp(op, "mq-open") == 0) {
                NEED(1);
                return report(op_mq_open(argv[2]));
        } else if (strcmp(op, "shm-open") == 0) {
                NEED(1);
                return report(op_shm_open(argv[2]));
        } else if (strcmp(op, "fifo-open") == 0) {
                NEED(1);
                return report(op_fifo_open(argv[2]));
        } else if (strcmp(op, "kill") == 0) {
                NEED(2);
                return report(op_kill(argv[2], argv[3]));
        } else if (strcmp(op, "ptrace") == 0) {
                NEED(1);
                return report(op_ptrace(argv[2]));
        } else if (strcmp(op, "vm-read") == 0 || strcmp(op, "vm-write") == 0) {
                NEED(1);
                return report(op_vm(argv[2], op[3] == 'w'));
        } else if (strcmp(op, "pidfd-getfd") == 0) {
                if (argc != 3 && argc != 4)
                        usage();
                return report(op_pidfd_getfd(argv[2], argc == 4 ? argv[3] : NULL));
        } else if (strcmp(op, "kcmp") == 0) {
                NEED(1);
                return report(op_kcmp(argv[2]));
        } else if (strcmp(op, "io-uring") == 0) {
                NEED(0);
                return report(op_io_uring());
        } else if (strcmp(op, "bpf") == 0) {
                NEED(0);
                return report(op_bpf());
        } else if (strcmp(op, "userfaultfd") == 0) {
                NEED(0);
                return report(
                        close_fd_result(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY)));
        } else if (strcmp(op, "dev-userfaultfd") == 0) {
                NEED(0);
                return report(close_fd_result(open("/dev/userfaultfd", O_RDWR | O_CLOEXEC)));
        } else if (strcmp(op, "perf-event-open") == 0) {
                NEED(0);
                return report(op_perf_event_open());
        } else if (strcmp(op, "keyctl") == 0 || strcmp(op, "add-key") == 0 ||
                   strcmp(op, "request-key") == 0) {
                NEED(0);
                return report(op_keys(op));
        } else if (strcmp(op, "tiocsti") == 0) {
                char c = 'I';
                NEED(0);
                return op_tty(TIOCSTI, &c);
        } else if (strcmp(op, "tiocsti-high") == 0) {
                /* The kernel truncates the request to 32 bits: a filter that
                 * compares all 64 would let this through as TIOCSTI. */
                char c = 'H';
                NEED(0);
                return op_tty((unsigned long)TIOCSTI | (1UL << 32), &c);
        } else if (strcmp(op, "tioclinux") == 0) {
                char sub = TIOCL_GETSHIFTSTATE;
                NEED(0);
                return op_tty(TIOCLINUX, &sub);
        } else if (strcmp(op, "unshare-user") == 0) {
                NEED(0);
                return report(unshare(CLONE_NEWUSER) < 0 ? neg_errno() : 0);
        } else if (strcmp(op, "unshare-net") == 0) {
                NEED(0);
                return report(unshare(CLONE_NEWNET) < 0 ? neg_errno() : 0);
        } else if (strcmp(op, "setns-net") == 0) {
                /* Re-entering our own namespace: harmless, and allowed by the
                 * kernel to a process with CAP_SYS_ADMIN over it. */
                int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                int r;
                NEED(0);
                if (fd < 0)
                        return report(neg_errno());
                r = setns(fd, CLONE_NEWNET) < 0 ? neg_errno() : 0;
                close(fd);
                return report(r);
        } else if (strcmp(op, "clone3") == 0) {
                NEED(0);
                return report(op_clone3());
        } else if (strcmp(op, "clone-newuser") == 0) {
                NEED(0);
                return report(op_clone_newuser());
        } else if (strcmp(op, "fsopen") == 0) {
                NEED(0);
                return report(close_fd_result(syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC)));
        } else if (strcmp(op, "open-tree") == 0) {
                /* Without OPEN_TREE_CLONE this needs no privilege: only a
                 * filter makes it fail. */
                NEED(0);
                return report(
                        close_fd_result(syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLOEXEC)));
        } else if (strcmp(op, "mount-tmpfs") == 0) {
                if (argc != 2 && argc != 3)
                        usage();
                return report(mount("ipcfence-probe", argc == 3 ? argv[2] : "/tmp", "tmpfs", 0,
                                    "size=1m") < 0
                                      ? neg_errno()
                                      : 0);
        } else if (strcmp(op, "mptcp-socket") == 0) {
                NEED(0);
                return report(op_socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP));
        } else if (strcmp(op, "netlink-socket") == 0) {
                NEED(1);
                return report(op_socket(AF_NETLINK, SOCK_RAW, netlink_proto(argv[2])));
        } else if (strcmp(op, "packet-socket") == 0) {
                NEED(0);
                return report(op_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
        } else if (strcmp(op, "alg-socket") == 0) {
                NEED(0);
                return report(op_socket(AF_ALG, SOCK_SEQPACKET, 0));
        } else if (strcmp(op, "socket") == 0) {
                NEED(3);
                return report(op_socket((int)parse_long(argv[2]), (int)parse_long(argv[3]),
                                        (int)parse_long(argv[4])));
        } else if (strcmp(op, "status") == 0) {
                NEED(0);
                return op_status();
        } else if (strcmp(op, "ns") == 0) {
                NEED(0);
                return op_ns();
        } else if (strcmp(op, "fds") == 0) {
                NEED(0);
                return op_fds();
        } else if (strcmp(op, "fd-open") == 0) {
                NEED(1);
                puts(fcntl((int)parse_long(argv[2]), F_GETFD) >= 0 ? "open" : "closed");
                return 0;
        } else if (strcmp(op, "stat") == 0) {
                struct stat st;
                NEED(1);
                return report(stat(argv[2], &st) < 0 ? neg_errno() : 0);
        } else if (strcmp(op, "fstype") == 0) {
                NEED(1);
                return op_fstype(argv[2]);
        } else if (strcmp(op, "getpid") == 0) {
                NEED(0);
                printf("%d\n", (int)getpid());
                return 0;
        } else if (strcmp(op, "getppid") == 0) {
                NEED(0);
                printf("%d\n", (int)getppid());
                return 0;
        } else if (strcmp(op, "getsid") == 0) {
                NEED(0);
                printf("%d\n", (int)getsid(0));
                return 0;
        } else if (strcmp(op, "self-term") == 0) {
                NEED(0);
                kill(getpid(), SIGTERM);
                puts("survived");
                return 1;
        } else if (strcmp(op, "sleep") == 0) {
                /* An optional TAG lets a test find this process in /proc. */
                if (argc != 3 && argc != 4)
                        usage();
                puts("ready");
                fflush(stdout);
                sleep_seconds(parse_long(argv[2]));
                puts("ok");
                return 0;
        } else if (strcmp(op, "wait-signal") == 0) {
                if (argc != 2 && argc != 3)
                        usage();
                return op_wait_signal();
        } else if (strcmp(op, "unix-listen") == 0) {
                NEED(1);
                return op_unix_listen(argv[2]);
        } else if (strcmp(op, "tcp-listen") == 0) {
                NEED(2);
                return op_tcp_listen(argv[2], argv[3]);
        } else if (strcmp(op, "stdin-squat") == 0) {
                NEED(1);
                return op_stdin_squat(argv[2]);
        } else if (strcmp(op, "linger-close") == 0) {
                return op_linger_close();
        } else if (strcmp(op, "freeze-connect") == 0) {
                return op_freeze_connect();
        } else if (strcmp(op, "tcp-listen-unbound") == 0) {
                return op_tcp_listen_unbound();
        } else if (strcmp(op, "unspec-bind") == 0) {
                NEED(1);
                return op_unspec_bind(argv[2]);
        } else if (strcmp(op, "netlink-mcast") == 0) {
                return op_netlink_mcast();
        } else if (strcmp(op, "mq-create") == 0) {
                NEED(1);
                return report(op_mq_create(argv[2]));
        } else if (strcmp(op, "mq-create-private") == 0) {
                NEED(1);
                return report(op_mq_create_private(argv[2]));
        } else if (strcmp(op, "mq-unlink") == 0) {
                NEED(1);
                return report(mq_unlink(argv[2]) < 0 ? neg_errno() : 0);
        } else if (strcmp(op, "open-write") == 0) {
                NEED(1);
                return report(op_open_write(argv[2]));
        } else if (strcmp(op, "mount-ro") == 0) {
                NEED(1);
                return op_mount_ro(argv[2]);
        } else if (strcmp(op, "double-fork") == 0) {
                if (argc != 3 && argc != 4)
                        usage();
                return op_double_fork(argv[0], argv[2], argc == 4 ? argv[3] : NULL);
        }
        usage();
}
