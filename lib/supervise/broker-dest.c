/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a trapped call may reach. Everything is decided on our copy of the
 * address and acted on the object we resolved, never on the program's
 * memory again.
 *
 *  unix path  — resolved in the program's own view (its root, its working
 *               directory, symlinks followed inside that root) to the inode
 *               of a D-Bus proxy's socket, which the supervisor bound there:
 *               the filtered bus, whatever rules say about the path. Else,
 *               a `unix connect` rule names it: the host's endpoint at that
 *               path (the program's view may hide it: it is reachable at its
 *               own path wherever it lives, SPEC §4). Otherwise, in the
 *               program's view, an inode on one of the sandbox's own fresh
 *               filesystems is the sandbox talking to itself; anything else
 *               is a host endpoint, denied.
 *  abstract,  — reached in the socket's own network namespace: the
 *  inet         sandbox's, unless the socket was inherited from the host
 *               (fds 0-2), which is denied.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/netlink.h>
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
        _cleanup_close_ int ns = -1;
        struct stat st;

        /* `network host`: the sandbox has no network of its own. */
        if (b->policy->network == IPF_NETWORK_HOST)
                return false;
        ns = ioctl(sockfd, SIOCGSKNS);
        return ns >= 0 && fstat(ns, &st) == 0 && st.st_dev == b->sb.netns_dev &&
               st.st_ino == b->sb.netns_ino;
}

/* One of the host sockets the supervisor put in the view (D-Bus proxies). */
static bool hosted_view(const struct ipf_broker *b, const char *path)
{
        for (size_t i = 0; i < b->sb.n_hosted; i++)
                if (strcmp(b->sb.hosted[i].view, path) == 0)
                        return true;
        return false;
}

static bool inode_is_hosted(const struct ipf_broker *b, const struct stat *st)
{
        for (size_t i = 0; i < b->sb.n_hosted; i++)
                if (b->sb.hosted[i].dev == st->st_dev && b->sb.hosted[i].ino == st->st_ino)
                        return true;
        return false;
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
 * directory as it sees it, read by pid, so checked with ID_VALID after. */
static int absolute_path(const struct ipf_broker *b, pid_t pid, const char *name, char *buf,
                         size_t size)
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
                if (!ipf_broker_caller_valid(b))
                        return -ESRCH;
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

/* `unix connect|listen @NAME`: NAME (N bytes, may hold NULs, which no rule
 * names). */
static bool rule_allows_abstract(const struct ipf_policy *p, enum ipf_rule_kind kind,
                                 const char *name, size_t n)
{
        if (n >= sizeof(((struct sockaddr_un *)0)->sun_path) || memchr(name, '\0', n))
                return false;
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ipf_rule *r = &p->rules[i];
                char buf[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

                if (r->kind != kind || !r->endpoint || r->endpoint[0] != '@')
                        continue;
                memcpy(buf, name, n);
                buf[n] = '\0';
                if (r->glob ? fnmatch(r->endpoint + 1, buf, 0) == 0
                            : strcmp(r->endpoint + 1, buf) == 0)
                        return true;
        }
        return false;
}

/* An IPv4 address, also when written IPv4-mapped in an AF_INET6 socket. */
static bool addr_v4(const struct sockaddr_storage *a, struct in_addr *ret)
{
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;

        if (a->ss_family == AF_INET) {
                *ret = ((const struct sockaddr_in *)a)->sin_addr;
                return true;
        }
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
                memcpy(ret, &in6->sin6_addr.s6_addr[12], sizeof(*ret));
                return true;
        }
        return false;
}

