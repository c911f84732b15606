/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SysV IPC, POSIX message queues and shared memory, FIFOs: host objects are
 * out of reach (own IPC namespace, fresh /dev/mqueue and /dev/shm, masked
 * /tmp and $XDG_RUNTIME_DIR). Checked on the host object itself: attach
 * time, message count, size, bytes in the FIFO. */
#include <stdio.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(sysv_posix);

static const char *num(long v)
{
        static char buf[4][32];
        static int i;

        i = (i + 1) % 4;
        snprintf(buf[i], sizeof(buf[i]), "%ld", v);
        return buf[i];
}

Test(sysv_posix, sysv_shm_segment_unreachable)
{
        struct itest_result r;
        key_t key;
        int id = itest_sysv_shm(&key);

        IN(&r, "shm-attach", num(id));
        cr_assert(itest_denied(&r), "shmat(%d) inside: %s", id, itest_show(&r));
        IN(&r, "shm-get", num(key));
        cr_assert(itest_denied(&r), "shmget(0x%x) inside: %s", (unsigned)key, itest_show(&r));
        cr_assert(!itest_sysv_shm_touched(id), "the host segment %d was attached from inside", id);

        HOST(&r, "shm-attach", num(id));
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert(itest_sysv_shm_touched(id), "control: attach time not recorded");
        HOST(&r, "shm-get", num(key));
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
}

Test(sysv_posix, sysv_message_queue_unreachable)
{
        struct itest_result r;
        key_t key;
        int id = itest_sysv_msg(&key);

        IN(&r, "msg-send", num(key));
        cr_assert(itest_denied(&r), "msgsnd inside: %s", itest_show(&r));
        cr_assert_eq(itest_sysv_msg_count(id), 0, "a message from inside reached the host queue");

        HOST(&r, "msg-send", num(key));
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_sysv_msg_count(id), 1, "control: no message arrived");
}

Test(sysv_posix, sysv_semaphore_unreachable)
{
        struct itest_result r;
        key_t key;

        itest_sysv_sem(&key);
        IN(&r, "sem-get", num(key));
        cr_assert(itest_denied(&r), "semget inside: %s", itest_show(&r));
        HOST(&r, "sem-get", num(key));
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
}

Test(sysv_posix, posix_message_queue_unreachable)
{
        struct itest_result r;
        char name[64];

        itest_mq(name);
        IN(&r, "mq-open", name);
        cr_assert(itest_denied(&r), "mq_open %s inside: %s", name, itest_show(&r));
        cr_assert_eq(itest_mq_count(name), 0, "a message from inside reached the host queue");

        HOST(&r, "mq-open", name);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_mq_count(name), 1, "control: no message arrived");
}

Test(sysv_posix, posix_shm_object_unreachable)
{
        struct itest_result r;
        char name[64];

        itest_posix_shm(name);
        IN(&r, "shm-open", name);
        cr_assert(itest_denied(&r), "shm_open %s inside: %s", name, itest_show(&r));
        cr_assert_eq(itest_posix_shm_size(name), 0, "the host shm object was written from inside");

        HOST(&r, "shm-open", name);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_posix_shm_size(name), 1, "control: nothing written");
}

static void fifo_unreachable(const char *dir)
{
        char path[PATH_MAX];
        struct itest_result r;
        int reader = itest_fifo(dir, path);

        IN(&r, "fifo-open", path);
        cr_assert(itest_denied(&r), "fifo %s inside: %s", path, itest_show(&r));
        cr_assert_eq(itest_fifo_read(reader), 0, "bytes from inside reached the host FIFO");

        HOST(&r, "fifo-open", path);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_fifo_read(reader), 1, "control: nothing arrived");
}

Test(sysv_posix, fifo_in_tmp_unreachable)
{
        fifo_unreachable(itest_tmpdir());
}

Test(sysv_posix, fifo_in_xdg_runtime_dir_unreachable)
{
        fifo_unreachable(itest_xdg_dir());
}

Test(sysv_posix, fifo_in_other_rendezvous_dirs_unreachable)
{
        fifo_unreachable(itest_dir_under("/var/tmp"));
        fifo_unreachable(itest_dir_under("/dev/shm"));
        if (access("/run", W_OK) == 0)
                fifo_unreachable(itest_dir_under("/run"));
}
