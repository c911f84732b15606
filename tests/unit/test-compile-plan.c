/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mount-view, Landlock and whole-plan compilers: pure functions of the
 * policy, the probed features and the host facts. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#include "compile/plan.h"
#include "profile/profile.h"
#include "sys/syscalls.h"
#include <linux/landlock.h>

static const struct ipf_profile_env test_env = {
        .uid = 1000,
        .user = "alice",
        .home = "/home/alice",
        .xdg_runtime_dir = "/run/user/1000",
};

static struct ipf_policy *policy_with(const char *rule)
{
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {0};

        cr_assert_eq(ipf_policy_new("test", &p), 0);
        if (rule)
                cr_assert_eq(ipf_profile_add_rule_text(p, rule, "--allow", &test_env, &d), 0, "%s",
                             d.msg);
        return p;
}

static const struct ipf_mount *find(const struct ipf_mount_plan *m, enum ipf_mount_kind k,
                                    const char *path)
{
        for (size_t i = 0; i < m->n; i++)
                if (m->entries[i].kind == k && strcmp(m->entries[i].path, path) == 0)
                        return &m->entries[i];
        return NULL;
}

static struct ipf_mount_plan mounts_for_uid(uid_t uid, const char *xdg)
{
        struct ipf_policy *p = policy_with(NULL);
        struct ipf_host h = {.uid = uid, .gid = uid, .xdg_runtime_dir = xdg};
        struct ipf_mount_plan m = {0};
        struct ipf_diag d = {0};

        cr_assert_eq(ipf_compile_mounts(p, &h, &m, &d), 0, "%s", d.msg);
        ipf_policy_free(p);
        return m;
}

static struct ipf_mount_plan mounts_for(const char *xdg)
{
        return mounts_for_uid(1000, xdg);
}

Test(mounts, rendezvous_dirs_are_fresh)
{
        struct ipf_mount_plan m = mounts_for("/run/user/1000");
        static const char *const fresh[] = {"/tmp", "/var/tmp", "/run", "/dev/shm", "/dev"};

        for (size_t i = 0; i < sizeof(fresh) / sizeof(fresh[0]); i++) {
                const struct ipf_mount *e = find(&m, IPF_MOUNT_TMPFS, fresh[i]);

                cr_assert_not_null(e, "%s must get a fresh tmpfs", fresh[i]);
                cr_expect(e->flags & MS_NOSUID, "%s nosuid", fresh[i]);
        }
        cr_expect_not_null(find(&m, IPF_MOUNT_MQUEUE, "/dev/mqueue"));
        cr_expect_not_null(find(&m, IPF_MOUNT_PROC, "/proc"));
        cr_expect_not_null(find(&m, IPF_MOUNT_DEVPTS, "/dev/pts"));
        /* Under the fresh /run: a directory, not another mount. */
        cr_expect_not_null(find(&m, IPF_MOUNT_DIR, "/run/user/1000"));
        cr_expect_null(find(&m, IPF_MOUNT_TMPFS, "/run/user/1000"));
        ipf_mount_plan_done(&m);
}

Test(mounts, dev_has_no_userfaultfd_nor_log)
{
        struct ipf_mount_plan m = mounts_for(NULL);

        for (size_t i = 0; i < m.n; i++) {
                cr_expect_neq(strcmp(m.entries[i].path, "/dev/userfaultfd"), 0);
                cr_expect_neq(strcmp(m.entries[i].path, "/dev/log"), 0);
        }
        cr_expect_not_null(find(&m, IPF_MOUNT_DEV, "/dev/null"));
        cr_expect_not_null(find(&m, IPF_MOUNT_DEV, "/dev/urandom"));
        ipf_mount_plan_done(&m);
}

