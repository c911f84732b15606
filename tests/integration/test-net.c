/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TCP/UDP under the default profile: the sandbox has its own network
 * namespace (loopback up), so the host's loopback listeners see nothing. */
#include <string.h>
#include <sys/socket.h>

#include "helpers.h"

ITEST_SUITE(net);

static void tcp_unreachable(const char *host)
{
        struct itest_listener l;
        struct itest_result r;

        itest_listen_inet(&l, host, SOCK_STREAM);

        HOST(&r, "tcp-connect", l.host, l.port);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 1, "control: the listener saw nothing");

        IN(&r, "tcp-connect", l.host, l.port);
        cr_assert(itest_denied(&r), "tcp-connect %s:%s inside: %s", l.host, l.port, itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0, "the host listener on %s:%s saw a connection",
                     l.host, l.port);
}

Test(net, tcp_loopback_ipv4_unreachable)
{
        tcp_unreachable("127.0.0.1");
}

Test(net, tcp_loopback_ipv6_unreachable)
{
        tcp_unreachable("::1");
}

/* A datagram send succeeds inside (the sandbox's own loopback swallows it):
 * only the host side can tell. */
Test(net, udp_loopback_unreachable)
{
        struct itest_listener l;
        struct itest_result r;

        itest_listen_inet(&l, "127.0.0.1", SOCK_DGRAM);

        HOST(&r, "udp-send", l.host, l.port);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 1, "control: the listener saw nothing");

        IN(&r, "udp-send", l.host, l.port);
        cr_assert(r.status == 0 || itest_denied(&r), "udp-send inside: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0, "the host UDP listener on %s:%s got a datagram",
                     l.host, l.port);
}

/* Loopback is up inside: a connect to a closed port is refused, not
 * unreachable. */
Test(net, loopback_up_inside)
{
        struct itest_result r;

        IN(&r, "tcp-connect", "127.0.0.1", "1");
        cr_assert_str_eq(itest_line(&r), "ECONNREFUSED", "%s", itest_show(&r));
}

/* A real client: python3's socket.create_connection. */
Test(net, python3_client_cannot_reach_host_listener)
{
        static const char script[] =
                "import socket, sys\n"
                "socket.create_connection(('127.0.0.1', int(sys.argv[1])), 5).close()\n";
        const char *py = itest_which("python3");
        struct itest_listener l;
        struct itest_result r;

        if (!py)
                itest_skip("python3 is not installed");
        itest_listen_inet(&l, "127.0.0.1", SOCK_STREAM);

        itest_runl(&r, NULL, py, "-c", script, l.port, (char *)NULL);
        cr_assert_eq(r.status, 0, "control: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 1, "control: the listener saw nothing");

        itest_runl(&r, NULL, itest_ipcfence(), "-p", "default", "--", py, "-c", script, l.port,
                   (char *)NULL);
        cr_assert(r.status > 0 && r.status < 125, "python3 inside should run and fail: %s",
                  itest_show(&r));
        cr_assert(strstr(r.err, "ConnectionRefusedError") || strstr(r.err, "OSError"),
                  "python3 should fail to connect: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0, "the host listener saw python3 from inside");
}
