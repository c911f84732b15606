/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Regressions for the escapes an adversarial review found (numbered as in
 * its report). Each failed before its fix. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(redteam);

/* #1: a `unix connect` rule for a path in a directory the program can
 * write; the program renames that directory and plants a symlink to
 * another host socket. The endpoint reached must itself be allowed. */
Test(redteam, rule_path_redirected_by_symlink)
{
        const char *dir = itest_visible_dir();
        struct itest_listener allowed, secret;
        char run[PATH_MAX + 8], rule[2 * PATH_MAX], script[4 * PATH_MAX];
        struct itest_result r;

        snprintf(run, sizeof(run), "%s/run", dir);
        cr_assert_eq(mkdir(run, 0700), 0);
        itest_listen_unix(&allowed, run, SOCK_STREAM);
        itest_listen_unix(&secret, itest_visible_dir(), SOCK_STREAM);
        snprintf(rule, sizeof(rule), "--allow=unix connect %s", allowed.path);
        snprintf(script, sizeof(script),
                 "P='%s'; d='%s'; \"$P\" unix-connect '%s' || exit 3; "
                 "mkdir \"$d/evil\" && ln -s '%s' \"$d/evil/%s\" && mv \"$d/run\" \"$d/run.orig\" && "
                 "ln -s \"$d/evil\" \"$d/run\" || exit 4; \"$P\" unix-connect '%s'",
                 itest_probe(), dir, allowed.path, secret.path, strrchr(allowed.path, '/') + 1,
                 allowed.path);
        IPF(&r, rule, "--", "/bin/sh", "-c", script);
        cr_assert_eq(itest_listener_seen(&allowed), 1, "the legitimate connect: %s",
                     itest_show(&r));
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r)); /* first probe line */
        cr_assert(strstr(r.out, "EACCES"), "the redirected connect: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&secret), 0, "the redirected connect reached it");
}

/* #2: with no Landlock signal scope (kernels before 6.12, simulated by a
 * filter answering ENOSYS to Landlock), kill(0) must not reach the caller's
 * host process group. */
Test(redteam, kill_process_group_without_landlock)
{
        char script[4 * PATH_MAX];
        struct itest_result r;

        /* The shell, its background victim and ipcfence share a process
         * group; the shell reports whether the victim survived. */
        snprintf(script, sizeof(script),
                 "sleep 30 & v=$!; '%s' no-landlock '%s' -- '%s' kill 0 TERM; "
                 "kill -0 $v 2>/dev/null && echo victim-alive; kill $v",
                 itest_probe(), itest_ipcfence(), itest_probe());
        itest_runl(&r, NULL, "/bin/sh", "-c", script, (char *)NULL);
        cr_assert(strstr(r.err, "Landlock is unavailable"), "the shim did not take: %s",
                  itest_show(&r));
        cr_assert_str_eq(r.out, "EPERM\nvictim-alive\n",
                         "kill(0) reached the caller's host process group: %s", itest_show(&r));
}

/* #3: the host's /sys holds the cgroup file systems (cgroup.kill of the
 * user's delegated cgroups reaches host processes). */
Test(redteam, no_cgroupfs_inside)
{
        struct itest_result r;

        IPF(&r, "-p", "default", "--", "/bin/sh", "-c",
            "ls -A /sys/fs/cgroup; touch /sys/ipcfence-test 2>/dev/null && echo WRITABLE; "
            "exit 0");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_str_eq(r.out, "", "/sys/fs/cgroup is not empty or /sys is writable: %s",
                         itest_show(&r));
}

/* #4: $XDG_RUNTIME_DIR outside the masked directories; one run turns its
 * parent into a symlink. The next run must still deny host sockets (the
 * broker once took a host file system for the sandbox's own). */
Test(redteam, planted_runtime_dir_parent)
{
        const char *base = itest_visible_dir();
        char xdg[PATH_MAX + 32], var[PATH_MAX + 64], plant[4 * PATH_MAX];
        const char *env[] = {var, NULL};
        struct itest_opts o = {.env = env};
        struct itest_listener l;
        struct itest_result r;

        snprintf(xdg, sizeof(xdg), "%s/cache/run", base);
        cr_assert_eq(mkdir(strrchr(strcpy(var, xdg), '/') ? (*strrchr(var, '/') = '\0', var) : var,
                           0700),
                     0);
        cr_assert_eq(mkdir(xdg, 0700), 0);
        snprintf(var, sizeof(var), "XDG_RUNTIME_DIR=%s", xdg);
        snprintf(plant, sizeof(plant), "mv '%s/cache' '%s/cache.real' && ln -s '%s/cache.real' '%s/cache'",
                 base, base, base, base);
        itest_runl(&r, &o, itest_ipcfence(), "--", "/bin/sh", "-c", plant, (char *)NULL);
        cr_assert_eq(r.status, 0, "planting: %s", itest_show(&r));
        itest_listen_unix(&l, itest_visible_dir(), SOCK_STREAM);
        itest_runl(&r, &o, itest_ipcfence(), "--", itest_probe(), "unix-connect", l.path,
                   (char *)NULL);
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0);
}

