/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The endpoint broker: services the sandbox's seccomp user notifications.
 *
 * For every trapped connect(2) and sendto(2)-with-a-destination, it reads
 * the address once from the program's memory, decides on that copy,
 * performs the call itself on a duplicate of the program's own socket
 * (pidfd_getfd: same open file, so flags, options and the descriptor number
 * stay as they are) with the address it checked — a unix path is pinned
 * with O_PATH and reached through /proc/self/fd/N (as N, from that working
 * directory) — and answers with the result. SECCOMP_USER_NOTIF_FLAG_CONTINUE
 * is never used: the kernel would read the program's memory again
 * (seccomp_unotify(2)). */
#pragma once

#include <limits.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "compile/plan.h"
#include "sandbox/sandbox.h"
#include "supervise/decision-log.h"

#define IPF_BROKER_MAX_PENDING 64
#define IPF_BROKER_MAX_HOSTED 4 /* one D-Bus proxy socket per bus */
#define IPF_BROKER_MAX_PAYLOAD (1 << 20) /* a sendto(2) datagram we copy */

/* The sandbox as the broker sees it, learned once it is set up. */
struct ipf_broker_sandbox {
        pid_t init_pid;
        dev_t netns_dev; /* the sandbox's network namespace, as fstat() of */
        ino_t netns_ino; /* /proc/INIT/ns/net shows it */
        dev_t private_devs[IPF_SANDBOX_MAX_PRIVATE]; /* its own fresh filesystems */
        size_t n_private;
        /* Host sockets the program may reach in its view: the D-Bus proxies'
         * (bound at the bus's usual place), by inode. */
        struct {
                dev_t dev;
                ino_t ino;
                char view[PATH_MAX]; /* its path in the view, decided there only */
        } hosted[IPF_BROKER_MAX_HOSTED];
        size_t n_hosted;
        int rootfd; /* /proc/INIT/root: the program's view of the file system */
};

/* A call that would block the program: finished later from the poll loop. */
struct ipf_broker_pending {
        uint64_t id;
        pid_t pid;
        int sockfd; /* our duplicate of the program's socket */
        bool sending; /* sendto: retry with the payload; else connect: wait */
        void *payload; /* sendto only */
        size_t payload_len;
        int flags;
        struct sockaddr_storage addr;
        socklen_t addr_len;
        int pin; /* O_PATH fd the address names, or -1 */
        /* A host-side socket (allowed abstract or TCP endpoint) still
         * connecting, ours alone until it is connected and installed. */
        int host_sock;
        int fd_number; /* the program's descriptor it replaces */
        int program_fl; /* that descriptor's file status flags */
        bool cloexec;
        long deadline_ms; /* CLOCK_MONOTONIC; past it: ETIMEDOUT */
};

/* How long one connect(2) on the program's own socket may keep us. */
#define IPF_BROKER_BLOCK_US 5000
/* How long a connect to an allowed host endpoint may take. */
#define IPF_BROKER_CONNECT_TIMEOUT_MS 10000

/* The pidfds of the threads that called last (broker.c: pidfd_of()). */
#define IPF_BROKER_MAX_PIDFDS 16

struct ipf_broker_pidfd {
        pid_t pid; /* a thread id, as notifications name it */
        int fd; /* a pidfd for the thread that had it when it called */
};

/* Host sockets that `unix connect` rules named, pinned once and reused
 * while their path still leads to them (broker-dest.c: rule_pin()). */
#define IPF_BROKER_MAX_PINS 8

struct ipf_broker_pin {
        char *path; /* absolute, the one the rule allowed */
        int fd; /* O_PATH, the socket it led to when it was allowed */
        dev_t dev;
        ino_t ino;
        struct timespec ctime; /* moved or linked since: not the same */
};

