/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel interfaces that bypass an IPC policy (SPEC §1): io_uring, bpf,
 * userfaultfd, perf_event_open, keyrings, nested namespaces, the mount API,
 * MPTCP and foreign socket families, terminal injection. Each is compared
 * with a control run of the same probe in a plain user namespace (see
 * itest_assert_filtered()), so that a missing filter shows as a failure
 * rather than as the kernel's own refusal. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

ITEST_SUITE(seccomp);

Test(seccomp, io_uring_denied)
{
        itest_assert_filtered("io-uring", (char *)NULL);
}

Test(seccomp, bpf_denied)
{
        itest_assert_filtered("bpf", (char *)NULL);
}

Test(seccomp, userfaultfd_denied)
{
        itest_assert_filtered("userfaultfd", (char *)NULL);
}

Test(seccomp, dev_userfaultfd_hidden)
{
        struct itest_result r;

        IN(&r, "stat", "/dev/userfaultfd");
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s", itest_show(&r));
        IN(&r, "dev-userfaultfd");
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
}

Test(seccomp, perf_event_open_denied)
{
        itest_assert_filtered("perf-event-open", (char *)NULL);
}

Test(seccomp, keyrings_denied)
{
        itest_assert_filtered("keyctl", (char *)NULL);
        itest_assert_filtered("add-key", (char *)NULL);
        itest_assert_filtered("request-key", (char *)NULL);
}

Test(seccomp, nested_namespaces_denied)
{
        itest_assert_filtered("unshare-user", (char *)NULL);
        itest_assert_filtered("unshare-net", (char *)NULL);
        itest_assert_filtered("clone-newuser", (char *)NULL);
        itest_assert_filtered("setns-net", (char *)NULL);
}

/* clone3's flags live in memory that seccomp cannot read: the only safe
 * answer is ENOSYS, which makes libc fall back to clone(). */
Test(seccomp, clone3_enosys)
{
        struct itest_result r;

        IN(&r, "clone3");
        cr_assert_str_eq(itest_line(&r), "ENOSYS", "%s", itest_show(&r));
}

/* fork() still works (glibc falls back from clone3 to clone). */
Test(seccomp, fork_still_works)
{
        struct itest_result r;

        IPF(&r, "--", "sh", "-c", "/bin/true && echo forked");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_str_eq(itest_line(&r), "forked", "%s", itest_show(&r));
}

Test(seccomp, mount_api_denied)
{
        itest_assert_filtered("fsopen", (char *)NULL);
        itest_assert_filtered("open-tree", (char *)NULL);
        itest_assert_filtered("mount-tmpfs", (char *)NULL);
}

Test(seccomp, mptcp_socket_denied)
{
        itest_assert_filtered("mptcp-socket", (char *)NULL);
        itest_assert_filtered("socket", "10", "1", "262", (char *)NULL); /* AF_INET6 */
}

Test(seccomp, packet_socket_denied)
{
        itest_assert_filtered("packet-socket", (char *)NULL);
}

Test(seccomp, netlink_denied_by_default)
{
        itest_assert_filtered("netlink-socket", "route", (char *)NULL);
        itest_assert_filtered("netlink-socket", "audit", (char *)NULL);
        itest_assert_filtered("netlink-socket", "kobject-uevent", (char *)NULL);
}

/* Plain inet and unix sockets stay available (they are needed inside). */
Test(seccomp, unix_and_inet_sockets_allowed)
{
        struct itest_result r;

        IN(&r, "socket", "1", "1", "0"); /* AF_UNIX, SOCK_STREAM */
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        IN(&r, "socket", "2", "2", "0"); /* AF_INET, SOCK_DGRAM */
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        IN(&r, "socket", "10", "1", "0"); /* AF_INET6, SOCK_STREAM */
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
}

/* `netlink FAMILY` opens exactly that family. */
Test(seccomp, netlink_rule_opens_one_family)
{
        struct itest_result r;

        IPF(&r, "-a", "netlink route", "--", itest_probe(), "netlink-socket", "route");
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        IPF(&r, "--allow=netlink route", "--", itest_probe(), "netlink-socket", "audit");
        cr_assert(itest_denied(&r), "netlink audit with only 'netlink route': %s", itest_show(&r));
        IPF(&r, "-a", "netlink kobject-uevent", "--", itest_probe(), "netlink-socket",
            "kobject-uevent");
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        IPF(&r, "-a", "netlink audit", "--", itest_probe(), "netlink-socket", "audit");
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
}

/* Terminal injection: the host keeps a second fd on the pty and reads what
 * reached the input queue. The control (no ipcfence) must inject. */
static void tty_injection_denied(const char *op)
{
        struct itest_result r;
        char control[64];
        int slave, reader;

        itest_pty(&slave, &reader);
        itest_run_with_stdin(&r, slave, false, op);
        if (strcmp(op, "tioclinux") != 0) {
                if (strcmp(itest_line(&r), "ok") == 0)
                        cr_assert_eq(itest_pty_pending(reader), 1,
                                     "control: %s said ok but nothing was injected", op);
                else
                        cr_log_warn("control: %s outside gave '%s' (legacy TIOCSTI disabled?)", op,
                                    itest_line(&r));
        }
        snprintf(control, sizeof(control), "%.60s", itest_line(&r));

        itest_run_with_stdin(&r, slave, true, op);
        cr_assert(itest_denied(&r), "%s inside: %s (control: '%s')", op, itest_show(&r), control);
        cr_assert(strncmp(itest_line(&r), "setsid:", 7) && strncmp(itest_line(&r), "notty:", 6),
                  "the probe could not set up the terminal inside: %s", itest_show(&r));
        cr_assert_eq(itest_pty_pending(reader), 0, "%s injected input into the host's pty", op);
        if (strcmp(control, "ok") != 0)
                cr_assert_str_neq(itest_line(&r), control,
                                  "%s inside gave the kernel's own answer '%s': not filtered", op,
                                  control);
}

Test(seccomp, tiocsti_denied)
{
        tty_injection_denied("tiocsti");
}

Test(seccomp, tiocsti_with_high_bits_denied)
{
        tty_injection_denied("tiocsti-high");
}

Test(seccomp, tioclinux_denied)
{
        tty_injection_denied("tioclinux");
}
