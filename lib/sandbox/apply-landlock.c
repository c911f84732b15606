/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock: restrict the sandbox to its own domain's scopes. Requires
 * no_new_privs, set by the caller just before. */
#include <errno.h>
#include <stdio.h>

#include "sandbox/sandbox.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

int ipf_apply_landlock(const struct ipf_landlock_plan *l, char *detail, size_t n)
{
        struct ipf_landlock_ruleset_attr attr = {.scoped = l->scoped};
        _cleanup_close_ int fd = -1;

        if (l->scoped == 0)
                return 0; /* the plan chose the namespace fallback */
        snprintf(detail, n, "ABI %d, scopes 0x%llx", l->abi, (unsigned long long)l->scoped);
        fd = sys_landlock_create_ruleset(&attr, sizeof(attr), 0);
        if (fd < 0)
                return -errno;
        if (sys_landlock_restrict_self(fd, 0) < 0)
                return -errno;
        return 0;
}
