/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile front end: golden files (profile → canonical JSON, byte for byte)
 * and every error with its exact FILE:LINE:COL text: syntax, bytes, paths,
 * endpoints, variables, globs, includes, conflicts. Loading, the search path
 * and --allow are in test-profile-load.c. Run from the repository root.
 * IPF_TEST_UPDATE_GOLDEN=1 rewrites the .json files (review the diff!). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/profile.h"

#include "profile-fixture.h"

static char *read_file(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;

        if (!f)
                return NULL;
        FILE *m = open_memstream(&buf, &size);
        cr_assert_not_null(m);
        for (int c; (c = fgetc(f)) != EOF;)
                fputc(c, m);
        fclose(m);
        fclose(f);
        *ret_len = size;
        return buf;
}

/* Parse TEXT as "test.profile" at DEPTH with ENV; return the error text
 * ("" on success) in BUF. */
static int parse_with(const char *text, size_t len, const struct ipf_profile_env *env,
                      unsigned depth, char *buf, size_t size)
{
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        int r;

        cr_assert_eq(ipf_policy_new("test", &p), 0);
        r = ipf_profile_parse_text(p, text, len, "test.profile", env, depth, &d);
        buf[0] = '\0';
        if (r < 0)
                diag_text(&d, buf, size);
        ipf_policy_free(p);
        return r;
}

/* ---- golden files ---------------------------------------------------- */

static void check_golden(const char *name)
{
        char profile[PATH_MAX], json[PATH_MAX], err[1024];
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        size_t len = 0;
        char *got, *want;
        int r;

        snprintf(profile, sizeof profile, GOLDEN_DIR "/%s.profile", name);
        snprintf(json, sizeof json, GOLDEN_DIR "/%s.json", name);
        r = ipf_profile_load(profile, &test_env, &p, &d);
        diag_text(&d, err, sizeof err);
        cr_assert_eq(r, 0, "%s: %s", profile, err);
        cr_expect_str_eq(ipf_policy_name(p), name);
        got = policy_json(p);

        if (getenv("IPF_TEST_UPDATE_GOLDEN")) {
                FILE *f = fopen(json, "we");

                cr_assert_not_null(f);
                fputs(got, f);
                fclose(f);
        }
        want = read_file(json, &len);
        cr_assert_not_null(want, "%s missing", json);
        cr_expect_eq(strlen(got), len, "%s: length differs", name);
        cr_expect_str_eq(got, want, "%s:\n--- got\n%s--- want\n%s", name, got, want);
        free(got);
        free(want);
        ipf_policy_free(p);
}

Test(profile, golden_files)
{
        DIR *dir = opendir(GOLDEN_DIR);
        unsigned n = 0;
        struct dirent *de;

        cr_assert_not_null(dir);
        while ((de = readdir(dir))) {
                size_t len = strlen(de->d_name);
                char name[256];

                if (len <= 8 || strcmp(de->d_name + len - 8, ".profile") != 0)
                        continue;
                snprintf(name, sizeof name, "%.*s", (int)(len - 8), de->d_name);
                check_golden(name);
                n++;
        }
        closedir(dir);
        cr_expect_geq(n, 15, "only %u golden files", n);
}

/* ---- errors ---------------------------------------------------------- */

struct error_case {
        const char *text;
        size_t len;
        const char *expected;
};

/* Text with embedded NULs keeps its length. */
#define T(s) s, sizeof(s) - 1

