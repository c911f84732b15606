/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `network host`: no network namespace of its own. TCP reaches any host
 * port unless there are `tcp connect`/`tcp listen` rules, which narrow it
 * (broker on host and port, Landlock on ports); UDP stays free; the host's
 * abstract unix names only through `unix connect @NAME`, and only
 * `unix listen @NAME` binds one; the host's /sys is read-only. Outcomes are
 * checked at host-side listeners. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(network_host);

/* ipcfence --allow='network host' [RULE...] -- probe OP ARGS: RULE may be
 * NULL (none). */
static void nh_run(struct itest_result *r, const char *rule, const char *rule2, const char *op,
                   const char *a1, const char *a2)
{
        const char *argv[16];
        size_t n = 0;

        argv[n++] = itest_ipcfence();
        argv[n++] = "--allow=network host";
        if (rule)
                argv[n++] = rule;
        if (rule2)
                argv[n++] = rule2;
        argv[n++] = "--";
        argv[n++] = itest_probe();
        argv[n++] = op;
        if (a1)
                argv[n++] = a1;
        if (a2)
                argv[n++] = a2;
        argv[n] = NULL;
        itest_run(r, NULL, (char *const *)argv);
        /* ABI 4 is needed to narrow TCP: without it ipcfence refuses to run. */
        if (r->status == 125 && strstr(r->err, "Landlock"))
                itest_skip("Landlock ABI 4 (TCP ports) is unavailable: %s", r->err);
}

static char rule_buf[4][128];
static int rule_i;

static const char *tcp_rule(const char *verb, const char *host, const char *port)
{
        rule_i = (rule_i + 1) % 4;
        if (host)
                snprintf(rule_buf[rule_i], sizeof(rule_buf[rule_i]), "--allow=tcp %s %s:%s", verb,
                         host, port);
        else
                snprintf(rule_buf[rule_i], sizeof(rule_buf[rule_i]), "--allow=tcp %s %s", verb,
                         port);
        return rule_buf[rule_i];
}

/* No TCP rule: the host's ports, any of them. */
Test(network_host, any_tcp_port_without_rules)
{
        struct itest_listener a, b;
        struct itest_result r;

        itest_listen_inet(&a, "127.0.0.1", SOCK_STREAM);
        itest_listen_inet(&b, "127.0.0.1", SOCK_STREAM);
        nh_run(&r, NULL, NULL, "tcp-connect", a.host, a.port);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&a), 1, "the host listener saw nothing");
        nh_run(&r, NULL, NULL, "tcp-connect", b.host, b.port);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&b), 1, "the host listener saw nothing");
}

/* A `tcp connect` rule: that port works, another is denied before it
 * reaches the listener. */
Test(network_host, tcp_connect_rule_narrows)
{
        struct itest_listener a, b;
        struct itest_result r;
        const char *rule;

        itest_listen_inet(&a, "127.0.0.1", SOCK_STREAM);
        itest_listen_inet(&b, "127.0.0.1", SOCK_STREAM);
        rule = tcp_rule("connect", a.host, a.port);
        nh_run(&r, rule, NULL, "tcp-connect", a.host, a.port);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&a), 1, "the allowed listener saw nothing");
        nh_run(&r, rule, NULL, "tcp-connect", b.host, b.port);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&b), 0, "the other port's listener saw a connection");
        nh_run(&r, rule, NULL, "tcp-connect-nonblocking", b.host, b.port);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&b), 0, "the other port's listener saw a connection");
}

/* The rule's host counts too (Landlock checks only the port): the same
 * port on another loopback address is denied. */
Test(network_host, tcp_connect_rule_checks_host)
{
        struct itest_listener a, b;
        struct itest_result r;

        itest_listen_inet(&a, "127.0.0.1", SOCK_STREAM);
        itest_listen_inet_port(&b, "127.0.0.2", a.port, SOCK_STREAM);
        nh_run(&r, tcp_rule("connect", a.host, a.port), NULL, "tcp-connect", b.host, b.port);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&b), 0, "127.0.0.2:%s saw a connection", b.port);
        cr_assert_eq(itest_listener_seen(&a), 0);
}

