/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp compiler: policy → BPF program (plain data). The default action is
 * ALLOW; the filter is a deny list of the syscalls that bypass the other
 * layers (SPEC §1). Only the native architecture is accepted: a syscall from
 * any other ABI (i386, x32 on x86-64) kills the process, so the `socketcall`
 * and `ipc` multiplexers and compat numbers never reach the allow path. */
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "compile/plan.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
/* Address families the kernel knows; anything at or above is refused too. */
#define IPF_AF_LIMIT 64
#define IPF_NETLINK_PROTO_LIMIT 32 /* MAX_LINKS */

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/* Syscalls denied outright, and why. Numbers, not names: resolving names
 * at run time costs every launch. Syscalls newer than the installed
 * libseccomp come from lib/sys/syscalls.h. */
static const struct {
        int nr;
        int err;
} deny_table[] = {
        /* ptrace and friends: reading/writing another process */
        {SCMP_SYS(ptrace), EPERM},
        {SCMP_SYS(process_vm_readv), EPERM},
        {SCMP_SYS(process_vm_writev), EPERM},
        {SCMP_SYS(pidfd_getfd), EPERM},
        {SCMP_SYS(kcmp), EPERM},
        /* io_uring performs socket/connect/open without passing seccomp
         * (firejail#7058); Linux 7.0 can filter its ops, until then block. */
        {SCMP_SYS(io_uring_setup), EPERM},
        {SCMP_SYS(io_uring_enter), EPERM},
        {SCMP_SYS(io_uring_register), EPERM},
        /* kernel attack surface outside IPC confinement */
        {SCMP_SYS(bpf), EPERM},
        {SCMP_SYS(userfaultfd), EPERM},
        {SCMP_SYS(perf_event_open), EPERM},
        {SCMP_SYS(add_key), EPERM},
        {SCMP_SYS(request_key), EPERM},
        {SCMP_SYS(keyctl), EPERM},
        /* a nested user namespace would hand out capabilities again */
        {SCMP_SYS(unshare), EPERM},
        {SCMP_SYS(setns), EPERM},
        /* the mount view must stay as built (old and new mount API) */
        {SCMP_SYS(mount), EPERM},
        {SCMP_SYS(umount2), EPERM},
        {SCMP_SYS(pivot_root), EPERM},
        {SCMP_SYS(open_tree), EPERM},
        {__NR_open_tree_attr, EPERM},
        {SCMP_SYS(move_mount), EPERM},
        {SCMP_SYS(fsopen), EPERM},
        {SCMP_SYS(fsconfig), EPERM},
        {SCMP_SYS(fsmount), EPERM},
        {SCMP_SYS(fspick), EPERM},
        {SCMP_SYS(mount_setattr), EPERM},
        /* clone3 passes its flags in memory BPF cannot read (CVE-2021-41133):
         * ENOSYS makes libc fall back to clone, whose flags we can check. */
        {SCMP_SYS(clone3), ENOSYS},
};

