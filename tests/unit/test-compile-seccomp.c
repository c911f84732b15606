/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compiled seccomp filter, run in a userspace BPF evaluator against
 * (arch, syscall, args) → verdict tables. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "bpf-eval.h"
#include "compile/plan.h"
#include "profile/profile.h"

#define ALLOW SECCOMP_RET_ALLOW
#define KILL SECCOMP_RET_KILL_PROCESS
#define NOTIFY SECCOMP_RET_USER_NOTIF
#define ERR(e) (SECCOMP_RET_ERRNO | (e))
#define X32_BIT 0x40000000

struct verdict_case {
        const char *what;
        uint32_t arch;
        int nr;
        uint64_t args[6];
        uint32_t expect;
};

static const struct ipf_profile_env test_env = {
        .uid = 1000, .user = "alice", .home = "/home/alice", .xdg_runtime_dir = "/run/user/1000",
};

static bool signals_scoped = true;
static bool host_sockets = false;

static struct ipf_seccomp_plan compile_with(const char *const *rules)
{
        struct ipf_policy *p = NULL;
        struct ipf_seccomp_plan s = { 0 };
        struct ipf_diag d = { 0 };

        cr_assert_eq(ipf_policy_new("test", &p), 0);
        for (; rules && *rules; rules++)
                cr_assert_eq(ipf_profile_add_rule_text(p, *rules, "--allow", &test_env, &d), 0,
                             "%s", d.msg);
        cr_assert_eq(ipf_compile_seccomp(p, signals_scoped, host_sockets, &s, &d), 0, "%s", d.msg);
        cr_assert_gt(s.len, 0);
        ipf_policy_free(p);
        return s;
}

static void check_cases(const struct ipf_seccomp_plan *s, const struct verdict_case *c, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct seccomp_data d = { .nr = c[i].nr, .arch = c[i].arch };
                uint32_t got;

                for (int a = 0; a < 6; a++)
                        d.args[a] = c[i].args[a];
                got = bpf_eval(s->insns, s->len, &d);
                cr_expect_eq(got, c[i].expect, "%s: got 0x%x, expected 0x%x", c[i].what, got,
                             c[i].expect);
        }
}

#define X86_64 AUDIT_ARCH_X86_64

