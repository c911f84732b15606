/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "helpers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- resource registry: everything a test creates is released by fini,
 * also when an assertion aborts the test body. Pointers stay reachable from
 * here, so LeakSanitizer does not report an aborted test's buffers. */

#define MAX_RES 128

static struct {
        char *dirs[MAX_RES];
        size_t n_dirs;
        pid_t pgids[MAX_RES];
        size_t n_pgids;
        int fds[MAX_RES];
        size_t n_fds;
        int sysv[MAX_RES][2]; /* kind ('m','q','s'), id */
        size_t n_sysv;
        char *mqs[MAX_RES];
        size_t n_mqs;
        char *shms[MAX_RES];
        size_t n_shms;
        void *mem[16 * MAX_RES];
        size_t n_mem;
} res;

static unsigned counter;

static void *track(void *p)
{
        cr_assert_not_null(p, "out of memory");
        cr_assert_lt(res.n_mem, sizeof(res.mem) / sizeof(res.mem[0]),
                     "too many allocations in one test for the registry");
        res.mem[res.n_mem++] = p;
        return p;
}

static void track_fd(int fd)
{
        cr_assert_lt(res.n_fds, (size_t)MAX_RES);
        res.fds[res.n_fds++] = fd;
}

static void track_pgid(pid_t pid)
{
        cr_assert_lt(res.n_pgids, (size_t)MAX_RES);
        res.pgids[res.n_pgids++] = pid;
}

static void untrack_pgid(pid_t pid)
{
        for (size_t i = 0; i < res.n_pgids; i++)
                if (res.pgids[i] == pid)
                        res.pgids[i] = 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        remove(path);
        return 0;
}

void itest_init(void)
{
        static bool registered;

        /* Criterion skips .fini when a test is skipped: clean up at exit of
         * the test's process as well (itest_fini() is idempotent). */
        if (!registered) {
                atexit(itest_fini);
                registered = true;
        }
        /* Children must start with default dispositions whatever the runner
         * left us; we need SIGCHLD to be reapable by waitpid(). */
        signal(SIGCHLD, SIG_DFL);
        signal(SIGPIPE, SIG_IGN);
        memset(&res, 0, sizeof(res));
}