Test(mounts, sorted_parents_first_and_no_duplicates)
{
        struct ipf_mount_plan m = mounts_for("/tmp"); /* same as a masked dir: folded */

        for (size_t i = 1; i < m.n; i++) {
                int c = strcmp(m.entries[i - 1].path, m.entries[i].path);

                cr_expect(c < 0 || (c == 0 && m.entries[i - 1].kind == IPF_MOUNT_DIR &&
                                    m.entries[i].kind != IPF_MOUNT_DIR),
                          "%s before %s", m.entries[i - 1].path, m.entries[i].path);
        }
        ipf_mount_plan_done(&m);
}

Test(mounts, runtime_dir_elsewhere_gets_own_tmpfs)
{
        struct ipf_mount_plan m = mounts_for("/home/alice/.run");
        const struct ipf_mount *e = find(&m, IPF_MOUNT_TMPFS, "/home/alice/.run");

        cr_assert_not_null(e);
        cr_expect(e->optional);
        cr_expect_str_eq(e->options, "mode=0700");
        ipf_mount_plan_done(&m);
}

Test(mounts, runtime_dir_under_tmp_is_a_dir)
{
        struct ipf_mount_plan m = mounts_for("/tmp/xdg-1000");

        cr_expect_not_null(find(&m, IPF_MOUNT_DIR, "/tmp/xdg-1000"));
        ipf_mount_plan_done(&m);
}

/* uid 0 inside may write root-owned sysctls and proc files on DAC bits
 * alone: a root caller's /proc is read-only; /sys is for everyone. */
Test(mounts, root_caller_gets_read_only_proc)
{
        struct ipf_mount_plan root = mounts_for_uid(0, NULL), user = mounts_for_uid(1000, NULL);
        const struct ipf_mount *proc = find(&root, IPF_MOUNT_PROC, "/proc");
        const struct ipf_mount *sys = find(&root, IPF_MOUNT_SYSFS, "/sys");

        cr_assert_not_null(proc);
        cr_expect(proc->flags & MS_RDONLY);
        proc = find(&user, IPF_MOUNT_PROC, "/proc");
        cr_assert_not_null(proc);
        cr_expect_not(proc->flags & MS_RDONLY, "a user's own /proc/self stays writable");
        cr_assert_not_null(sys);
        cr_expect(sys->flags & MS_RDONLY);
        /* Every caller: the host's /sys holds cgroup.kill (red team #3). */
        sys = find(&user, IPF_MOUNT_SYSFS, "/sys");
        cr_assert_not_null(sys);
        cr_expect(sys->flags & MS_RDONLY);
        ipf_mount_plan_done(&root);
        ipf_mount_plan_done(&user);
}

Test(landlock, scopes_per_abi)
{
        struct ipf_policy *p = policy_with(NULL);
        struct ipf_host h = {.uid = 1000, .gid = 1000, .xdg_runtime_dir = "/run/user/1000"};

        for (int abi = 0; abi <= 9; abi++) {
                struct ipf_features f = {.landlock_abi = abi};
                struct ipf_landlock_plan l;

                cr_assert_eq(ipf_compile_landlock(p, &f, &h, &l), 0);
                if (abi >= 1)
                        cr_expect_eq(l.handled_fs,
                                     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                                             (abi >= 9 ? IPF_LANDLOCK_ACCESS_FS_RESOLVE_UNIX : 0),
                                     "ABI %d", abi);
                else
                        cr_expect_eq(l.handled_fs, 0);
                cr_expect_eq(l.abi, abi);
                if (abi >= 6) {
                        cr_expect_eq(l.scoped,
                                     IPF_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
                                             IPF_LANDLOCK_SCOPE_SIGNAL,
                                     "ABI %d", abi);
                        cr_expect_null(l.fallback);
                } else {
                        cr_expect_eq(l.scoped, 0, "ABI %d", abi);
                        cr_expect_not_null(l.fallback, "ABI %d must name its fallback", abi);
                }
        }
        ipf_policy_free(p);
}

