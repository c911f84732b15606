/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `fifo open PATH` and `shm open /NAME`: the one named host object is
 * bound into the private view at its own path; its neighbours stay hidden.
 * Checked on the host objects. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(objects);

Test(objects, fifo_rule_binds_one_fifo)
{
        const char *dir = itest_tmpdir(); /* under /tmp: hidden by the view */
        char fifo[PATH_MAX], other[PATH_MAX + 16], rule[PATH_MAX + 32];
        struct itest_result r;
        int reader = itest_fifo(dir, fifo), other_reader;

        snprintf(other, sizeof(other), "%s/other", dir);
        cr_assert_eq(mkfifo(other, 0600), 0);
        other_reader = open(other, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        cr_assert_geq(other_reader, 0);
        snprintf(rule, sizeof(rule), "--allow=fifo open %s", fifo);
        IPF(&r, rule, "--", itest_probe(), "fifo-open", fifo);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_gt(itest_fifo_read(reader), 0, "nothing arrived through the allowed FIFO");
        IPF(&r, rule, "--", itest_probe(), "fifo-open", other);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s", itest_show(&r));
        cr_assert_eq(itest_fifo_read(other_reader), 0, "bytes reached the neighbour");
        close(other_reader);
}

Test(objects, shm_rule_binds_one_object)
{
        char name[64], other[64], rule[128];
        struct itest_result r;

        itest_posix_shm(name);
        itest_posix_shm(other);
        snprintf(rule, sizeof(rule), "--allow=shm open %s", name);
        IPF(&r, rule, "--", itest_probe(), "shm-open", name);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_posix_shm_size(name), 1, "the write did not reach the host object");
        IPF(&r, rule, "--", itest_probe(), "shm-open", other);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s", itest_show(&r));
        cr_assert_eq(itest_posix_shm_size(other), 0, "the neighbour was written");
}

/* A rule path through a symlink binds nothing: the link could have been
 * planted by an earlier run to swap in another object. */
Test(objects, fifo_rule_through_symlink_binds_nothing)
{
        const char *dir = itest_tmpdir();
        char fifo[PATH_MAX], link[PATH_MAX + 16], rule[PATH_MAX + 64];
        struct itest_result r;
        int reader = itest_fifo(dir, fifo);

        snprintf(link, sizeof(link), "%s/link", dir);
        cr_assert_eq(symlink(fifo, link), 0);
        snprintf(rule, sizeof(rule), "--allow=fifo open %s", link);
        IPF(&r, rule, "--", itest_probe(), "fifo-open", link);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_fifo_read(reader), 0);
}

/* A glob binds the objects that match when the sandbox starts, of the
 * rule's type; the neighbours that do not match stay hidden. */
Test(objects, shm_glob_binds_matching_objects)
{
        char a[64], b[80], other[80], rule[128];
        struct itest_result r;

        itest_posix_shm(a);
        snprintf(b, sizeof(b), "%s-b", a);
        snprintf(other, sizeof(other), "%s", itest_unique("/ipf-nomatch"));
        for (const char *n = b; n; n = n == b ? other : NULL) {
                int fd = shm_open(n, O_RDWR | O_CREAT | O_EXCL, 0600);

                cr_assert_geq(fd, 0, "shm_open %s", n);
                close(fd);
        }
        snprintf(rule, sizeof(rule), "--allow=shm open %s*", a);
        IPF(&r, rule, "--", itest_probe(), "shm-open", b);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_posix_shm_size(b), 1, "the write did not reach the host object");
        IPF(&r, rule, "--", itest_probe(), "shm-open", other);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s", itest_show(&r));
        cr_assert_eq(itest_posix_shm_size(other), 0, "the neighbour was written");
        shm_unlink(b);
        shm_unlink(other);
}
