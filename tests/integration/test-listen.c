/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `unix listen PATH`, `unix listen @NAME`, `tcp listen [HOST:]PORT` under
 * the default `network none`: the one allowed endpoint the program creates
 * is reachable from the host (a host client connects and reads the byte the
 * program writes); any other endpoint it creates stays in the sandbox (the
 * host client is refused) or is refused (EACCES) and leaves nothing on the
 * host. Checked from the host side. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(listen);

static char rule_buf[PATH_MAX + 64];

/* "--allow=unix listen ARG" or "--allow=tcp listen ARG". */
static const char *rule(const char *kind, const char *arg)
{
        snprintf(rule_buf, sizeof(rule_buf), "--allow=%s listen %s", kind, arg);
        return rule_buf;
}

/* ipcfence RULE -- probe OP ARG [ARG2]: wait until the program listens. */
static bool start(struct itest_proc *p, const char *allow, const char *op, const char *arg,
                  const char *arg2)
{
        itest_spawnl(p, NULL, itest_ipcfence(), allow, "--", itest_probe(), op, arg, arg2,
                     (char *)NULL);
        return itest_proc_wait_output(p, "listening\n", ITEST_TIMEOUT_MS);
}

/* The program served the host's connection and exited. */
static void assert_served(struct itest_proc *p)
{
        struct itest_result r;

        itest_proc_finish(p, &r, 0);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert(strstr(r.out, "accepted"), "%s", itest_show(&r));
}

/* The program listens where the host cannot reach it: end it. */
static void stop(struct itest_proc *p)
{
        struct itest_result r;

        cr_assert_eq(kill(p->pid, SIGTERM), 0);
        itest_proc_finish(p, &r, 0);
        cr_assert_neq(r.status, 0, "the program served a connection: %s", itest_show(&r));
}

/* The program's bind was refused: it printed EXPECT (or any refusal if
 * EXPECT is NULL) and never listened. */
static void assert_bind_refused(struct itest_proc *p, const char *expect)
{
        struct itest_result r;

        itest_proc_finish(p, &r, 0);
        if (expect)
                cr_assert_str_eq(itest_line(&r), expect, "%s", itest_show(&r));
        else
                cr_assert(itest_denied(&r), "%s", itest_show(&r));
}

static const char *join(const char *dir, const char *name)
{
        static char buf[4][PATH_MAX];
        static int i;

        i = (i + 1) % 4;
        snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
        return buf[i];
}

/* In a directory the sandbox masks (/tmp): the socket is bound at the host
 * path, where a host client connects. */