static int add_deny_table(scmp_filter_ctx ctx)
{
        for (size_t i = 0; i < ELEMENTSOF(deny_table); i++) {
                int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(deny_table[i].err), deny_table[i].nr,
                                         0);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* clone(2) with any namespace flag: one rule per flag (the rules OR). The
 * flags are argument 0 on x86-64, arm64 and most others (not s390). */
static int add_clone_rules(scmp_filter_ctx ctx)
{
        static const uint64_t ns_flags[] = {
                CLONE_NEWNS,  CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
                CLONE_NEWIPC, CLONE_NEWUTS,  CLONE_NEWCGROUP,
        };

        for (size_t i = 0; i < ELEMENTSOF(ns_flags); i++) {
                int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                         SCMP_A0_64(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Terminal injection: the kernel compares the ioctl request as a 32-bit
 * int, so must we (CVE-2019-10063: high bits set slipped past 64-bit
 * compares). libseccomp's SCMP_A1_32() only truncates the datum and still
 * compares all 64 bits, so mask explicitly. */
static int add_ioctl_rules(scmp_filter_ctx ctx)
{
        static const unsigned long requests[] = {TIOCSTI, TIOCLINUX};
        /* ioctl(2) is frequent and, matched on an argument, cannot be
         * allowed by number from the kernel's action cache: the filter
         * tests it first, not after the rarely called syscalls. */
        int r = seccomp_syscall_priority(ctx, SCMP_SYS(ioctl), 255);

        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(requests) && r >= 0; i++)
                r = seccomp_rule_add(
                        ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                        SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint64_t)requests[i]));
        return r < 0 ? r : 0;
}

/* The broker (lib/supervise/broker.c) performs these on the program's
 * behalf after checking a copy of the address: connect(2) always, sendto(2)
 * when it names a destination. BPF cannot read the address, so every such
 * call is a notification; sendmsg(2) is not trapped (SECURITY.md). */
static int add_broker_rules(scmp_filter_ctx ctx)
{
        int r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect), 0);

        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendto), 1,
                                     SCMP_A4_64(SCMP_CMP_NE, 0));
        /* MSG_FASTOPEN makes a send an implicit connect(2) that is not
         * trapped (and that Landlock's TCP hooks do not see either): on a
         * host-side socket the broker installed and the peer then closed,
         * it reached any host endpoint (round 2 #1). sendto(2) with a
         * destination goes to the broker, which checks it like a connect. */
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EOPNOTSUPP), SCMP_SYS(sendmsg), 1,
                                     SCMP_A2_64(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EOPNOTSUPP), SCMP_SYS(sendmmsg), 1,
                                     SCMP_A3_64(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EOPNOTSUPP), SCMP_SYS(sendto), 2,
                                     SCMP_A3_64(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN),
                                     SCMP_A4_64(SCMP_CMP_EQ, 0));
        /* A filter of the program's own with a listener would win over ours
         * for the same syscalls (the newest USER_NOTIF filter answers) and
         * could CONTINUE them past the broker. */
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 1,
                                     SCMP_A1_64(SCMP_CMP_MASKED_EQ,
                                                SECCOMP_FILTER_FLAG_NEW_LISTENER,
                                                SECCOMP_FILTER_FLAG_NEW_LISTENER));
        return r < 0 ? r : 0;
}

/* bind(2) and listen(2) go to the broker when an endpoint may be created on the host
 * side (listen rules), and under `network host`, where the program's
 * abstract names and ports are the host's, and when the program inherits a
 * host socket (descriptors 0-2: it could bind it to a host name or port
 * and listen, red team round 5 #1; any number, since it can dup it).
 * Otherwise the sandbox's own network namespace and Landlock's MAKE_SOCK
 * confine it, untrapped. */
static int add_bind_rules(scmp_filter_ctx ctx, const struct ipf_policy *p, bool host_sockets)
{
        int r;

        if (!ipf_policy_has(p, IPF_RULE_UNIX_LISTEN) && !ipf_policy_has(p, IPF_RULE_TCP_LISTEN) &&
            p->network != IPF_NETWORK_HOST && !host_sockets)
                return 0;
        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(bind), 0);
        /* listen(2) on an unbound socket binds it (autobind), unchecked. */
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(listen), 0);
        return r < 0 ? r : 0;
}

/* `network host` implies `netlink route` (SPEC §4). */
static uint32_t netlink_families(const struct ipf_policy *p)
{
        return p->netlink | (p->network == IPF_NETWORK_HOST ? 1u << IPF_NETLINK_ROUTE : 0);
}

static bool family_allowed(const struct ipf_policy *p, uint64_t af)
{
        return af == AF_UNIX || af == AF_INET || af == AF_INET6 ||
               (af == AF_NETLINK && netlink_families(p) != 0);
}

static bool netlink_protocol_allowed(const struct ipf_policy *p, uint64_t proto)
{
        for (int n = 0; n < _IPF_NETLINK_MAX; n++)
                if ((netlink_families(p) & (1u << n)) && (uint64_t)ipf_netlink_protocol(n) == proto)
                        return true;
        return false;
}

/* Deny argument ARG of SYSCALL in [lo, hi] with as few rules as possible:
 * the range is covered by aligned power-of-two blocks, one masked compare
 * each (libseccomp cannot put two comparisons on one argument). A filter of
 * a few rules instead of one per value compiles several times faster, which
 * every launch pays. EXTRA, when set, is ANDed to each rule. */
