/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Start, wait for, and stop the xdg-dbus-proxy of each filtered bus.
 *
 * Lifetime (SPEC §2: "if the supervisor dies, the sandbox dies with it",
 * and no proxy outlives the sandbox): the proxy holds the write end of a
 * pipe (--fd) whose only read end is ours. It writes one byte when its
 * socket listens and exits when the read end is closed — by
 * ipf_dbus_proxies_stop(), or by the kernel when we die, SIGKILL included.
 * PR_SET_PDEATHSIG(SIGKILL) backs this up should the proxy not notice.
 * Its socket lives in a private 0700 directory only until the sandbox's
 * mount view has bound it: then both are removed from the host. */
#include "supervise/dbus-proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/syscalls.h"
#include "util/cleanup.h"

#define PROXY_PROGRAM "xdg-dbus-proxy"
#define PROXY_READY_TIMEOUT_MS 10000
#define PROXY_FD 3 /* the --fd number in the proxy */

/* One diagnostic line and the -errno it goes with (ERR evaluated first). */
#define DIAG_FAIL(reterr, err, ...)                              \
        ({                                                       \
                int _err = (err);                                \
                ipf_diag_set((reterr), NULL, 0, 0, __VA_ARGS__); \
                _err;                                            \
        })

static const char *const bus_variable[_IPF_BUS_MAX] = {
        [IPF_BUS_SESSION] = "DBUS_SESSION_BUS_ADDRESS",
        [IPF_BUS_SYSTEM] = "DBUS_SYSTEM_BUS_ADDRESS",
};

/* The first executable NAME on $PATH, as execvp(3) would find it. */
static int find_program(const char *name, char *buf, size_t n)
{
        const char *path = secure_getenv("PATH");

        if (!path || !*path)
                path = "/usr/local/bin:/usr/bin:/bin";
        for (const char *s = path; *s;) {
                size_t len = strcspn(s, ":");

                if (len > 0 && (size_t)snprintf(buf, n, "%.*s/%s", (int)len, s, name) < n &&
                    access(buf, X_OK) == 0)
                        return 0;
                s += len + (s[len] == ':');
        }
        return -ENOENT;
}

/* The bus address: the variable, else the default of SPEC §4. */
static int bus_address(enum ipf_bus bus, const struct ipf_host *h, char *buf, size_t n)
{
        const char *v = secure_getenv(bus_variable[bus]);
        char dir[PATH_MAX], escaped[3 * PATH_MAX];
        int r;

        if (v && *v)
                return (size_t)snprintf(buf, n, "%s", v) < n ? 0 : -ENAMETOOLONG;
        if (bus == IPF_BUS_SYSTEM)
                return (size_t)snprintf(buf, n, "unix:path=/run/dbus/system_bus_socket") < n
                               ? 0
                               : -ENAMETOOLONG;
        if (h->xdg_runtime_dir)
                snprintf(dir, sizeof(dir), "%s", h->xdg_runtime_dir);
        else
                snprintf(dir, sizeof(dir), "/run/user/%u", (unsigned)h->uid);
        r = ipf_dbus_address_escape(dir, escaped, sizeof(escaped));
        if (r < 0)
                return r;
        return (size_t)snprintf(buf, n, "unix:path=%s/bus", escaped) < n ? 0 : -ENAMETOOLONG;
}

/* Is anything listening at the address? The proxy connects only when a
 * client does; a bus that is not there must stop us before the program
 * runs, not surprise it later. */
static int bus_reachable(const char *path, bool abstract)
{
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        size_t len = strlen(path);
        socklen_t alen;

        if (fd < 0)
                return -errno;
        if (len + (abstract ? 1 : 0) >= sizeof(un.sun_path))
                return -ENAMETOOLONG;
        memcpy(un.sun_path + (abstract ? 1 : 0), path, len);
        /* A path with its NUL; an abstract name after its leading NUL. */
        alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
        if (connect(fd, (struct sockaddr *)&un, alen) < 0 && errno != EAGAIN &&
            errno != EINPROGRESS)
                return -errno;
        return 0;
}

/* In the forked child: become the proxy, or _exit. */
static _Noreturn void proxy_exec(const char *program, char **argv, int ready_w, pid_t parent)
{
        sigset_t none;
        int null;

        /* Die with the supervisor even if the pipe went unnoticed. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        /* Out of the terminal's process group: Ctrl-C reaches the program
         * (which may handle it) and ipcfence, not the program's bus. */
        (void)setpgid(0, 0);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (ready_w != PROXY_FD) {
                if (dup2(ready_w, PROXY_FD) < 0)
                        _exit(127);
        } else if (fcntl(PROXY_FD, F_SETFD, 0) < 0) {
                _exit(127);
        }
        /* stdin and stdout: nothing of the program's, whose stdout a
         * caller may be reading to EOF; stderr stays, for its messages. */
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
                _exit(127);
        /* Nothing of ours (or of our caller's) but 0-2 and the pipe. */
        if (sys_close_range(PROXY_FD + 1, ~0U, 0) < 0)
                _exit(127);
        execv(program, argv);
        _exit(127);
}

