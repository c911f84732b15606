/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bind(2) and listen(2), trapped when a profile has listen rules or shares
 * the host's network: creating an endpoint is where the program could reach the host
 * (a name in the host's view or network), so every bind is performed here,
 * on our duplicate of the program's socket and our copy of the address,
 * never continued (the program could change the address, or the socket
 * behind its descriptor number, before the kernel read them again).
 * broker-dest.c decides where it goes. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervise/broker.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

int ipf_broker_program_umask(pid_t pid, mode_t *ret)
{
        char path[64], line[128];
        _cleanup_fclose_ FILE *f = NULL;
        unsigned mask;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Umask: %o", &mask) == 1) {
                        *ret = (mode_t)(mask & 0777);
                        return 0;
                }
        return -EIO;
}

/* Bind SOCKFD at BASE in the pinned directory DIRFD: from inside it, so
 * that nothing on the way is looked up again. We are single-threaded; our
 * working directory is put back. */
static long bind_at(const struct ipf_broker *b, int sockfd, int dirfd, const char *base,
                    mode_t mask)
{
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        size_t n = strlen(base);
        mode_t old;
        long r;

        if (n >= sizeof(un.sun_path))
                return -EINVAL;
        memcpy(un.sun_path, base, n + 1);
        if (fchdir(dirfd) < 0)
                return -errno;
        old = umask(mask);
        r = bind(sockfd, (struct sockaddr *)&un,
                 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1)) < 0
                    ? -errno
                    : 0;
        umask(old);
        if (fchdir(b->cwdfd) < 0 && r == 0)
                r = -errno;
        return r;
}

/* Options that decide whether a bind succeeds, carried over to our socket. */
static void copy_bind_options(int from, int to, int domain)
{
        static const struct {
                int level, name;
        } opts[] = {
                {SOL_SOCKET, SO_REUSEADDR},
                {SOL_SOCKET, SO_REUSEPORT},
                {IPPROTO_IPV6, IPV6_V6ONLY},
        };

        for (size_t i = 0; i < ELEMENTSOF(opts); i++) {
                int v;
                socklen_t n = sizeof(v);

                if (opts[i].level == IPPROTO_IPV6 && domain != AF_INET6)
                        continue;
                if (getsockopt(from, opts[i].level, opts[i].name, &v, &n) == 0 && v)
                        (void)setsockopt(to, opts[i].level, opts[i].name, &v, n);
        }
}

/* A listen rule from the sandbox's own network: our socket, bound in the
 * host's network namespace (ours), in place of the program's descriptor FD. */
static long bind_host_socket(struct ipf_broker *b, uint64_t id, pid_t pid, int sockfd, int fd,
                             const struct sockaddr_storage *addr, socklen_t len)
{
        int domain, fl;
        bool cloexec;
        _cleanup_close_ int s =
                ipf_broker_host_twin(b, id, pid, sockfd, fd, 0, &domain, &fl, &cloexec);

        if (s < 0)
                return s;
        copy_bind_options(sockfd, s, domain);
        if (bind(s, (const struct sockaddr *)addr, len) < 0)
                return -errno;
        return ipf_broker_install(b, id, s, fd, fl, cloexec);
}

void ipf_broker_bind(struct ipf_broker *b, const struct seccomp_notif *req)
{
        const __u64 *a = req->data.args;
        pid_t pid = (pid_t)req->pid;
        struct ipf_bind_decision d = {.dirfd = -1};
        struct sockaddr_storage addr;
        socklen_t len = (socklen_t)a[2];
        _cleanup_close_ int sockfd = -1;
        mode_t mask = 022;
        struct stat st;
        long r;

        if (a[2] > sizeof(addr)) {
                ipf_broker_respond(b, req->id, 0, -EINVAL);
                return;
        }
        r = ipf_broker_read_memory(pid, a[1], &addr, len);
        if (r == 0) {
                sockfd = ipf_broker_program_fd(b, pid, req->id, (int)a[0]);
                if (sockfd < 0)
                        r = sockfd;
                else if (fstat(sockfd, &st) < 0 || !S_ISSOCK(st.st_mode))
                        r = -ENOTSOCK;
        }
        if (r == 0)
                (void)ipf_broker_program_umask(pid, &mask);
        if (!ipf_broker_id_valid(b, req->id))
                r = -ESRCH;
        if (r == 0)
                r = ipf_broker_decide_bind(b, pid, sockfd, &addr, len, &d);
        if (r == 0 && !ipf_broker_id_valid(b, req->id))
                r = -ESRCH;
        if (r == 0) {
                switch (d.action) {
                case IPF_BIND_HERE:
                        r = d.dirfd >= 0 ? bind_at(b, sockfd, d.dirfd, d.base, mask)
                            : bind(sockfd, (struct sockaddr *)&addr, len) < 0 ? -errno
                                                                              : 0;
                        break;
                case IPF_BIND_HOST_PATH:
                        r = bind_at(b, sockfd, d.dirfd, d.base, mask);
                        break;
                case IPF_BIND_HOST_SOCKET:
                        r = bind_host_socket(b, req->id, pid, sockfd, (int)a[0], &addr, len);
                        break;
                }
        }
        closep(&d.dirfd);
        /* Ours may be the last reference (the program closed its own
         * meanwhile): the close then waits for SO_LINGER. */
        ipf_broker_guard(b);
        closep(&sockfd);
        ipf_broker_guard_end();
        if (r != -ESRCH)
                ipf_broker_respond(b, req->id, 0, r < 0 ? (int)r : 0);
}

void ipf_broker_listen(struct ipf_broker *b, const struct seccomp_notif *req)
{
        const __u64 *a = req->data.args;
        pid_t pid = (pid_t)req->pid;
        _cleanup_close_ int sockfd = -1;
        struct stat st;
        long r = 0;

        sockfd = ipf_broker_program_fd(b, pid, req->id, (int)a[0]);
        if (sockfd < 0)
                r = sockfd;
        else if (fstat(sockfd, &st) < 0 || !S_ISSOCK(st.st_mode))
                r = -ENOTSOCK;
        if (!ipf_broker_id_valid(b, req->id))
                r = -ESRCH;
        if (r == 0)
                r = ipf_broker_decide_listen(b, pid, sockfd);
        if (r == 0)
                r = listen(sockfd, (int)a[1]) < 0 ? -errno : 0;
        ipf_broker_guard(b); /* as in ipf_broker_bind() */
        closep(&sockfd);
        ipf_broker_guard_end();
        if (r != -ESRCH)
                ipf_broker_respond(b, req->id, 0, (int)r);
}