static int deny_range(scmp_filter_ctx ctx, int err, int syscall_nr, unsigned arg, uint64_t lo,
                      uint64_t hi, const struct scmp_arg_cmp *extra)
{
        while (lo <= hi) {
                uint64_t size = 1;
                struct scmp_arg_cmp cmp[2];
                int r;

                while (lo % (size * 2) == 0 && lo + size * 2 - 1 <= hi)
                        size *= 2;
                cmp[0] = (struct scmp_arg_cmp){.arg = arg,
                                               .op = SCMP_CMP_MASKED_EQ,
                                               .datum_a = ~(size - 1),
                                               .datum_b = lo};
                if (extra)
                        cmp[1] = *extra;
                r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), syscall_nr, extra ? 2 : 1,
                                           cmp);
                if (r < 0)
                        return r;
                lo += size;
        }
        return 0;
}

/* Deny every value of ARG in [0, limit) for which ALLOWED is false, and
 * every value at or above LIMIT. Compared on 64 bits, so garbage in the
 * upper half is refused rather than truncated into an allowed value. */
static int deny_all_but(scmp_filter_ctx ctx, int err, int syscall_nr, unsigned arg, uint64_t limit,
                        const struct ipf_policy *p,
                        bool (*allowed)(const struct ipf_policy *, uint64_t),
                        const struct scmp_arg_cmp *extra)
{
        struct scmp_arg_cmp cmp[2] = {
                {.arg = arg, .op = SCMP_CMP_GE, .datum_a = limit},
        };
        uint64_t lo = 0;
        int r;

        for (uint64_t v = 0; v <= limit; v++) {
                if (v < limit && !allowed(p, v))
                        continue;
                if (v > lo) {
                        r = deny_range(ctx, err, syscall_nr, arg, lo, v - 1, extra);
                        if (r < 0)
                                return r;
                }
                lo = v + 1;
        }
        if (extra)
                cmp[1] = *extra;
        r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), syscall_nr, extra ? 2 : 1, cmp);
        return r < 0 ? r : 0;
}

/* socket(2): AF_UNIX, AF_INET, AF_INET6 and the netlink protocols a rule
 * opens; MPTCP refused because it bypasses Landlock TCP port rules
 * (landlock-lsm/linux#54). */
static int add_socket_rules(scmp_filter_ctx ctx, const struct ipf_policy *p)
{
        static const int inet_families[] = {AF_INET, AF_INET6};
        int r;

        r = deny_all_but(ctx, EAFNOSUPPORT, SCMP_SYS(socket), 0, IPF_AF_LIMIT, p, family_allowed,
                         NULL);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(inet_families); i++)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT), SCMP_SYS(socket), 2,
                                     SCMP_A0_64(SCMP_CMP_EQ, (uint64_t)inet_families[i]),
                                     /* the kernel reads an int: high bits must not hide it */
                                     SCMP_A2_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, IPPROTO_MPTCP));
        if (r >= 0 && netlink_families(p) != 0) {
                struct scmp_arg_cmp is_netlink = SCMP_A0_64(SCMP_CMP_EQ, AF_NETLINK);

                r = deny_all_but(ctx, EPROTONOSUPPORT, SCMP_SYS(socket), 2, IPF_NETLINK_PROTO_LIMIT,
                                 p, netlink_protocol_allowed, &is_netlink);
        }
        /* socketpair(2) only makes sense for AF_UNIX; refuse the rest so that
         * no other family (e.g. AF_TIPC) is reachable through it. */
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                                     SCMP_A0_64(SCMP_CMP_NE, AF_UNIX));
        return r < 0 ? r : 0;
}

/* Without Landlock's signal scope (ABI < 6), kill(0, sig) reaches the
 * process group the program shares with the caller on the host: the PID
 * namespace hides host pids, not the group (red team #2). */
static int add_signal_rules(scmp_filter_ctx ctx, const struct ipf_policy *p, bool signals_scoped)
{
        int r;

        if (signals_scoped || p->signal_host)
                return 0;
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1,
                             SCMP_A0_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0));
        return r < 0 ? r : 0;
}