void itest_fini(void)
{
        for (size_t i = 0; i < res.n_pgids; i++) {
                pid_t p = res.pgids[i];

                if (p <= 0)
                        continue;
                kill(-p, SIGKILL);
                kill(p, SIGKILL);
                while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        for (size_t i = 0; i < res.n_fds; i++)
                close(res.fds[i]);
        for (size_t i = 0; i < res.n_sysv; i++) {
                if (res.sysv[i][0] == 'm')
                        shmctl(res.sysv[i][1], IPC_RMID, NULL);
                else if (res.sysv[i][0] == 'q')
                        msgctl(res.sysv[i][1], IPC_RMID, NULL);
                else
                        semctl(res.sysv[i][1], 0, IPC_RMID);
        }
        for (size_t i = 0; i < res.n_mqs; i++)
                mq_unlink(res.mqs[i]);
        for (size_t i = 0; i < res.n_shms; i++)
                shm_unlink(res.shms[i]);
        for (size_t i = 0; i < res.n_dirs; i++) {
                nftw(res.dirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
                free(res.dirs[i]);
        }
        for (size_t i = 0; i < res.n_mem; i++)
                free(res.mem[i]);
        memset(&res, 0, sizeof(res));
}

bool itest_strict(void)
{
        const char *s = getenv("IPCFENCE_TEST_STRICT");

        return s && strcmp(s, "1") == 0;
}

static const char *env_path(const char *name)
{
        const char *v = getenv(name);

        cr_assert(v && v[0] == '/',
                  "$%s must be an absolute path (run the suite with tests/run-tests.sh)", name);
        cr_assert(access(v, X_OK) == 0, "$%s=%s is not executable: %s", name, v, strerror(errno));
        return v;
}

const char *itest_ipcfence(void)
{
        return env_path("IPCFENCE");
}

const char *itest_probe(void)
{
        return env_path("IPF_PROBE");
}

const char *itest_which(const char *name)
{
        const char *path = getenv("PATH");
        static char buf[PATH_MAX];

        if (!path)
                path = "/usr/bin:/bin";
        while (*path) {
                size_t n = strcspn(path, ":");

                snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
                if (n > 0 && access(buf, X_OK) == 0)
                        return buf;
                path += n;
                if (*path == ':')
                        path++;
        }
        return NULL;
}

const char *itest_unique(const char *prefix)
{
        char *s = NULL;
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        cr_assert_geq(asprintf(&s, "%s-%d-%u-%lx", prefix, (int)getpid(), counter++,
                               (unsigned long)ts.tv_nsec),
                      0);
        return track(s);
}

/* ---- spawning */

static char **build_env(const char *const *extra)
{
        size_t n = 0, m = 0;
        char **env;

        while (environ[n])
                n++;
        while (extra && extra[m])
                m++;
        env = track(calloc(n + m + 1, sizeof(char *)));
        n = 0;
        for (char **e = environ; *e; e++) {
                bool overridden = false;

                for (size_t i = 0; i < m; i++) {
                        size_t k = strcspn(extra[i], "=");

                        if (strncmp(*e, extra[i], k) == 0 && (*e)[k] == '=')
                                overridden = true;
                }
                if (!overridden)
                        env[n++] = *e;
        }
        for (size_t i = 0; i < m; i++)
                if (strchr(extra[i], '='))
                        env[n++] = (char *)extra[i];
        return env;
}

static _Noreturn void child_exec(const struct itest_opts *o, char *const argv[], char **env,
                                 int out, int err)
{
        int in = o && o->stdin_fd > 0 ? o->stdin_fd : open("/dev/null", O_RDONLY);
        int tmp[4];
        size_t n = o ? o->n_fds : 0;
        struct sigaction sa;
        sigset_t all;

        setpgid(0, 0);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; s++)
                sigaction(s, &sa, NULL);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);

        /* Move the inherited fds out of the way first: a source may sit on
         * another's target number. */
        for (size_t i = 0; i < n; i++)
                tmp[i] = fcntl(o->fds[i][0], F_DUPFD_CLOEXEC, 600);
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
                _exit(124);
        for (size_t i = 0; i < n; i++)
                if (tmp[i] < 0 || dup2(tmp[i], o->fds[i][1]) < 0)
                        _exit(124);
        for (int fd = 3; fd < 1024; fd++) {
                bool keep = false;

                for (size_t i = 0; i < n; i++)
                        keep = keep || o->fds[i][1] == fd;
                if (!keep)
                        close(fd);
        }
        execvpe(argv[0], argv, env);
        dprintf(2, "itest: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
}

void itest_spawn(struct itest_proc *p, const struct itest_opts *o, char *const argv[])
{
        int out[2], err[2];
        char **env = build_env(o ? o->env : NULL);

        memset(p, 0, sizeof(*p));
        p->timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : ITEST_TIMEOUT_MS;
        cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(err, O_CLOEXEC), 0);
        fflush(NULL);
        p->pid = fork();
        cr_assert_geq(p->pid, 0, "fork: %s", strerror(errno));
        if (p->pid == 0)
                child_exec(o, argv, env, out[1], err[1]);
        setpgid(p->pid, p->pid);
        track_pgid(p->pid);
        close(out[1]);
        close(err[1]);
        p->out_fd = out[0];
        p->err_fd = err[0];
        track_fd(out[0]);
        track_fd(err[0]);
        p->out_size = p->err_size = 4096;
        p->out = track(calloc(1, p->out_size));
        p->err = track(calloc(1, p->err_size));
}

static void spawn_va(struct itest_proc *p, const struct itest_opts *o, const char *arg0, va_list ap)
{
        const char *argv[64];
        size_t n = 0;

        argv[n++] = arg0;
        for (const char *a; (a = va_arg(ap, const char *));) {
                cr_assert_lt(n, sizeof(argv) / sizeof(argv[0]) - 1);
                argv[n++] = a;
        }
        argv[n] = NULL;
        itest_spawn(p, o, (char *const *)argv);
}

void itest_spawnl(struct itest_proc *p, const struct itest_opts *o, const char *arg0, ...)
{
        va_list ap;

        va_start(ap, arg0);
        spawn_va(p, o, arg0, ap);
        va_end(ap);
}