static const struct error_case syntax_errors[] = {
        {T("bogus\n"), "test.profile:1:1: unknown keyword 'bogus'"},
        {T("  Unix connect /x"), "test.profile:1:3: unknown keyword 'Unix'"},
        {T("# ok\n\n\tbogus x"), "test.profile:3:2: unknown keyword 'bogus'"},
        {T("unix\n"), "test.profile:1:5: missing argument"},
        {T("unix connect"), "test.profile:1:13: missing argument"},
        {T("unix connect   # comment"), "test.profile:1:13: missing argument"},
        {T("unix connect\t\r\n"), "test.profile:1:13: missing argument"},
        {T("dbus session"), "test.profile:1:13: missing argument"},
        {T("dbus session talk"), "test.profile:1:18: missing argument"},
        {T("tcp"), "test.profile:1:4: missing argument"},
        {T("include"), "test.profile:1:8: missing argument"},
        {T("network"), "test.profile:1:8: missing argument"},
        {T("unix bind /x"),
         "test.profile:1:6: invalid argument 'bind' (expected: connect, listen)"},
        {T("unix connect /x extra"), "test.profile:1:17: unexpected argument 'extra'"},
        {T("sysv host now"), "test.profile:1:11: unexpected argument 'now'"},
        {T("sysv private"), "test.profile:1:6: invalid argument 'private' (expected: host)"},
        {T("signal all"), "test.profile:1:8: invalid argument 'all' (expected: host)"},
        {T("network maybe"), "test.profile:1:9: invalid argument 'maybe' (expected: none, host)"},
        {T("network none host"), "test.profile:1:14: unexpected argument 'host'"},
        {T("netlink generic"),
         "test.profile:1:9: invalid argument 'generic' (expected: route, kobject-uevent, "
         "audit)"},
        {T("mqueue create /q"), "test.profile:1:8: invalid argument 'create' (expected: open)"},
        {T("dbus bus talk org.a.b"),
         "test.profile:1:6: invalid argument 'bus' (expected: session, system)"},
        {T("dbus session chat org.a.b"),
         "test.profile:1:14: invalid argument 'chat' (expected: talk, own, see, call, "
         "broadcast)"},
        {T("include a b"), "test.profile:1:11: unexpected argument 'b'"},
        {T("unix connect /a b c d e f g h i j"), "test.profile:1:17: unexpected argument 'b'"},
        {T("dbus session talk org.a.b c"), "test.profile:1:27: unexpected argument 'c'"},
};

static const struct error_case byte_errors[] = {
        {T("unix connect /a\0b"), "test.profile:1:16: NUL byte"},
        {T("# comment\0"), "test.profile:1:10: NUL byte"},
        {T("sysv host\n\0"), "test.profile:2:1: NUL byte"},
        {T("unix connect /a\x01"), "test.profile:1:16: control character 0x01"},
        {T("unix connect /a\x7f"), "test.profile:1:16: control character 0x7f"},
        {T("unix\rconnect /a"), "test.profile:1:5: control character 0x0d"},
        {T("sysv host\r\r\n"), "test.profile:1:10: control character 0x0d"},
        {T("\x1b[31m"), "test.profile:1:1: control character 0x1b"},
        {T("unix connect /\xff"), "test.profile:1:15: invalid UTF-8"},
        {T("unix connect /\xc0\xaf"), "test.profile:1:15: invalid UTF-8"},
        {T("unix connect /\xed\xa0\x80"), "test.profile:1:15: invalid UTF-8"},
        {T("unix connect /\xe2\x82"), "test.profile:1:15: invalid UTF-8"},
        {T("unix connect /\xf4\x90\x80\x80"), "test.profile:1:15: invalid UTF-8"},
        {T("# caf\xc3\xa9 \x80"), "test.profile:1:9: invalid UTF-8"},
        {T("unix connect /\xc2\x85"), "test.profile:1:15: control character U+0085"},
};

