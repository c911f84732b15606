/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock compiler: policy + ABI → what to restrict.
 *
 * Scopes (ABI 6, Linux 6.12) stop abstract-unix connects and signals to
 * anything outside the sandbox's domain. Below ABI 6 the network and PID
 * namespaces alone carry those guarantees (abstract names are per network
 * namespace, host pids are invisible from the sandbox's PID namespace).
 *
 * File-system rules (ABI 1, Linux 5.13): creating a unix socket or a FIFO
 * (bind(2), mknod(2)) is allowed only beneath the sandbox's own fresh
 * filesystems, so the program cannot put an endpoint where the host would
 * find it (SPEC §2, "creating endpoints").
 *
 * Unix sockets by path (ABI 9): RESOLVE_UNIX is handled, so that the
 * program itself reaches only the sockets of its own domain and those the
 * `unix connect` rules and the D-Bus proxies name — closing the datagram
 * sendmsg(2) the broker cannot see (connect and sendto it performs itself,
 * outside any domain).
 *
 * Network rules (ABI 4, Linux 6.7): under `network host`, `tcp connect` and
 * `tcp listen` rules narrow TCP to their ports (the broker also compares
 * the host; Landlock holds even for a call the broker never sees). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/landlock.h>

#include "compile/plan.h"
#include "sys/syscalls.h"

#define IPF_LANDLOCK_ABI_SCOPES 6

static int add_port(struct ipf_landlock_plan *plan, uint16_t port, uint64_t access)
{
        for (size_t i = 0; i < plan->n_ports; i++)
                if (plan->ports[i].port == port) {
                        plan->ports[i].access |= access;
                        return 0;
                }
        if (plan->n_ports == IPF_LANDLOCK_MAX_PORTS)
                return -E2BIG;
        plan->ports[plan->n_ports++] = (struct ipf_landlock_port){.port = port, .access = access};
        return 0;
}

static int compile_net(const struct ipf_policy *p, const struct ipf_features *f,
                       struct ipf_landlock_plan *plan)
{
        if (p->network != IPF_NETWORK_HOST ||
            (!ipf_policy_has(p, IPF_RULE_TCP_CONNECT) && !ipf_policy_has(p, IPF_RULE_TCP_LISTEN)))
                return 0;
        if (f->landlock_abi < IPF_LANDLOCK_ABI_NET)
                return -EOPNOTSUPP;
        plan->handled_net = IPF_LANDLOCK_ACCESS_NET_BIND_TCP | IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP;
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ipf_rule *r = &p->rules[i];
                int e = 0;

                if (r->kind == IPF_RULE_TCP_CONNECT)
                        e = add_port(plan, r->port, IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP);
                else if (r->kind == IPF_RULE_TCP_LISTEN)
                        e = add_port(plan, r->port, IPF_LANDLOCK_ACCESS_NET_BIND_TCP);
                if (e < 0)
                        return e;
        }
        return 0;
}

static int add_resolve(struct ipf_landlock_plan *plan, const char *path)
{
        if (plan->n_resolve_unix == IPF_LANDLOCK_MAX_RESOLVE)
                return -E2BIG;
        plan->resolve_unix[plan->n_resolve_unix] = strdup(path);
        if (!plan->resolve_unix[plan->n_resolve_unix])
                return -ENOMEM;
        plan->n_resolve_unix++;
        return 0;
}

/* What RESOLVE_UNIX lets through: each `unix connect PATH` (its directory
 * for a glob; the broker narrows connect and sendto to the glob) and each
 * proxied bus where the view has it. */
static int compile_resolve_unix(const struct ipf_policy *p, const struct ipf_features *f,
                                const struct ipf_host *h, struct ipf_landlock_plan *plan)
{
        bool bus[_IPF_BUS_MAX] = {false};
        char path[PATH_MAX];
        int r = 0;

        if (f->landlock_abi < IPF_LANDLOCK_ABI_RESOLVE_UNIX)
                return 0;
        plan->handled_fs |= IPF_LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
        for (size_t i = 0; r >= 0 && i < p->n_rules; i++) {
                const struct ipf_rule *rule = &p->rules[i];

                if (rule->kind == IPF_RULE_DBUS && (unsigned)rule->bus < _IPF_BUS_MAX)
                        bus[rule->bus] = true;
                if (rule->kind != IPF_RULE_UNIX_CONNECT || !rule->endpoint ||
                    rule->endpoint[0] != '/')
                        continue;
                snprintf(path, sizeof(path), "%s", rule->endpoint);
                if (rule->glob)
                        *strrchr(path, '/') = '\0';
                r = add_resolve(plan, path[0] ? path : "/");
        }
        for (int b = 0; r >= 0 && b < _IPF_BUS_MAX; b++)
                if (bus[b]) {
                        r = ipf_dbus_view_path((enum ipf_bus)b, h, path, sizeof(path));
                        if (r >= 0)
                                r = add_resolve(plan, path);
                }
        return r;
}

void ipf_landlock_plan_done(struct ipf_landlock_plan *l)
{
        for (size_t i = 0; i < l->n_resolve_unix; i++)
                free(l->resolve_unix[i]);
        l->n_resolve_unix = 0;
}

int ipf_compile_landlock(const struct ipf_policy *p, const struct ipf_features *f,
                         const struct ipf_host *h, struct ipf_landlock_plan *ret)
{
        struct ipf_landlock_plan plan = {.abi = f->landlock_abi};
        int r;

        if (f->landlock_abi >= 1) {
                plan.handled_fs = LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO;
                plan.n_allow_beneath =
                        ipf_mount_private_dirs(h, plan.allow_beneath, IPF_LANDLOCK_MAX_PATHS);
        }
        if (f->landlock_abi >= IPF_LANDLOCK_ABI_SCOPES) {
                plan.scoped = IPF_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
                if (!p->signal_host)
                        plan.scoped |= IPF_LANDLOCK_SCOPE_SIGNAL;
        } else {
                /* Delete with the last kernel before 6.12. */
                plan.fallback = f->landlock_abi >= 1
                                        ? "Landlock scopes need ABI 6 (Linux 6.12): abstract "
                                          "sockets and signals are confined by the network and "
                                          "PID namespaces only"
                                        : "Landlock is unavailable: abstract sockets and signals "
                                          "are confined by the namespaces only, and the program "
                                          "can create sockets and FIFOs wherever it may write";
        }
        r = compile_net(p, f, &plan);
        if (r >= 0)
                r = compile_resolve_unix(p, f, h, &plan);
        if (r < 0) {
                ipf_landlock_plan_done(&plan);
                return r;
        }
        *ret = plan;
        return 0;
}