static int proxy_start(struct ipf_dbus_proxy *x, enum ipf_bus bus, const struct ipf_policy *p,
                       const struct ipf_host *h, const char *program, struct ipf_diag *reterr)
{
        const char *name = ipf_bus_to_string(bus);
        char address[4096], target[PATH_MAX], template[PATH_MAX];
        _cleanup_free_ char *entry = NULL;
        _cleanup_close_ int ready_r = -1, ready_w = -1;
        char **argv = NULL;
        bool abstract = false;
        int fds[2], r;
        pid_t pid, parent = getpid();

        r = bus_address(bus, h, address, sizeof(address));
        if (r >= 0)
                r = ipf_dbus_address_parse(address, &entry, target, sizeof(target), &abstract);
        if (r < 0)
                return DIAG_FAIL(reterr, r,
                                 "cannot filter the %s bus at '%s': %s (only unix:path= and "
                                 "unix:abstract= addresses are supported)",
                                 name, address, strerror(-r));
        r = bus_reachable(target, abstract);
        if (r < 0)
                return DIAG_FAIL(reterr, r, "the %s bus at '%s' is unreachable: %s", name, entry,
                                 strerror(-r));
        /* The socket's directory: ours alone, in the runtime directory when
         * there is one (tmpfs, per user) and "DIR/bus" fits in sun_path,
         * else /tmp. */
        if (!h->xdg_runtime_dir || access(h->xdg_runtime_dir, W_OK | X_OK) < 0 ||
            (size_t)snprintf(template, sizeof(template), "%s/ipcfence-dbus-XXXXXX/bus",
                             h->xdg_runtime_dir) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                snprintf(template, sizeof(template), "/tmp/ipcfence-dbus-XXXXXX");
        else
                snprintf(template, sizeof(template), "%s/ipcfence-dbus-XXXXXX", h->xdg_runtime_dir);
        if (!mkdtemp(template))
                return DIAG_FAIL(reterr, -errno, "cannot create '%s': %s", template,
                                 strerror(errno));
        x->dir = strdup(template);
        if (!x->dir) {
                (void)rmdir(template);
                return -ENOMEM;
        }
        if (asprintf(&x->socket, "%s/bus", template) < 0) {
                x->socket = NULL;
                return -ENOMEM;
        }
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        ready_r = fds[0], ready_w = fds[1];
        r = ipf_compile_dbus_proxy_argv(p, bus, entry, x->socket, PROXY_FD, &argv);
        if (r < 0)
                return r;
        pid = fork();
        if (pid == 0)
                proxy_exec(program, argv, ready_w, parent);
        r = pid < 0 ? -errno : 0;
        ipf_strv_free(argv);
        if (r < 0)
                return DIAG_FAIL(reterr, r, "cannot start %s: %s", PROXY_PROGRAM, strerror(-r));
        x->pid = pid;
        /* Ours until we wait for it: the pid cannot be reused meanwhile. */
        x->pidfd = sys_pidfd_open(pid, 0);
        x->ready_fd = TAKE_FD(ready_r);
        return 0;
}

int ipf_dbus_proxies_start(struct ipf_dbus_proxies *d, const struct ipf_policy *p,
                           struct ipf_host *h, struct ipf_diag *reterr)
{
        char program[PATH_MAX];
        bool any = false;
        int r = 0;

        for (int bus = 0; bus < _IPF_BUS_MAX; bus++) {
                d->bus[bus] = (struct ipf_dbus_proxy){.ready_fd = -1};
                any = any || ipf_dbus_bus_used(p, (enum ipf_bus)bus);
        }
        if (!any)
                return 0;
        if (find_program(PROXY_PROGRAM, program, sizeof(program)) < 0)
                return DIAG_FAIL(reterr, -ENOENT,
                                 "the profile filters D-Bus but '%s' is not on $PATH "
                                 "(install the package '%s')",
                                 PROXY_PROGRAM, PROXY_PROGRAM);
        for (int bus = 0; r >= 0 && bus < _IPF_BUS_MAX; bus++) {
                if (!ipf_dbus_bus_used(p, (enum ipf_bus)bus))
                        continue;
                r = proxy_start(&d->bus[bus], (enum ipf_bus)bus, p, h, program, reterr);
                if (r == -ENOMEM)
                        ipf_diag_set(reterr, NULL, 0, 0, "cannot start %s: %s", PROXY_PROGRAM,
                                     strerror(-r));
                h->dbus_socket[bus] = d->bus[bus].socket;
        }
        if (r < 0)
                ipf_dbus_proxies_stop(d);
        return r;
}

static int proxy_wait(struct ipf_dbus_proxy *x)
{
        struct pollfd pfd = {.fd = x->ready_fd, .events = POLLIN};
        struct stat st;
        char byte;
        ssize_t n;
        int r;

        do
                r = poll(&pfd, 1, PROXY_READY_TIMEOUT_MS);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        if (r == 0)
                return -ETIMEDOUT;
        do
                n = read(x->ready_fd, &byte, 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ECHILD; /* it exited first: its own message says why */
        if (lstat(x->socket, &st) < 0)
                return -errno;
        if (!S_ISSOCK(st.st_mode))
                return -ENOTSOCK;
        x->dev = st.st_dev;
        x->ino = st.st_ino;
        return 0;
}

int ipf_dbus_proxies_wait(struct ipf_dbus_proxies *d, const struct ipf_host *h,
                          struct ipf_diag *reterr)
{
        for (int bus = 0; bus < _IPF_BUS_MAX; bus++) {
                struct ipf_dbus_proxy *x = &d->bus[bus];
                char path[PATH_MAX], escaped[3 * PATH_MAX], address[3 * PATH_MAX + 16];
                int r;

                if (x->pid <= 0)
                        continue;
                r = proxy_wait(x);
                if (r < 0)
                        return DIAG_FAIL(reterr, r, "%s for the %s bus did not start: %s",
                                         PROXY_PROGRAM, ipf_bus_to_string((enum ipf_bus)bus),
                                         r == -ECHILD ? "it exited" : strerror(-r));
                r = ipf_dbus_view_path((enum ipf_bus)bus, h, path, sizeof(path));
                if (r >= 0 && !(x->view = strdup(path)))
                        r = -ENOMEM;
                if (r >= 0)
                        r = ipf_dbus_address_escape(path, escaped, sizeof(escaped));
                if (r < 0)
                        return DIAG_FAIL(reterr, r, "cannot name the %s bus: %s",
                                         ipf_bus_to_string((enum ipf_bus)bus), strerror(-r));
                snprintf(address, sizeof(address), "unix:path=%s", escaped);
                /* The program finds the filtered bus where the variable says;
                 * the system bus's default place needs none. */
                if ((bus == IPF_BUS_SESSION || getenv(bus_variable[bus])) &&
                    setenv(bus_variable[bus], address, 1) < 0)
                        return -errno;
        }
        return 0;
}

void ipf_dbus_proxies_unlink(struct ipf_dbus_proxies *d)
{
        for (int bus = 0; bus < _IPF_BUS_MAX; bus++) {
                struct ipf_dbus_proxy *x = &d->bus[bus];

                if (!x->dir)
                        continue;
                if (x->socket)
                        (void)unlink(x->socket);
                (void)rmdir(x->dir);
                free(x->dir);
                x->dir = NULL;
        }
}

void ipf_dbus_proxies_stop(struct ipf_dbus_proxies *d)
{
        for (int bus = 0; bus < _IPF_BUS_MAX; bus++) {
                struct ipf_dbus_proxy *x = &d->bus[bus];

                /* Closing our end is the proxy's signal to exit; SIGKILL
                 * makes the reaping below immediate either way. */
                closep(&x->ready_fd);
                x->ready_fd = -1;
                if (x->pid > 0) {
                        /* By pidfd: under `signal host` the supervisor may
                         * have killed and reaped every child already
                         * (ipf_kill_descendants()), and the pid may be
                         * another process's by now. */
                        if (x->pidfd >= 0 &&
                            syscall(SYS_pidfd_send_signal, x->pidfd, SIGKILL, NULL, 0) == 0)
                                while (waitid(P_PIDFD, (id_t)x->pidfd, NULL, WEXITED) < 0 &&
                                       errno == EINTR)
                                        ;
                        closep(&x->pidfd);
                        x->pid = 0;
                }
        }
        ipf_dbus_proxies_unlink(d);
        for (int bus = 0; bus < _IPF_BUS_MAX; bus++) {
                free(d->bus[bus].socket);
                d->bus[bus].socket = NULL;
                free(d->bus[bus].view);
                d->bus[bus].view = NULL;
        }
}