/* UDP is not narrowed by TCP rules. */
Test(network_host, udp_free)
{
        struct itest_listener u, t;
        struct itest_result r;

        itest_listen_inet(&u, "127.0.0.1", SOCK_DGRAM);
        itest_listen_inet(&t, "127.0.0.1", SOCK_STREAM);
        nh_run(&r, NULL, NULL, "udp-send", u.host, u.port);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&u), 1, "no datagram arrived");
        nh_run(&r, tcp_rule("connect", t.host, t.port), NULL, "udp-send", u.host, u.port);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&u), 1, "no datagram arrived with a tcp rule");
}

/* A `tcp listen` rule under network host: that port is served to the host,
 * another is refused (EACCES). */
Test(network_host, tcp_listen_rule)
{
        char port[16], other[16];
        struct itest_result r;
        struct itest_proc p;
        const char *rule;
        int c;

        snprintf(port, sizeof(port), "%s", itest_free_port("127.0.0.1"));
        snprintf(other, sizeof(other), "%s", itest_free_port("127.0.0.1"));
        rule = tcp_rule("listen", NULL, port);
        itest_spawnl(&p, NULL, itest_ipcfence(), "--allow=network host", rule, "--", itest_probe(),
                     "tcp-listen", "127.0.0.1", port, (char *)NULL);
        if (!itest_proc_wait_output(&p, "listening\n", ITEST_TIMEOUT_MS)) {
                itest_proc_finish(&p, &r, 0);
                if (r.status == 125 && strstr(r.err, "Landlock"))
                        itest_skip("Landlock ABI 4 (TCP ports) is unavailable: %s", r.err);
                cr_assert_fail("the program did not listen: %s", itest_show(&r));
        }
        c = itest_connect_tcp("127.0.0.1", port);
        cr_assert_eq(c, 0, "host connect to 127.0.0.1:%s: %s", port, strerror(-c));
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));

        nh_run(&r, rule, NULL, "tcp-listen", "127.0.0.1", other);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
}

/* A `tcp connect` rule narrows binding too (Landlock handles BIND_TCP). */
Test(network_host, tcp_connect_rule_narrows_listen)
{
        struct itest_listener l;
        struct itest_result r;
        char port[16];

        itest_listen_inet(&l, "127.0.0.1", SOCK_STREAM);
        snprintf(port, sizeof(port), "%s", itest_free_port("127.0.0.1"));
        nh_run(&r, tcp_rule("connect", l.host, l.port), NULL, "tcp-listen", "127.0.0.1", port);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
}

/* And a `tcp listen` rule alone narrows connects to nothing: Landlock
 * handles CONNECT_TCP with no port allowed, and the broker, which performs
 * the connect on its own copy of the socket where Landlock never sees it,
 * must say the same (red team round 3: it let any port through). */
Test(network_host, tcp_listen_rule_narrows_connect)
{
        struct itest_listener l;
        struct itest_result r;
        char port[16];

        itest_listen_inet(&l, "127.0.0.1", SOCK_STREAM);
        snprintf(port, sizeof(port), "%s", itest_free_port("127.0.0.1"));
        nh_run(&r, tcp_rule("listen", NULL, port), NULL, "tcp-connect", l.host, l.port);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0, "a listen rule let a connect through");
}