static bool host_matches(const char *host, const struct sockaddr_storage *a)
{
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
        struct in_addr v4, want4;
        struct in6_addr want6;

        if (strcmp(host, "localhost") == 0)
                return (addr_v4(a, &v4) && ntohl(v4.s_addr) == INADDR_LOOPBACK) ||
                       (a->ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
        if (inet_pton(AF_INET, host, &want4) == 1)
                return addr_v4(a, &v4) && v4.s_addr == want4.s_addr;
        if (inet_pton(AF_INET6, host, &want6) == 1)
                return a->ss_family == AF_INET6 && IN6_ARE_ADDR_EQUAL(&in6->sin6_addr, &want6);
        return false;
}

/* `tcp connect HOST:PORT`, `tcp listen [HOST:]PORT`: compared as addresses
 * (a listen rule without a host takes any local address). */
static bool rule_allows_tcp(const struct ipf_policy *p, enum ipf_rule_kind kind,
                            const struct sockaddr_storage *a)
{
        uint16_t port = a->ss_family == AF_INET
                                ? ntohs(((const struct sockaddr_in *)a)->sin_port)
                                : ntohs(((const struct sockaddr_in6 *)a)->sin6_port);

        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ipf_rule *r = &p->rules[i];

                if (r->kind == kind && r->port == port &&
                    (r->host ? host_matches(r->host, a) : kind == IPF_RULE_TCP_LISTEN))
                        return true;
        }
        return false;
}

/* `network host` with any tcp rule: TCP connects and binds only as they
 * say (SPEC §4; Landlock handles both accesses then, too). */
static bool tcp_narrowed(const struct ipf_policy *p)
{
        return ipf_policy_has(p, IPF_RULE_TCP_CONNECT) || ipf_policy_has(p, IPF_RULE_TCP_LISTEN);
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

/* A rule names a path, and the path may lead through symlinks: /dev/log,
 * /var/run. Symlinks in a directory the program can write are the
 * program's to plant (red team #1), so the endpoint we actually reached —
 * the pinned inode's own path — must be named by a rule as well. 1 if it
 * is, 0 if not (its path in REAL), -errno. */
static int pinned_target_allowed(const struct ipf_broker *b, int pin, char *real, size_t n)
{
        char link[64];
        ssize_t len;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", pin);
        len = readlink(link, real, n - 1);
        if (len < 0)
                return -errno;
        real[len] = '\0';
        /* An unlinked inode reads "... (deleted)" and matches no rule. */
        return rule_allows(b->policy, IPF_RULE_UNIX_CONNECT, real) ? 1 : 0;
}

/* The host's endpoint at the path PATH a rule allows, pinned (*RET_PIN,
 * ours in any case). Without a symlink on the way it is what the rule
 * names; through one, the socket reached must be allowed too. 1 if it is,
 * 0 if not (its own path in REAL), -errno. */
static int pin_rule_path(const struct ipf_broker *b, const char *path, int *ret_pin, char *real,
                         size_t n)
{
        struct open_how direct = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
        int pin;

        pin = sys_openat2(AT_FDCWD, path, &direct, sizeof(direct));
        if (pin >= 0) {
                *ret_pin = pin;
                return 1;
        }
        if (errno != ELOOP)
                return -errno;
        pin = open(path, O_PATH | O_CLOEXEC);
        if (pin < 0)
                return -errno;
        *ret_pin = pin;
        return pinned_target_allowed(b, pin, real, n);
}

/* A rule's socket seldom changes: the pin of one allowed before serves
 * again while its path still leads to the same inode, unchanged since
 * (one stat(2) instead of a new pin). The inode's change time tells a
 * socket moved (or linked) elsewhere: the path may then lead to it through
 * a symlink planted since, at a name no rule names (red team 6 #2), which
 * a fresh pin refuses. Checking where the inode lives instead (readlink of
 * /proc/self/fd/N) cost more than the pin it saves. The cache's own
 * descriptor, or -1 when there is none (pin afresh: it decides and logs). */
static int cached_pin(const struct ipf_broker *b, const char *path)
{
        struct stat st;

        for (size_t i = 0; i < b->n_pins; i++) {
                const struct ipf_broker_pin *c = &b->pins[i];

                if (c->fd < 0 || strcmp(c->path, path) != 0)
                        continue;
                if (stat(path, &st) < 0 || st.st_dev != c->dev || st.st_ino != c->ino ||
                    st.st_ctim.tv_sec != c->ctime.tv_sec || st.st_ctim.tv_nsec != c->ctime.tv_nsec)
                        return -1;
                return c->fd;
        }
        return -1;
}

/* Keep a duplicate of PIN, allowed at PATH, for cached_pin(), in place of
 * what was cached for PATH, or of the oldest entry; best effort. Never
 * while calls are parked: their addresses may name a cached pin. */
static void remember_pin(struct ipf_broker *b, const char *path, int pin)
{
        struct ipf_broker_pin *c = NULL;
        struct stat st;

        for (size_t i = 0; i < b->n_pins && !c; i++)
                if (b->pins[i].path && strcmp(b->pins[i].path, path) == 0)
                        c = &b->pins[i];
        if (!c && b->n_pins < IPF_BROKER_MAX_PINS) {
                c = &b->pins[b->n_pins++];
                *c = (struct ipf_broker_pin){.fd = -1};
        } else if (!c) {
                c = &b->pins[b->next_pin++ % IPF_BROKER_MAX_PINS];
        }
        if (c->fd >= 0 && b->n_pending)
                return;
        closep(&c->fd);
        free(c->path);
        c->path = NULL;
        if (fstat(pin, &st) < 0 || !(c->path = strdup(path)))
                return;
        c->fd = fcntl(pin, F_DUPFD_CLOEXEC, 0);
        c->dev = st.st_dev;
        c->ino = st.st_ino;
        c->ctime = st.st_ctim;
}

/* Point OUT at the pinned inode PIN through /proc/self/fd, our working
 * directory while the broker runs (broker.c: enter_proc_fd()). */
static socklen_t pinned_address(int pin, struct sockaddr_storage *out)
{
        struct sockaddr_un *un = (struct sockaddr_un *)out;

        memset(un, 0, sizeof(*un));
        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof(un->sun_path), "%d", pin);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1);
}