/* #5: a $XDG_RUNTIME_DIR written with ".." is masked where it really is. */
Test(redteam, runtime_dir_with_dotdot)
{
        const char *real = itest_visible_dir();
        char xdg[PATH_MAX + 32], var[PATH_MAX + 64], fifo[PATH_MAX];
        const char *env[] = {var, NULL};
        struct itest_opts o = {.env = env};
        struct itest_result r;
        int reader;

        snprintf(xdg, sizeof(xdg), "/tmp/..%s", real);
        snprintf(var, sizeof(var), "XDG_RUNTIME_DIR=%s", xdg);
        reader = itest_fifo(real, fifo);
        itest_runl(&r, &o, itest_ipcfence(), "--", itest_probe(), "fifo-open", fifo,
                   (char *)NULL);
        cr_assert(itest_denied(&r), "%s", itest_show(&r));
        cr_assert_eq(itest_fifo_read(reader), 0, "bytes arrived through the FIFO");
        itest_runl(&r, &o, itest_ipcfence(), "--", itest_probe(), "fstype", real, (char *)NULL);
        cr_assert_str_eq(itest_line(&r), "tmpfs", "%s", itest_show(&r));
}

/* #7: an inherited SIG_IGN for SIGCHLD made the kernel reap the program
 * behind init's back: ipcfence hung forever. */
Test(redteam, inherited_sigchld_ignore)
{
        char script[PATH_MAX + 64];
        struct itest_result r;
        struct itest_opts o = {.timeout_ms = 10000};

        /* bash, not dash: dash does not let a script ignore SIGCHLD. */
        snprintf(script, sizeof(script), "trap '' CHLD; exec '%s' -- /bin/sh -c 'exit 7'",
                 itest_ipcfence());
        itest_runl(&r, &o, "/bin/bash", "-c", script, (char *)NULL);
        cr_assert_eq(r.status, 7, "%s", itest_show(&r));
}

/* Round 2 #1: MSG_FASTOPEN turned a send into an untrapped connect, which
 * reached any host endpoint from a host-side socket the broker installed.
 * The filter refuses it; checked with a TCP rule in force. */