/* `mqueue open` rules: mq_open(2) and mq_unlink(2) go to the broker, which
 * opens an allowed queue in the host's IPC namespace. Without them, and
 * with `sysv host` (the host's IPC namespace, and with it the host's POSIX
 * queues, which mq_open(2) reaches whatever /dev/mqueue shows), they are
 * refused (SPEC §4: host queues only through `mqueue open` rules). */
static int add_mqueue_rules(scmp_filter_ctx ctx, const struct ipf_policy *p)
{
        bool rules = ipf_policy_has(p, IPF_RULE_MQUEUE_OPEN);
        uint32_t action = rules ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(EACCES);
        int r = 0;

        if (!rules && !p->sysv_host)
                return 0; /* own IPC namespace: only the sandbox's queues */
        r = seccomp_rule_add(ctx, action, SCMP_SYS(mq_open), 0);
        if (r >= 0)
                r = seccomp_rule_add(ctx, action, SCMP_SYS(mq_unlink), 0);
        return r < 0 ? r : 0;
}

static int seccomp_ctx_build(const struct ipf_policy *p, bool signals_scoped, bool host_sockets,
                             scmp_filter_ctx *ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        /* Foreign ABIs die: their syscall numbers mean other things. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;
        /* We set no_new_privs ourselves, earlier, for Landlock. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return r;

        r = add_deny_table(ctx);
        if (r >= 0)
                r = add_clone_rules(ctx);
        if (r >= 0)
                r = add_ioctl_rules(ctx);
        if (r >= 0)
                r = add_socket_rules(ctx, p);
        if (r >= 0)
                r = add_broker_rules(ctx);
        if (r >= 0)
                r = add_bind_rules(ctx, p, host_sockets);
        if (r >= 0)
                r = add_signal_rules(ctx, p, signals_scoped);
        if (r >= 0)
                r = add_mqueue_rules(ctx, p);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ctx);
        return 0;
}

int ipf_compile_seccomp(const struct ipf_policy *p, bool signals_scoped, bool host_sockets,
                        struct ipf_seccomp_plan *ret, struct ipf_diag *reterr)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ struct sock_filter *insns = NULL;
        off_t size;
        int r;

        r = seccomp_ctx_build(p, signals_scoped, host_sockets, &ctx);
        if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot build seccomp filter: %s", strerror(-r));
                return r;
        }

        /* libseccomp 2.5 exports BPF only to a file descriptor. */
        fd = memfd_create("ipcfence-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot export seccomp filter: %s", strerror(-r));
                return r;
        }
        size = lseek(fd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
            size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
                ipf_diag_set(reterr, NULL, 0, 0, "seccomp filter has a bad size (%lld)",
                             (long long)size);
                return -EINVAL;
        }
        insns = malloc(size);
        if (!insns)
                return -ENOMEM;
        if (pread(fd, insns, size, 0) != size)
                return -EIO;
        ret->len = (unsigned short)(size / sizeof(struct sock_filter));
        ret->flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
        ret->insns = TAKE_PTR(insns);
        return 0;
}

void ipf_seccomp_plan_done(struct ipf_seccomp_plan *s)
{
        free(s->insns);
        *s = (struct ipf_seccomp_plan){0};
}

int ipf_compile_seccomp_text(const struct ipf_policy *p, FILE *out, struct ipf_diag *reterr)
{
        struct ipf_features f;
        struct ipf_host h;
        char xdg_buf[PATH_MAX];
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ipf_features_probe(&f);
        ipf_host_from_process(&h, xdg_buf);
        r = seccomp_ctx_build(p, f.landlock_abi >= 6 && !p->signal_host, h.stdio_socket, &ctx);
        if (r < 0) {
                ipf_diag_set(reterr, NULL, 0, 0, "cannot build seccomp filter: %s", strerror(-r));
                return r;
        }
        if (fflush(out) != 0)
                return -errno;
        r = seccomp_export_pfc(ctx, fileno(out));
        return r < 0 ? r : 0;
}