struct ipf_broker {
        int listener;
        /* Our working directory is /proc/self/fd while the broker runs
         * (broker.c: ipf_broker_init()); this is the one it replaced. */
        int saved_cwd;
        struct seccomp_notif_sizes sizes;
        struct seccomp_notif *req;
        const struct ipf_policy *policy;
        struct ipf_broker_sandbox sb;
        int cwdfd; /* /proc/self/fd, our working directory while we serve */
        struct sigaction saved_alarm; /* SIGALRM as it was before us */
        bool alarm_set;
        long guard_until_us; /* CLOCK_MONOTONIC: the armed timer fires then */
        struct ipf_decision_log *log;
        bool permissive;
        struct ipf_broker_pending pending[IPF_BROKER_MAX_PENDING];
        size_t n_pending;
        struct ipf_broker_pidfd pidfds[IPF_BROKER_MAX_PIDFDS];
        size_t n_pidfds;
        size_t next_pidfd; /* the slot to reuse once all are taken */
        struct ipf_broker_pin pins[IPF_BROKER_MAX_PINS];
        size_t n_pins;
        size_t next_pin; /* the slot to reuse once all are taken */
};

/* FDS: what init sent (lib/sandbox/sandbox.h); the broker keeps its own
 * copies, the caller still owns FDS. */
int ipf_broker_init(struct ipf_broker *b, const int fds[IPF_SANDBOX_N_FDS],
                    const struct ipf_sandbox_facts *facts, const struct ipf_policy *p,
                    pid_t init_pid, struct ipf_decision_log *log, bool permissive);
void ipf_broker_done(struct ipf_broker *b);
/* Let the program connect to the host socket DEV:INO where its view shows
 * it (a D-Bus proxy's): an inode, never a path the host could re-point. */
int ipf_broker_allow_inode(struct ipf_broker *b, dev_t dev, ino_t ino, const char *view);
/* Take one notification and answer it (or park it). Never fails on the
 * program's account; -ENOENT when there was none (a call withdrawn, or no
 * task has the filter any more), other -errno for our own failures. */
int ipf_broker_process(struct ipf_broker *b);
/* Retry parked calls; returns how many are still parked. */
size_t ipf_broker_retry(struct ipf_broker *b);

/* Steps shared by the handlers (broker.c). The program is named by PID
 * only between checks of ID_VALID. */
bool ipf_broker_id_valid(const struct ipf_broker *b, uint64_t id);
/* Answer call ID with VAL, or with -ERR when ERR is set. */
void ipf_broker_respond(const struct ipf_broker *b, uint64_t id, int64_t val, int err);
/* Our duplicate of descriptor FD of thread PID, the caller of call ID
 * (pidfd_getfd through the pidfds we keep), or -errno. */
int ipf_broker_program_fd(struct ipf_broker *b, pid_t pid, uint64_t id, int fd);
int ipf_broker_read_memory(pid_t pid, uint64_t addr, void *buf, size_t len);
int ipf_broker_fd_cloexec(pid_t pid, int fd);
/* The program's umask (/proc/PID/status): what the files it creates get. */
int ipf_broker_program_umask(pid_t pid, mode_t *ret);
/* Make sure the guard timer (SIGALRM) will interrupt whatever blocks us
 * in the next millisecond or more: before a call on the program's own
 * socket that may block (connect, or the close of the last reference);
 * ipf_broker_guard_end() once it returned. */
void ipf_broker_guard(struct ipf_broker *b);
void ipf_broker_guard_end(void);
/* Async-signal-safe: SIGALRM every millisecond from now on (until
 * ipf_broker_done()), so that a receive cannot block for good once the
 * program is gone, on kernels that do not end it then themselves. */
void ipf_broker_wake_receive(void);
/* SECCOMP_IOCTL_NOTIF_ADDFD, again when a signal interrupted it. */
int ipf_broker_addfd(const struct ipf_broker *b, struct seccomp_notif_addfd *addfd);
/* A socket of ours, in the host's network namespace (ours), of the
 * domain, type and protocol of the program's socket SOCKFD (its descriptor
 * FD), with FLAGS (SOCK_NONBLOCK...); what ipf_broker_install() needs to
 * put it in FD's place in *RET_FL and *RET_CLOEXEC. The socket, or -errno
 * (-ESRCH: the caller of call ID is gone). */
