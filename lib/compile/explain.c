/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* explain: the plans `run` would apply, layer by layer, and what this
 * kernel enforces of them. Prints the very plan ipf_run() builds. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "compile/plan.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

static void explain_mounts(const struct ipf_mount_plan *m, FILE *f)
{
        fputs("mount view     private mount namespace, nothing propagates either way\n", f);
        for (size_t i = 0; i < m->n; i++) {
                const struct ipf_mount *e = &m->entries[i];

                fprintf(f, "                 %-8s %s%s%s%s\n", ipf_mount_kind_to_string(e->kind),
                        e->path, e->source ? " -> " : "", e->source ? e->source : "",
                        e->optional ? " (if present)" : "");
        }
}

static void explain_landlock(const struct ipf_landlock_plan *l, FILE *f)
{
        if (l->handled_fs) {
                fprintf(f, "landlock       ABI %d: sockets and FIFOs may be created only beneath",
                        l->abi);
                for (size_t i = 0; i < l->n_allow_beneath; i++)
                        fprintf(f, " %s", l->allow_beneath[i]);
                fputc('\n', f);
        }
        if (l->handled_fs & IPF_LANDLOCK_ACCESS_FS_RESOLVE_UNIX) {
                fputs("landlock       unix sockets by path: the sandbox's own, and", f);
                for (size_t i = 0; i < l->n_resolve_unix; i++)
                        fprintf(f, " %s", l->resolve_unix[i]);
                fputs(l->n_resolve_unix ? "\n" : " none else\n", f);
        }
        if (l->handled_net) {
                fputs("landlock       TCP narrowed to ports:", f);
                for (size_t i = 0; i < l->n_ports; i++)
                        fprintf(f, " %u(%s%s%s)", (unsigned)l->ports[i].port,
                                l->ports[i].access & IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP ? "connect"
                                                                                         : "",
                                l->ports[i].access == (IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP |
                                                       IPF_LANDLOCK_ACCESS_NET_BIND_TCP)
                                        ? ","
                                        : "",
                                l->ports[i].access & IPF_LANDLOCK_ACCESS_NET_BIND_TCP ? "bind"
                                                                                      : "");
                fputc('\n', f);
        }
        if (l->scoped == 0) {
                fprintf(f, "landlock       ABI %d: no scopes; %s\n", l->abi,
                        l->fallback ? l->fallback : "nothing to restrict");
                return;
        }
        fprintf(f, "landlock       scopes:%s%s (enforced)\n",
                l->scoped & IPF_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET ? " abstract-unix-socket" : "",
                l->scoped & IPF_LANDLOCK_SCOPE_SIGNAL ? " signal" : "");
}

/* The proxy command line `run` starts per bus (socket path: made at run). */
static int explain_dbus(const struct ipf_policy *p, const struct ipf_host *h, FILE *f)
{
        for (int bus = 0; bus < _IPF_BUS_MAX; bus++) {
                char view[PATH_MAX];
                char **argv = NULL;
                int r;

                if (!ipf_dbus_bus_used(p, (enum ipf_bus)bus)) {
                        fprintf(f, "d-bus          %s bus: unreachable (no rule)\n",
                                ipf_bus_to_string((enum ipf_bus)bus));
                        continue;
                }
                r = ipf_dbus_view_path((enum ipf_bus)bus, h, view, sizeof(view));
                if (r >= 0)
                        r = ipf_compile_dbus_proxy_argv(p, (enum ipf_bus)bus, "ADDRESS", "SOCKET",
                                                        3, &argv);
                if (r < 0)
                        return r;
                fprintf(f, "d-bus          %s bus: only the proxy's socket, at %s:\n              ",
                        ipf_bus_to_string((enum ipf_bus)bus), view);
                for (char **a = argv; *a; a++)
                        fprintf(f, " %s", *a);
                fputc('\n', f);
                ipf_strv_free(argv);
        }
        return 0;
}

