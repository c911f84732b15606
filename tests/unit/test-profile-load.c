/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile front end, second half: loading by name or path, the search path,
 * --allow rules and ipf_profile_expand(). Run from the repository root;
 * fixtures are in tests/unit/golden/path and path-low. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/profile.h"

#include "profile-fixture.h"
/* ---- loading by name, the search path ------------------------------- */

Test(profile, load_by_name)
{
        static const struct {
                const char *arg, *name, *source;
                size_t n_rules;
        } cases[] = {
                {"shadow", "shadow", PATH_HIGH "/shadow.profile", 1},
                {"low-only", "low-only", PATH_LOW "/low-only.profile", 1},
                {"abstractions/base", "base", PATH_HIGH "/abstractions/base.profile", 2},
                {"chain/02", "02", PATH_HIGH "/chain/02.profile", 1},
                {"./" PATH_HIGH "/shadow.profile", "shadow", "./" PATH_HIGH "/shadow.profile", 1},
                {GOLDEN_DIR "/unix.profile", "unix", GOLDEN_DIR "/unix.profile", 7},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct ipf_policy *p = NULL;
                struct ipf_diag d = {};

                cr_assert_eq(ipf_profile_load(cases[i].arg, &test_env, &p, &d), 0, "%s: %s",
                             cases[i].arg, d.msg);
                cr_expect_str_eq(ipf_policy_name(p), cases[i].name);
                cr_expect_str_eq(p->source, cases[i].source);
                cr_expect_eq(p->n_rules, cases[i].n_rules, "%s", cases[i].arg);
                ipf_policy_free(p);
        }
}

Test(profile, load_errors)
{
        static const struct {
                const char *arg;
                int error;
                const char *expected;
        } cases[] = {
                {"nope", -ENOENT, "profile 'nope' not found in: " SEARCH_PATH_TEXT},
                {"abstractions/nope", -ENOENT,
                 "profile 'abstractions/nope' not found in: " SEARCH_PATH_TEXT},
                {"a/../b", -EINVAL, "invalid profile name 'a/../b'"},
                {"a//b", -EINVAL, "invalid profile name 'a//b'"},
                {"nope.profile", -ENOENT,
                 "cannot read profile 'nope.profile': No such file or directory"},
                {"./" GOLDEN_DIR, -EMEDIUMTYPE,
                 "cannot read profile './" GOLDEN_DIR "': not a regular file"},
                {"chain/01", -EINVAL, PATH_HIGH "/chain/17.profile:2:1: include depth over 16"},
                {"cycle-b", -EINVAL,
                 PATH_HIGH "/cycle-a.profile:2:1: include cycle: " PATH_HIGH
                           "/cycle-b.profile -> " PATH_HIGH "/cycle-a.profile -> " PATH_HIGH
                           "/cycle-b.profile"},
                {"self-cycle", -EINVAL,
                 PATH_HIGH "/self-cycle.profile:2:1: include cycle: " PATH_HIGH
                           "/self-cycle.profile -> " PATH_HIGH "/self-cycle.profile"},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct ipf_policy *p = NULL;
                struct ipf_diag d = {};
                char got[2048];

                cr_expect_eq(ipf_profile_load(cases[i].arg, &test_env, &p, &d), cases[i].error,
                             "%s", cases[i].arg);
                cr_expect_null(p);
                diag_text(&d, got, sizeof got);
                cr_expect_str_eq(got, cases[i].expected);
        }
}

Test(profile, load_empty_search_path)
{
        struct ipf_profile_env env = test_env;
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        char *path = NULL;

        env.search_path = NULL;
        cr_expect_eq(ipf_profile_load("x", &env, &p, &d), -ENOENT);
        cr_expect_str_eq(d.msg, "profile 'x' not found in: ");
        cr_expect_eq(d.line, 0);
        cr_expect_eq(ipf_profile_find("x", &env, &path), -ENOENT);
}

Test(profile, load_too_big)
{
        char path[] = "/tmp/ipf-test-XXXXXX.profile", want[256];
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        int fd = mkstemps(path, 8);

        cr_assert_geq(fd, 0);
        cr_assert_eq(ftruncate(fd, IPF_PROFILE_MAX_SIZE + 1), 0);
        close(fd);
        cr_expect_eq(ipf_profile_load(path, &test_env, &p, &d), -EFBIG);
        snprintf(want, sizeof want, "cannot read profile '%s': larger than 1 MiB", path);
        cr_expect_str_eq(d.msg, want);
        unlink(path);
}