static const struct verdict_case default_cases[] = {
        { "getpid allowed", X86_64, SYS_getpid, { 0 }, ALLOW },
        { "connect goes to the broker", X86_64, SYS_connect, { 3 }, NOTIFY },
        { "sendto with a destination goes to the broker", X86_64, SYS_sendto,
          { 3, 0x1000, 10, 0, 0x2000, 16 }, NOTIFY },
        { "sendto on a connected socket does not", X86_64, SYS_sendto, { 3, 0x1000, 10, 0, 0, 0 },
          ALLOW },
        { "sendmsg is not trapped (SECURITY.md)", X86_64, SYS_sendmsg, { 3, 0x1000, 0 }, ALLOW },
        { "a filter of the program's own with a listener", X86_64, SYS_seccomp,
          { SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0x1000 }, ERR(EPERM) },
        { "listener flag among others", X86_64, SYS_seccomp,
          { SECCOMP_SET_MODE_FILTER,
            SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC, 0x1000 }, ERR(EPERM) },
        { "a plain stacked filter is fine", X86_64, SYS_seccomp,
          { SECCOMP_SET_MODE_FILTER, 0, 0x1000 }, ALLOW },
        { "ptrace", X86_64, SYS_ptrace, { 16 }, ERR(EPERM) },
        { "process_vm_readv", X86_64, SYS_process_vm_readv, { 0 }, ERR(EPERM) },
        { "process_vm_writev", X86_64, SYS_process_vm_writev, { 0 }, ERR(EPERM) },
        { "pidfd_getfd", X86_64, 438, { 0 }, ERR(EPERM) },
        { "kcmp", X86_64, SYS_kcmp, { 0 }, ERR(EPERM) },
        { "io_uring_setup", X86_64, 425, { 0 }, ERR(EPERM) },
        { "io_uring_enter", X86_64, 426, { 0 }, ERR(EPERM) },
        { "io_uring_register", X86_64, 427, { 0 }, ERR(EPERM) },
        { "bpf", X86_64, SYS_bpf, { 0 }, ERR(EPERM) },
        { "userfaultfd", X86_64, SYS_userfaultfd, { 0 }, ERR(EPERM) },
        { "perf_event_open", X86_64, SYS_perf_event_open, { 0 }, ERR(EPERM) },
        { "keyctl", X86_64, SYS_keyctl, { 0 }, ERR(EPERM) },
        { "add_key", X86_64, SYS_add_key, { 0 }, ERR(EPERM) },
        { "request_key", X86_64, SYS_request_key, { 0 }, ERR(EPERM) },
        { "unshare", X86_64, SYS_unshare, { CLONE_NEWUSER }, ERR(EPERM) },
        { "setns", X86_64, SYS_setns, { 3, 0 }, ERR(EPERM) },
        { "mount", X86_64, SYS_mount, { 0 }, ERR(EPERM) },
        { "fsopen", X86_64, 430, { 0 }, ERR(EPERM) },
        { "open_tree", X86_64, 428, { 0 }, ERR(EPERM) },
        { "move_mount", X86_64, 429, { 0 }, ERR(EPERM) },
        { "open_tree_attr (newer than libseccomp)", X86_64, 467, { 0 }, ERR(EPERM) },
        { "clone3 → ENOSYS for the libc fallback", X86_64, 435, { 0 }, ERR(ENOSYS) },
        { "fork-like clone", X86_64, SYS_clone, { SIGCHLD }, ALLOW },
        { "thread clone", X86_64, SYS_clone,
          { CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM },
          ALLOW },
        { "clone NEWUSER", X86_64, SYS_clone, { CLONE_NEWUSER | SIGCHLD }, ERR(EPERM) },
        { "clone NEWNET", X86_64, SYS_clone, { CLONE_NEWNET }, ERR(EPERM) },
        { "clone NEWNS", X86_64, SYS_clone, { CLONE_NEWNS }, ERR(EPERM) },
        { "clone NEWPID", X86_64, SYS_clone, { CLONE_NEWPID }, ERR(EPERM) },
        { "clone NEWIPC", X86_64, SYS_clone, { CLONE_NEWIPC }, ERR(EPERM) },
        { "clone NEWUTS", X86_64, SYS_clone, { CLONE_NEWUTS }, ERR(EPERM) },
        { "clone NEWCGROUP", X86_64, SYS_clone, { CLONE_NEWCGROUP }, ERR(EPERM) },
        { "TIOCSTI", X86_64, SYS_ioctl, { 0, TIOCSTI }, ERR(EPERM) },
        { "TIOCSTI with high bits (CVE-2019-10063)", X86_64, SYS_ioctl,
          { 0, 0xffffffff00000000ull | TIOCSTI }, ERR(EPERM) },
        { "TIOCLINUX", X86_64, SYS_ioctl, { 0, 0x541C }, ERR(EPERM) },
        { "TCGETS allowed", X86_64, SYS_ioctl, { 0, TCGETS }, ALLOW },
        { "AF_UNIX", X86_64, SYS_socket, { AF_UNIX, SOCK_STREAM }, ALLOW },
        { "AF_INET", X86_64, SYS_socket, { AF_INET, SOCK_STREAM }, ALLOW },
        { "AF_INET6", X86_64, SYS_socket, { AF_INET6, SOCK_DGRAM }, ALLOW },
        { "AF_UNSPEC", X86_64, SYS_socket, { AF_UNSPEC }, ERR(EAFNOSUPPORT) },
        { "AF_NETLINK without a rule", X86_64, SYS_socket, { AF_NETLINK, SOCK_RAW, 0 },
          ERR(EAFNOSUPPORT) },
        { "AF_PACKET", X86_64, SYS_socket, { AF_PACKET, SOCK_RAW }, ERR(EAFNOSUPPORT) },
        { "AF_VSOCK", X86_64, SYS_socket, { AF_VSOCK, SOCK_STREAM }, ERR(EAFNOSUPPORT) },
        { "AF_ALG", X86_64, SYS_socket, { AF_ALG, SOCK_SEQPACKET }, ERR(EAFNOSUPPORT) },
        { "AF_TIPC", X86_64, SYS_socket, { AF_TIPC, SOCK_RDM }, ERR(EAFNOSUPPORT) },
        { "family 63", X86_64, SYS_socket, { 63 }, ERR(EAFNOSUPPORT) },
        { "family 64", X86_64, SYS_socket, { 64 }, ERR(EAFNOSUPPORT) },
        { "AF_UNIX with garbage high bits", X86_64, SYS_socket, { 0x100000001ull },
          ERR(EAFNOSUPPORT) },
        { "MPTCP v4", X86_64, SYS_socket, { AF_INET, SOCK_STREAM, 262 }, ERR(EPROTONOSUPPORT) },
        { "MPTCP v6", X86_64, SYS_socket, { AF_INET6, SOCK_STREAM, 262 }, ERR(EPROTONOSUPPORT) },
        { "MPTCP with high bits (red team #6)", X86_64, SYS_socket,
          { AF_INET, SOCK_STREAM, 0x100000000ull | 262 }, ERR(EPROTONOSUPPORT) },
        { "TCP", X86_64, SYS_socket, { AF_INET, SOCK_STREAM, 6 }, ALLOW },
        { "socketpair AF_UNIX", X86_64, SYS_socketpair, { AF_UNIX, SOCK_STREAM }, ALLOW },
        { "socketpair AF_TIPC", X86_64, SYS_socketpair, { AF_TIPC }, ERR(EAFNOSUPPORT) },
        { "i386 ABI is killed", AUDIT_ARCH_I386, 102 /* socketcall */, { 0 }, KILL },
        { "i386 getpid is killed too", AUDIT_ARCH_I386, 20, { 0 }, KILL },
        { "x32 ABI is killed", X86_64, X32_BIT | SYS_getpid, { 0 }, KILL },
        { "aarch64 ABI is killed", AUDIT_ARCH_AARCH64, SYS_getpid, { 0 }, KILL },
};