int ipf_broker_host_twin(const struct ipf_broker *b, uint64_t id, pid_t pid, int sockfd, int fd,
                         int flags, int *ret_domain, int *ret_fl, bool *ret_cloexec);
long ipf_broker_install(const struct ipf_broker *b, uint64_t id, int s, int fd_number, int fl,
                        bool cloexec);

/* bind(2) and the POSIX queue calls (broker-bind.c, broker-mqueue.c). */
void ipf_broker_bind(struct ipf_broker *b, const struct seccomp_notif *req);
void ipf_broker_mq_open(struct ipf_broker *b, const struct seccomp_notif *req);
void ipf_broker_mq_unlink(struct ipf_broker *b, const struct seccomp_notif *req);

/* Where a bind(2) goes (broker-dest.c decides, broker-bind.c acts). */
enum ipf_bind_action {
        /* The program's own socket, in its own namespaces: at our copy of
         * the address, or (DIRFD >= 0) at BASE in the pinned directory
         * DIRFD, one of the sandbox's own file systems. */
        IPF_BIND_HERE,
        /* A `unix listen PATH` rule: the program's socket at BASE in DIRFD,
         * the pinned host directory the rule names. */
        IPF_BIND_HOST_PATH,
        /* A `unix listen @NAME` or `tcp listen` rule from the sandbox's own
         * network: a socket of ours, bound in the host's network namespace,
         * put in the program's place. */
        IPF_BIND_HOST_SOCKET,
};

struct ipf_bind_decision {
        enum ipf_bind_action action;
        int dirfd; /* O_PATH directory, or -1; the caller closes it */
        char base[256]; /* NAME_MAX + 1 */
};

/* Decision on a bind(2) address ADDR/LEN (our copy) for SOCKFD (our
 * duplicate). Returns 0, -EACCES when the policy denies, or the -errno the
 * kernel would have given. */
int ipf_broker_decide_bind(struct ipf_broker *b, pid_t pid, int sockfd,
                           const struct sockaddr_storage *addr, socklen_t len,
                           struct ipf_bind_decision *ret);
/* listen(2) on SOCKFD (our duplicate): 0, or -EACCES for a socket in the
 * host's network namespace that no listen rule names (under `network host`
 * an unbound TCP socket would otherwise get an unchecked port). */
int ipf_broker_decide_listen(struct ipf_broker *b, pid_t pid, int sockfd);
void ipf_broker_listen(struct ipf_broker *b, const struct seccomp_notif *req);
/* Whether `mqueue open` rules name the queue /NAME. */
bool ipf_broker_mqueue_allowed(struct ipf_broker *b, pid_t pid, const char *name, const char *verb);

/* Whether the notification being served (b->req) is still pending: then
 * its pid still names the thread that made it (ID_VALID). */
bool ipf_broker_caller_valid(const struct ipf_broker *b);

/* Decision on a destination (broker-dest.c), for the notification being
 * served (b->req); ADDR/LEN: our copy. On allow, *OUT is what to pass to
 * the kernel (ADDR, or the pinned inode's name "N" in /proc/self/fd, our
 * working directory), *RET_PIN an fd to close afterwards (-1 if none: a
 * pin of the cache, kept open while calls are parked), and
 * *RET_HOST true when the call must be made from a socket in the host's network
 * namespace put in the program's place (an allowed abstract or TCP
 * endpoint). Returns 0 to go ahead, -EACCES when the policy denies, -ESRCH
 * when the caller went away, or the -errno the kernel would have given
 * (ENOENT for a missing path...). */
int ipf_broker_decide(struct ipf_broker *b, pid_t pid, int sockfd,
                      const struct sockaddr_storage *addr, socklen_t len, const char *verb,
                      struct sockaddr_storage *out, socklen_t *ret_out_len, int *ret_pin,
                      bool *ret_host);
