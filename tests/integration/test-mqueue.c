/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `mqueue open /NAME`: mq_open/mq_unlink of an allowed name reach the
 * host's queue; any other name goes to the sandbox's own IPC namespace
 * (nothing appears on the host, host queues stay untouched), or, with
 * `sysv host` (the host's IPC namespace), is refused with EACCES. Checked
 * on the host's queues, with mq_open from this process (/dev/mqueue need
 * not be mounted). */
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"

ITEST_SUITE(mqueue);

static char allow_buf[128];

static const char *allow(const char *name)
{
        snprintf(allow_buf, sizeof(allow_buf), "--allow=mqueue open %s", name);
        return allow_buf;
}

#define MQ(r, rule, ...)                                                                  \
        itest_runl((r), NULL, itest_ipcfence(), (rule), "--", itest_probe(), __VA_ARGS__, \
                   (char *)NULL)
#define MQ_SYSV(r, rule, ...)                                                                     \
        itest_runl((r), NULL, itest_ipcfence(), (rule), "--allow=sysv host", "--", itest_probe(), \
                   __VA_ARGS__, (char *)NULL)

Test(mqueue, allowed_queue_gets_the_message_on_the_host)
{
        char name[64];
        struct itest_result r;

        itest_mq(name);
        MQ(&r, allow(name), "mq-open", name);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_count(name), 1, "no message arrived in the host queue %s", name);
}

/* Without the rule the same call does not reach the host's queue. */
Test(mqueue, without_rule_host_queue_unreachable)
{
        char name[64], other[64];
        struct itest_result r;

        itest_mq(name);
        itest_mq_name(other);
        MQ(&r, allow(other), "mq-open", name);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_count(name), 0, "a message arrived in the host queue %s", name);
}

/* A new queue of an allowed name is created on the host. */
Test(mqueue, allowed_queue_created_on_the_host)
{
        char name[64];
        struct itest_result r;

        itest_mq_name(name);
        MQ(&r, allow(name), "mq-create", name);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert(itest_mq_exists(name), "%s was not created on the host", name);
        cr_assert_eq(itest_mq_count(name), 1);
}

/* Another name is created in the sandbox's own namespace: it works inside
 * and nothing appears on the host. */
Test(mqueue, other_name_creates_no_host_queue)
{
        char name[64], other[64];
        struct itest_result r;

        itest_mq(name);
        itest_mq_name(other);
        MQ(&r, allow(name), "mq-create", other);
        cr_assert_str_eq(itest_line(&r), "ok", "the sandbox's own queues work: %s", itest_show(&r));
        cr_assert(!itest_mq_exists(other), "%s appeared on the host", other);
}

/* A glob in the rule: matching names reach the host, others do not. */
Test(mqueue, glob_rule)
{
        char name[64], match[80], other[64], pattern[80];
        struct itest_result r;

        itest_mq(name);
        itest_mq(other);
        snprintf(pattern, sizeof(pattern), "%s*", name);
        snprintf(match, sizeof(match), "%s-b", name);
        MQ(&r, allow(pattern), "mq-open", name);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_count(name), 1, "no message arrived in the host queue %s", name);
        MQ(&r, allow(pattern), "mq-create", match);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert(itest_mq_exists(match), "%s was not created on the host", match);
        mq_unlink(match);
        MQ(&r, allow(pattern), "mq-open", other);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_count(other), 0, "a message arrived in %s", other);
}

/* mq_unlink: of an allowed name removes the host's queue; of another name
 * leaves the host's queue alone. */
Test(mqueue, unlink)
{
        char name[64], other[64];
        struct itest_result r;

        itest_mq(name);
        itest_mq(other);
        MQ(&r, allow(name), "mq-unlink", other);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s", itest_show(&r));
        cr_assert(itest_mq_exists(other), "the host queue %s was unlinked", other);
        MQ(&r, allow(name), "mq-unlink", name);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert(!itest_mq_exists(name), "the host queue %s is still there", name);
}

/* With `sysv host` the program shares the host's IPC namespace: the
 * allowed queue works, any other name is refused, existing or not. */
Test(mqueue, sysv_host_other_names_denied)
{
        char name[64], other[64], fresh[64];
        struct itest_result r;

        itest_mq(name);
        itest_mq(other);
        itest_mq_name(fresh);
        MQ_SYSV(&r, allow(name), "mq-open", name);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_count(name), 1, "no message arrived in the host queue %s", name);
        MQ_SYSV(&r, allow(name), "mq-open", other);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_count(other), 0, "a message arrived in %s", other);
        MQ_SYSV(&r, allow(name), "mq-create", fresh);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        cr_assert(!itest_mq_exists(fresh), "%s appeared on the host", fresh);
        MQ_SYSV(&r, allow(name), "mq-unlink", other);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        cr_assert(itest_mq_exists(other), "the host queue %s was unlinked", other);
}

/* A queue the program creates gets the mode the kernel would give it: the
 * program's umask applies, not ipcfence's (the broker creates the queue:
 * 0644 for a program with umask 077 asking for 0666 before the fix,
 * readable by every host user). */
Test(mqueue, created_queue_gets_the_programs_umask)
{
        char name[64];
        struct itest_result r;
        mode_t old = umask(022);

        itest_mq_name(name);
        MQ(&r, allow(name), "mq-create-private", name);
        umask(old);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        cr_assert_eq(itest_mq_mode(name), 0600u, "the host queue has mode %04o",
                     itest_mq_mode(name));
}