Test(seccomp, default_profile_verdicts)
{
        struct ipf_seccomp_plan s = compile_with(NULL);

        check_cases(&s, default_cases, sizeof(default_cases) / sizeof(default_cases[0]));
        ipf_seccomp_plan_done(&s);
}

static const struct verdict_case netlink_route_cases[] = {
        { "NETLINK_ROUTE", X86_64, SYS_socket, { AF_NETLINK, SOCK_RAW, NETLINK_ROUTE }, ALLOW },
        { "NETLINK_AUDIT", X86_64, SYS_socket, { AF_NETLINK, SOCK_RAW, NETLINK_AUDIT },
          ERR(EPROTONOSUPPORT) },
        { "NETLINK_KOBJECT_UEVENT", X86_64, SYS_socket,
          { AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT }, ERR(EPROTONOSUPPORT) },
        { "netlink protocol 31", X86_64, SYS_socket, { AF_NETLINK, SOCK_RAW, 31 },
          ERR(EPROTONOSUPPORT) },
        { "netlink protocol 32", X86_64, SYS_socket, { AF_NETLINK, SOCK_RAW, 32 },
          ERR(EPROTONOSUPPORT) },
        { "netlink route with high bits", X86_64, SYS_socket,
          { AF_NETLINK, SOCK_RAW, 0x100000000ull }, ERR(EPROTONOSUPPORT) },
        { "AF_PACKET still denied", X86_64, SYS_socket, { AF_PACKET }, ERR(EAFNOSUPPORT) },
        { "AF_UNIX still allowed", X86_64, SYS_socket, { AF_UNIX }, ALLOW },
};

Test(seccomp, netlink_rule_opens_one_protocol)
{
        static const char *const rules[] = { "netlink route", NULL };
        struct ipf_seccomp_plan s = compile_with(rules);

        check_cases(&s, netlink_route_cases,
                    sizeof(netlink_route_cases) / sizeof(netlink_route_cases[0]));
        ipf_seccomp_plan_done(&s);
}

Test(seccomp, netlink_two_families)
{
        static const char *const rules[] = { "netlink audit", "netlink kobject-uevent", NULL };
        static const struct verdict_case cases[] = {
                { "audit", X86_64, SYS_socket, { AF_NETLINK, SOCK_RAW, NETLINK_AUDIT }, ALLOW },
                { "uevent", X86_64, SYS_socket, { AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT },
                  ALLOW },
                { "route", X86_64, SYS_socket, { AF_NETLINK, SOCK_RAW, NETLINK_ROUTE },
                  ERR(EPROTONOSUPPORT) },
        };
        struct ipf_seccomp_plan s = compile_with(rules);

        check_cases(&s, cases, sizeof(cases) / sizeof(cases[0]));
        ipf_seccomp_plan_done(&s);
}

