/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unix sockets under the default profile (SPEC §1): path sockets in the
 * rendezvous directories and abstract sockets are unreachable. Every test
 * first proves from the host side that the same client reaches the same
 * listener without ipcfence, then that inside it the listener saw nothing. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(unix_sockets);

static void path_socket_unreachable(const char *dir, int type)
{
        const char *op = type == SOCK_STREAM ? "unix-connect" : "unix-dgram-send";
        struct itest_listener l;
        struct itest_result r;

        itest_listen_unix(&l, dir, type);

        HOST(&r, op, l.path);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 1, "control: the listener saw nothing");

        IN(&r, op, l.path);
        cr_assert(itest_denied(&r), "%s %s inside: %s", op, l.path, itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0, "the host listener at %s saw a %s from inside",
                     l.path, type == SOCK_STREAM ? "connection" : "datagram");
}

Test(unix_sockets, tmp_stream_socket_unreachable)
{
        path_socket_unreachable(itest_tmpdir(), SOCK_STREAM);
}

Test(unix_sockets, tmp_dgram_socket_unreachable)
{
        path_socket_unreachable(itest_tmpdir(), SOCK_DGRAM);
}

Test(unix_sockets, xdg_runtime_dir_stream_socket_unreachable)
{
        path_socket_unreachable(itest_xdg_dir(), SOCK_STREAM);
}

Test(unix_sockets, xdg_runtime_dir_dgram_socket_unreachable)
{
        path_socket_unreachable(itest_xdg_dir(), SOCK_DGRAM);
}

/* The other rendezvous directories the sandbox masks; /run only where this
 * uid can write (root). */
Test(unix_sockets, other_rendezvous_dirs_unreachable)
{
        path_socket_unreachable(itest_dir_under("/var/tmp"), SOCK_STREAM);
        path_socket_unreachable(itest_dir_under("/dev/shm"), SOCK_DGRAM);
        if (access("/run", W_OK) == 0)
                path_socket_unreachable(itest_dir_under("/run"), SOCK_STREAM);
}

static void abstract_unreachable(int type)
{
        const char *op = type == SOCK_STREAM ? "abstract-connect" : "abstract-dgram-send";
        struct itest_listener l;
        struct itest_result r;

        itest_listen_abstract(&l, type);

        HOST(&r, op, l.path);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 1, "control: the listener saw nothing");

        IN(&r, op, l.path);
        cr_assert(itest_denied(&r), "%s @%s inside: %s", op, l.path, itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0, "the host listener @%s saw something", l.path);
}

Test(unix_sockets, abstract_stream_socket_unreachable)
{
        abstract_unreachable(SOCK_STREAM);
}

Test(unix_sockets, abstract_dgram_socket_unreachable)
{
        abstract_unreachable(SOCK_DGRAM);
}

/* Real programs on both ends: a socat server that writes what it receives
 * to a file, a socat client fed from a file. */
Test(unix_sockets, socat_client_cannot_reach_socat_server)
{
        const char *socat = itest_which("socat");
        const char *dir = itest_tmpdir();
        char sock[512], out[512], listen_arg[600], connect_arg[600], open_arg[600];
        char *inside, *outside;
        struct itest_proc server;
        struct itest_result r;
        struct itest_opts o = {0};
        char buf[256] = "";
        int fd;

        if (!socat)
                itest_skip("socat is not installed");
        snprintf(sock, sizeof(sock), "%s/socat.sock", dir);
        snprintf(out, sizeof(out), "%s/received", dir);
        snprintf(listen_arg, sizeof(listen_arg), "UNIX-LISTEN:%s,fork", sock);
        snprintf(connect_arg, sizeof(connect_arg), "UNIX-CONNECT:%s", sock);
        inside = itest_write_file(dir, "inside", "from-inside\n");
        outside = itest_write_file(dir, "outside", "from-outside\n");

        /* -u: data flows from the listener to the file only. */
        snprintf(open_arg, sizeof(open_arg), "OPEN:%s,creat,append", out);
        itest_spawnl(&server, NULL, socat, "-u", listen_arg, open_arg, (char *)NULL);
        for (int i = 0; i < 500 && access(sock, F_OK) < 0; i++)
                usleep(10000);
        cr_assert_eq(access(sock, F_OK), 0, "socat did not create %s", sock);

        o.stdin_fd = open(inside, O_RDONLY | O_CLOEXEC);
        cr_assert_geq(o.stdin_fd, 0);
        itest_runl(&r, &o, itest_ipcfence(), "-p", "default", "--", socat, "-u", "-", connect_arg,
                   (char *)NULL);
        close(o.stdin_fd);
        cr_assert_neq(r.status, 0, "socat inside ipcfence connected: %s", itest_show(&r));
        cr_assert(r.status > 0 && r.status < 125, "socat should run and fail: %s", itest_show(&r));

        o.stdin_fd = open(outside, O_RDONLY | O_CLOEXEC);
        cr_assert_geq(o.stdin_fd, 0);
        itest_runl(&r, &o, socat, "-u", "-", connect_arg, (char *)NULL);
        close(o.stdin_fd);
        cr_assert_eq(r.status, 0, "control: %s", itest_show(&r));

        /* The forked server child writes asynchronously. */
        memset(buf, 0, sizeof(buf));
        for (int i = 0; i < 500 && !strstr(buf, "from-outside"); i++) {
                fd = open(out, O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        (void)!read(fd, buf, sizeof(buf) - 1);
                        close(fd);
                }
                usleep(10000);
        }
        cr_assert(strstr(buf, "from-outside"), "control: the server received '%s'", buf);
        cr_assert(!strstr(buf, "from-inside"), "the host server received data from inside: '%s'",
                  buf);
}