static void explain_rules(const struct ipf_policy *p, FILE *f)
{
        fputs("\nrules\n", f);
        if (p->n_rules == 0)
                fputs("  (none: every IPC endpoint outside the sandbox is denied)\n", f);
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ipf_rule *r = &p->rules[i];
                _cleanup_free_ char *text = ipf_rule_to_text(r);
                const char *how;

                switch (r->kind) {
                case IPF_RULE_NETWORK:
                        how = r->network == IPF_NETWORK_NONE
                                      ? "own network namespace"
                                      : "the host's network; TCP narrowed by the tcp rules";
                        break;
                case IPF_RULE_NETLINK:
                        how = "seccomp allows socket(AF_NETLINK) for this protocol";
                        break;
                case IPF_RULE_UNIX_CONNECT:
                        how = r->endpoint && r->endpoint[0] == '/'
                                      ? "broker connects/sends to this host path for the program"
                                      : "broker connects from the host's network namespace";
                        break;
                case IPF_RULE_UNIX_LISTEN:
                        how = r->endpoint && r->endpoint[0] == '/'
                                      ? "broker binds the program's socket at this host path"
                                      : "broker binds in the host's network namespace";
                        break;
                case IPF_RULE_FIFO_OPEN:
                case IPF_RULE_SHM_OPEN:
                        how = r->glob ? "matching objects bound into the view at start"
                                      : "bound into the view at its own path (if it exists)";
                        break;
                case IPF_RULE_SYSV_HOST:
                        how = "the host's IPC namespace: its SysV objects only";
                        break;
                case IPF_RULE_TCP_CONNECT:
                        how = p->network == IPF_NETWORK_HOST
                                      ? "broker checks host and port; Landlock the port"
                                      : "broker connects from the host's network namespace";
                        break;
                case IPF_RULE_TCP_LISTEN:
                        how = p->network == IPF_NETWORK_HOST
                                      ? "broker checks host and port; Landlock the port"
                                      : "broker binds in the host's network namespace";
                        break;
                case IPF_RULE_MQUEUE_OPEN:
                        how = "broker opens the queue in the host's IPC namespace";
                        break;
                case IPF_RULE_SIGNAL_HOST:
                        how = "the host's PID namespace; no Landlock signal scope";
                        break;
                case IPF_RULE_DBUS:
                        how = "xdg-dbus-proxy --filter outside the sandbox";
                        break;
                default:
                        how = "NOT ENFORCED by this version: `run` refuses this profile";
                        break;
                }
                fprintf(f, "  %-40s %s:%u:%u  %s\n", text ? text : "?",
                        r->origin.file ? r->origin.file : "-", r->origin.line, r->origin.col, how);
        }
}

int ipf_explain(const struct ipf_policy *p, FILE *f, struct ipf_diag *reterr)
{
        struct ipf_features features;
        struct ipf_host host;
        char xdg_buf[PATH_MAX];
        struct ipf_plan plan = {0};
        struct ipf_diag unsupported = {0};
        int r, supported;

        ipf_features_probe(&features);
        ipf_host_from_process(&host, xdg_buf);
        supported = ipf_plan_check_supported(p, &unsupported);
        /* The very plans `run` builds, even for a profile it would refuse. */
        r = ipf_plan_compile(p, &features, &host, &plan, reterr);
        if (r < 0)
                return r;

        fprintf(f, "profile        %s (%s)\n", p->name, p->source ? p->source : "built-in");
        fprintf(f,
                "kernel         Landlock ABI %d; seccomp filters; user namespaces probed at run\n",
                features.landlock_abi);
        fprintf(f, "user namespace uid %u gid %u mapped to themselves; no setuid, no file caps\n",
                (unsigned)host.uid, (unsigned)host.gid);
        explain_mounts(&plan.mounts, f);
        fprintf(f, "namespaces     %s%s%suts, cgroup\n",
                plan.clone_flags & CLONE_NEWIPC ? "ipc (SysV, POSIX mq), " : "",
                plan.clone_flags & CLONE_NEWPID ? "pid (init is pid 1, program pid 2), " : "",
                plan.clone_flags & CLONE_NEWNET ? "net (loopback only), " : "");
        explain_landlock(&plan.landlock, f);
        fputs("capabilities   all dropped, bounding and ambient sets cleared, securebits locked, "
              "no_new_privs\n",
              f);
        fprintf(f,
                "seccomp        %u BPF instructions, native ABI only (see `ipcfence compile "
                "--target=seccomp-bpf`)\n",
                plan.seccomp.len);
        fputs("broker         connect(2) and sendto(2) with a destination are decided on a copy\n"
              "               of the address and performed by ipcfence: host unix sockets by\n"
              "               path only as rules allow, the sandbox's own freely\n",
              f);
        if (ipf_policy_has(p, IPF_RULE_UNIX_LISTEN) || ipf_policy_has(p, IPF_RULE_TCP_LISTEN) ||
            p->network == IPF_NETWORK_HOST)
                fputs("               bind(2) likewise: host endpoints only as listen rules "
                      "allow\n",
                      f);
        if (ipf_policy_has(p, IPF_RULE_MQUEUE_OPEN))
                fputs("               mq_open(3), mq_unlink(3): host queues as rules allow\n", f);
        r = explain_dbus(p, &host, f);
        if (r < 0) {
                ipf_plan_done(&plan);
                return r;
        }
        fputs("descriptors    all but 0, 1, 2 closed before any layer\n", f);
        fputs("apparmor       not applied by this version\n", f);
        fputs("selinux        not applied by this version\n", f);
        explain_rules(p, f);
        if (supported < 0)
                fprintf(f, "\nrun refuses this profile: %s\n", unsupported.msg);
        ipf_plan_done(&plan);
        return 0;
}