Test(seccomp, every_family_below_limit_is_decided)
{
        struct ipf_seccomp_plan s = compile_with(NULL);

        for (uint64_t af = 0; af < 70; af++) {
                struct seccomp_data d = { .nr = SYS_socket, .arch = X86_64, .args = { af } };
                bool allowed = af == AF_UNIX || af == AF_INET || af == AF_INET6;

                cr_expect_eq(bpf_eval(s.insns, s.len, &d), allowed ? ALLOW : ERR(EAFNOSUPPORT),
                             "family %llu", (unsigned long long)af);
        }
        ipf_seccomp_plan_done(&s);
}

/* Red team #2: without Landlock's signal scope, kill(0) would reach the
 * caller's host process group. */
Test(seccomp, kill_zero_denied_without_signal_scope)
{
        static const struct verdict_case scoped[] = {
                { "kill(0) with the scope", X86_64, SYS_kill, { 0, SIGTERM }, ALLOW },
                { "kill(pid)", X86_64, SYS_kill, { 5, SIGTERM }, ALLOW },
        };
        static const struct verdict_case unscoped[] = {
                { "kill(0) without the scope", X86_64, SYS_kill, { 0, SIGTERM }, ERR(EPERM) },
                { "kill(0) with high bits", X86_64, SYS_kill, { 0x100000000ull, SIGTERM },
                  ERR(EPERM) },
                { "kill(pid) still fine", X86_64, SYS_kill, { 5, SIGTERM }, ALLOW },
                { "kill(-1) stays in the PID namespace", X86_64, SYS_kill, { (uint64_t)-1, 9 },
                  ALLOW },
        };
        struct ipf_seccomp_plan s;

        signals_scoped = true;
        s = compile_with(NULL);
        check_cases(&s, scoped, sizeof(scoped) / sizeof(scoped[0]));
        ipf_seccomp_plan_done(&s);
        signals_scoped = false;
        s = compile_with(NULL);
        check_cases(&s, unscoped, sizeof(unscoped) / sizeof(unscoped[0]));
        ipf_seccomp_plan_done(&s);
        signals_scoped = true;
}

/* `sysv host` shares the host's POSIX queues too: mq_open is refused. */
Test(seccomp, sysv_host_refuses_posix_queues)
{
        static const char *const rules[] = {"sysv host", NULL};
        static const struct verdict_case cases[] = {
                {"mq_open", X86_64, SYS_mq_open, {0x1000, 0}, ERR(EACCES)},
                {"mq_unlink", X86_64, SYS_mq_unlink, {0x1000}, ERR(EACCES)},
                {"shmget", X86_64, SYS_shmget, {1234, 4096, 0}, ALLOW},
        };
        static const struct verdict_case own_ns[] = {
                {"mq_open in the sandbox's own namespace", X86_64, SYS_mq_open, {0x1000, 0},
                 ALLOW},
        };
        struct ipf_seccomp_plan s = compile_with(rules);

        check_cases(&s, cases, sizeof(cases) / sizeof(cases[0]));
        ipf_seccomp_plan_done(&s);
        s = compile_with(NULL);
        check_cases(&s, own_ns, sizeof(own_ns) / sizeof(own_ns[0]));
        ipf_seccomp_plan_done(&s);
}

/* Round 2 #1: MSG_FASTOPEN is an untrapped connect. */
Test(seccomp, fastopen_refused)
{
        static const struct verdict_case cases[] = {
                {"sendmsg MSG_FASTOPEN", X86_64, SYS_sendmsg, {3, 0x1000, MSG_FASTOPEN},
                 ERR(EOPNOTSUPP)},
                {"sendmsg with other flags", X86_64, SYS_sendmsg, {3, 0x1000, MSG_NOSIGNAL},
                 ALLOW},
                {"sendmmsg MSG_FASTOPEN", X86_64, SYS_sendmmsg, {3, 0x1000, 2, MSG_FASTOPEN},
                 ERR(EOPNOTSUPP)},
                {"sendto MSG_FASTOPEN without destination", X86_64, SYS_sendto,
                 {3, 0x1000, 1, MSG_FASTOPEN, 0, 0}, ERR(EOPNOTSUPP)},
                {"sendto MSG_FASTOPEN with destination: the broker decides", X86_64, SYS_sendto,
                 {3, 0x1000, 1, MSG_FASTOPEN, 0x2000, 16}, NOTIFY},
        };
        struct ipf_seccomp_plan s = compile_with(NULL);

        check_cases(&s, cases, sizeof(cases) / sizeof(cases[0]));
        ipf_seccomp_plan_done(&s);
}