/* Append what is readable on FD; returns false at EOF. */
static bool pump_one(int *fd, char **buf, size_t *len, size_t *size)
{
        char chunk[4096];
        ssize_t n;
        char *nb;

        if (*fd < 0)
                return false;
        n = read(*fd, chunk, sizeof(chunk));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (n <= 0) {
                *fd = -1; /* closed by fini through the registry */
                return false;
        }
        if (*len + (size_t)n + 1 > *size) {
                size_t ns = (*len + (size_t)n + 1) * 2;

                nb = realloc(*buf, ns);
                cr_assert_not_null(nb);
                for (size_t i = 0; i < res.n_mem; i++)
                        if (res.mem[i] == *buf)
                                res.mem[i] = nb;
                *buf = nb;
                *size = ns;
        }
        memcpy(*buf + *len, chunk, (size_t)n);
        *len += (size_t)n;
        (*buf)[*len] = '\0';
        return true;
}

/* Wait up to MS for output; read it. */
static void pump(struct itest_proc *p, int ms)
{
        struct pollfd pfd[2] = {
                {.fd = p->out_fd, .events = POLLIN},
                {.fd = p->err_fd, .events = POLLIN},
        };

        if (p->out_fd < 0 && p->err_fd < 0) {
                if (ms > 0)
                        poll(NULL, 0, ms);
                return;
        }
        if (poll(pfd, 2, ms) <= 0)
                return;
        if (pfd[0].revents)
                pump_one(&p->out_fd, &p->out, &p->out_len, &p->out_size);
        if (pfd[1].revents)
                pump_one(&p->err_fd, &p->err, &p->err_len, &p->err_size);
}

static long now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

bool itest_proc_wait_output(struct itest_proc *p, const char *needle, int timeout_ms)
{
        long end = now_ms() + timeout_ms;

        while (!strstr(p->out, needle)) {
                if (now_ms() >= end || p->out_fd < 0)
                        return false;
                pump(p, 50);
        }
        return true;
}

void itest_proc_poke(struct itest_proc *p, int w, const char *want)
{
        cr_assert_eq(write(w, "\n", 1), 1, "write to the stdin pipe: %s", strerror(errno));
        cr_assert(itest_proc_wait_output(p, want, ITEST_TIMEOUT_MS),
                  "wanted '%s': stdout='%s' stderr='%s'", want, p->out, p->err);
}

void itest_proc_finish(struct itest_proc *p, struct itest_result *r, int timeout_ms)
{
        int limit = timeout_ms > 0 ? timeout_ms : p->timeout_ms;
        long end = now_ms() + limit;
        long grace = 0;
        bool exited = false;
        int st = 0;

        r->status = -1;
        for (;;) {
                if (!exited) {
                        pid_t w = waitpid(p->pid, &st, WNOHANG);

                        if (w == p->pid) {
                                exited = true;
                                untrack_pgid(p->pid);
                                /* Output still buffered in the pipes, or held
                                 * open by a straggler: give it a moment. */
                                grace = now_ms() + 2000;
                        }
                }
                if (exited && ((p->out_fd < 0 && p->err_fd < 0) || now_ms() >= grace))
                        break;
                if (!exited && now_ms() >= end) {
                        kill(-p->pid, SIGKILL);
                        kill(p->pid, SIGKILL);
                        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        untrack_pgid(p->pid);
                        cr_log_error("timeout after %d ms: killed pid %d", limit, (int)p->pid);
                        break;
                }
                pump(p, 20);
        }
        if (exited)
                r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        r->out = p->out;
        r->err = p->err;
}

void itest_run(struct itest_result *r, const struct itest_opts *o, char *const argv[])
{
        struct itest_proc p;

        itest_spawn(&p, o, argv);
        itest_proc_finish(&p, r, 0);
}

void itest_runl(struct itest_result *r, const struct itest_opts *o, const char *arg0, ...)
{
        struct itest_proc p;
        va_list ap;

        va_start(ap, arg0);
        spawn_va(&p, o, arg0, ap);
        va_end(ap);
        itest_proc_finish(&p, r, 0);
}

const char *itest_line(const struct itest_result *r)
{
        static char line[512];
        size_t n = strcspn(r->out, "\n");

        if (n >= sizeof(line))
                n = sizeof(line) - 1;
        memcpy(line, r->out, n);
        line[n] = '\0';
        return line;
}

