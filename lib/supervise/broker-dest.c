/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a trapped call may reach. Everything is decided on our copy of the
 * address and acted on the object we resolved, never on the program's
 * memory again.
 *
 *  unix path  — a `unix connect` rule names it: the host's endpoint at that
 *               path (the program's view may hide it: it is reachable at its
 *               own path wherever it lives, SPEC §4). Otherwise resolved in
 *               the program's own view (its root, its working directory,
 *               symlinks followed inside that root): an inode on one of the
 *               sandbox's own fresh filesystems is the sandbox talking to
 *               itself; anything else is a host endpoint, denied.
 *  abstract,  — reached in the socket's own network namespace: the
 *  inet         sandbox's, unless the socket was inherited from the host
 *               (fds 0-2), which is denied.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervise/broker.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

/* Is SOCKFD's network namespace the sandbox's? SIOCGSKNS needs
 * CAP_NET_ADMIN over the namespace: we have it over the sandbox's (we own
 * its user namespace), not over the host's, so a refusal means "not ours". */
static bool socket_in_sandbox(const struct ipf_broker *b, int sockfd)
{
        _cleanup_close_ int ns = ioctl(sockfd, SIOCGSKNS);
        struct stat st;

        return ns >= 0 && fstat(ns, &st) == 0 && st.st_dev == b->sb.netns_dev &&
               st.st_ino == b->sb.netns_ino;
}

static bool dev_is_private(const struct ipf_broker *b, dev_t dev)
{
        for (size_t i = 0; i < b->sb.n_private; i++)
                if (b->sb.private_devs[i] == dev)
                        return true;
        return false;
}

/* Lexically normalise an absolute PATH in place: no "//", ".", or "..". */
static void path_normalize(char *path)
{
        char *w = path;

        for (const char *r = path; *r;) {
                const char *end = r;
                size_t n;

                while (*r == '/')
                        r++;
                end = r;
                while (*end && *end != '/')
                        end++;
                n = (size_t)(end - r);
                if (n == 0)
                        break;
                if (n == 1 && r[0] == '.') {
                        /* skip */
                } else if (n == 2 && r[0] == '.' && r[1] == '.') {
                        while (w > path && *--w != '/')
                                ;
                } else {
                        *w++ = '/';
                        memmove(w, r, n);
                        w += n;
                }
                r = end;
        }
        if (w == path)
                *w++ = '/';
        *w = '\0';
}

/* The absolute path the program named: relative ones against its working
 * directory as it sees it. */
static int absolute_path(pid_t pid, const char *name, char *buf, size_t size)
{
        char link[64], cwd[PATH_MAX];
        ssize_t n;

        if (name[0] == '/') {
                if (strlen(name) >= size)
                        return -ENAMETOOLONG;
                strcpy(buf, name);
        } else {
                snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
                n = readlink(link, cwd, sizeof(cwd) - 1);
                if (n <= 0 || cwd[0] != '/')
                        return -EACCES; /* a deleted or unreachable cwd */
                cwd[n] = '\0';
                if ((size_t)snprintf(buf, size, "%s/%s", cwd, name) >= size)
                        return -ENAMETOOLONG;
        }
        path_normalize(buf);
        return 0;
}

static bool rule_allows(const struct ipf_policy *p, enum ipf_rule_kind kind, const char *path)
{
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ipf_rule *r = &p->rules[i];

                if (r->kind != kind || !r->endpoint || r->endpoint[0] != '/')
                        continue;
                if (r->glob ? fnmatch(r->endpoint, path, FNM_PATHNAME) == 0
                            : strcmp(r->endpoint, path) == 0)
                        return true;
        }
        return false;
}

static void log_decision(struct ipf_broker *b, pid_t pid, const char *kind, const char *endpoint,
                         bool allow, const char *layer)
{
        struct ipf_decision d = {
                .pid = pid,
                .kind = kind,
                .endpoint = endpoint,
                .allow = allow || b->permissive,
                .permissive = !allow && b->permissive,
                .layer = layer,
        };

        if (ipf_decision_log_wants(b->log, d.allow && !d.permissive))
                ipf_decision_log_write(b->log, &d);
}