/* Listen rules and `network host` send bind(2) to the broker; otherwise
 * the sandbox's own network and Landlock confine it untrapped. */
Test(seccomp, bind_trapped_only_when_endpoints_can_reach_the_host)
{
        static const char *const listen_unix[] = {"unix listen /run/app.sock", NULL};
        static const char *const listen_tcp[] = {"tcp listen 8080", NULL};
        static const char *const host[] = {"network host", NULL};
        static const char *const *trapping[] = {listen_unix, listen_tcp, host};
        static const struct verdict_case trapped[] = {
                {"bind goes to the broker", X86_64, SYS_bind, {3, 0x1000, 16}, NOTIFY},
                {"listen goes to the broker", X86_64, SYS_listen, {3, 5}, NOTIFY},
        };
        static const struct verdict_case untrapped[] = {
                {"bind is not trapped", X86_64, SYS_bind, {3, 0x1000, 16}, ALLOW},
                {"listen is not trapped", X86_64, SYS_listen, {3, 5}, ALLOW},
        };
        struct ipf_seccomp_plan s;

        for (size_t i = 0; i < sizeof(trapping) / sizeof(trapping[0]); i++) {
                s = compile_with(trapping[i]);
                check_cases(&s, trapped, 2);
                ipf_seccomp_plan_done(&s);
        }
        s = compile_with(NULL);
        check_cases(&s, untrapped, 2);
        ipf_seccomp_plan_done(&s);
        /* A host socket among descriptors 0-2 (round 5 #1). */
        host_sockets = true;
        s = compile_with(NULL);
        check_cases(&s, trapped, 2);
        ipf_seccomp_plan_done(&s);
        host_sockets = false;
}

/* `mqueue open` rules: the broker opens host queues, with or without
 * `sysv host`. */
Test(seccomp, mqueue_rules_trap_queue_calls)
{
        static const char *const rules[] = {"mqueue open /q", NULL};
        static const char *const with_sysv[] = {"mqueue open /q", "sysv host", NULL};
        static const struct verdict_case cases[] = {
                {"mq_open", X86_64, SYS_mq_open, {0x1000, 0}, NOTIFY},
                {"mq_unlink", X86_64, SYS_mq_unlink, {0x1000}, NOTIFY},
                {"mq_timedsend on a descriptor", X86_64, SYS_mq_timedsend, {3, 0x1000, 1}, ALLOW},
        };
        struct ipf_seccomp_plan s = compile_with(rules);

        check_cases(&s, cases, sizeof(cases) / sizeof(cases[0]));
        ipf_seccomp_plan_done(&s);
        s = compile_with(with_sysv);
        check_cases(&s, cases, sizeof(cases) / sizeof(cases[0]));
        ipf_seccomp_plan_done(&s);
}

/* `signal host` lifts the kill(0) refusal that stands in for the scope;
 * `network host` implies `netlink route` and nothing more. */
Test(seccomp, host_sharing_rules)
{
        static const char *const signal_host[] = {"signal host", NULL};
        static const char *const network_host[] = {"network host", NULL};
        static const struct verdict_case signal_cases[] = {
                {"kill(0) with signal host", X86_64, SYS_kill, {0, SIGTERM}, ALLOW},
        };
        static const struct verdict_case network_cases[] = {
                {"netlink route", X86_64, SYS_socket, {AF_NETLINK, SOCK_RAW, NETLINK_ROUTE},
                 ALLOW},
                {"netlink audit stays refused", X86_64, SYS_socket,
                 {AF_NETLINK, SOCK_RAW, NETLINK_AUDIT}, ERR(EPROTONOSUPPORT)},
                {"AF_PACKET stays refused", X86_64, SYS_socket, {AF_PACKET, SOCK_RAW},
                 ERR(EAFNOSUPPORT)},
        };
        struct ipf_seccomp_plan s;

        signals_scoped = false;
        s = compile_with(signal_host);
        check_cases(&s, signal_cases, 1);
        ipf_seccomp_plan_done(&s);
        signals_scoped = true;
        s = compile_with(network_host);
        check_cases(&s, network_cases, sizeof(network_cases) / sizeof(network_cases[0]));
        ipf_seccomp_plan_done(&s);
}