/* Endpoints may be created only in the sandbox's own filesystems. */
Test(landlock, make_sock_allowed_beneath_private_dirs_only)
{
        struct ipf_policy *p = policy_with(NULL);
        struct ipf_features f = {.landlock_abi = 7};
        static const char *const cases[][2] = {
                {"/run/user/1000", NULL}, /* below /run: covered by it */
                {"/home/alice/.run", "/home/alice/.run"},
        };

        for (size_t c = 0; c < 2; c++) {
                struct ipf_host h = {.uid = 1000, .gid = 1000, .xdg_runtime_dir = cases[c][0]};
                struct ipf_landlock_plan l;
                bool has_tmp = false, has_home = false, has_etc = false;

                cr_assert_eq(ipf_compile_landlock(p, &f, &h, &l), 0);
                for (size_t i = 0; i < l.n_allow_beneath; i++) {
                        has_tmp |= strcmp(l.allow_beneath[i], "/tmp") == 0;
                        has_etc |= strcmp(l.allow_beneath[i], "/etc") == 0;
                        has_home |= cases[c][1] && strcmp(l.allow_beneath[i], cases[c][1]) == 0;
                }
                cr_expect(has_tmp);
                cr_expect_not(has_etc);
                cr_expect_eq(has_home, cases[c][1] != NULL, "%s", cases[c][0]);
        }
        ipf_policy_free(p);
}

Test(plan, enforced_rules_pass)
{
        static const char *const ok[] = {"network none",
                                         "netlink route",
                                         "unix connect /run/x.sock",
                                         "unix connect /srv/app/*.sock",
                                         "unix connect @/tmp/.X11-unix/X0",
                                         "tcp connect 127.0.0.1:5432",
                                         "sysv host",
                                         "unix listen @foo",
                                         "unix listen /run/app/*.sock",
                                         "tcp listen 8080",
                                         "tcp listen 127.0.0.1:8080",
                                         "mqueue open /q",
                                         "mqueue open /q-*",
                                         "shm open /s*",
                                         "fifo open /tmp/f*",
                                         "signal host",
                                         "network host",
                                         "dbus session talk org.example.Foo",
                                         "dbus system call org.example.Foo=*",
                                         NULL};

        for (size_t i = 0; ok[i]; i++) {
                struct ipf_policy *p = policy_with(ok[i]);
                struct ipf_diag d = {0};

                cr_expect_eq(ipf_plan_check_supported(p, &d), 0, "%s: %s", ok[i], d.msg);
                ipf_policy_free(p);
        }
}

Test(plan, build_has_every_layer)
{
        struct ipf_policy *p = policy_with(NULL);
        struct ipf_features f = {.landlock_abi = 7};
        struct ipf_host h = {.uid = 1000, .gid = 1000, .xdg_runtime_dir = "/run/user/1000"};
        struct ipf_plan plan;
        struct ipf_diag d = {0};

        cr_assert_eq(ipf_plan_build(p, &f, &h, &plan, &d), 0, "%s", d.msg);
        cr_expect(plan.clone_flags & CLONE_NEWUSER);
        cr_expect(plan.clone_flags & CLONE_NEWNET);
        cr_expect(plan.clone_flags & CLONE_NEWIPC);
        cr_expect(plan.clone_flags & CLONE_NEWPID);
        cr_expect(plan.clone_flags & CLONE_NEWNS);
        cr_expect(plan.clone_flags & CLONE_NEWUTS);
        cr_expect(plan.clone_flags & CLONE_NEWCGROUP);
        cr_expect(plan.loopback_up);
        cr_expect_eq(plan.uid, 1000);
        cr_expect_gt(plan.seccomp.len, 0);
        cr_expect_gt(plan.mounts.n, 0);
        cr_expect_neq(plan.landlock.scoped, 0);
        ipf_plan_done(&plan);
        ipf_policy_free(p);
}

