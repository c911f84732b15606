/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shipped profiles and abstractions: every one is valid, and the ones
 * whose endpoint a test can own work with the real client and keep their
 * neighbours shut. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(abstractions);

static const char *profiles_dir(void)
{
        const char *d = getenv("IPCFENCE_PROFILE_PATH");

        if (!d || d[0] != '/')
                itest_skip("IPCFENCE_PROFILE_PATH is unset (tests/run-tests.sh sets it)");
        return d;
}

/* ipcfence check over profiles/ and profiles/abstractions/. */
Test(abstractions, every_shipped_profile_is_valid)
{
        static const char *const subdirs[] = {"", "/abstractions"};
        int checked = 0;

        for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
                char dir[PATH_MAX];
                struct dirent *e;
                DIR *d;

                snprintf(dir, sizeof(dir), "%s%s", profiles_dir(), subdirs[i]);
                d = opendir(dir);
                cr_assert_not_null(d, "%s", dir);
                while ((e = readdir(d))) {
                        char path[2 * PATH_MAX];
                        size_t n = strlen(e->d_name);
                        struct itest_result r;

                        if (n < 9 || strcmp(e->d_name + n - 8, ".profile") != 0)
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                        IPF(&r, "check", path);
                        cr_expect_eq(r.status, 0, "%s", itest_show(&r));
                        checked++;
                }
                closedir(d);
        }
        cr_assert_geq(checked, 11, "only %d profiles found", checked);
}

static bool wait_socket(const char *path)
{
        struct stat st;

        for (int i = 0; i < 200; i++) {
                if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
                        return true;
                usleep(25000);
        }
        return false;
}

/* A real ssh-agent at $XDG_RUNTIME_DIR/ssh-agent.socket and the real
 * ssh-add: reachable with abstractions/ssh-agent, not without it; another
 * agent in the same directory stays unreachable. */
Test(abstractions, ssh_agent_with_ssh_add)
{
        /* itest_which() answers in a static buffer: copy each. */
        char *agent = itest_which("ssh-agent") ? strdupa(itest_which("ssh-agent")) : NULL;
        char *add = itest_which("ssh-add") ? strdupa(itest_which("ssh-add")) : NULL;
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        char sock[PATH_MAX], other[PATH_MAX], var[PATH_MAX + 32];
        const char *env[] = {var, NULL};
        struct itest_opts o = {.env = env};
        struct itest_proc a, b;
        struct itest_result r;

        if (!agent || !add)
                itest_skip("ssh-agent/ssh-add (openssh-client) are not installed");
        if (!xdg || xdg[0] != '/')
                itest_skip("$XDG_RUNTIME_DIR is unset (tests/run-tests.sh sets it)");
        snprintf(sock, sizeof(sock), "%s/ssh-agent.socket", xdg);
        snprintf(other, sizeof(other), "%s/other-agent.socket", xdg);
        unlink(sock);
        unlink(other);
        itest_spawnl(&a, NULL, agent, "-D", "-a", sock, (char *)NULL);
        itest_spawnl(&b, NULL, agent, "-D", "-a", other, (char *)NULL);
        /* Its banner is block-buffered on a pipe: wait for the sockets. */
        cr_assert(wait_socket(sock) && wait_socket(other), "ssh-agent did not start");

        snprintf(var, sizeof(var), "SSH_AUTH_SOCK=%s", sock);
        itest_runl(&r, &o, add, "-l", (char *)NULL);
        cr_assert_eq(r.status, 1, "control: the agent answers 'no identities': %s",
                     itest_show(&r));
        itest_runl(&r, &o, itest_ipcfence(), "-q", "-p", "abstractions/ssh-agent", "--", add, "-l",
                   (char *)NULL);
        cr_assert_eq(r.status, 1, "ssh-add must reach the agent: %s", itest_show(&r));
        cr_assert(strstr(r.out, "no identities"), "%s", itest_show(&r));
        itest_runl(&r, &o, itest_ipcfence(), "-q", "-p", "default", "--", add, "-l",
                   (char *)NULL);
        cr_assert_eq(r.status, 2, "without the abstraction: %s", itest_show(&r));
        snprintf(var, sizeof(var), "SSH_AUTH_SOCK=%s", other);
        itest_runl(&r, &o, itest_ipcfence(), "-q", "-p", "abstractions/ssh-agent", "--", add, "-l",
                   (char *)NULL);
        cr_assert_eq(r.status, 2, "another agent must stay unreachable: %s", itest_show(&r));

        kill(a.pid, SIGTERM);
        kill(b.pid, SIGTERM);
        itest_proc_finish(&a, &r, 5000);
        itest_proc_finish(&b, &r, 5000);
        unlink(sock);
        unlink(other);
}

/* logger(1) to a syslog-style datagram socket: the message arrives with a
 * rule for that socket, nothing arrives without. */
Test(abstractions, logger_to_allowed_socket)
{
        const char *logger = itest_which("logger");
        struct itest_listener l;
        char rule[PATH_MAX + 32];
        struct itest_result r;

        if (!logger)
                itest_skip("logger (bsdutils) is not installed");
        itest_listen_unix(&l, itest_visible_dir(), SOCK_DGRAM);
        snprintf(rule, sizeof(rule), "--allow=unix connect %s", l.path);
        itest_runl(&r, NULL, itest_ipcfence(), "-q", "-p", "default", "--", logger,
                   "--socket-errors=on", "-u", l.path, "ipcfence-test", (char *)NULL);
        cr_assert_neq(r.status, 0, "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0, "a message arrived without a rule");
        itest_runl(&r, NULL, itest_ipcfence(), "-q", "-p", "default", rule, "--", logger,
                   "--socket-errors=on", "-u", l.path, "ipcfence-test", (char *)NULL);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 1, "the message did not arrive");
}