static const struct error_case path_errors[] = {
        {T("unix connect relative"), "test.profile:1:14: path 'relative' is not absolute"},
        {T("fifo open ./x"), "test.profile:1:11: path './x' is not absolute"},
        {T("unix listen ~/x"), "test.profile:1:13: path '~/x' is not absolute"},
        {T("unix connect /a//b"), "test.profile:1:17: path '/a//b' contains '//'"},
        {T("unix connect /a/"), "test.profile:1:16: path '/a/' ends in '/'"},
        {T("unix connect /"), "test.profile:1:14: path '/' ends in '/'"},
        {T("unix connect /a/../b"),
         "test.profile:1:17: path '/a/../b' contains a '.' or '..' component"},
        {T("unix connect /a/./b"),
         "test.profile:1:17: path '/a/./b' contains a '.' or '..' component"},
        {T("fifo open /x/.."), "test.profile:1:14: path '/x/..' contains a '.' or '..' component"},
        {T("unix connect /a*/b"),
         "test.profile:1:16: '*' is only allowed in the last path component"},
        {T("fifo open /x/*/y"),
         "test.profile:1:14: '*' is only allowed in the last path component"},
        {T("unix connect @"), "test.profile:1:14: abstract socket name '@' is empty"},
        {T("mqueue open q"), "test.profile:1:13: mqueue name 'q' does not start with '/'"},
        {T("mqueue open /"), "test.profile:1:13: mqueue name '/' is empty"},
        {T("shm open /a/b"),
         "test.profile:1:12: shm name '/a/b' contains '/' after the first byte"},
        {T("shm open /.."), "test.profile:1:10: shm name '/..' is '.' or '..'"},
        {T("shm open /."), "test.profile:1:10: shm name '/.' is '.' or '..'"},
};

static const struct error_case endpoint_errors[] = {
        {T("tcp connect 80"), "test.profile:1:13: expected HOST:PORT, got '80'"},
        {T("tcp connect host:80"),
         "test.profile:1:13: invalid host 'host' (expected an IPv4 address, [IPv6 address] "
         "or localhost)"},
        {T("tcp connect ::1:80"),
         "test.profile:1:13: invalid host '::1' (expected an IPv4 address, [IPv6 address] or "
         "localhost)"},
        {T("tcp connect [127.0.0.1]:80"),
         "test.profile:1:13: invalid host '[127.0.0.1]' (expected an IPv4 address, [IPv6 "
         "address] or localhost)"},
        {T("tcp connect 1.2.3:5"),
         "test.profile:1:13: invalid host '1.2.3' (expected an IPv4 address, [IPv6 address] or "
         "localhost)"},
        {T("tcp connect 01.2.3.4:5"),
         "test.profile:1:13: invalid host '01.2.3.4' (expected an IPv4 address, [IPv6 "
         "address] or localhost)"},
        {T("tcp connect LOCALHOST:5"),
         "test.profile:1:13: invalid host 'LOCALHOST' (expected an IPv4 address, [IPv6 "
         "address] or localhost)"},
        {T("tcp connect 1.2.3.4:0"), "test.profile:1:21: invalid port '0' (expected 1 to 65535)"},
        {T("tcp connect 1.2.3.4:65536"),
         "test.profile:1:21: invalid port '65536' (expected 1 to 65535)"},
        {T("tcp connect 1.2.3.4:"), "test.profile:1:21: invalid port '' (expected 1 to 65535)"},
        {T("tcp connect 1.2.3.4:+80"),
         "test.profile:1:21: invalid port '+80' (expected 1 to 65535)"},
        {T("tcp connect 1.2.3.4:000080"),
         "test.profile:1:21: invalid port '000080' (expected 1 to 65535)"},
        {T("tcp connect [::1]"), "test.profile:1:13: expected HOST:PORT, got '[::1]'"},
        {T("tcp connect [::1"), "test.profile:1:13: expected HOST:PORT, got '[::1'"},
        {T("tcp connect [fe80::1%eth0]:80"),
         "test.profile:1:13: invalid host '[fe80::1%eth0]' (expected an IPv4 address, [IPv6 "
         "address] or localhost)"},
        {T("tcp listen localhost"),
         "test.profile:1:12: expected PORT or HOST:PORT, got 'localhost'"},
        {T("tcp listen 0"), "test.profile:1:12: invalid port '0' (expected 1 to 65535)"},
        {T("tcp listen 99999"), "test.profile:1:12: invalid port '99999' (expected 1 to 65535)"},
        {T("dbus session talk org"), "test.profile:1:19: invalid D-Bus name 'org'"},
        {T("dbus session talk org.1foo"), "test.profile:1:19: invalid D-Bus name 'org.1foo'"},
        {T("dbus session talk org..foo"), "test.profile:1:19: invalid D-Bus name 'org..foo'"},
        {T("dbus session talk .org.foo"), "test.profile:1:19: invalid D-Bus name '.org.foo'"},
        {T("dbus session talk org.foo."), "test.profile:1:19: invalid D-Bus name 'org.foo.'"},
        {T("dbus session talk :1.42"), "test.profile:1:19: invalid D-Bus name ':1.42'"},
        {T("dbus session talk org.*"), "test.profile:1:19: invalid D-Bus name 'org.*'"},
        {T("dbus session talk org.foo*"), "test.profile:1:19: invalid D-Bus name 'org.foo*'"},
        {T("dbus session own org.f$o.x"), "test.profile:1:18: invalid D-Bus name 'org.f$o.x'"},
        {T("dbus session call org.foo.Bar"),
         "test.profile:1:19: expected NAME=RULE, got 'org.foo.Bar'"},
        {T("dbus session call org.foo.Bar="), "test.profile:1:31: invalid D-Bus rule ''"},
        {T("dbus session call org.foo.Bar=@x"), "test.profile:1:31: invalid D-Bus rule '@x'"},
        {T("dbus session call org.foo.Bar=a@"), "test.profile:1:31: invalid D-Bus rule 'a@'"},
        {T("dbus system broadcast org.foo.Bar=a.b@/x@y"),
         "test.profile:1:35: invalid D-Bus rule 'a.b@/x@y'"},
        {T("dbus session call org.foo.Bar=a(b)"), "test.profile:1:31: invalid D-Bus rule 'a(b)'"},
        {T("dbus session call bad=x"), "test.profile:1:19: invalid D-Bus name 'bad'"},
        {T("dbus session call =x"), "test.profile:1:19: invalid D-Bus name ''"},
};

