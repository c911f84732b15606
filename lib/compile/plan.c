/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* All compilers in one call: policy + features + host → struct ipf_plan. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "compile/plan.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

/* Rules whose enforcement this version has. Everything else is parsed and
 * then refused here, so that a profile never runs with less confinement
 * than it asks for. */
static bool rule_enforced(const struct ipf_rule *r)
{
        switch (r->kind) {
        case IPF_RULE_NETWORK:
                return true;
        case IPF_RULE_SIGNAL_HOST:
                return true;
        case IPF_RULE_NETLINK:
                return true;
        case IPF_RULE_UNIX_CONNECT:
                /* The broker: paths on the pinned inode, abstract names from
                 * a host-side socket put in the program's place. */
                return true;
        case IPF_RULE_SYSV_HOST:
                return true;
        case IPF_RULE_UNIX_LISTEN:
        case IPF_RULE_TCP_LISTEN:
                /* The broker binds on the host side (broker-bind.c). */
                return true;
        case IPF_RULE_MQUEUE_OPEN:
                /* The broker opens the host's queue (broker-mqueue.c). */
                return true;
        case IPF_RULE_FIFO_OPEN:
        case IPF_RULE_SHM_OPEN:
                /* Bound into the view at start (a glob: what matches then). */
                return true;
        case IPF_RULE_DBUS:
                /* xdg-dbus-proxy, started by the supervisor; only its socket
                 * is in the view (compile-mounts.c, compile-dbus.c). */
                return true;
        case IPF_RULE_TCP_CONNECT:
                /* Under `network none` the broker connects from the host
                 * side; under `network host` it checks host and port, and
                 * Landlock the port (ABI 4, else the plan fails). */
                return true;
        default:
                return false;
        }
}

int ipf_plan_check_supported(const struct ipf_policy *p, struct ipf_diag *reterr)
{
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ipf_rule *r = &p->rules[i];
                _cleanup_free_ char *text = NULL;

                if (rule_enforced(r))
                        continue;
                text = ipf_rule_to_text(r);
                ipf_diag_set(reterr, r->origin.file, r->origin.line, r->origin.col,
                             "rule '%s' is not enforced by this version of ipcfence; "
                             "refusing to run without it",
                             text ? text : ipf_rule_kind_to_string(r->kind));
                return -EOPNOTSUPP;
        }
        return 0;
}

int ipf_plan_compile_early(const struct ipf_policy *p, const struct ipf_features *f,
                           const struct ipf_host *h, struct ipf_plan *ret, struct ipf_diag *reterr)
{
        struct ipf_plan plan = {
                /* One clone creates the user namespace first, then the others,
                 * owned by it; the init process is pid 1 of the new PID ns. */
                .clone_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID |
                               CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWCGROUP,
                .loopback_up = true,
                .uid = h->uid,
                .gid = h->gid,
                .stdio_socket = h->stdio_socket,
        };
        int r;

        /* `sysv host`: the host's IPC namespace, for its SysV objects; its
         * POSIX queues stay shut by the seccomp plan. */
        if (p->sysv_host)
                plan.clone_flags &= ~(unsigned long)CLONE_NEWIPC;
        /* `network host`: the host's network; Landlock narrows TCP. */
        if (p->network == IPF_NETWORK_HOST) {
                plan.clone_flags &= ~(unsigned long)CLONE_NEWNET;
                plan.loopback_up = false;
        }
        /* `signal host`: the host's PID namespace, so that host pids mean
         * what they say; init reaps and kills what the program leaves. */
        if (p->signal_host)
                plan.clone_flags &= ~(unsigned long)CLONE_NEWPID;
        r = ipf_compile_mounts(p, h, &plan.mounts, reterr);
        if (r < 0)
                return r;
        r = ipf_compile_landlock(p, f, h, &plan.landlock);
        if (r == -EOPNOTSUPP)
                ipf_diag_set(reterr, NULL, 0, 0,
                             "`network host` with tcp rules needs Landlock TCP port rules "
                             "(ABI %d, Linux 6.7; this kernel has ABI %d): refusing to run with "
                             "TCP unnarrowed",
                             IPF_LANDLOCK_ABI_NET, f->landlock_abi);
        else if (r == -E2BIG)
                ipf_diag_set(reterr, NULL, 0, 0, "more than %d TCP ports in tcp rules",
                             IPF_LANDLOCK_MAX_PORTS);
        if (r < 0) {
                ipf_plan_done(&plan);
                return r;
        }
        *ret = plan;
        return 0;
}

int ipf_plan_compile_seccomp(const struct ipf_policy *p, struct ipf_plan *plan,
                             struct ipf_diag *reterr)
{
        return ipf_compile_seccomp(p, plan->landlock.scoped & IPF_LANDLOCK_SCOPE_SIGNAL,
                                   plan->stdio_socket, &plan->seccomp, reterr);
}

int ipf_plan_compile(const struct ipf_policy *p, const struct ipf_features *f,
                     const struct ipf_host *h, struct ipf_plan *ret, struct ipf_diag *reterr)
{
        int r = ipf_plan_compile_early(p, f, h, ret, reterr);

        if (r < 0)
                return r;
        r = ipf_plan_compile_seccomp(p, ret, reterr);
        if (r < 0)
                ipf_plan_done(ret);
        return r;
}

int ipf_plan_build(const struct ipf_policy *p, const struct ipf_features *f,
                   const struct ipf_host *h, struct ipf_plan *ret, struct ipf_diag *reterr)
{
        int r = ipf_plan_check_supported(p, reterr);

        return r < 0 ? r : ipf_plan_compile(p, f, h, ret, reterr);
}

void ipf_plan_done(struct ipf_plan *plan)
{
        ipf_landlock_plan_done(&plan->landlock);
        ipf_mount_plan_done(&plan->mounts);
        ipf_seccomp_plan_done(&plan->seccomp);
}
