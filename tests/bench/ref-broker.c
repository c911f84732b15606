/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ref-broker — a minimal seccomp user-notification broker for connect(2),
 * the reference of the connect benchmark (tests/bench/bench.sh): the floor
 * of the mechanism that ipcfence's broker uses, on this machine.
 *
 *   ref-broker [-p] [--] COMMAND [ARG...]
 *
 * Forks; the child sets no_new_privs, installs a filter that sends connect
 * (native ABI) to a listener and allows everything else
 * (SECCOMP_FILTER_FLAG_NEW_LISTENER), passes the listener to the parent
 * and executes COMMAND. The parent sets SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 * (6.6: wake the waiter on the CPU that wakes it) and serves each connect:
 *
 *   SECCOMP_IOCTL_NOTIF_RECV → process_vm_readv (the address)
 *   → SECCOMP_IOCTL_NOTIF_ID_VALID → pidfd_getfd (the socket)
 *   → connect → SECCOMP_IOCTL_NOTIF_SEND
 *
 * and nothing else: no policy, no path resolution, a blocking connect on
 * the shared socket, one pidfd opened at the fork (the client is one
 * thread). It is what a broker cannot do with less on this kernel; it is
 * not safe to use for anything but measuring.
 *
 * The parent waits in SECCOMP_IOCTL_NOTIF_RECV itself (-p: in poll(2)
 * first, as an event loop does); a thread watching the child interrupts
 * it with a signal once the child has exited. Exits with the child's
 * status (128+N for signal N). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Older uapi headers (Debian 12 ships 6.1's). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH AUDIT_ARCH_RISCV64
#elif defined(__s390x__)
#define NATIVE_ARCH AUDIT_ARCH_S390X
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ARCH AUDIT_ARCH_PPC64LE
#else
#error "ref-broker: add this architecture's AUDIT_ARCH_*"
#endif

static atomic_bool child_gone;
static pthread_t main_thread;
static pid_t child_pid;

static void on_wake(int sig)
{
}

/* Wait for the child without reaping it, then interrupt the main thread
 * until it notices (a single signal could land just before it blocks). */
static void *watch(void *arg)
{
        siginfo_t si;

        while (waitid(P_PID, (id_t)child_pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
                ;
        atomic_store(&child_gone, true);
        for (;;) {
                pthread_kill(main_thread, SIGUSR1);
                usleep(1000);
        }
        return NULL;
}

static int send_fd(int sock, int fd)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = {0};
        char byte = 0;
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = cbuf,
                             .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = {0};
        char byte;
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = cbuf,
                             .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *cm;
        int fd;

        if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
                return -1;
        cm = CMSG_FIRSTHDR(&msg);
        if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                return -1;
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        return fd;
}

/* In the child: no_new_privs, the filter, the listener to the parent. */
static int install_filter(int sock)
{
        struct sock_filter code[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
        int listener;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                fprintf(stderr, "ref-broker: no_new_privs: %m\n");
                return -1;
        }
        listener = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
                                SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (listener < 0) {
                fprintf(stderr, "ref-broker: seccomp filter with a listener: %m\n");
                return -1;
        }
        if (send_fd(sock, listener) < 0) {
                fprintf(stderr, "ref-broker: cannot pass the listener: %m\n");
                return -1;
        }
        close(listener);
        return 0;
}

static void respond(int listener, uint64_t id, int err)
{
        struct seccomp_notif_resp resp = {.id = id, .val = 0, .error = err};

        /* ENOENT: the call was interrupted meanwhile; nothing to do. */
        (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void serve(int listener, struct seccomp_notif *req, int child_pidfd)
{
        struct sockaddr_storage addr;
        socklen_t len = (socklen_t)req->data.args[2];
        struct iovec local = {.iov_base = &addr, .iov_len = len};
        struct iovec remote = {.iov_base = (void *)(uintptr_t)req->data.args[1], .iov_len = len};
        uint64_t id = req->id;
        int pidfd = child_pidfd, sock, err = 0;

        if (req->data.nr != __NR_connect) {
                respond(listener, id, -ENOSYS);
                return;
        }
        if (req->data.args[2] > sizeof(addr)) {
                respond(listener, id, -EINVAL);
                return;
        }
        if (process_vm_readv(req->pid, &local, 1, &remote, 1, 0) != (ssize_t)len) {
                respond(listener, id, -EFAULT);
                return;
        }
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
                return;
        /* Another thread of the client: its own pidfd (not in the benchmark). */
        if ((pid_t)req->pid != child_pid)
                pidfd = (int)syscall(__NR_pidfd_open, (pid_t)req->pid, 0);
        sock = pidfd < 0 ? -1 : (int)syscall(__NR_pidfd_getfd, pidfd, (int)req->data.args[0], 0);
        if (sock < 0)
                err = -errno;
        else if (connect(sock, (struct sockaddr *)&addr, len) < 0)
                err = -errno;
        if (sock >= 0)
                close(sock);
        if (pidfd != child_pidfd && pidfd >= 0)
                close(pidfd);
        respond(listener, id, err);
}

int main(int argc, char *argv[])
{
        struct seccomp_notif_sizes sizes;
        struct sigaction sa = {.sa_handler = on_wake}; /* no SA_RESTART */
        struct seccomp_notif *req;
        bool use_poll = false;
        int opt, sv[2], listener, pidfd, status;
        uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
        pthread_t thread;
        sigset_t usr1;

        while ((opt = getopt(argc, argv, "+p")) != -1) {
                switch (opt) {
                case 'p':
                        use_poll = true;
                        break;
                default:
                        fprintf(stderr, "usage: ref-broker [-p] [--] COMMAND [ARG...]\n");
                        return 2;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "usage: ref-broker [-p] [--] COMMAND [ARG...]\n");
                return 2;
        }
        if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
                fprintf(stderr, "ref-broker: SECCOMP_GET_NOTIF_SIZES: %m\n");
                return 1;
        }
        /* The kernel's struct may be larger than our header's. */
        req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
        if (!req || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                fprintf(stderr, "ref-broker: cannot prepare: %m\n");
                return 1;
        }
        /* SIGUSR1 only ever reaches the main thread, from the watcher. */
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigaction(SIGUSR1, &sa, NULL);

        child_pid = fork();
        if (child_pid < 0) {
                fprintf(stderr, "ref-broker: fork: %m\n");
                return 1;
        }
        if (child_pid == 0) {
                /* A client blocked in a connect nobody serves would hang. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                close(sv[0]);
                if (install_filter(sv[1]) < 0)
                        _exit(125);
                close(sv[1]);
                execvp(argv[optind], argv + optind);
                fprintf(stderr, "ref-broker: cannot execute %s: %m\n", argv[optind]);
                _exit(errno == ENOENT ? 127 : 126);
        }
        close(sv[1]);
        listener = recv_fd(sv[0]);
        close(sv[0]);
        pidfd = (int)syscall(__NR_pidfd_open, child_pid, 0);
        if (listener < 0 || pidfd < 0) {
                fprintf(stderr, "ref-broker: no listener from the child\n");
                (void)waitpid(child_pid, &status, 0);
                return 1;
        }
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) < 0)
                fprintf(stderr, "ref-broker: warning: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: %m "
                                "(kernel older than 6.6?)\n");
        main_thread = pthread_self();
        /* The thread must not take SIGUSR1 itself. */
        pthread_sigmask(SIG_BLOCK, &usr1, NULL);
        if (pthread_create(&thread, NULL, watch, NULL) != 0) {
                fprintf(stderr, "ref-broker: cannot start a thread\n");
                kill(child_pid, SIGKILL);
                (void)waitpid(child_pid, &status, 0);
                return 1;
        }
        pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);

        while (!atomic_load(&child_gone)) {
                if (use_poll) {
                        struct pollfd pfd = {.fd = listener, .events = POLLIN};

                        if (poll(&pfd, 1, -1) < 0 || !(pfd.revents & POLLIN))
                                continue; /* EINTR from the watcher; POLLHUP: gone */
                }
                memset(req, 0, sizes.seccomp_notif);
                if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
                        continue; /* EINTR, or ENOENT: the caller went away */
                serve(listener, req, pidfd);
        }
        /* The watcher keeps interrupting us: retry. */
        while (waitpid(child_pid, &status, 0) < 0) {
                if (errno != EINTR) {
                        fprintf(stderr, "ref-broker: waitpid: %m\n");
                        return 1;
                }
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