const char *itest_show(const struct itest_result *r)
{
        static char buf[6000];

        snprintf(buf, sizeof(buf), "status=%d stdout='%.2000s' stderr='%.3000s'", r->status, r->out,
                 r->err);
        return buf;
}

bool itest_denied(const struct itest_result *r)
{
        if (r->status == 128 + SIGSYS)
                return true;
        return r->status == 1 && r->out[0] != '\0' && strcmp(itest_line(r), "ok") != 0;
}

static void collect_args(const char **argv, size_t max, size_t *n, va_list ap)
{
        for (const char *a; (a = va_arg(ap, const char *));) {
                cr_assert_lt(*n, max - 1);
                argv[(*n)++] = a;
        }
        argv[*n] = NULL;
}

void itest_assert_filtered(const char *op, ...)
{
        const char *ctl[24], *in[24];
        struct itest_result c = {0}, i;
        char control[128] = "";
        size_t nc = 0, ni = 0;
        const char *unshare = itest_which("unshare");
        va_list ap;

        in[ni++] = itest_ipcfence();
        in[ni++] = "--";
        in[ni++] = itest_probe();
        in[ni++] = op;
        va_start(ap, op);
        collect_args(in, 24, &ni, ap);
        va_end(ap);

        if (unshare) {
                ctl[nc++] = "unshare";
                ctl[nc++] = "-Urnm";
                ctl[nc++] = "--";
                for (size_t k = 2; k < ni; k++)
                        ctl[nc++] = in[k];
                ctl[nc] = NULL;
                itest_run(&c, NULL, (char *const *)ctl);
                snprintf(control, sizeof(control), "%.120s", itest_line(&c));
        }

        itest_run(&i, NULL, (char *const *)in);
        cr_assert(itest_denied(&i), "'%s' was not denied inside ipcfence: %s (control: '%s')", op,
                  itest_show(&i), control);
        if (!unshare) {
                cr_log_warn("'%s': no unshare(1), no control run", op);
        } else if (strcmp(control, itest_line(&i)) == 0) {
                /* The kernel's own refusal (ENOENT, ENOTTY, ...) means the
                 * call went through unfiltered; only EPERM is ambiguous. */
                cr_assert(strcmp(control, "EPERM") == 0,
                          "'%s' inside gave '%s', the answer of an unfiltered kernel "
                          "(control in a plain user namespace): not filtered",
                          op, control);
                cr_log_warn("'%s': the control in a plain user namespace also gave '%s': "
                            "cannot tell the sandbox's answer from the kernel's",
                            op, control);
        }
}

/* ---- files and dirs */

static const char *make_tmpdir(const char *base)
{
        char *d = NULL;

        cr_assert_geq(asprintf(&d, "%s/ipf-itest-XXXXXX", base), 0);
        cr_assert_not_null(mkdtemp(d), "mkdtemp under %s: %s", base, strerror(errno));
        cr_assert_lt(res.n_dirs, (size_t)MAX_RES);
        res.dirs[res.n_dirs++] = d;
        return d;
}

const char *itest_tmpdir(void)
{
        return make_tmpdir("/tmp");
}

const char *itest_dir_under(const char *base)
{
        return make_tmpdir(base);
}

const char *itest_xdg_dir(void)
{
        const char *x = getenv("XDG_RUNTIME_DIR");
        struct stat st;

        if (!x || x[0] != '/' || stat(x, &st) < 0 || !S_ISDIR(st.st_mode))
                itest_skip("$XDG_RUNTIME_DIR is unset or not a directory "
                           "(tests/run-tests.sh sets it)");
        return make_tmpdir(x);
}

const char *itest_visible_dir(void)
{
        static const char *const masked[] = {"/tmp", "/var/tmp", "/run", "/dev"};
        const char *h = getenv("HOME");
        const char *x = getenv("XDG_RUNTIME_DIR");
        char real[PATH_MAX];

        if (!h || !realpath(h, real) || access(real, W_OK) < 0)
                itest_skip("$HOME is unset or not writable (tests/run-tests.sh sets it)");
        for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
                size_t n = strlen(masked[i]);

                if (strncmp(real, masked[i], n) == 0 && (real[n] == '/' || real[n] == '\0'))
                        itest_skip("$HOME is under %s, which the sandbox masks", masked[i]);
        }
        if (x && strncmp(real, x, strlen(x)) == 0)
                itest_skip("$HOME is under $XDG_RUNTIME_DIR, which the sandbox masks");
        return make_tmpdir(real);
}