static const struct error_case variable_errors[] = {
        {T("unix connect ${FOO}/x"), "test.profile:1:14: unknown variable ${FOO}"},
        {T("unix connect /a/${}"), "test.profile:1:17: unknown variable ${}"},
        {T("unix connect /a/${home}"), "test.profile:1:17: unknown variable ${home}"},
        {T("unix connect $HOME/x"),
         "test.profile:1:14: '$' must start ${UID}, ${USER}, ${HOME} or ${XDG_RUNTIME_DIR}"},
        {T("unix connect /x/$"),
         "test.profile:1:17: '$' must start ${UID}, ${USER}, ${HOME} or ${XDG_RUNTIME_DIR}"},
        {T("fifo open ${HOME"), "test.profile:1:11: unterminated '${'"},
        {T("unix connect @${USER}${"), "test.profile:1:22: unterminated '${'"},
        {T("shm open /${HOME}"),
         "test.profile:1:11: shm name '/${HOME}' contains '/' after the first byte"},
        {T("unix connect ${HOME}//x"), "test.profile:1:22: path '${HOME}//x' contains '//'"},
        {T("unix connect ${USER}/x"), "test.profile:1:14: path '${USER}/x' is not absolute"},
        {T("unix connect /a*/${HOME}"),
         "test.profile:1:16: '*' is only allowed in the last path component"},
        {T("unix connect ${XDG_RUNTIME_DIR}*/x"),
         "test.profile:1:32: '*' is only allowed in the last path component"},
        {T("include ${HOME}/nonexistent.profile"),
         "test.profile:1:9: cannot read include '/home/alice/nonexistent.profile': No such "
         "file or directory"},
};