/* `sysv host`: the host's IPC namespace, and no fresh mqueue over it. */
Test(plan, sysv_host_shares_ipc_namespace)
{
        struct ipf_policy *p = policy_with("sysv host"), *q = policy_with(NULL);
        struct ipf_features f = {.landlock_abi = 7};
        struct ipf_host h = {.uid = 1000, .gid = 1000};
        struct ipf_plan a, b;
        struct ipf_diag d = {0};

        cr_assert_eq(ipf_plan_build(p, &f, &h, &a, &d), 0, "%s", d.msg);
        cr_assert_eq(ipf_plan_build(q, &f, &h, &b, &d), 0, "%s", d.msg);
        cr_expect_not(a.clone_flags & CLONE_NEWIPC);
        cr_expect(b.clone_flags & CLONE_NEWIPC);
        cr_expect_null(find(&a.mounts, IPF_MOUNT_MQUEUE, "/dev/mqueue"));
        cr_expect_not_null(find(&b.mounts, IPF_MOUNT_MQUEUE, "/dev/mqueue"));
        ipf_plan_done(&a);
        ipf_plan_done(&b);
        ipf_policy_free(p);
        ipf_policy_free(q);
}

static struct ipf_policy *policy_with_rules(const char *const *rules)
{
        struct ipf_policy *p = policy_with(NULL);
        struct ipf_diag d = {0};

        for (; *rules; rules++)
                cr_assert_eq(ipf_profile_add_rule_text(p, *rules, "--allow", &test_env, &d), 0,
                             "%s", d.msg);
        return p;
}

static const struct ipf_landlock_port *find_port(const struct ipf_landlock_plan *l, uint16_t port)
{
        for (size_t i = 0; i < l->n_ports; i++)
                if (l->ports[i].port == port)
                        return &l->ports[i];
        return NULL;
}

/* `network host`: no network namespace, the host's /sys read-only, and TCP
 * left alone without tcp rules. */
Test(plan, network_host_shares_network)
{
        static const char *const rules[] = {"network host", NULL};
        struct ipf_policy *p = policy_with_rules(rules);
        struct ipf_features f = {.landlock_abi = 7};
        struct ipf_host h = {.uid = 1000, .gid = 1000};
        struct ipf_plan plan;
        struct ipf_diag d = {0};

        cr_assert_eq(ipf_plan_build(p, &f, &h, &plan, &d), 0, "%s", d.msg);
        cr_expect_not(plan.clone_flags & CLONE_NEWNET);
        cr_expect(plan.clone_flags & CLONE_NEWPID);
        cr_expect_not(plan.loopback_up);
        cr_expect_not_null(find(&plan.mounts, IPF_MOUNT_RBIND_RO, "/sys"));
        cr_expect_null(find(&plan.mounts, IPF_MOUNT_SYSFS, "/sys"));
        cr_expect_eq(plan.landlock.handled_net, 0);
        ipf_plan_done(&plan);
        ipf_policy_free(p);
}

/* With tcp rules, Landlock narrows TCP to their ports: connect rules
 * allow connecting, listen rules binding. */
Test(plan, network_host_tcp_rules_narrow_ports)
{
        static const char *const rules[] = {"network host", "tcp connect 127.0.0.1:5432",
                                            "tcp listen 8080", "tcp connect [::1]:8080", NULL};
        struct ipf_policy *p = policy_with_rules(rules);
        struct ipf_features f = {.landlock_abi = 4};
        struct ipf_host h = {.uid = 1000, .gid = 1000};
        const struct ipf_landlock_port *pg, *web;
        struct ipf_plan plan;
        struct ipf_diag d = {0};

        cr_assert_eq(ipf_plan_build(p, &f, &h, &plan, &d), 0, "%s", d.msg);
        cr_expect_eq(plan.landlock.handled_net,
                     IPF_LANDLOCK_ACCESS_NET_BIND_TCP | IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP);
        cr_expect_eq(plan.landlock.n_ports, 2);
        pg = find_port(&plan.landlock, 5432);
        web = find_port(&plan.landlock, 8080);
        cr_assert_not_null(pg);
        cr_assert_not_null(web);
        cr_expect_eq(pg->access, IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP);
        cr_expect_eq(web->access,
                     IPF_LANDLOCK_ACCESS_NET_BIND_TCP | IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP);
        ipf_plan_done(&plan);
        ipf_policy_free(p);
}

