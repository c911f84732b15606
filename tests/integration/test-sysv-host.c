/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `sysv host` shares the host's SysV objects and nothing else: host POSIX
 * message queues stay unreachable (SPEC §4). Checked on the host objects. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

ITEST_SUITE(sysv_host);

static const char *num(long v)
{
        static char buf[4][32];
        static int i;

        i = (i + 1) % 4;
        snprintf(buf[i], sizeof(buf[i]), "%ld", v);
        return buf[i];
}

#define SYSV_HOST(r, ...)                                                                    \
        itest_runl((r), NULL, itest_ipcfence(), "-p", "default", "--allow=sysv host", "--",   \
                   itest_probe(), __VA_ARGS__, (char *)NULL)

Test(sysv_host, shares_sysv_segments_and_queues)
{
        struct itest_result r;
        key_t shm_key, msg_key;
        int shm = itest_sysv_shm(&shm_key), msg = itest_sysv_msg(&msg_key);

        SYSV_HOST(&r, "shm-attach", num(shm));
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert(itest_sysv_shm_touched(shm), "the host segment was not attached");
        SYSV_HOST(&r, "msg-send", num(msg_key));
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_sysv_msg_count(msg), 1, "no message arrived in the host queue");
}

Test(sysv_host, posix_queues_stay_shut)
{
        char name[64];
        struct itest_result r;

        itest_mq(name);
        SYSV_HOST(&r, "mq-open", name);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_count(name), 0);
        /* and /dev/mqueue is no way around it */
        SYSV_HOST(&r, "fstype", "/dev/mqueue");
        cr_assert_str_neq(itest_line(&r), "mqueue", "%s", itest_show(&r));
}
