/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox lives and dies with ipcfence (SPEC §2: "If the supervisor
 * dies, the sandbox dies with it"; §6: no process left behind). Processes
 * are found by a unique marker in their argv, scanning the host's /proc. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(lifecycle);

Test(lifecycle, sigkill_of_ipcfence_kills_the_sandbox)
{
        const char *marker = itest_unique("ipf-itest-marker");
        struct itest_proc p;
        struct itest_result r;

        itest_spawnl(&p, NULL, itest_ipcfence(), "--", itest_probe(), "sleep", "60", marker,
                     (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready\n", ITEST_TIMEOUT_MS),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        cr_assert_geq(itest_count_procs(marker), 2, "expected ipcfence and the program");
        cr_assert_eq(kill(p.pid, SIGKILL), 0);
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(r.status, 128 + SIGKILL, "%s", itest_show(&r));
        cr_assert(itest_wait_procs(marker, 0, 5000),
                  "%d process(es) with the marker survived SIGKILL of ipcfence",
                  itest_count_procs(marker));
}

/* Background processes of the program die too. */
Test(lifecycle, sigkill_of_ipcfence_kills_background_processes)
{
        const char *marker = itest_unique("ipf-itest-marker");
        char script[1024];
        struct itest_proc p;
        struct itest_result r;

        snprintf(script, sizeof(script), "'%s' sleep 60 %s-bg & exec '%s' sleep 60 %s",
                 itest_probe(), marker, itest_probe(), marker);
        itest_spawnl(&p, NULL, itest_ipcfence(), "--", "sh", "-c", script, (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready\nready\n", ITEST_TIMEOUT_MS),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        cr_assert_eq(kill(p.pid, SIGKILL), 0);
        itest_proc_finish(&p, &r, 0);
        cr_assert(itest_wait_procs(marker, 0, 5000),
                  "%d process(es) with the marker survived SIGKILL of ipcfence",
                  itest_count_procs(marker));
}

/* When the program exits, what it left running in the sandbox goes too, and
 * ipcfence does not wait for it. */
Test(lifecycle, program_exit_ends_the_sandbox)
{
        const char *marker = itest_unique("ipf-itest-marker");
        char script[1024];
        struct itest_result r;

        snprintf(script, sizeof(script), "'%s' sleep 60 %s >/dev/null & exit 3", itest_probe(),
                 marker);
        IPF(&r, "--", "sh", "-c", script);
        cr_assert_eq(r.status, 3, "%s", itest_show(&r));
        cr_assert(itest_wait_procs(marker, 0, 5000),
                  "%d process(es) with the marker outlived the program", itest_count_procs(marker));
}

Test(lifecycle, sigterm_leaves_nothing_behind)
{
        const char *marker = itest_unique("ipf-itest-marker");
        struct itest_proc p;
        struct itest_result r;

        itest_spawnl(&p, NULL, itest_ipcfence(), "--", itest_probe(), "sleep", "60", marker,
                     (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready\n", ITEST_TIMEOUT_MS),
                  "stdout='%s' stderr='%s'", p.out, p.err);
        cr_assert_eq(kill(p.pid, SIGTERM), 0);
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(r.status, 143, "%s", itest_show(&r));
        cr_assert(itest_wait_procs(marker, 0, 5000), "%d process(es) left after SIGTERM",
                  itest_count_procs(marker));
}

/* A SIGTERM that arrives while the sandbox is still being set up: ipcfence
 * still ends with 143 and leaves nothing behind. */
Test(lifecycle, early_sigterm_leaves_nothing_behind)
{
        static const int delays_us[] = {0, 1000, 3000, 10000};

        for (size_t i = 0; i < sizeof(delays_us) / sizeof(delays_us[0]); i++) {
                const char *marker = itest_unique("ipf-itest-marker");
                struct itest_proc p;
                struct itest_result r;

                itest_spawnl(&p, NULL, itest_ipcfence(), "--", itest_probe(), "sleep", "60", marker,
                             (char *)NULL);
                usleep(delays_us[i]);
                cr_assert_eq(kill(p.pid, SIGTERM), 0);
                itest_proc_finish(&p, &r, 0);
                cr_assert_eq(r.status, 143, "SIGTERM after %d us: %s", delays_us[i],
                             itest_show(&r));
                cr_assert(itest_wait_procs(marker, 0, 5000),
                          "SIGTERM after %d us: %d process(es) left", delays_us[i],
                          itest_count_procs(marker));
        }
}