Test(profile, find)
{
        static const char *const dirs[] = {"", PATH_HIGH "/", PATH_LOW, NULL};
        struct ipf_profile_env env = test_env;
        char *path = NULL;

        env.search_path = dirs;
        cr_assert_eq(ipf_profile_find("shadow", &env, &path), 0);
        cr_expect_str_eq(path, PATH_HIGH "/shadow.profile");
        free(path);
        cr_assert_eq(ipf_profile_find("low-only", &env, &path), 0);
        cr_expect_str_eq(path, PATH_LOW "/low-only.profile");
        free(path);
        cr_expect_eq(ipf_profile_find("nope", &env, &path), -ENOENT);
        cr_expect_eq(ipf_profile_find("../path/shadow", &env, &path), -EINVAL);
        cr_expect_eq(ipf_profile_find("/etc/passwd", &env, &path), -EINVAL);
        cr_expect_eq(ipf_profile_find("", &env, &path), -EINVAL);
}

/* ---- --allow rules ---------------------------------------------------- */

Test(profile, allow_rules)
{
        static const struct {
                const char *rule, *text; /* text: the canonical form back */
        } cases[] = {
                {"tcp connect 127.0.0.1:5", "tcp connect 127.0.0.1:5"},
                {"  tcp connect [0::1]:05  # why not", "tcp connect [::1]:5"},
                {"unix connect ${XDG_RUNTIME_DIR}/bus", "unix connect /run/user/1000/bus"},
                {"unix listen @${USER}*", "unix listen @alice*"},
                {"dbus system see org.a.*", "dbus system see org.a.*"},
                {"dbus session call a.b=c.d@/e", "dbus session call a.b=c.d@/e"},
                {"network host", "network host"},
                {"sysv host\r", "sysv host"},
                {"signal host", "signal host"},
                {"netlink kobject-uevent", "netlink kobject-uevent"},
                {"mqueue open /q", "mqueue open /q"},
                {"shm open /s*", "shm open /s*"},
                {"fifo open ${HOME}/f", "fifo open /home/alice/f"},
                {"tcp listen 8080", "tcp listen 8080"},
                {"tcp listen [::]:8080", "tcp listen [::]:8080"},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct ipf_policy *p = NULL;
                struct ipf_diag d = {};
                char *text;

                cr_assert_eq(ipf_policy_new("t", &p), 0);
                cr_assert_geq(ipf_profile_add_rule_text(p, cases[i].rule, "--allow", &test_env, &d),
                              0, "%s: %s", cases[i].rule, d.msg);
                cr_assert_eq(p->n_rules, 1);
                cr_expect_str_eq(p->rules[0].origin.file, "--allow");
                cr_expect_eq(p->rules[0].origin.line, 1);
                text = ipf_rule_to_text(&p->rules[0]);
                cr_expect_str_eq(text, cases[i].text);
                free(text);
                ipf_policy_free(p);
        }
}

Test(profile, allow_errors)
{
        static const struct {
                const char *rule, *expected;
        } cases[] = {
                {"", "--allow:1:1: empty rule"},
                {"   # nothing", "--allow:1:1: empty rule"},
                {"unix connect rel", "--allow:1:14: path 'rel' is not absolute"},
                {"sysv host\nsignal host", "--allow:1:10: control character 0x0a"},
                {"tcp connect", "--allow:1:12: missing argument"},
                {"include nope", "--allow:1:9: include 'nope' not found in: " SEARCH_PATH_TEXT},
                {"include bad-rule",
                 PATH_HIGH "/bad-rule.profile:3:14: path 'relative' is not absolute"},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct ipf_policy *p = NULL;
                struct ipf_diag d = {};
                char got[1024];

                cr_assert_eq(ipf_policy_new("t", &p), 0);
                cr_expect_lt(ipf_profile_add_rule_text(p, cases[i].rule, "--allow", &test_env, &d),
                             0);
                diag_text(&d, got, sizeof got);
                cr_expect_str_eq(got, cases[i].expected, "rule '%s'", cases[i].rule);
                ipf_policy_free(p);
        }
}

/* --allow after a profile: folds into it, conflicts name the profile line. */
Test(profile, allow_after_profile)
{
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        char got[1024];

        cr_assert_eq(ipf_profile_load(GOLDEN_DIR "/network-host.profile", &test_env, &p, &d), 0);
        cr_expect_eq(p->n_rules, 2);
        cr_expect_eq(ipf_profile_add_rule_text(p, "tcp connect 127.0.0.1:5432", "--allow",
                                               &test_env, &d),
                     0);
        cr_expect_eq(p->n_rules, 2);
        cr_expect_eq(
                ipf_profile_add_rule_text(p, "include abstractions/base", "--allow", &test_env, &d),
                0);
        cr_expect_eq(p->n_rules, 4);
        cr_expect_lt(ipf_profile_add_rule_text(p, "network none", "--allow", &test_env, &d), 0);
        diag_text(&d, got, sizeof got);
        cr_expect_str_eq(got,
                         "--allow:1:1: 'network none' conflicts with 'network host' at " GOLDEN_DIR
                         "/network-host.profile:2:1");
        cr_expect_eq(p->n_rules, 4);
        ipf_policy_free(p);
}