Test(listen, unix_path_reachable_from_host)
{
        const char *path = join(itest_tmpdir(), "srv.sock");
        struct itest_proc p;
        struct stat st;
        int r;

        cr_assert(start(&p, rule("unix", path), "unix-listen", path, NULL),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        cr_assert_eq(stat(path, &st), 0, "no socket at %s on the host: %s", path, strerror(errno));
        cr_assert(S_ISSOCK(st.st_mode));
        r = itest_connect_unix(path);
        cr_assert_eq(r, 0, "host connect to %s: %s", path, strerror(-r));
        assert_served(&p);
}

/* A neighbour in the same host directory, which the sandbox sees: EACCES,
 * and no socket file appears on the host. */
Test(listen, unix_path_neighbour_denied)
{
        const char *dir = itest_visible_dir();
        const char *allowed = join(dir, "srv.sock"), *other = join(dir, "other.sock");
        struct itest_proc p;

        cr_assert(!start(&p, rule("unix", allowed), "unix-listen", other, NULL),
                  "the neighbour was bound: stdout='%s'", p.out);
        assert_bind_refused(&p, "EACCES");
        cr_assert_neq(access(other, F_OK), 0, "%s appeared on the host", other);
        cr_assert_neq(access(allowed, F_OK), 0, "%s appeared on the host", allowed);
}

/* The same in a masked directory: refused, nothing on the host. */
Test(listen, unix_path_neighbour_in_masked_dir_denied)
{
        const char *dir = itest_tmpdir();
        const char *allowed = join(dir, "srv.sock"), *other = join(dir, "other.sock");
        struct itest_proc p;

        cr_assert(!start(&p, rule("unix", allowed), "unix-listen", other, NULL),
                  "the neighbour was bound: stdout='%s'", p.out);
        assert_bind_refused(&p, NULL);
        cr_assert_neq(access(other, F_OK), 0, "%s appeared on the host", other);
}

/* A glob in the last component: what matches is bound on the host, the
 * rest is refused. */
Test(listen, unix_path_glob)
{
        const char *dir = itest_visible_dir();
        const char *pattern = join(dir, "srv-*"), *match = join(dir, "srv-1.sock");
        const char *other = join(dir, "other.sock");
        struct itest_proc p;
        char allow[PATH_MAX + 64];
        int r;

        snprintf(allow, sizeof(allow), "--allow=unix listen %s", pattern);
        cr_assert(start(&p, allow, "unix-listen", match, NULL), "stdout='%s' stderr='%s'", p.out,
                  p.err);
        r = itest_connect_unix(match);
        cr_assert_eq(r, 0, "host connect to %s: %s", match, strerror(-r));
        assert_served(&p);

        cr_assert(!start(&p, allow, "unix-listen", other, NULL), "stdout='%s'", p.out);
        assert_bind_refused(&p, "EACCES");
        cr_assert_neq(access(other, F_OK), 0, "%s appeared on the host", other);
}

/* With a listen rule, binds in the sandbox's own /tmp still work, and stay
 * there. */
Test(listen, unix_path_private_tmp_still_works)
{
        const char *allowed = join(itest_tmpdir(), "srv.sock");
        char mine[PATH_MAX];
        struct itest_result r;

        snprintf(mine, sizeof(mine), "/tmp/%s.sock", itest_unique("ipf-itest-private"));
        itest_runl(&r, NULL, itest_ipcfence(), rule("unix", allowed), "--", itest_probe(),
                   "unix-bind", mine, (char *)NULL);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_neq(access(mine, F_OK), 0, "%s appeared on the host's /tmp", mine);
}

/* `unix listen @NAME`: bound in the host's network namespace. */
Test(listen, abstract_reachable_from_host)
{
        char name[128];
        struct itest_proc p;
        int r;

        snprintf(name, sizeof(name), "@%s", itest_unique("ipf-itest-listen"));
        cr_assert(start(&p, rule("unix", name), "unix-listen", name, NULL),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        r = itest_connect_unix(name);
        cr_assert_eq(r, 0, "host connect to %s: %s", name, strerror(-r));
        assert_served(&p);
}

/* Another abstract name is bound in the sandbox's own network namespace:
 * the program listens, the host does not see it. Without the rule, the
 * allowed name is not visible either. */
Test(listen, abstract_neighbour_not_on_host)
{
        char name[128], other[160];
        struct itest_proc p;
        int r;

        snprintf(name, sizeof(name), "@%s", itest_unique("ipf-itest-listen"));
        snprintf(other, sizeof(other), "%s-other", name);
        cr_assert(start(&p, rule("unix", name), "unix-listen", other, NULL),
                  "the sandbox's own abstract names work: stdout='%s' stderr='%s'", p.out, p.err);
        r = itest_connect_unix(other);
        cr_assert_eq(r, -ECONNREFUSED, "host connect to %s: %s", other, strerror(-r));
        stop(&p);

        cr_assert(start(&p, "--allow=unix connect /nonexistent/ipf-itest.sock", "unix-listen", name,
                        NULL),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        r = itest_connect_unix(name);
        cr_assert_eq(r, -ECONNREFUSED, "without the rule, host connect to %s: %s", name,
                     strerror(-r));
        stop(&p);
}

/* `tcp listen HOST:PORT`: the host's port, served by the program. */
Test(listen, tcp_reachable_from_host)
{
        char port[16];
        struct itest_proc p;
        char allow[64];
        int r;

        snprintf(port, sizeof(port), "%s", itest_free_port("127.0.0.1"));
        snprintf(allow, sizeof(allow), "--allow=tcp listen 127.0.0.1:%s", port);
        cr_assert(start(&p, allow, "tcp-listen", "127.0.0.1", port), "stdout='%s' stderr='%s'",
                  p.out, p.err);
        r = itest_connect_tcp("127.0.0.1", port);
        cr_assert_eq(r, 0, "host connect to 127.0.0.1:%s: %s", port, strerror(-r));
        assert_served(&p);
}

/* `tcp listen PORT`: any address. */
Test(listen, tcp_port_only_rule)
{
        char port[16];
        struct itest_proc p;
        int r;

        snprintf(port, sizeof(port), "%s", itest_free_port("127.0.0.1"));
        cr_assert(start(&p, rule("tcp", port), "tcp-listen", "127.0.0.1", port),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        r = itest_connect_tcp("127.0.0.1", port);
        cr_assert_eq(r, 0, "host connect to 127.0.0.1:%s: %s", port, strerror(-r));
        assert_served(&p);
}

/* Another port is bound in the sandbox's own network: the program listens,
 * the host is refused. */
Test(listen, tcp_other_port_unreachable_from_host)
{
        char port[16], other[16];
        struct itest_proc p;
        int r;

        snprintf(port, sizeof(port), "%s", itest_free_port("127.0.0.1"));
        snprintf(other, sizeof(other), "%s", itest_free_port("127.0.0.1"));
        cr_assert_str_neq(port, other);
        cr_assert(start(&p, rule("tcp", port), "tcp-listen", "127.0.0.1", other),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        r = itest_connect_tcp("127.0.0.1", other);
        cr_assert_eq(r, -ECONNREFUSED, "host connect to 127.0.0.1:%s: %s", other, strerror(-r));
        stop(&p);
}

/* The broker binds with privileges of its own: in the sandbox's network a
 * port below 1024 is still refused. */
Test(listen, tcp_privileged_port_in_sandbox_denied)
{
        char port[16];
        struct itest_proc p;

        snprintf(port, sizeof(port), "%s", itest_free_port("127.0.0.1"));
        cr_assert(!start(&p, rule("tcp", port), "tcp-listen", "127.0.0.1", "1023"),
                  "port 1023 was bound: stdout='%s'", p.out);
        assert_bind_refused(&p, "EACCES");
}