char *itest_write_file(const char *dir, const char *name, const char *text)
{
        char *path = NULL;
        FILE *f;

        cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
        track(path);
        f = fopen(path, "we");
        cr_assert_not_null(f, "%s: %s", path, strerror(errno));
        fputs(text, f);
        cr_assert_eq(fclose(f), 0);
        return path;
}

/* ---- listeners */

static int nonblock_socket(int family, int type)
{
        int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

        cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
        track_fd(fd);
        return fd;
}

static void listen_if_stream(struct itest_listener *l)
{
        if (l->type == SOCK_STREAM)
                cr_assert_eq(listen(l->fd, 16), 0, "listen: %s", strerror(errno));
}

void itest_listen_unix(struct itest_listener *l, const char *dir, int type)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        memset(l, 0, sizeof(*l));
        l->type = type;
        /* A fresh name each time: tests put neighbours in one directory. */
        snprintf(l->path, sizeof(l->path), "%s/%s.sock", dir,
                 itest_unique(type == SOCK_STREAM ? "stream" : "dgram"));
        cr_assert_lt(strlen(l->path), sizeof(sa.sun_path), "socket path too long: %s", l->path);
        strcpy(sa.sun_path, l->path);
        l->fd = nonblock_socket(AF_UNIX, type);
        cr_assert_eq(bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "bind %s: %s", l->path,
                     strerror(errno));
        listen_if_stream(l);
}

void itest_listen_abstract(struct itest_listener *l, int type)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t n;

        memset(l, 0, sizeof(*l));
        l->type = type;
        snprintf(l->path, sizeof(l->path), "%s", itest_unique("ipf-itest-abstract"));
        n = strlen(l->path);
        memcpy(sa.sun_path + 1, l->path, n);
        l->fd = nonblock_socket(AF_UNIX, type);
        cr_assert_eq(bind(l->fd, (struct sockaddr *)&sa,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)),
                     0, "bind @%s: %s", l->path, strerror(errno));
        listen_if_stream(l);
}

void itest_listen_inet(struct itest_listener *l, const char *host, int type)
{
        struct sockaddr_storage ss;
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        socklen_t len;
        bool v6 = strchr(host, ':') != NULL;

        memset(l, 0, sizeof(*l));
        memset(&ss, 0, sizeof(ss));
        l->type = type;
        snprintf(l->host, sizeof(l->host), "%s", host);
        if (v6) {
                in6->sin6_family = AF_INET6;
                cr_assert_eq(inet_pton(AF_INET6, host, &in6->sin6_addr), 1);
                len = sizeof(*in6);
        } else {
                in4->sin_family = AF_INET;
                cr_assert_eq(inet_pton(AF_INET, host, &in4->sin_addr), 1);
                len = sizeof(*in4);
        }
        l->fd = nonblock_socket(ss.ss_family, type);
        if (bind(l->fd, (struct sockaddr *)&ss, len) < 0) {
                if (v6 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT))
                        itest_skip("no IPv6 loopback on this host");
                cr_assert_fail("bind %s: %s", host, strerror(errno));
        }
        cr_assert_eq(getsockname(l->fd, (struct sockaddr *)&ss, &len), 0);
        snprintf(l->port, sizeof(l->port), "%u", ntohs(v6 ? in6->sin6_port : in4->sin_port));
        listen_if_stream(l);
}

int itest_listener_seen(struct itest_listener *l)
{
        int n = 0;

        for (;;) {
                char buf[256];

                if (l->type == SOCK_STREAM) {
                        int c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);

                        if (c < 0)
                                break;
                        close(c);
                } else if (recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT) < 0) {
                        break;
                }
                n++;
        }
        return n;
}

/* ---- SysV and POSIX objects */

