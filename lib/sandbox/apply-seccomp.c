/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp: load the BPF program compiled before the fork. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>

#include "sandbox/sandbox.h"
#include "sys/syscalls.h"

int ipf_apply_seccomp(const struct ipf_seccomp_plan *s, int *ret_listener, char *detail, size_t n)
{
        struct sock_fprog prog = {.len = s->len, .filter = s->insns};
        int fd;

        snprintf(detail, n, "%u instructions", (unsigned)s->len);
        if (s->len == 0)
                return -EINVAL; /* never run without the filter */
        /* With NEW_LISTENER the result is the (close-on-exec) listener. */
        fd = sys_seccomp(SECCOMP_SET_MODE_FILTER, s->flags, &prog);
        if (fd < 0)
                return -errno;
        *ret_listener = (s->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? fd : -1;
        return 0;
}