/* ---- ipf_profile_expand ----------------------------------------------- */

Test(profile, expand)
{
        static const struct {
                const char *in, *out;
                int error;
                size_t bad;
        } cases[] = {
                {"", "", 0, 0},
                {"/plain/path", "/plain/path", 0, 0},
                {"${UID}", "1000", 0, 0},
                {"${USER}@${HOME}:${XDG_RUNTIME_DIR}", "alice@/home/alice:/run/user/1000", 0, 0},
                {"${HOME}${HOME}", "/home/alice/home/alice", 0, 0},
                {"a}b{c", "a}b{c", 0, 0},
                {"x$", NULL, -EINVAL, 1},
                {"x$y", NULL, -EINVAL, 1},
                {"ab${UID", NULL, -EINVAL, 2},
                {"${UID}${PATH}", NULL, -EINVAL, 6},
                {"${ HOME}", NULL, -EINVAL, 0},
                {"$${HOME}", NULL, -EINVAL, 0},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                size_t bad = 999;
                char *out = NULL;
                int r;

                r = ipf_profile_expand(cases[i].in, &test_env, &out, &bad);
                cr_expect_eq(r, cases[i].error, "'%s'", cases[i].in);
                if (cases[i].out) {
                        cr_expect_str_eq(out, cases[i].out);
                        cr_expect_eq(bad, 999, "bad offset written on success");
                } else {
                        cr_expect_null(out);
                        cr_expect_eq(bad, cases[i].bad, "'%s'", cases[i].in);
                }
                free(out);
        }
}

Test(profile, expand_too_long)
{
        /* Capped so that a rule always renders back within one line. */
        const size_t max = IPF_PROFILE_MAX_LINE - 32;
        char *in = malloc(max + 2), *out = NULL;
        size_t bad = 0;

        cr_assert_not_null(in);
        memset(in, 'a', max + 1);
        in[max + 1] = '\0';
        cr_expect_eq(ipf_profile_expand(in, &test_env, &out, &bad), -ENAMETOOLONG);
        cr_expect_eq(bad, max);
        in[max] = '\0';
        cr_expect_eq(ipf_profile_expand(in, &test_env, &out, &bad), 0);
        cr_expect_eq(strlen(out), max);
        free(out);
        memset(in, 'a', max);
        memcpy(in + max - 8, "${HOME}", 7);
        cr_expect_eq(ipf_profile_expand(in, &test_env, &out, &bad), -ENAMETOOLONG);
        cr_expect_eq(bad, max - 8);
        free(in);
}

/* The longest expansion still renders back to a line that parses again. */
Test(profile, round_trip_longest_expansion)
{
        const size_t max = IPF_PROFILE_MAX_LINE - 32;
        char *rule = malloc(IPF_PROFILE_MAX_LINE + 1), *text;
        struct ipf_policy *p = NULL, *q = NULL;
        struct ipf_diag d = {};
        size_t len = 0, expanded = 0;

        cr_assert_not_null(rule);
        len = (size_t)sprintf(rule, "fifo open ");
        /* "/${HOME}" (8 bytes) expands to "//home/alice"... use "/x${HOME}". */
        while (expanded + 12 <= max) {
                len += (size_t)sprintf(rule + len, "/x${HOME}");
                expanded += 13;
        }
        while (expanded < max) {
                rule[len++] = 'y';
                expanded++;
        }
        rule[len] = '\0';
        cr_assert_eq(ipf_policy_new("t", &p), 0);
        cr_assert_geq(ipf_profile_add_rule_text(p, rule, "--allow", &test_env, &d), 0, "%s", d.msg);
        cr_expect_eq(strlen(p->rules[0].endpoint), max);
        text = ipf_rule_to_text(&p->rules[0]);
        cr_assert_leq(strlen(text), IPF_PROFILE_MAX_LINE);
        cr_assert_eq(ipf_policy_new("t", &q), 0);
        cr_expect_geq(ipf_profile_add_rule_text(q, text, "--allow", &test_env, &d), 0, "%s", d.msg);
        cr_expect_str_eq(q->rules[0].endpoint, p->rules[0].endpoint);
        free(text);
        free(rule);
        ipf_policy_free(p);
        ipf_policy_free(q);
}