static int sysv_create(char kind, key_t *ret_key)
{
        for (int attempt = 0; attempt < 64; attempt++) {
                key_t key =
                        (key_t)(0x1f000000 ^ ((unsigned)getpid() << 8) ^
                                (unsigned)(now_ms() * 7919) ^ (unsigned)(attempt << 4) ^ counter++);
                int id;

                if (kind == 'm')
                        id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
                else if (kind == 'q')
                        id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
                else
                        id = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
                if (id < 0 && errno == EEXIST)
                        continue;
                cr_assert_geq(id, 0, "creating a SysV object: %s", strerror(errno));
                cr_assert_lt(res.n_sysv, (size_t)MAX_RES);
                res.sysv[res.n_sysv][0] = kind;
                res.sysv[res.n_sysv++][1] = id;
                *ret_key = key;
                return id;
        }
        cr_assert_fail("no free SysV key");
        return -1;
}

int itest_sysv_shm(key_t *ret_key)
{
        return sysv_create('m', ret_key);
}

bool itest_sysv_shm_touched(int id)
{
        struct shmid_ds ds;

        cr_assert_eq(shmctl(id, IPC_STAT, &ds), 0, "shmctl: %s", strerror(errno));
        return ds.shm_atime != 0 || ds.shm_nattch != 0;
}

int itest_sysv_msg(key_t *ret_key)
{
        return sysv_create('q', ret_key);
}

unsigned long itest_sysv_msg_count(int id)
{
        struct msqid_ds ds;

        cr_assert_eq(msgctl(id, IPC_STAT, &ds), 0, "msgctl: %s", strerror(errno));
        return ds.msg_qnum;
}

int itest_sysv_sem(key_t *ret_key)
{
        return sysv_create('s', ret_key);
}

void itest_mq(char name[64])
{
        struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 16};
        mqd_t q;

        snprintf(name, 64, "/%s", itest_unique("ipf-itest-mq"));
        q = mq_open(name, O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0600, &a);
        if (q == (mqd_t)-1 && (errno == ENOSYS || errno == ENOENT))
                itest_skip("POSIX message queues are unavailable: %s", strerror(errno));
        cr_assert_neq(q, (mqd_t)-1, "mq_open %s: %s", name, strerror(errno));
        mq_close(q);
        res.mqs[res.n_mqs++] = track(strdup(name));
}

long itest_mq_count(const char *name)
{
        struct mq_attr a;
        mqd_t q = mq_open(name, O_RDONLY | O_CLOEXEC);

        cr_assert_neq(q, (mqd_t)-1, "mq_open %s: %s", name, strerror(errno));
        cr_assert_eq(mq_getattr(q, &a), 0);
        mq_close(q);
        return a.mq_curmsgs;
}

void itest_posix_shm(char name[64])
{
        int fd;

        snprintf(name, 64, "/%s", itest_unique("ipf-itest-shm"));
        fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        cr_assert_geq(fd, 0, "shm_open %s: %s", name, strerror(errno));
        close(fd);
        res.shms[res.n_shms++] = track(strdup(name));
}

long itest_posix_shm_size(const char *name)
{
        struct stat st;
        int fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);

        cr_assert_geq(fd, 0, "shm_open %s: %s", name, strerror(errno));
        cr_assert_eq(fstat(fd, &st), 0);
        close(fd);
        return (long)st.st_size;
}

int itest_fifo(const char *dir, char path[PATH_MAX])
{
        int fd;

        snprintf(path, PATH_MAX, "%s/fifo", dir);
        cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo %s: %s", path, strerror(errno));
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
        track_fd(fd);
        return fd;
}

int itest_fifo_read(int reader)
{
        char buf[256];
        int total = 0;
        ssize_t n;

        while ((n = read(reader, buf, sizeof(buf))) > 0)
                total += (int)n;
        return total;
}

