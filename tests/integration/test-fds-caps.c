/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inherited descriptors and privileges: only fds 0-2 cross into the sandbox;
 * capabilities are all dropped, the bounding set is empty, no_new_privs is
 * set and a seccomp filter is installed. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(fds_caps);

/* The value of FIELD ("CapEff:") in probe `status` output, or NULL. */
static const char *status_field(const char *out, const char *field)
{
        static char val[64];
        const char *p = strstr(out, field);

        if (!p)
                return NULL;
        p += strlen(field);
        while (*p == ' ' || *p == '\t')
                p++;
        snprintf(val, sizeof(val), "%.*s", (int)strcspn(p, "\n"), p);
        return val;
}

Test(fds_caps, capabilities_dropped_and_no_new_privs)
{
        static const char *const caps[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
        struct itest_result r;
        const char *v;

        /* Control: outside, no_new_privs is off, so the checks can fail. */
        HOST(&r, "status");
        v = status_field(r.out, "NoNewPrivs:");
        cr_assert(v && strcmp(v, "0") == 0, "control: %s", itest_show(&r));

        IN(&r, "status");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
                v = status_field(r.out, caps[i]);
                cr_assert_not_null(v, "no %s line: %s", caps[i], itest_show(&r));
                cr_assert_str_eq(v, "0000000000000000", "%s inside is %s", caps[i], v);
        }
        v = status_field(r.out, "NoNewPrivs:");
        cr_assert(v && strcmp(v, "1") == 0, "NoNewPrivs: %s", itest_show(&r));
        v = status_field(r.out, "Seccomp:");
        cr_assert(v && strcmp(v, "2") == 0, "Seccomp (2 = filter): %s", itest_show(&r));
}

Test(fds_caps, inherited_fd5_closed_inside)
{
        struct itest_opts o = {.n_fds = 1};
        struct itest_result r;
        int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

        cr_assert_geq(fd, 0);
        o.fds[0][0] = fd;
        o.fds[0][1] = 5;

        /* Control: the test does hand fd 5 over. */
        itest_runl(&r, &o, itest_probe(), "fd-open", "5", (char *)NULL);
        cr_assert_str_eq(itest_line(&r), "open", "control: %s", itest_show(&r));

        itest_runl(&r, &o, itest_ipcfence(), "--", itest_probe(), "fd-open", "5", (char *)NULL);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_str_eq(itest_line(&r), "closed", "fd 5 (a host file) is open inside: %s",
                         itest_show(&r));
        close(fd);
}

/* Several inherited fds, including a connected socket to the host: none of
 * them, and nothing ipcfence opened itself, reaches the program. */
Test(fds_caps, no_fd_above_2_inside)
{
        struct itest_opts o = {.n_fds = 3};
        struct itest_result r;
        int sp[2];
        int file = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

        cr_assert_geq(file, 0);
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
        o.fds[0][0] = sp[1];
        o.fds[0][1] = 3;
        o.fds[1][0] = file;
        o.fds[1][1] = 5;
        o.fds[2][0] = sp[1];
        o.fds[2][1] = 42;

        itest_runl(&r, &o, itest_probe(), "fds", (char *)NULL);
        cr_assert_str_eq(itest_line(&r), "3 5 42", "control: %s", itest_show(&r));

        itest_runl(&r, &o, itest_ipcfence(), "--", itest_probe(), "fds", (char *)NULL);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_str_eq(itest_line(&r), "none", "open fds inside: %s", itest_show(&r));
        close(sp[0]);
        close(sp[1]);
        close(file);
}

/* stdin, stdout and stderr do cross. */
Test(fds_caps, stdio_passes_through)
{
        const char *dir = itest_tmpdir();
        char *in = itest_write_file(dir, "stdin", "hello\n");
        struct itest_opts o = {0};
        struct itest_result r;

        o.stdin_fd = open(in, O_RDONLY | O_CLOEXEC);
        cr_assert_geq(o.stdin_fd, 0);
        itest_runl(&r, &o, itest_ipcfence(), "--", "sh", "-c",
                   "read x; echo \"got $x\"; echo oops >&2; exit 5", (char *)NULL);
        close(o.stdin_fd);
        cr_assert_eq(r.status, 5, "%s", itest_show(&r));
        cr_assert_str_eq(r.out, "got hello\n", "%s", itest_show(&r));
        cr_assert(strstr(r.err, "oops\n"), "%s", itest_show(&r));
}