static int decide_unix_path(struct ipf_broker *b, pid_t pid, const char *name, const char *kind,
                            struct sockaddr_storage *out, socklen_t *ret_len, int *ret_pin)
{
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        char path[PATH_MAX], real[PATH_MAX];
        _cleanup_close_ int pin = -1;
        struct stat st;
        bool allow;
        int r;

        r = absolute_path(b, pid, name, path, sizeof(path));
        if (r < 0)
                return r;
        /* A D-Bus proxy's socket where the view has it is the filtered bus,
         * first: a `unix connect` rule on that path (the bus's usual place)
         * would otherwise reach the real bus behind the proxy. The bus's
         * path itself is decided in the view only, whatever is there now:
         * the program can rename the directory that holds the proxy's
         * socket, and the host's path would lead to the real bus (red team
         * round 4 #2). */
        if (b->sb.n_hosted > 0) {
                bool reserved = hosted_view(b, path);

                pin = sys_openat2(b->sb.rootfd, path + 1, &how, sizeof(how));
                if (pin >= 0 && fstat(pin, &st) == 0 && S_ISSOCK(st.st_mode) &&
                    inode_is_hosted(b, &st)) {
                        log_decision(b, pid, kind, path, true, "dbus-proxy");
                        *ret_len = pinned_address(pin, out);
                        *ret_pin = TAKE_FD(pin);
                        return 0;
                }
                r = pin < 0 ? -errno : -EACCES;
                closep(&pin);
                pin = -1;
                if (reserved) {
                        log_decision(b, pid, kind, path, false, "dbus-proxy");
                        return r; /* never the host's path, even --permissive */
                }
        }
        if (rule_allows(b->policy, IPF_RULE_UNIX_CONNECT, path)) {
                int cached = cached_pin(b, path);

                if (cached >= 0) {
                        log_decision(b, pid, kind, path, true, "broker");
                        *ret_len = pinned_address(cached, out);
                        return 0; /* *RET_PIN -1: the cache keeps it */
                }
                r = pin_rule_path(b, path, &pin, real, sizeof(real));
                if (r == 1)
                        remember_pin(b, path, pin);
                if (r < 0)
                        return r;
                log_decision(b, pid, kind, r ? path : real, r, "broker");
                if (!r && !b->permissive)
                        return -EACCES;
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

static int socket_type(int sockfd)
{
        int type = -1;
        socklen_t n = sizeof(type);

        return getsockopt(sockfd, SOL_SOCKET, SO_TYPE, &type, &n) == 0 ? type : -1;
}

static int socket_protocol(int sockfd)
{
        int proto = -1;
        socklen_t n = sizeof(proto);

        return getsockopt(sockfd, SOL_SOCKET, SO_PROTOCOL, &proto, &n) == 0 ? proto : -1;
}

int ipf_broker_decide(struct ipf_broker *b, pid_t pid, int sockfd,
                      const struct sockaddr_storage *addr, socklen_t len, const char *verb,
                      struct sockaddr_storage *out, socklen_t *ret_out_len, int *ret_pin,
                      bool *ret_host)
{
        const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
        size_t path_off = offsetof(struct sockaddr_un, sun_path);
        char name[sizeof(un->sun_path) + 2], kind[32], endpoint[INET6_ADDRSTRLEN + 16];
        sa_family_t family = len >= sizeof(sa_family_t) ? addr->ss_family : AF_UNSPEC;
        bool connecting = strcmp(verb, "connect") == 0, allowed = false, in_sandbox;
        bool host_network = false;

        *ret_pin = -1;
        *ret_host = false;
        /* The kernel refuses a unix address longer than the struct; so do
         * we, before copying names out of it (round 2 #3: an overflow). */
        if (family == AF_UNIX && len > sizeof(struct sockaddr_un))
                return -EINVAL;
        memcpy(out, addr, len);
        *ret_out_len = len;

        if (family == AF_UNIX && len > path_off && un->sun_path[0] != '\0') {
                size_t n = strnlen(un->sun_path, len - path_off);

                snprintf(kind, sizeof(kind), "unix.%s", verb);
                memcpy(name, un->sun_path, n);
                name[n] = '\0';
                return decide_unix_path(b, pid, name, kind, out, ret_out_len, ret_pin);
        }
        if (family == AF_UNIX) {
                size_t n = len > path_off + 1 ? len - path_off - 1 : 0;

                snprintf(kind, sizeof(kind), "unix.%s", verb);
                snprintf(endpoint, sizeof(endpoint), "@%.*s", (int)strnlen(un->sun_path + 1, n),
                         un->sun_path + 1);
                /* Connection-oriented only: a host-side datagram socket in the
                 * program's hands could sendmsg(2) (not trapped) to any other
                 * host name where Landlock has no abstract scope. */
                allowed =
                        len > path_off && connecting && socket_type(sockfd) != SOCK_DGRAM &&
                        rule_allows_abstract(b->policy, IPF_RULE_UNIX_CONNECT, un->sun_path + 1, n);
        } else if (family == AF_INET || family == AF_INET6) {
                bool tcp = socket_type(sockfd) == SOCK_STREAM &&
                           socket_protocol(sockfd) == IPPROTO_TCP;

                snprintf(kind, sizeof(kind), "%s.%s",
                         socket_type(sockfd) == SOCK_STREAM ? "tcp" : "inet", verb);
                describe_inet(addr, endpoint, sizeof(endpoint));
                /* TCP only: an SCTP stream socket in the program's hands could
                 * be pointed elsewhere by setsockopt (sctp_connectx). */
                allowed =
                        connecting && tcp && rule_allows_tcp(b->policy, IPF_RULE_TCP_CONNECT, addr);
                /* `network host`: the host's network, TCP narrowed to the
                 * `tcp connect` rules when there are any tcp rules (as
                 * Landlock does, by port; we also compare the host). */
                host_network = b->policy->network == IPF_NETWORK_HOST &&
                               (!tcp || !tcp_narrowed(b->policy));
        } else if (family == AF_NETLINK && len >= sizeof(struct sockaddr_nl) &&
                   ((const struct sockaddr_nl *)addr)->nl_groups != 0) {
                /* Multicast sends need CAP_NET_ADMIN over the socket's
                 * network, which we hold over the sandbox's (we own its user
                 * namespace) and the program does not: lend it nothing. The
                 * kernel's answer to the program. */
                return -EPERM;
        } else {
                snprintf(kind, sizeof(kind), "socket.%s", verb);
                snprintf(endpoint, sizeof(endpoint), "family %u", (unsigned)family);
                /* Dissolving an association, or the kernel's own netlink
                 * families (which the socket(2) filter narrows). */
                host_network = b->policy->network == IPF_NETWORK_HOST &&
                               (family == AF_UNSPEC || family == AF_NETLINK);
        }
        /* Only abstract and inet destinations depend on the socket's
         * network namespace; paths were decided above, without it. */
        in_sandbox = socket_in_sandbox(b, sockfd);
        if (allowed) {
                /* The host's endpoint: from a socket in the host's network
                 * namespace, put in the program's place (or its own, when
                 * it came from the host already). */
                log_decision(b, pid, kind, endpoint, true, "broker");
                *ret_host = in_sandbox;
                return 0;
        }
        /* Abstract, unnamed, inet, AF_UNSPEC...: the socket's own network
         * namespace confines them, if it is the sandbox's. */
        if (in_sandbox)
                return 0;
        if (host_network) {
                log_decision(b, pid, kind, endpoint, true, "network host");
                return 0;
        }
        /* A socket from outside (an inherited descriptor, or any socket
         * under `network host`): a host endpoint that no rule opens. */
        log_decision(b, pid, kind, endpoint, false, "broker");
        return b->permissive ? 0 : -EACCES;
}

static int socket_domain(int sockfd)
{
        int domain = -1;
        socklen_t n = sizeof(domain);

        return getsockopt(sockfd, SOL_SOCKET, SO_DOMAIN, &domain, &n) == 0 ? domain : -1;
}

/* Pin the directory of the normalised absolute PATH, in the program's view
 * (its root; symlinks stay inside it) or in the host's, and put PATH's last
 * component in BASE. Returns the O_PATH fd or -errno. */
static int pin_parent(const struct ipf_broker *b, const char *path, bool in_view, char *base,
                      size_t n)
{
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        const char *slash = strrchr(path, '/');
        char dir[PATH_MAX];
        size_t dlen = (size_t)(slash - path);
        int fd;

        if (slash[1] == '\0')
                return -EINVAL; /* "/" itself */
        if (strlen(slash + 1) >= n)
                return -ENAMETOOLONG;
        strcpy(base, slash + 1);
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
        if (in_view)
                fd = sys_openat2(b->sb.rootfd, dlen ? dir + 1 : ".", &how, sizeof(how));
        else
                fd = open(dlen ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* `unix listen PATH`: the host directory DIRFD the rule's path leads to may
 * be reached through symlinks the program planted: the path the endpoint
 * will really have must be named by a rule too (as for connect). */
static int listen_target_allowed(const struct ipf_broker *b, const char *path, int dirfd,
                                 const char *base, char *real, size_t n)
{
        char link[64], dir[PATH_MAX];
        ssize_t len;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        len = readlink(link, dir, sizeof(dir) - 1);
        if (len < 0)
                return -errno;
        dir[len] = '\0';
        if ((size_t)snprintf(real, n, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base) >= n)
                return -ENAMETOOLONG;
        return strcmp(real, path) == 0 || rule_allows(b->policy, IPF_RULE_UNIX_LISTEN, real);
}

static int decide_bind_unix_path(struct ipf_broker *b, pid_t pid, const char *name,
                                 struct ipf_bind_decision *ret)
{
        char path[PATH_MAX], real[PATH_MAX];
        _cleanup_close_ int dirfd = -1;
        struct stat st;
        int r;

        r = absolute_path(b, pid, name, path, sizeof(path));
        if (r < 0)
                return r;
        if (rule_allows(b->policy, IPF_RULE_UNIX_LISTEN, path)) {
                dirfd = pin_parent(b, path, false, ret->base, sizeof(ret->base));
                if (dirfd < 0)
                        return dirfd;
                r = listen_target_allowed(b, path, dirfd, ret->base, real, sizeof(real));
                if (r < 0)
                        return r;
                log_decision(b, pid, "unix.listen", r ? path : real, r, "broker");
                if (!r && !b->permissive)
                        return -EACCES;
                ret->action = IPF_BIND_HOST_PATH;
        } else {
                /* In the program's own view: allowed on the sandbox's own
                 * file systems only, as Landlock's MAKE_SOCK rule says. */
                dirfd = pin_parent(b, path, true, ret->base, sizeof(ret->base));
                if (dirfd < 0)
                        return dirfd;
                if (fstat(dirfd, &st) < 0)
                        return -errno;
                r = dev_is_private(b, st.st_dev);
                log_decision(b, pid, "unix.listen", path, r, r ? "sandbox" : "broker");
                if (!r && !b->permissive)
                        return -EACCES;
                ret->action = IPF_BIND_HERE;
        }
        ret->dirfd = TAKE_FD(dirfd);
        return 0;
}

static int decide_bind_inet(struct ipf_broker *b, pid_t pid, int sockfd,
                            const struct sockaddr_storage *addr, socklen_t len, bool in_sandbox,
                            struct ipf_bind_decision *ret)
{
        bool tcp = socket_type(sockfd) == SOCK_STREAM && socket_protocol(sockfd) == IPPROTO_TCP;
        char endpoint[INET6_ADDRSTRLEN + 16];
        const char *kind = tcp ? "tcp.listen" : "inet.bind";
        uint16_t port;

        if (len <
            (addr->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
                return in_sandbox ? 0 : -EINVAL;
        port = addr->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)addr)->sin_port)
                                          : ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
        describe_inet(addr, endpoint, sizeof(endpoint));
        if (tcp && rule_allows_tcp(b->policy, IPF_RULE_TCP_LISTEN, addr)) {
                log_decision(b, pid, kind, endpoint, true, "broker");
                ret->action = in_sandbox ? IPF_BIND_HOST_SOCKET : IPF_BIND_HERE;
                return 0;
        }
        if (in_sandbox) {
                /* The sandbox's own network. We own its user namespace, and
                 * with it CAP_NET_BIND_SERVICE, which the program does not
                 * have: lend it nothing. */
                if (port != 0 && port < 1024)
                        return -EACCES;
                return 0;
        }
        /* `network host`: TCP narrowed to the rules when there are any
         * (Landlock's BIND_TCP says the same, by port). */
        if (b->policy->network == IPF_NETWORK_HOST && !(tcp && tcp_narrowed(b->policy))) {
                log_decision(b, pid, kind, endpoint, true, "network host");
                return 0;
        }
        log_decision(b, pid, kind, endpoint, false, "broker");
        return b->permissive ? 0 : -EACCES;
}

int ipf_broker_decide_bind(struct ipf_broker *b, pid_t pid, int sockfd,
                           const struct sockaddr_storage *addr, socklen_t len,
                           struct ipf_bind_decision *ret)
{
        const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
        size_t path_off = offsetof(struct sockaddr_un, sun_path);
        int domain = socket_domain(sockfd);
        char name[sizeof(un->sun_path) + 2], endpoint[sizeof(un->sun_path) + 2];
        bool in_sandbox, allowed;

        *ret = (struct ipf_bind_decision){.action = IPF_BIND_HERE, .dirfd = -1};
        if (len < sizeof(sa_family_t))
                return -EINVAL;
        if (domain == AF_UNIX && (addr->ss_family != AF_UNIX || len > sizeof(*un)))
                return -EINVAL;
        if (domain == AF_UNIX && len > path_off && un->sun_path[0] != '\0') {
                size_t n = strnlen(un->sun_path, len - path_off);

                memcpy(name, un->sun_path, n);
                name[n] = '\0';
                return decide_bind_unix_path(b, pid, name, ret);
        }
        /* Everything else lives in the socket's network namespace. */
        in_sandbox = socket_in_sandbox(b, sockfd);
        if (domain == AF_UNIX && len > path_off) {
                size_t n = len - path_off - 1;

                snprintf(endpoint, sizeof(endpoint), "@%.*s", (int)strnlen(un->sun_path + 1, n),
                         un->sun_path + 1);
                /* Connection-oriented only, as for connect. */
                allowed =
                        socket_type(sockfd) != SOCK_DGRAM &&
                        rule_allows_abstract(b->policy, IPF_RULE_UNIX_LISTEN, un->sun_path + 1, n);
                if (allowed)
                        ret->action = in_sandbox ? IPF_BIND_HOST_SOCKET : IPF_BIND_HERE;
                if (allowed || !in_sandbox)
                        log_decision(b, pid, "unix.listen", endpoint, allowed, "broker");
                if (!allowed && !in_sandbox && !b->permissive)
                        return -EACCES;
                return 0;
        }
        if (domain == AF_UNIX)
                return 0; /* autobind: a random name in the socket's namespace */
        if (domain == AF_INET || domain == AF_INET6) {
                /* The port is at the same place in every inet layout, and
                 * AF_UNSPEC binds an AF_INET socket too (as INADDR_ANY). */
                uint16_t port = len >= offsetof(struct sockaddr_in, sin_port) + sizeof(in_port_t)
                                        ? ntohs(((const struct sockaddr_in *)addr)->sin_port)
                                        : 0;

                if (addr->ss_family != domain && in_sandbox && port != 0 && port < 1024)
                        return -EACCES;
                if (addr->ss_family != domain)
                        return in_sandbox ? 0 : -EAFNOSUPPORT;
                return decide_bind_inet(b, pid, sockfd, addr, len, in_sandbox, ret);
        }
        /* netlink...: the socket(2) filter narrowed the protocols. */
        if (in_sandbox || b->policy->network == IPF_NETWORK_HOST)
                return 0;
        snprintf(endpoint, sizeof(endpoint), "family %d", domain);
        log_decision(b, pid, "socket.bind", endpoint, false, "broker");
        return b->permissive ? 0 : -EACCES;
}

int ipf_broker_decide_listen(struct ipf_broker *b, pid_t pid, int sockfd)
{
        struct sockaddr_storage a = {0};
        socklen_t len = sizeof(a);
        size_t path_off = offsetof(struct sockaddr_un, sun_path);
        const struct sockaddr_un *un = (const struct sockaddr_un *)&a;
        char endpoint[sizeof(un->sun_path) + 2];
        const char *kind = "socket.listen";
        bool allowed = false;

        /* The sandbox's own network: its endpoints are its own. */
        if (socket_in_sandbox(b, sockfd))
                return 0;
        if (getsockname(sockfd, (struct sockaddr *)&a, &len) < 0)
                return -errno;
        strcpy(endpoint, "?");
        if (a.ss_family == AF_UNIX) {
                kind = "unix.listen";
                /* A path was decided at bind(2); an unnamed socket would be
                 * given a name of the host's (autobind). */
                if (len > path_off && un->sun_path[0] != '\0')
                        return 0;
                if (len > path_off + 1) {
                        snprintf(endpoint, sizeof(endpoint), "@%.*s", (int)(len - path_off - 1),
                                 un->sun_path + 1);
                        allowed = rule_allows_abstract(b->policy, IPF_RULE_UNIX_LISTEN,
                                                       un->sun_path + 1, len - path_off - 1);
                }
        } else if (a.ss_family == AF_INET || a.ss_family == AF_INET6) {
                uint16_t port = ntohs(((const struct sockaddr_in *)&a)->sin_port);

                kind = "tcp.listen";
                describe_inet(&a, endpoint, sizeof(endpoint));
                /* Port 0: listen(2) would pick one (autobind), unchecked. */
                allowed = (port != 0 && rule_allows_tcp(b->policy, IPF_RULE_TCP_LISTEN, &a)) ||
                          (b->policy->network == IPF_NETWORK_HOST && !tcp_narrowed(b->policy));
        }
        log_decision(b, pid, kind, endpoint, allowed, "broker");
        return allowed || b->permissive ? 0 : -EACCES;
}

bool ipf_broker_mqueue_allowed(struct ipf_broker *b, pid_t pid, const char *name, const char *verb)
{
        char path[NAME_MAX + 2], kind[32];
        bool allowed;

        /* glibc passes the name without its leading slash. */
        snprintf(path, sizeof(path), "/%s", name[0] == '/' ? name + 1 : name);
        allowed = rule_allows(b->policy, IPF_RULE_MQUEUE_OPEN, path);
        snprintf(kind, sizeof(kind), "mqueue.%s", verb);
        if (allowed || b->policy->sysv_host)
                log_decision(b, pid, kind, path, allowed, "broker");
        return allowed;
}
