/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's namespaces and filesystem view (SPEC §2, the CLI contract):
 * own user, mount, IPC, PID, UTS and net namespaces; fresh tmpfs on the
 * rendezvous directories; a fresh /dev, /dev/pts, /dev/mqueue and /proc. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(ns);

Test(ns, own_namespaces)
{
        static const char *const kinds[] = {"user", "mnt", "ipc", "pid", "net", "uts"};
        struct itest_result r;

        IN(&r, "ns");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
                char path[64], host[128], want[160];
                ssize_t n;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
                n = readlink(path, host, sizeof(host) - 1);
                cr_assert_gt(n, 0, "%s: %s", path, strerror(errno));
                host[n] = '\0';
                snprintf(want, sizeof(want), "%s %s:[", kinds[i], kinds[i]);
                cr_assert(strstr(r.out, want), "no %s namespace line: %s", kinds[i],
                          itest_show(&r));
                snprintf(want, sizeof(want), "%s %s\n", kinds[i], host);
                cr_assert(!strstr(r.out, want), "the sandbox shares the host's %s namespace (%s)",
                          kinds[i], host);
        }
}

static void assert_fstype(const char *path, const char *type)
{
        struct itest_result r;

        IN(&r, "fstype", path);
        cr_assert_str_eq(itest_line(&r), type, "%s inside: %s", path, itest_show(&r));
}

Test(ns, fresh_mounts)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");

        assert_fstype("/tmp", "tmpfs");
        assert_fstype("/var/tmp", "tmpfs");
        assert_fstype("/run", "tmpfs");
        assert_fstype("/dev", "tmpfs");
        assert_fstype("/dev/shm", "tmpfs");
        assert_fstype("/dev/pts", "devpts");
        assert_fstype("/dev/mqueue", "mqueue");
        assert_fstype("/proc", "proc");
        if (xdg && xdg[0] == '/')
                assert_fstype(xdg, "tmpfs");
}

/* A host file in each writable rendezvous directory is invisible inside. */
Test(ns, host_files_in_rendezvous_dirs_invisible)
{
        const char *dirs[] = {itest_tmpdir(), itest_xdg_dir()};

        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                char *f = itest_write_file(dirs[i], "visible", "x");
                struct itest_result r;

                HOST(&r, "stat", f);
                cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
                IN(&r, "stat", f);
                cr_assert_str_eq(itest_line(&r), "ENOENT", "%s is visible inside: %s", f,
                                 itest_show(&r));
        }
}

Test(ns, dev_has_only_harmless_nodes)
{
        static const char *const present[] = {"/dev/null",    "/dev/zero",    "/dev/full",
                                              "/dev/random",  "/dev/urandom", "/dev/tty",
                                              "/dev/pts/ptmx"};
        static const char *const absent[] = {"/dev/userfaultfd", "/dev/kmsg", "/dev/mem",
                                             "/dev/vda",         "/dev/sda",  "/dev/fuse"};
        struct itest_result r;

        for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
                IN(&r, "stat", present[i]);
                cr_assert_str_eq(itest_line(&r), "ok", "%s inside: %s", present[i], itest_show(&r));
        }
        for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
                IN(&r, "stat", absent[i]);
                cr_assert_str_eq(itest_line(&r), "ENOENT", "%s inside: %s", absent[i],
                                 itest_show(&r));
        }
}

/* /dev/pts is a new instance: the host's ptys are not there. */
Test(ns, host_ptys_invisible)
{
        struct itest_result r;
        char path[64];
        int slave, reader;

        itest_pty(&slave, &reader);
        cr_assert_eq(ttyname_r(slave, path, sizeof(path)), 0);
        HOST(&r, "stat", path);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        IN(&r, "stat", path);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "host pty %s inside: %s", path, itest_show(&r));
}

/* /proc is the sandbox's: host processes are not listed. */
Test(ns, host_processes_invisible_in_proc)
{
        char path[64];
        struct itest_result r;

        snprintf(path, sizeof(path), "/proc/%d", (int)itest_victim());
        HOST(&r, "stat", path);
        cr_assert_str_eq(itest_line(&r), "ok", "control: %s", itest_show(&r));
        IN(&r, "stat", path);
        cr_assert_str_eq(itest_line(&r), "ENOENT", "%s inside: %s", path, itest_show(&r));
}