/* The host's abstract names: only through `unix connect @NAME`. */
Test(network_host, abstract_connect_needs_rule)
{
        struct itest_listener a, b;
        struct itest_result r;
        char name[PATH_MAX + 2], rule[PATH_MAX + 32];

        itest_listen_abstract(&a, SOCK_STREAM);
        itest_listen_abstract(&b, SOCK_STREAM);
        snprintf(name, sizeof(name), "%s", a.path);
        snprintf(rule, sizeof(rule), "--allow=unix connect @%s", a.path);
        nh_run(&r, NULL, NULL, "abstract-connect", name, NULL);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&a), 0, "reached without a rule");
        nh_run(&r, rule, NULL, "abstract-connect", name, NULL);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&a), 1, "the allowed listener saw nothing");
        nh_run(&r, rule, NULL, "abstract-connect", b.path, NULL);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&b), 0, "the neighbour saw a connection");
}

/* Binding an abstract name: only the one a `unix listen @NAME` names. */
Test(network_host, abstract_listen_needs_rule)
{
        char name[128], other[160], rule[192];
        struct itest_result r;
        struct itest_proc p;
        int c;

        snprintf(name, sizeof(name), "@%s", itest_unique("ipf-itest-nh"));
        snprintf(other, sizeof(other), "%s-other", name);
        snprintf(rule, sizeof(rule), "--allow=unix listen %s", name);
        itest_spawnl(&p, NULL, itest_ipcfence(), "--allow=network host", rule, "--", itest_probe(),
                     "unix-listen", name, (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "listening\n", ITEST_TIMEOUT_MS),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        c = itest_connect_unix(name);
        cr_assert_eq(c, 0, "host connect to %s: %s", name, strerror(-c));
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));

        nh_run(&r, rule, NULL, "unix-listen", other, NULL);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        nh_run(&r, NULL, NULL, "unix-listen", name, NULL);
        cr_assert_str_eq(itest_line(&r), "EACCES", "without a rule: %s", itest_show(&r));
        cr_assert_eq(itest_connect_unix(name), -ECONNREFUSED);
}

/* The host's /sys, read-only all through: /sys and the file systems
 * mounted below it (cgroup, tracing...) are read-only mounts inside. */
Test(network_host, sys_read_only_mounts)
{
        static const char *const dirs[] = {
                "/sys",
                "/sys/fs/cgroup",
                "/sys/fs/cgroup/unified",
                "/sys/kernel/tracing",
                "/sys/kernel/security",
                "/sys/fs/bpf",
        };
        struct itest_result r;

        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                if (access(dirs[i], F_OK) < 0)
                        continue;
                nh_run(&r, NULL, NULL, "mount-ro", dirs[i], NULL);
                if (strcmp(itest_line(&r), "EACCES") == 0)
                        continue; /* not searchable by this uid */
                cr_assert_str_eq(itest_line(&r), "ro", "%s: %s", dirs[i], itest_show(&r));
        }
}

/* A sysfs file the caller can open for writing on the host (root: many)
 * cannot be opened so inside: EROFS. */
Test(network_host, sys_write_erofs)
{
        static const char *const candidates[] = {
                "/sys/kernel/mm/transparent_hugepage/enabled",
                "/sys/kernel/profiling",
                "/sys/fs/cgroup/cgroup.procs",
                "/sys/fs/cgroup/unified/cgroup.procs",
        };
        const char *target = NULL;
        struct itest_result r;

        for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]) && !target; i++) {
                HOST(&r, "open-write", candidates[i]);
                if (strcmp(itest_line(&r), "ok") == 0)
                        target = candidates[i];
        }
        if (!target) {
                /* Not root: nothing there is writable on the host either,
                 * so the kernel's refusal proves nothing (not a missing
                 * precondition of the machine: sys_read_only_mounts holds
                 * the proof for this uid). */
                nh_run(&r, NULL, NULL, "open-write", candidates[0], NULL);
                cr_assert(itest_denied(&r), "%s", itest_show(&r));
                cr_log_info("no sysfs file that uid %d may open for writing on the host: "
                            "EROFS not checked",
                            (int)getuid());
                return;
        }
        nh_run(&r, NULL, NULL, "open-write", target, NULL);
        cr_assert_str_eq(itest_line(&r), "EROFS", "%s writable inside: %s", target, itest_show(&r));
}
