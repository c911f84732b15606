/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock compiler: policy + ABI → the scopes to restrict. Scopes (ABI 6,
 * Linux 6.12) stop abstract-unix connects and signals to anything outside
 * the sandbox's domain. Below ABI 6 the network and PID namespaces alone
 * carry those guarantees (abstract names are per network namespace, host
 * pids are invisible from the sandbox's PID namespace). */
#include "compile/plan.h"
#include "sys/syscalls.h"

#define IPF_LANDLOCK_ABI_SCOPES 6

int ipf_compile_landlock(const struct ipf_policy *p, const struct ipf_features *f,
                         struct ipf_landlock_plan *ret)
{
        struct ipf_landlock_plan plan = {.abi = f->landlock_abi};

        if (f->landlock_abi >= IPF_LANDLOCK_ABI_SCOPES) {
                plan.scoped = IPF_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
                if (!p->signal_host)
                        plan.scoped |= IPF_LANDLOCK_SCOPE_SIGNAL;
        } else {
                /* Delete with the last kernel before 6.12. */
                plan.fallback = "Landlock scopes need ABI 6 (Linux 6.12): abstract sockets and "
                                "signals are confined by the network and PID namespaces only";
        }
        *ret = plan;
        return 0;
}