Test(redteam, fastopen_refused)
{
        struct itest_listener allowed;
        char rule[128];
        struct itest_result r;

        itest_listen_inet(&allowed, "127.0.0.1", SOCK_STREAM);
        snprintf(rule, sizeof(rule), "--allow=tcp connect 127.0.0.1:%s", allowed.port);
        IPF(&r, rule, "--", itest_probe(), "fastopen", "127.0.0.1", allowed.port);
        cr_assert_str_eq(itest_line(&r), "EOPNOTSUPP", "%s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&allowed), 0);
}

/* Round 3 #3: under `network host` with tcp rules, listen(2) on an
 * unbound socket took a port of the kernel's choosing on the host,
 * unchecked (only bind was brokered). */
Test(redteam, listen_autobind_under_network_host)
{
        struct itest_result r;

        IPF(&r, "--allow=network host", "--allow=tcp listen 8080", "--", itest_probe(),
            "tcp-listen-unbound");
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
}

/* Round 3 #4: the broker owns the sandbox's user namespace and with it
 * CAP_NET_BIND_SERVICE and CAP_NET_ADMIN over the sandbox's network; the
 * program has neither. An AF_UNSPEC bind of port 80 skipped the port
 * check, and a netlink multicast send went through the broker. */
Test(redteam, broker_lends_no_capabilities)
{
        struct itest_result r;

        IPF(&r, "--allow=tcp listen 8080", "--", itest_probe(), "unspec-bind", "80");
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        IPF(&r, "--allow=netlink route", "--", itest_probe(), "netlink-mcast");
        cr_assert_str_eq(itest_line(&r), "EPERM", "%s", itest_show(&r));
}

/* Round 2's open gap: the broker connected on the program's own open file,
 * whose O_NONBLOCK another thread cleared between the broker setting it
 * and connecting, so the broker blocked on a full backlog for good and
 * ipcfence stopped forwarding signals. A timer now bounds the call. */
Test(redteam, nonblock_flip_does_not_freeze_supervisor)
{
        struct itest_proc p;
        struct itest_result r;

        itest_spawnl(&p, NULL, itest_ipcfence(), "--", itest_probe(), "freeze-connect",
                     (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready", 10000), "the program did not start");
        usleep(500 * 1000); /* thousands of attempts */
        kill(p.pid, SIGTERM);
        itest_proc_finish(&p, &r, 5000);
        cr_assert_eq(r.status, 128 + SIGTERM, "ipcfence did not forward SIGTERM: %s",
                     itest_show(&r));
}

/* Round 5 #3: each denial is a line on stderr, which the program shares.
 * With that terminal stopped (TCOOFF) the supervisor blocked writing the
 * line and answered nothing more, signals included. Lines that cannot be
 * written at once are dropped now. */
static const char stopped_tty_py[] =
        "import pty, signal, subprocess, sys, time\n"
        "ipf, sock = sys.argv[1:3]\n"
        "m, s = pty.openpty()\n"
        "prog = ('import termios, socket, time\\n'\n"
        "        'termios.tcflow(2, termios.TCOOFF)\\n'\n"
        "        'c = socket.socket(socket.AF_UNIX)\\n'\n"
        "        'try: c.connect(%r)\\nexcept OSError: pass\\n'\n"
        "        'time.sleep(30)\\n') % sock\n"
        "p = subprocess.Popen([ipf, '--', 'python3', '-c', prog], stdin=subprocess.DEVNULL,\n"
        "                     stdout=subprocess.DEVNULL, stderr=s)\n"
        "time.sleep(2)\n"
        "p.send_signal(signal.SIGTERM)\n"
        "try:\n"
        "    print('status=%d' % p.wait(timeout=5))\n"
        "except subprocess.TimeoutExpired:\n"
        "    print('frozen'); p.kill(); p.wait()\n";

Test(redteam, stopped_stderr_does_not_freeze_supervisor)
{
        struct itest_listener l;
        struct itest_result r;
        struct itest_opts o = {.timeout_ms = 30000};

        itest_listen_unix(&l, itest_visible_dir(), SOCK_STREAM);
        itest_runl(&r, &o, "python3", "-c", stopped_tty_py, itest_ipcfence(), l.path,
                   (char *)NULL);
        cr_assert(strstr(r.out, "status=143"), "ipcfence froze on its log: %s", itest_show(&r));
        cr_assert_eq(itest_listener_seen(&l), 0);
}

/* Round 5 #2: a parked call's duplicate closed last by the supervisor
 * waited for the program's SO_LINGER (100,000 s), and the supervisor
 * answered nothing more, signals included. The guard timer covers it. */
Test(redteam, lingering_close_does_not_freeze_supervisor)
{
        struct itest_proc p;
        struct itest_result r;

        itest_spawnl(&p, NULL, itest_ipcfence(), "--", itest_probe(), "linger-close",
                     (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready", 10000), "the program did not start: %s",
                  p.out);
        usleep(500 * 1000);
        kill(p.pid, SIGTERM);
        itest_proc_finish(&p, &r, 5000);
        cr_assert_eq(r.status, 128 + SIGTERM, "ipcfence did not forward SIGTERM: %s",
                     itest_show(&r));
}

/* Round 5 #1: a host socket passed as descriptor 0 could be bound to a host
 * abstract name (or TCP port) and listened on under the default profile:
 * bind and listen were not brokered without listen rules. They are when
 * descriptors 0-2 hold a socket. Checked on the host: the name is free. */
Test(redteam, inherited_socket_cannot_take_host_names)
{
        const char *name = itest_unique("ipf-squat");
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct itest_result r;
        int sv[2], c;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        {
                struct itest_opts o = {.stdin_fd = sv[0]};

                itest_runl(&r, &o, itest_ipcfence(), "--", itest_probe(), "stdin-squat", name,
                           (char *)NULL);
        }
        cr_assert_str_eq(itest_line(&r), "EACCES", "%s", itest_show(&r));
        memcpy(sa.sun_path + 1, name, strlen(name));
        c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_neq(connect(c, (struct sockaddr *)&sa,
                              (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))),
                      0, "the host name was taken");
        close(c);
        close(sv[0]);
        close(sv[1]);
}

/* Red team 6 #1: with the supervisor's signals in SA_RESTART handlers, a
 * connect the broker makes on the program's blocking socket to a full
 * backlog was restarted after each handler, and the guard's SIGALRM,
 * arriving while one ran, was spent on nothing. Under `signal host` the
 * program sends ipcfence SIGUSR1 in a loop (forwarded back to it, and
 * ignored): the broker stayed in that connect for good and served no
 * other call. A connect to another of the sandbox's own listeners, after
 * the flood, must still be answered. */
static const char signal_flood_py[] =
        "import os, signal, socket, sys, threading, time\n"
        "signal.signal(signal.SIGUSR1, signal.SIG_IGN)\n"
        "ppid = os.getppid()\n"
        "sup = int(open('/proc/%d/status' % ppid).read().split('PPid:')[1].split()[0])\n"
        "full = socket.socket(socket.AF_UNIX); full.bind('/tmp/full'); full.listen(0)\n"
        "other = socket.socket(socket.AF_UNIX); other.bind('/tmp/other'); other.listen(16)\n"
        "fill = []\n"
        "for i in range(4):\n"
        "    c = socket.socket(socket.AF_UNIX); c.setblocking(False)\n"
        "    try: c.connect('/tmp/full'); fill.append(c)\n"
        "    except BlockingIOError: break\n"
        "stop = False\n"
        "def flood():\n"
        "    while not stop: os.kill(sup, getattr(signal, sys.argv[1]))\n"
        "ts = [threading.Thread(target=flood) for _ in range(2)]\n"
        "for t in ts: t.start()\n"
        "def blocker():\n"
        "    c = socket.socket(socket.AF_UNIX)\n"
        "    try: c.connect('/tmp/full')\n"
        "    except OSError: pass\n"
        "threading.Thread(target=blocker, daemon=True).start()\n"
        "time.sleep(2)\n"
        "stop = True\n"
        "for t in ts: t.join()\n"
        "time.sleep(0.2)\n"
        "res = []\n"
        "def probe():\n"
        "    c = socket.socket(socket.AF_UNIX); c.connect('/tmp/other'); res.append('served')\n"
        "p = threading.Thread(target=probe, daemon=True); p.start(); p.join(3)\n"
        "print(res[0] if res else 'frozen', flush=True)\n"
        "os._exit(0)\n";

/* Under `signal host`, ipcfence flooded with SIGNAL (the script's one
 * argument) still serves calls. */
static void assert_flood_does_not_freeze(const char *signal)
{
        struct itest_opts o = {.timeout_ms = 30000};
        struct itest_result r;

        itest_runl(&r, &o, itest_ipcfence(), "--allow=signal host", "--", "python3", "-c",
                   signal_flood_py, signal, (char *)NULL);
        cr_assert_str_eq(itest_line(&r), "served", "the broker froze: %s", itest_show(&r));
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
}

Test(redteam, signal_flood_does_not_freeze_broker)
{
        assert_flood_does_not_freeze("SIGUSR1");
}

/* Red team 7 #1: the guard timer's handler re-arms it for 1 ms while a
 * guarded call is under way, but the broker still trusted guard_until_us
 * to say the timer was armed. A SIGALRM the program sends (`signal host`)
 * during a guarded connect turned the 5 ms timer into a 1 ms shot that
 * expired after the call: the next guard within 5 ms armed nothing, and
 * the retried connect to a full backlog kept the broker for good. */
Test(redteam, alarm_flood_does_not_freeze_broker)
{
        assert_flood_does_not_freeze("SIGALRM");
}

/* Red team 6 #2: the broker's cache of a rule's pin (broker-dest.c:
 * cached_pin()) served any path that still led to the cached inode, also
 * through a symlink, without asking where that inode now lives. The host
 * retires its socket under a name no rule names (the server still draining
 * on it); a symlink at the rule's path — the program's to plant, in a
 * directory it can write — then reached it, which a fresh pin refuses (the
 * endpoint reached must be named by a rule, SECURITY.md). One supervisor
 * across the changes, as in broker_unix/rule_path_followed_across_changes. */
Test(redteam, cached_pin_not_reached_through_planted_symlink)
{
        const char *dir = itest_visible_dir();
        struct itest_listener l;
        struct itest_opts o = {0};
        struct itest_proc p;
        struct itest_result r;
        char rule[PATH_MAX + 32], retired[PATH_MAX + 16];
        int in[2];

        itest_listen_unix(&l, dir, SOCK_STREAM);
        snprintf(rule, sizeof(rule), "--allow=unix connect %s", l.path);
        snprintf(retired, sizeof(retired), "%s/retired", dir);
        cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
        o.stdin_fd = in[0];
        itest_spawnl(&p, &o, itest_ipcfence(), rule, "--", itest_probe(), "unix-connect-per-byte",
                     l.path, (char *)NULL);
        close(in[0]);
        itest_proc_poke(&p, in[1], "ok\n");
        cr_assert_eq(itest_listener_seen(&l), 1);

        cr_assert_eq(rename(l.path, retired), 0, "%s", strerror(errno));
        cr_assert_eq(symlink(retired, l.path), 0, "%s", strerror(errno));
        /* The retired socket reached through the symlink would say "ok". */
        itest_proc_poke(&p, in[1], "ok\nEACCES\n");
        close(in[1]);
        itest_proc_finish(&p, &r, 0);
        cr_assert_eq(itest_listener_seen(&l), 0, "the retired socket saw a connection");
}