static const struct error_case include_errors[] = {
        {T("include nope"), "test.profile:1:9: include 'nope' not found in: " SEARCH_PATH_TEXT},
        {T("include ../x"),
         "test.profile:1:9: invalid include name '../x' (empty, '.' and '..' components are "
         "not allowed)"},
        {T("include abstractions/../x"),
         "test.profile:1:9: invalid include name 'abstractions/../x' (empty, '.' and '..' "
         "components are not allowed)"},
        {T("include a//b"),
         "test.profile:1:9: invalid include name 'a//b' (empty, '.' and '..' components are "
         "not allowed)"},
        {T("include abstractions/"),
         "test.profile:1:9: invalid include name 'abstractions/' (empty, '.' and '..' "
         "components are not allowed)"},
        {T("include ./x"),
         "test.profile:1:9: invalid include name './x' (empty, '.' and '..' components are not "
         "allowed)"},
        {T("include /nonexistent/x.profile"),
         "test.profile:1:9: cannot read include '/nonexistent/x.profile': No such file or "
         "directory"},
        {T("include /"), "test.profile:1:9: cannot read include '/': not a regular file"},
        {T("include /dev/null"),
         "test.profile:1:9: cannot read include '/dev/null': not a regular file"},
        {T("include cycle-a"), PATH_HIGH "/cycle-b.profile:1:1: include cycle: " PATH_HIGH
                                         "/cycle-a.profile -> " PATH_HIGH
                                         "/cycle-b.profile -> " PATH_HIGH "/cycle-a.profile"},
        {T("include self-cycle"),
         PATH_HIGH "/self-cycle.profile:2:1: include cycle: " PATH_HIGH
                   "/self-cycle.profile -> " PATH_HIGH "/self-cycle.profile"},
        {T("include bad-rule"),
         PATH_HIGH "/bad-rule.profile:3:14: path 'relative' is not absolute"},
        {T("network none\ninclude net-host"),
         PATH_HIGH "/net-host.profile:1:1: 'network host' conflicts with 'network none' at "
                   "test.profile:1:1"},
        /* test.profile is depth 0, chain/NN depth NN: chain/16 cannot include. */
        {T("include chain/01"), PATH_HIGH "/chain/16.profile:2:1: include depth over 16"},
        /* chain/05 was complete at depth 1, but from depth 4 it would be too deep. */
        {T("include chain/05\ninclude chain/02"),
         PATH_HIGH "/chain/17.profile:2:1: include depth over 16"},
};

static const struct error_case conflict_errors[] = {
        {T("network none\nnetwork host"),
         "test.profile:2:1: 'network host' conflicts with 'network none' at test.profile:1:1"},
        {T("network host\nsysv host\n  network none"),
         "test.profile:3:3: 'network none' conflicts with 'network host' at test.profile:1:1"},
        {T("network host\nnetwork host\nnetwork none"),
         "test.profile:3:1: 'network none' conflicts with 'network host' at test.profile:1:1"},
};

static void check_errors(const struct error_case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                char got[2048];
                int r;

                r = parse_with(cases[i].text, cases[i].len, &test_env, 0, got, sizeof got);
                cr_expect_lt(r, 0, "case %zu '%s' parsed", i, cases[i].text);
                cr_expect_str_eq(got, cases[i].expected, "case %zu '%s'", i, cases[i].text);
        }
}

Test(profile, syntax_errors)
{
        check_errors(syntax_errors, sizeof syntax_errors / sizeof *syntax_errors);
}

Test(profile, byte_errors)
{
        check_errors(byte_errors, sizeof byte_errors / sizeof *byte_errors);
}

Test(profile, path_errors)
{
        check_errors(path_errors, sizeof path_errors / sizeof *path_errors);
}

Test(profile, endpoint_errors)
{
        check_errors(endpoint_errors, sizeof endpoint_errors / sizeof *endpoint_errors);
}

Test(profile, variable_errors)
{
        check_errors(variable_errors, sizeof variable_errors / sizeof *variable_errors);
}

Test(profile, include_errors)
{
        check_errors(include_errors, sizeof include_errors / sizeof *include_errors);
}

Test(profile, conflict_errors)
{
        check_errors(conflict_errors, sizeof conflict_errors / sizeof *conflict_errors);
}

