/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel tunables are not IPC endpoints but they are a way out: a caller
 * that is root stays uid 0 inside (without capabilities), and the kernel
 * lets uid 0 write root-owned sysctls and sysfs attributes on DAC owner bits
 * alone. Checked from the host side: the host's value is unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

ITEST_SUITE(tunables);

static long read_long(const char *path)
{
        FILE *f = fopen(path, "re");
        long v = -1;

        if (f) {
                if (fscanf(f, "%ld", &v) != 1)
                        v = -1;
                fclose(f);
        }
        return v;
}

static void write_long(const char *path, long v)
{
        FILE *f = fopen(path, "we");

        if (f) {
                fprintf(f, "%ld\n", v);
                fclose(f);
        }
}

/* Try to write BEFORE+1 into PATH from inside; the host must still read
 * BEFORE (restored if the sandbox failed, so a failing test does no harm). */
static void assert_not_writable(const char *path)
{
        long before = read_long(path), after;
        char script[512];
        struct itest_result r;

        if (before < 0)
                itest_skip("%s is not readable on this host", path);
        snprintf(script, sizeof(script), "echo %ld > %s", before + 1, path);
        IPF(&r, "-p", "default", "--", "/bin/sh", "-c", script);
        after = read_long(path);
        if (after != before)
                write_long(path, before);
        cr_assert_eq(after, before, "the sandbox changed the host's %s: %s", path,
                     itest_show(&r));
        cr_assert_neq(r.status, 0, "writing %s must fail inside: %s", path, itest_show(&r));
}

Test(tunables, global_sysctl_not_writable)
{
        assert_not_writable("/proc/sys/kernel/printk_ratelimit");
}

Test(tunables, sysfs_not_writable)
{
        assert_not_writable("/sys/kernel/mm/ksm/sleep_millisecs");
}