/* Without Landlock TCP rules the program is not run unnarrowed. */
Test(plan, network_host_tcp_rules_need_landlock_abi_4)
{
        static const char *const rules[] = {"network host", "tcp connect 127.0.0.1:5432", NULL};
        struct ipf_policy *p = policy_with_rules(rules);
        struct ipf_features f = {.landlock_abi = 3};
        struct ipf_host h = {.uid = 1000, .gid = 1000};
        struct ipf_plan plan;
        struct ipf_diag d = {0};

        cr_expect_eq(ipf_plan_build(p, &f, &h, &plan, &d), -EOPNOTSUPP);
        cr_expect_not_null(strstr(d.msg, "ABI 4"), "%s", d.msg);
        ipf_policy_free(p);
}

/* `signal host`: the host's PID namespace, its /proc read-only, no signal
 * scope (the abstract scope stays). */
Test(plan, signal_host_shares_pid_namespace)
{
        static const char *const rules[] = {"signal host", NULL};
        struct ipf_policy *p = policy_with_rules(rules);
        struct ipf_features f = {.landlock_abi = 7};
        struct ipf_host h = {.uid = 1000, .gid = 1000};
        struct ipf_plan plan;
        struct ipf_diag d = {0};

        cr_assert_eq(ipf_plan_build(p, &f, &h, &plan, &d), 0, "%s", d.msg);
        cr_expect_not(plan.clone_flags & CLONE_NEWPID);
        cr_expect(plan.clone_flags & CLONE_NEWNET);
        cr_expect_not_null(find(&plan.mounts, IPF_MOUNT_RBIND_RO, "/proc"));
        cr_expect_null(find(&plan.mounts, IPF_MOUNT_PROC, "/proc"));
        cr_expect_eq(plan.landlock.scoped, IPF_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
        ipf_plan_done(&plan);
        ipf_policy_free(p);
}

/* ABI 9: RESOLVE_UNIX handled, with the rules' sockets (a glob: its
 * directory) and each proxied bus's place in the view; below, nothing. */
Test(landlock, resolve_unix_from_abi_9)
{
        static const char *const rules[] = {"unix connect /srv/db/db.sock",
                                            "unix connect /srv/app/*.sock",
                                            "dbus session talk org.example.Foo", NULL};
        struct ipf_policy *p = policy_with_rules(rules);
        struct ipf_host h = {.uid = 1000, .gid = 1000, .xdg_runtime_dir = "/run/user/1000"};
        struct ipf_features f9 = {.landlock_abi = 9}, f7 = {.landlock_abi = 7};
        struct ipf_landlock_plan l;

        cr_assert_eq(ipf_compile_landlock(p, &f9, &h, &l), 0);
        cr_expect(l.handled_fs & IPF_LANDLOCK_ACCESS_FS_RESOLVE_UNIX);
        cr_assert_eq(l.n_resolve_unix, 3);
        cr_expect_str_eq(l.resolve_unix[0], "/srv/db/db.sock");
        cr_expect_str_eq(l.resolve_unix[1], "/srv/app");
        cr_expect_str_eq(l.resolve_unix[2], "/run/user/1000/bus");
        ipf_landlock_plan_done(&l);
        cr_assert_eq(ipf_compile_landlock(p, &f7, &h, &l), 0);
        cr_expect_not(l.handled_fs & IPF_LANDLOCK_ACCESS_FS_RESOLVE_UNIX);
        cr_expect_eq(l.n_resolve_unix, 0);
        ipf_landlock_plan_done(&l);
        ipf_policy_free(p);
}