Test(profile, line_length)
{
        char *text = malloc(IPF_PROFILE_MAX_LINE + 3), got[1024];

        cr_assert_not_null(text);
        /* Exactly 4096 bytes is fine, also with a '\n' after it. */
        memset(text, '#', IPF_PROFILE_MAX_LINE);
        text[IPF_PROFILE_MAX_LINE] = '\n';
        cr_expect_eq(parse_with(text, IPF_PROFILE_MAX_LINE, &test_env, 0, got, sizeof got), 0);
        cr_expect_eq(parse_with(text, IPF_PROFILE_MAX_LINE + 1, &test_env, 0, got, sizeof got), 0);
        /* 4097 bytes is not, whatever the line holds. */
        memset(text, ' ', IPF_PROFILE_MAX_LINE + 1);
        cr_expect_lt(parse_with(text, IPF_PROFILE_MAX_LINE + 1, &test_env, 0, got, sizeof got), 0);
        cr_expect_str_eq(got, "test.profile:1:4097: line longer than 4096 bytes");
        free(text);

        /* On a later line the line number follows. */
        text = malloc(10 + IPF_PROFILE_MAX_LINE + 2);
        cr_assert_not_null(text);
        memcpy(text, "sysv host\n", 10);
        memset(text + 10, 'x', IPF_PROFILE_MAX_LINE + 1);
        text[10 + IPF_PROFILE_MAX_LINE + 1] = '\n';
        cr_expect_lt(parse_with(text, 10 + IPF_PROFILE_MAX_LINE + 2, &test_env, 0, got, sizeof got),
                     0);
        cr_expect_str_eq(got, "test.profile:2:4097: line longer than 4096 bytes");
        free(text);
}

/* Abstract names: 107 bytes fit in sun_path after the leading NUL, 108 do not. */
Test(profile, abstract_name_length)
{
        char text[256], got[1024], want[1024];

        memcpy(text, "unix connect @", 14);
        memset(text + 14, 'a', 108);
        text[14 + 107] = '\0';
        cr_expect_eq(parse_with(text, strlen(text), &test_env, 0, got, sizeof got), 0, "%s", got);
        text[14 + 107] = 'a';
        text[14 + 108] = '\0';
        cr_expect_lt(parse_with(text, strlen(text), &test_env, 0, got, sizeof got), 0);
        /* The quote stops at 100 bytes. */
        snprintf(want, sizeof want, "test.profile:1:14: abstract socket name '@%.99s' is too long",
                 text + 14);
        cr_expect_str_eq(got, want);
}

Test(profile, long_token_is_quoted_short)
{
        char text[400], got[1024], want[1024];

        memset(text, 'x', 300);
        text[300] = '\0';
        snprintf(want, sizeof want, "test.profile:1:1: unknown keyword '%.100s'", text);
        cr_expect_lt(parse_with(text, strlen(text), &test_env, 0, got, sizeof got), 0);
        cr_expect_str_eq(got, want);
}

Test(profile, unset_variables)
{
        static const struct {
                struct ipf_profile_env env;
                const char *text, *expected;
        } cases[] = {
                {{.uid = (uid_t)-1, .user = "a", .home = "/h", .xdg_runtime_dir = "/r"},
                 "unix connect /run/user/${UID}/x",
                 "test.profile:1:24: variable ${UID} is not set"},
                {{.uid = 1, .user = NULL, .home = "/h", .xdg_runtime_dir = "/r"},
                 "unix connect @${USER}",
                 "test.profile:1:15: variable ${USER} is not set"},
                {{.uid = 1, .user = "a", .home = NULL, .xdg_runtime_dir = "/r"},
                 "fifo open ${HOME}/x",
                 "test.profile:1:11: variable ${HOME} is not set"},
                {{.uid = 1, .user = "a", .home = "", .xdg_runtime_dir = "/r"},
                 "fifo open ${HOME}/x",
                 "test.profile:1:11: variable ${HOME} is not set"},
                {{.uid = 1, .user = "a", .home = "/h", .xdg_runtime_dir = NULL},
                 "unix connect ${XDG_RUNTIME_DIR}/bus",
                 "test.profile:1:14: variable ${XDG_RUNTIME_DIR} is not set"},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                char got[1024];

                cr_expect_lt(parse_with(cases[i].text, strlen(cases[i].text), &cases[i].env, 0, got,
                                        sizeof got),
                             0);
                cr_expect_str_eq(got, cases[i].expected, "case %zu", i);
        }
}