void itest_pty(int *ret_slave, int *ret_reader)
{
        struct termios t;
        int m, s, r;

        m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                itest_skip("no pty available: %s", strerror(errno));
        track_fd(m);
        cr_assert_eq(grantpt(m), 0);
        cr_assert_eq(unlockpt(m), 0);
        s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
        cr_assert_geq(s, 0, "open pty slave: %s", strerror(errno));
        track_fd(s);
        /* Raw: an injected byte is readable at once, without a newline, and
         * is not echoed. */
        cr_assert_eq(tcgetattr(s, &t), 0);
        cfmakeraw(&t);
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        cr_assert_eq(tcsetattr(s, TCSANOW, &t), 0);
        r = open(ptsname(m), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        cr_assert_geq(r, 0);
        track_fd(r);
        *ret_slave = s;
        *ret_reader = r;
}

int itest_pty_pending(int reader)
{
        char buf[64];
        ssize_t n = read(reader, buf, sizeof(buf));

        return n > 0 ? (int)n : 0;
}

void itest_run_with_stdin(struct itest_result *r, int fd, bool in_sandbox, const char *op)
{
        struct itest_opts o = {.stdin_fd = fd};

        if (in_sandbox)
                itest_runl(r, &o, itest_ipcfence(), "--", itest_probe(), op, (char *)NULL);
        else
                itest_runl(r, &o, itest_probe(), op, (char *)NULL);
}

pid_t itest_victim(void)
{
        struct itest_proc p;

        itest_spawnl(&p, NULL, "sleep", "300", (char *)NULL);
        /* Let it exec, so that a signal to it hits sleep, not our fork. */
        for (int i = 0; i < 200; i++) {
                char path[64], buf[64] = "";
                FILE *f;

                snprintf(path, sizeof(path), "/proc/%d/comm", (int)p.pid);
                f = fopen(path, "re");
                if (f) {
                        (void)!fgets(buf, sizeof(buf), f);
                        fclose(f);
                }
                if (strncmp(buf, "sleep", 5) == 0)
                        break;
                poll(NULL, 0, 5);
        }
        return p.pid;
}

bool itest_alive(pid_t pid)
{
        int st;

        return waitpid(pid, &st, WNOHANG) == 0;
}

/* Every process but us whose command line holds MARKER: for each, ACT
 * (may be NULL); returns how many there were and ACT said yes to. */
static int each_proc_with(const char *marker, bool (*act)(pid_t))
{
        DIR *d = opendir("/proc");
        struct dirent *e;
        int n = 0;

        cr_assert_not_null(d);
        while ((e = readdir(d))) {
                char path[300], buf[8192];
                pid_t pid = (pid_t)atoi(e->d_name);
                ssize_t len;
                int fd;

                if (pid <= 0 || pid == getpid())
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                len = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (len <= 0)
                        continue;
                for (ssize_t i = 0; i < len; i++)
                        if (buf[i] == '\0')
                                buf[i] = ' ';
                buf[len] = '\0';
                if (strstr(buf, marker) && (!act || act(pid)))
                        n++;
        }
        closedir(d);
        return n;
}

int itest_count_procs(const char *marker)
{
        return each_proc_with(marker, NULL);
}

bool itest_wait_procs(const char *marker, int want, int timeout_ms)
{
        long end = now_ms() + timeout_ms;

        for (;;) {
                if (itest_count_procs(marker) == want)
                        return true;
                if (now_ms() >= end)
                        return false;
                poll(NULL, 0, 20);
        }
}

/* ---- listen rules, host POSIX queues, network host, signal host */

const char *itest_free_port(const char *host)
{
        static char port[16];
        struct itest_listener l;

        itest_listen_inet_port(&l, host, "0", SOCK_STREAM);
        snprintf(port, sizeof(port), "%s", l.port);
        close(l.fd); /* the registry closes it again: harmless, EBADF */
        for (size_t i = 0; i < res.n_fds; i++)
                if (res.fds[i] == l.fd)
                        res.fds[i] = -1;
        return port;
}

void itest_listen_inet_port(struct itest_listener *l, const char *host, const char *port, int type)
{
        struct sockaddr_storage ss;
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        socklen_t len;
        bool v6 = strchr(host, ':') != NULL;
        long p = strtol(port, NULL, 10);
        int one = 1;

        cr_assert(p >= 0 && p <= 65535, "bad port %s", port);
        memset(l, 0, sizeof(*l));
        memset(&ss, 0, sizeof(ss));
        l->type = type;
        snprintf(l->host, sizeof(l->host), "%s", host);
        if (v6) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)p);
                cr_assert_eq(inet_pton(AF_INET6, host, &in6->sin6_addr), 1);
                len = sizeof(*in6);
        } else {
                in4->sin_family = AF_INET;
                in4->sin_port = htons((uint16_t)p);
                cr_assert_eq(inet_pton(AF_INET, host, &in4->sin_addr), 1);
                len = sizeof(*in4);
        }
        l->fd = nonblock_socket(ss.ss_family, type);
        (void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(l->fd, (struct sockaddr *)&ss, len) < 0) {
                if (v6 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT))
                        itest_skip("no IPv6 loopback on this host");
                cr_assert_fail("bind %s:%s: %s", host, port, strerror(errno));
        }
        cr_assert_eq(getsockname(l->fd, (struct sockaddr *)&ss, &len), 0);
        snprintf(l->port, sizeof(l->port), "%u", ntohs(v6 ? in6->sin6_port : in4->sin_port));
        listen_if_stream(l);
}