/* Point OUT at the pinned inode PIN through /proc/self/fd. */
static socklen_t pinned_address(int pin, struct sockaddr_storage *out)
{
        struct sockaddr_un *un = (struct sockaddr_un *)out;

        memset(un, 0, sizeof(*un));
        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d", pin);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1);
}

static int decide_unix_path(struct ipf_broker *b, pid_t pid, const char *name, const char *kind,
                            struct sockaddr_storage *out, socklen_t *ret_len, int *ret_pin)
{
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        char path[PATH_MAX];
        _cleanup_close_ int pin = -1;
        struct stat st;
        bool allow;
        int r;

        r = absolute_path(pid, name, path, sizeof(path));
        if (r < 0)
                return r;
        if (rule_allows(b->policy, IPF_RULE_UNIX_CONNECT, path)) {
                /* The host's endpoint, at its own path. */
                pin = open(path, O_PATH | O_CLOEXEC);
                if (pin < 0)
                        return -errno;
                log_decision(b, pid, kind, path, true, "broker");
        } else {
                pin = sys_openat2(b->sb.rootfd, path + 1, &how, sizeof(how));
                if (pin < 0)
                        return -errno;
                if (fstat(pin, &st) < 0)
                        return -errno;
                allow = dev_is_private(b, st.st_dev);
                log_decision(b, pid, kind, path, allow, allow ? "sandbox" : "broker");
                if (!allow && !b->permissive)
                        return -EACCES;
        }
        *ret_len = pinned_address(pin, out);
        *ret_pin = TAKE_FD(pin);
        return 0;
}

static void describe_inet(const struct sockaddr_storage *a, char *buf, size_t n)
{
        char host[INET6_ADDRSTRLEN] = "?";

        if (a->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)a;

                inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
                snprintf(buf, n, "%s:%u", host, ntohs(in->sin_port));
        } else {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;

                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
                snprintf(buf, n, "[%s]:%u", host, ntohs(in6->sin6_port));
        }
}

int ipf_broker_decide(struct ipf_broker *b, pid_t pid, int sockfd,
                      const struct sockaddr_storage *addr, socklen_t len, const char *verb,
                      struct sockaddr_storage *out, socklen_t *ret_out_len, int *ret_pin)
{
        const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
        size_t path_off = offsetof(struct sockaddr_un, sun_path);
        char name[sizeof(un->sun_path) + 2], kind[32], endpoint[INET6_ADDRSTRLEN + 16];
        sa_family_t family = len >= sizeof(sa_family_t) ? addr->ss_family : AF_UNSPEC;

        *ret_pin = -1;
        memcpy(out, addr, len);
        *ret_out_len = len;

        if (family == AF_UNIX && len > path_off && un->sun_path[0] != '\0') {
                size_t n = strnlen(un->sun_path, len - path_off);

                snprintf(kind, sizeof(kind), "unix.%s", verb);
                memcpy(name, un->sun_path, n);
                name[n] = '\0';
                return decide_unix_path(b, pid, name, kind, out, ret_out_len, ret_pin);
        }
        /* Abstract, unnamed, inet, AF_UNSPEC...: the socket's own network
         * namespace confines them, if it is the sandbox's. */
        if (socket_in_sandbox(b, sockfd))
                return 0;
        if (family == AF_UNIX) {
                size_t n = len > path_off + 1 ? strnlen(un->sun_path + 1, len - path_off - 1) : 0;

                snprintf(kind, sizeof(kind), "unix.%s", verb);
                snprintf(endpoint, sizeof(endpoint), "@%.*s", (int)(n < 64 ? n : 64),
                         un->sun_path + 1);
        } else if (family == AF_INET || family == AF_INET6) {
                snprintf(kind, sizeof(kind), "inet.%s", verb);
                describe_inet(addr, endpoint, sizeof(endpoint));
        } else {
                snprintf(kind, sizeof(kind), "socket.%s", verb);
                snprintf(endpoint, sizeof(endpoint), "family %u", (unsigned)family);
        }
        /* A socket from outside (an inherited descriptor): a host endpoint
         * that no rule of this version can open. */
        log_decision(b, pid, kind, endpoint, false, "broker");
        return b->permissive ? 0 : -EACCES;
}