/* A variable whose value makes the path invalid is reported at its '$'. */
Test(profile, bad_variable_values)
{
        struct ipf_profile_env env = test_env;
        char got[1024], *huge;

        env.home = "/home/al/../ice";
        cr_expect_lt(parse_with(T("fifo open ${HOME}/x"), &env, 0, got, sizeof got), 0);
        cr_expect_str_eq(got,
                         "test.profile:1:11: path '${HOME}/x' contains a '.' or '..' component");
        env.user = "a*b";
        cr_expect_lt(parse_with(T("fifo open /x/${USER}/y"), &env, 0, got, sizeof got), 0);
        cr_expect_str_eq(got, "test.profile:1:14: '*' is only allowed in the last path component");

        huge = malloc(PATH_MAX);
        cr_assert_not_null(huge);
        memset(huge, 'h', PATH_MAX - 1);
        huge[0] = '/';
        huge[PATH_MAX - 1] = '\0';
        env.home = huge;
        cr_expect_lt(parse_with(T("fifo open /${HOME}"), &env, 0, got, sizeof got), 0);
        cr_expect_str_eq(
                got, "test.profile:1:12: '/${HOME}' is too long (over 4064 bytes after expansion)");
        free(huge);
}

Test(profile, depth_argument)
{
        char got[1024];

        cr_expect_eq(parse_with(T("include abstractions/common"), &test_env, 15, got, sizeof got),
                     0);
        cr_expect_lt(parse_with(T("include abstractions/common"), &test_env, 16, got, sizeof got),
                     0);
        cr_expect_str_eq(got, "test.profile:1:1: include depth over 16");
        cr_expect_lt(
                parse_with(T("include abstractions/common"), &test_env, UINT_MAX, got, sizeof got),
                0);
        cr_expect_str_eq(got, "test.profile:1:1: include depth over 16");
        /* chain/03 → chain/18 is 16 levels below depth 0: fine. */
        cr_expect_eq(parse_with(T("include chain/03"), &test_env, 0, got, sizeof got), 0, "%s",
                     got);
}

Test(profile, absolute_include)
{
        char cwd[PATH_MAX], text[PATH_MAX + 64], got[1024];
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};

        cr_assert_not_null(getcwd(cwd, sizeof cwd));
        snprintf(text, sizeof text, "include %s/" PATH_HIGH "/net-host.profile\n", cwd);
        cr_assert_eq(ipf_policy_new("t", &p), 0);
        cr_assert_eq(ipf_profile_parse_text(p, text, strlen(text), "t", &test_env, 0, &d), 0, "%s",
                     d.msg);
        cr_expect_eq(p->n_rules, 1);
        cr_expect_eq(p->network, IPF_NETWORK_HOST);
        cr_assert_lt((size_t)snprintf(got, sizeof got, "%s/" PATH_HIGH "/net-host.profile", cwd),
                     sizeof got);
        cr_expect_str_eq(p->rules[0].origin.file, got);
        ipf_policy_free(p);
}

Test(profile, size_limit)
{
        size_t len = IPF_PROFILE_MAX_SIZE + 1;
        char *text = malloc(len), got[1024];

        cr_assert_not_null(text);
        memset(text, '\n', len);
        cr_expect_lt(parse_with(text, len, &test_env, 0, got, sizeof got), 0);
        cr_expect_str_eq(got, "'test.profile' is larger than 1 MiB");
        cr_expect_eq(parse_with(text, len - 1, &test_env, 0, got, sizeof got), 0);
        free(text);
}
