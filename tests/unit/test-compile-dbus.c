/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* D-Bus compiler: the xdg-dbus-proxy command line of each bus against
 * golden files (one argument per line), the bus's place in the view, the
 * address parser, and the mount entry that binds the proxy's socket. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile/plan.h"
#include "profile-fixture.h"

static struct ipf_policy *load(const char *name)
{
        char path[PATH_MAX], err[1024];
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {0};
        int r;

        snprintf(path, sizeof(path), GOLDEN_DIR "/%s.profile", name);
        r = ipf_profile_load(path, &test_env, &p, &d);
        diag_text(&d, err, sizeof(err));
        cr_assert_eq(r, 0, "%s: %s", path, err);
        return p;
}

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

static char *argv_text(char **argv)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);

        cr_assert_not_null(m);
        for (char **a = argv; *a; a++)
                fprintf(m, "%s\n", *a);
        fclose(m);
        return buf;
}

static char *read_text(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;

        if (!f)
                return NULL;
        if (getdelim(&buf, &size, '\0', f) < 0) {
                free(buf);
                buf = NULL;
        }
        fclose(f);
        return buf;
}

static void check_argv(enum ipf_bus bus, const char *address, const char *golden)
{
        struct ipf_policy *p = load("dbus");
        char path[PATH_MAX];
        char **argv = NULL;
        char *got, *want;

        cr_assert_eq(
                ipf_compile_dbus_proxy_argv(p, bus, address, "/run/user/1000/ipf-X/bus", 3, &argv),
                0);
        got = argv_text(argv);
        snprintf(path, sizeof(path), GOLDEN_DIR "/dbus-proxy/%s.argv", golden);
        if (getenv("IPF_TEST_UPDATE_GOLDEN")) {
                FILE *f = fopen(path, "we");

                cr_assert_not_null(f);
                fputs(got, f);
                fclose(f);
        }
        want = read_text(path);
        cr_assert_not_null(want, "%s missing", path);
        cr_expect_str_eq(got, want, "%s:\n--- got\n%s--- want\n%s", golden, got, want);
        free(got);
        free(want);
        ipf_strv_free(argv);
        ipf_policy_free(p);
}

Test(dbus, proxy_argv_session_golden)
{
        check_argv(IPF_BUS_SESSION, "unix:path=/run/user/1000/bus", "session");
}

Test(dbus, proxy_argv_system_golden)
{
        check_argv(IPF_BUS_SYSTEM, "unix:path=/run/dbus/system_bus_socket", "system");
}

Test(dbus, bus_used_only_with_a_rule_for_it)
{
        struct ipf_policy *none = policy_with("unix connect /run/x.sock");
        struct ipf_policy *sys = policy_with("dbus system see org.freedesktop.login1");

        cr_expect(!ipf_dbus_bus_used(none, IPF_BUS_SESSION));
        cr_expect(!ipf_dbus_bus_used(none, IPF_BUS_SYSTEM));
        cr_expect(!ipf_dbus_bus_used(sys, IPF_BUS_SESSION));
        cr_expect(ipf_dbus_bus_used(sys, IPF_BUS_SYSTEM));
        ipf_policy_free(none);
        ipf_policy_free(sys);
}

