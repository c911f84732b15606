/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A host that refuses user namespaces gets one clear line and exit 125, and
 * the command does not run. Simulated without touching the host: inside a
 * user namespace of our own, its user.max_user_namespaces limit is ours to
 * set to 0, so the clone(CLONE_NEWUSER) that ipcfence makes is refused. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(userns_refused);

Test(userns_refused, one_line_and_125)
{
        const char *unshare = itest_which("unshare");
        const char *dir = itest_visible_dir();
        char marker[PATH_MAX], script[2 * PATH_MAX + 256];
        struct itest_result r;
        const char *nl;

        if (!unshare)
                itest_skip("unshare(1) is not installed");
        snprintf(marker, sizeof(marker), "%s/ran", dir);
        snprintf(script, sizeof(script),
                 "echo 0 > /proc/sys/user/max_user_namespaces || exit 99; "
                 "exec '%s' -- /bin/sh -c 'touch %s'",
                 itest_ipcfence(), marker);
        itest_runl(&r, NULL, unshare, "-Ur", "/bin/sh", "-c", script, (char *)NULL);
        if (r.status == 99)
                itest_skip("cannot lower user.max_user_namespaces in a child namespace");
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        cr_assert(strncmp(r.err, "ipcfence: ", 10) == 0, "%s", itest_show(&r));
        nl = strchr(r.err, '\n');
        cr_assert(nl && nl[1] == '\0', "exactly one line: %s", itest_show(&r));
        cr_assert(strstr(r.err, "user namespace"), "names the cause: %s", itest_show(&r));
        cr_assert(strstr(r.err, "max_user_namespaces"), "names the sysctl: %s", itest_show(&r));
        cr_assert_neq(access(marker, F_OK), 0, "the command ran anyway");
}