/* Connect FD to SA and read one byte, with a 5 s bound on each step. */
static int connect_and_read(int fd, const struct sockaddr *sa, socklen_t len)
{
        struct timeval tv = {.tv_sec = 5};
        char c;
        ssize_t n;
        int r;

        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, sa, len) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        n = read(fd, &c, 1);
        r = n == 1 ? 0 : n == 0 ? -ECONNRESET : (errno == EAGAIN ? -ETIMEDOUT : -errno);
        close(fd);
        return r;
}

int itest_connect_unix(const char *name)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        bool abstract = name[0] == '@';
        size_t n = strlen(abstract ? name + 1 : name);
        socklen_t len;
        int fd;

        cr_assert_lt(n + 1, sizeof(sa.sun_path), "socket name too long: %s", name);
        if (abstract) {
                memcpy(sa.sun_path + 1, name + 1, n);
                len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
        } else {
                memcpy(sa.sun_path, name, n + 1);
                len = sizeof(sa);
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
        return connect_and_read(fd, (struct sockaddr *)&sa, len);
}

int itest_connect_tcp(const char *host, const char *port)
{
        struct sockaddr_storage ss;
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        socklen_t len;
        uint16_t p = (uint16_t)strtol(port, NULL, 10);
        int fd;

        memset(&ss, 0, sizeof(ss));
        if (strchr(host, ':')) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons(p);
                cr_assert_eq(inet_pton(AF_INET6, host, &in6->sin6_addr), 1);
                len = sizeof(*in6);
        } else {
                in4->sin_family = AF_INET;
                in4->sin_port = htons(p);
                cr_assert_eq(inet_pton(AF_INET, host, &in4->sin_addr), 1);
                len = sizeof(*in4);
        }
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
        return connect_and_read(fd, (struct sockaddr *)&ss, len);
}

void itest_mq_name(char name[64])
{
        snprintf(name, 64, "/%s", itest_unique("ipf-itest-mq"));
        cr_assert_lt(res.n_mqs, (size_t)MAX_RES);
        res.mqs[res.n_mqs++] = track(strdup(name));
}

bool itest_mq_exists(const char *name)
{
        mqd_t q = mq_open(name, O_RDONLY | O_CLOEXEC);

        if (q == (mqd_t)-1) {
                cr_assert_eq(errno, ENOENT, "mq_open %s: %s", name, strerror(errno));
                return false;
        }
        mq_close(q);
        return true;
}

unsigned itest_mq_mode(const char *name)
{
        struct stat st;
        mqd_t q = mq_open(name, O_RDONLY | O_CLOEXEC);

        cr_assert_neq(q, (mqd_t)-1, "mq_open %s: %s", name, strerror(errno));
        cr_assert_eq(fstat((int)q, &st), 0, "fstat %s: %s", name, strerror(errno));
        mq_close(q);
        return (unsigned)(st.st_mode & 07777);
}

static bool kill_now(pid_t pid)
{
        return kill(pid, SIGKILL) == 0;
}

int itest_kill_procs(const char *marker)
{
        return each_proc_with(marker, kill_now);
}

const char *itest_pidstr(pid_t p)
{
        char *s = NULL;

        cr_assert_geq(asprintf(&s, "%d", (int)p), 0);
        return track(s);
}

int itest_tracer_of(pid_t p)
{
        char path[64], line[256];
        int tracer = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)p);
        f = fopen(path, "re");
        cr_assert_not_null(f);
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "TracerPid: %d", &tracer) == 1)
                        break;
        fclose(f);
        return tracer;
}