Test(dbus, view_paths)
{
        struct ipf_host h = {.uid = 1000, .xdg_runtime_dir = "/run/user/1000"};
        struct ipf_host no_xdg = {.uid = 1001};
        char buf[PATH_MAX];

        cr_assert_eq(ipf_dbus_view_path(IPF_BUS_SESSION, &h, buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "/run/user/1000/bus");
        cr_assert_eq(ipf_dbus_view_path(IPF_BUS_SESSION, &no_xdg, buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "/run/user/1001/bus");
        cr_assert_eq(ipf_dbus_view_path(IPF_BUS_SYSTEM, &h, buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "/run/dbus/system_bus_socket");
        cr_expect_eq(ipf_dbus_view_path(IPF_BUS_SESSION, &h, buf, 10), -ENAMETOOLONG);
}

Test(dbus, address_parse)
{
        static const struct {
                const char *address;
                int ret;
                const char *entry, *path;
                bool abstract;
        } cases[] = {
                {"unix:path=/run/user/1000/bus", 0, "unix:path=/run/user/1000/bus",
                 "/run/user/1000/bus", false},
                {"unix:path=/tmp/a%20b,guid=0123", 0, "unix:path=/tmp/a%20b,guid=0123", "/tmp/a b",
                 false},
                {"unix:abstract=/tmp/dbus-x,guid=1;unix:path=/y", 0,
                 "unix:abstract=/tmp/dbus-x,guid=1", "/tmp/dbus-x", true},
                {"unix:guid=1,path=/z", 0, "unix:guid=1,path=/z", "/z", false},
                {"tcp:host=localhost,port=1", -EPROTONOSUPPORT, NULL, NULL, false},
                {"unix:dir=/tmp", -EPROTONOSUPPORT, NULL, NULL, false},
                {"unix:runtime=yes", -EPROTONOSUPPORT, NULL, NULL, false},
                {"unix:path=/a,abstract=b", -EINVAL, NULL, NULL, false},
                {"unix:path=/a%2", -EINVAL, NULL, NULL, false},
                {"unix:path=/a%zz", -EINVAL, NULL, NULL, false},
                {"unix:path=/a%00b", -EINVAL, NULL, NULL, false},
                {"unix:path=relative", -EINVAL, NULL, NULL, false},
                {"unix:path=", -EINVAL, NULL, NULL, false},
                {"", -EPROTONOSUPPORT, NULL, NULL, false},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *entry = NULL;
                char path[PATH_MAX] = "";
                bool abstract = false;
                int r = ipf_dbus_address_parse(cases[i].address, &entry, path, sizeof(path),
                                               &abstract);

                cr_expect_eq(r, cases[i].ret, "%s: %d", cases[i].address, r);
                if (cases[i].ret == 0 && r == 0) {
                        cr_expect_str_eq(entry, cases[i].entry, "%s", cases[i].address);
                        cr_expect_str_eq(path, cases[i].path, "%s", cases[i].address);
                        cr_expect_eq(abstract, cases[i].abstract, "%s", cases[i].address);
                }
                free(entry);
        }
}

Test(dbus, address_escape)
{
        char buf[64];

        cr_assert_eq(ipf_dbus_address_escape("/run/user/1000", buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "/run/user/1000");
        cr_assert_eq(ipf_dbus_address_escape("/a b,c=d;%", buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "/a%20b%2cc%3dd%3b%25");
        cr_expect_eq(ipf_dbus_address_escape("/aaaa", buf, 5), -ENAMETOOLONG);
}

static const struct ipf_mount *find_object(const struct ipf_mount_plan *m, const char *path)
{
        for (size_t i = 0; i < m->n; i++)
                if (m->entries[i].kind == IPF_MOUNT_OBJECT && strcmp(m->entries[i].path, path) == 0)
                        return &m->entries[i];
        return NULL;
}

/* Only the proxy's socket, at the usual place, and not optional: a view
 * without it is not built. */
Test(dbus, mount_plan_binds_the_proxy_socket)
{
        struct ipf_policy *p = load("dbus");
        struct ipf_policy *none = policy_with(NULL);
        struct ipf_host h = {.uid = 1000,
                             .gid = 1000,
                             .xdg_runtime_dir = "/run/user/1000",
                             .dbus_socket = {"/run/user/1000/ipf-A/bus", "/tmp/ipf-B/bus"}};
        struct ipf_mount_plan m = {0};
        struct ipf_diag d = {0};
        const struct ipf_mount *e;

        cr_assert_eq(ipf_compile_mounts(p, &h, &m, &d), 0, "%s", d.msg);
        e = find_object(&m, "/run/user/1000/bus");
        cr_assert_not_null(e);
        cr_expect_str_eq(e->source, "/run/user/1000/ipf-A/bus");
        cr_expect_eq(e->mode, S_IFSOCK);
        cr_expect(!e->optional);
        e = find_object(&m, "/run/dbus/system_bus_socket");
        cr_assert_not_null(e);
        cr_expect_str_eq(e->source, "/tmp/ipf-B/bus");
        ipf_mount_plan_done(&m);

        cr_assert_eq(ipf_compile_mounts(none, &h, &m, &d), 0, "%s", d.msg);
        cr_expect_null(find_object(&m, "/run/user/1000/bus"));
        cr_expect_null(find_object(&m, "/run/dbus/system_bus_socket"));
        ipf_mount_plan_done(&m);
        ipf_policy_free(p);
        ipf_policy_free(none);
}
