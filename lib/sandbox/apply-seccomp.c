/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp: load the BPF program compiled before the fork. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>

#include "sandbox/sandbox.h"
#include "sys/syscalls.h"

int ipf_apply_seccomp(const struct ipf_seccomp_plan *s, char *detail, size_t n)
{
        struct sock_fprog prog = {.len = s->len, .filter = s->insns};

        snprintf(detail, n, "%u instructions", (unsigned)s->len);
        if (s->len == 0)
                return -EINVAL; /* never run without the filter */
        if (sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return -errno;
        return 0;
}
