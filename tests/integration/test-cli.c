/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command line (SPEC §3): exit statuses, one-line diagnostics, profile
 * errors that stop the command from running, rules refused until their
 * enforcement lands, the check / compile / explain verbs, --help. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(cli);

/* stderr is exactly one line starting with "ipcfence: " and containing
 * NEEDLE (if not NULL). */
static void assert_one_error_line(const struct itest_result *r, const char *needle)
{
        const char *nl = strchr(r->err, '\n');

        cr_assert_eq(strncmp(r->err, "ipcfence: ", 10), 0, "stderr must start 'ipcfence: ': %s",
                     itest_show(r));
        cr_assert(nl && nl[1] == '\0', "stderr must be one line: %s", itest_show(r));
        if (needle)
                cr_assert(strstr(r->err, needle), "stderr should mention '%s': %s", needle,
                          itest_show(r));
}

/* A diagnostic with a location: one line "FILE:LINE:COL: message", with or
 * without the "ipcfence: " prefix (SPEC §3 can be read both ways), where
 * LOC ("FILE:2:3: ", or NULL for any location) starts the line and NEEDLE
 * (if not NULL) appears in it. */
static void assert_located_error(const struct itest_result *r, const char *loc, const char *needle)
{
        const char *line = r->err, *nl = strchr(r->err, '\n');
        regex_t re;

        cr_assert(nl && nl[1] == '\0', "stderr must be one line: %s", itest_show(r));
        if (strncmp(line, "ipcfence: ", 10) == 0)
                line += 10;
        if (loc) {
                cr_assert_eq(strncmp(line, loc, strlen(loc)), 0,
                             "stderr should start with '%s' (after an optional 'ipcfence: '): %s",
                             loc, itest_show(r));
        } else {
                cr_assert_eq(regcomp(&re, "^[^\n]*:[0-9]+:[0-9]+: ", REG_EXTENDED | REG_NOSUB), 0);
                cr_assert(regexec(&re, line, 0, NULL, 0) == 0 || line != r->err,
                          "stderr should be 'ipcfence: ...' or 'FILE:LINE:COL: ...': %s",
                          itest_show(r));
                regfree(&re);
        }
        if (needle)
                cr_assert(strstr(line, needle), "stderr should mention '%s': %s", needle,
                          itest_show(r));
}

Test(cli, exit_status_of_the_program)
{
        struct itest_result r;

        IPF(&r, "--", "true");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        IPF(&r, "--", "false");
        cr_assert_eq(r.status, 1, "%s", itest_show(&r));
        IPF(&r, "--", "sh", "-c", "exit 42");
        cr_assert_eq(r.status, 42, "%s", itest_show(&r));
        IPF(&r, "true"); /* without "--" */
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
}

Test(cli, exit_status_128_plus_signal)
{
        struct itest_result r;

        IPF(&r, "--", "sh", "-c", "kill -KILL $$");
        cr_assert_eq(r.status, 137, "%s", itest_show(&r));
        IPF(&r, "--", "sh", "-c", "kill -USR1 $$");
        cr_assert_eq(r.status, 138, "%s", itest_show(&r));
}

Test(cli, command_not_found_127)
{
        struct itest_result r;

        IPF(&r, "--", "/nonexistent-ipcfence-dir/cmd");
        cr_assert_eq(r.status, 127, "%s", itest_show(&r));
        assert_one_error_line(&r, "/nonexistent-ipcfence-dir/cmd");
        IPF(&r, "--", "ipcfence-no-such-command");
        cr_assert_eq(r.status, 127, "%s", itest_show(&r));
        assert_one_error_line(&r, "ipcfence-no-such-command");
}

Test(cli, command_not_executable_126)
{
        struct itest_result r;

        IPF(&r, "--", "/etc/passwd");
        cr_assert_eq(r.status, 126, "%s", itest_show(&r));
        assert_one_error_line(&r, "/etc/passwd");
}

Test(cli, usage_errors_125)
{
        struct itest_result r;

        IPF(&r, "--no-such-option", "--", "true");
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        cr_assert_eq(strncmp(r.err, "ipcfence: ", 10), 0, "%s", itest_show(&r));
        IPF(&r, "-p");
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
}

/* A marker file in a directory the sandbox can write: the control shows
 * the command would create it; the test then shows it was not run. */
static const char *marker_path(void)
{
        static char path[PATH_MAX];
        struct itest_result r;

        snprintf(path, sizeof(path), "%s/marker", itest_visible_dir());
        IPF(&r, "--", "touch", path);
        cr_assert_eq(r.status, 0, "control: %s", itest_show(&r));
        cr_assert_eq(access(path, F_OK), 0, "control: touch inside did not create %s", path);
        cr_assert_eq(unlink(path), 0);
        return path;
}

static void assert_not_run(const char *marker)
{
        cr_assert_neq(access(marker, F_OK), 0, "the command ran: %s exists", marker);
}

Test(cli, profile_error_exits_125_with_location_and_runs_nothing)
{
        const char *marker = marker_path();
        const char *dir = itest_tmpdir();
        char *bad = itest_write_file(dir, "bad.profile", "network none\n  bogus-keyword x\n");
        char want[PATH_MAX + 32];
        struct itest_result r;

        IPF(&r, "-p", bad, "--", "touch", marker);
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        snprintf(want, sizeof(want), "%s:2:3: ", bad);
        assert_located_error(&r, want, "bogus-keyword");
        assert_not_run(marker);

        bad = itest_write_file(dir, "short.profile", "network\n");
        IPF(&r, "--profile", bad, "--", "touch", marker);
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        snprintf(want, sizeof(want), "%s:1:8: ", bad);
        assert_located_error(&r, want, NULL);
        assert_not_run(marker);
}

Test(cli, bad_allow_rule_exits_125)
{
        const char *marker = marker_path();
        struct itest_result r;

        IPF(&r, "-a", "bogus-keyword", "--", "touch", marker);
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        assert_located_error(&r, "--allow:1:1: ", "bogus-keyword");
        assert_not_run(marker);
}

Test(cli, missing_profile_exits_125)
{
        const char *marker = marker_path();
        struct itest_result r;

        IPF(&r, "-p", "/nonexistent-ipcfence-dir/x.profile", "--", "touch", marker);
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        assert_one_error_line(&r, "/nonexistent-ipcfence-dir/x.profile");
        IPF(&r, "-p", "ipcfence-no-such-profile", "--", "touch", marker);
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        assert_one_error_line(&r, "ipcfence-no-such-profile");
        assert_not_run(marker);
}

Test(cli, supported_rules_run)
{
        const char *dir = itest_tmpdir();
        char *p = itest_write_file(dir, "ok.profile",
                                   "# comment\nnetwork none\n\tnetlink route  # trailing\n");
        struct itest_result r;

        IPF(&r, "-p", p, "--", itest_probe(), "netlink-socket", "route");
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));
        IPF(&r, "--profile=default", "--allow=network none", "--", "true");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
}

/* -p NAME is looked up on --profile-path, then $IPCFENCE_PROFILE_PATH. */
Test(cli, profile_search_path)
{
        const char *dir = itest_tmpdir();
        const char *env[] = {NULL, NULL};
        struct itest_opts o = {.env = env};
        char arg[PATH_MAX + 32], envvar[PATH_MAX + 64];
        struct itest_result r;

        itest_write_file(dir, "ipf-itest-mine.profile", "netlink route\n");
        snprintf(arg, sizeof(arg), "--profile-path=%s", dir);
        IPF(&r, arg, "-p", "ipf-itest-mine", "--", itest_probe(), "netlink-socket", "route");
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));

        snprintf(envvar, sizeof(envvar), "IPCFENCE_PROFILE_PATH=%s:%s", dir,
                 getenv("IPCFENCE_PROFILE_PATH") ? getenv("IPCFENCE_PROFILE_PATH") : "");
        env[0] = envvar;
        itest_runl(&r, &o, itest_ipcfence(), "-p", "ipf-itest-mine", "--", itest_probe(),
                   "netlink-socket", "route", (char *)NULL);
        cr_assert_str_eq(itest_line(&r), "ok", "%s", itest_show(&r));

        IPF(&r, "-p", "default", "--", "true");
        cr_assert_eq(r.status, 0, "-p default: %s", itest_show(&r));
}

/* A directory on the search path that this uid cannot search (say, another
 * user's $XDG_CONFIG_HOME after `sudo -u`) must not make every run fail
 * without naming it. (As root the directory is searchable anyway.) */
Test(cli, unsearchable_search_path_dir)
{
        const char *dir = itest_tmpdir();
        char conf[PATH_MAX], var[PATH_MAX + 32];
        const char *env[] = {var, NULL};
        struct itest_opts o = {.env = env};
        struct itest_result r;

        snprintf(conf, sizeof(conf), "%s/config", dir);
        cr_assert_eq(mkdir(conf, 0), 0, "mkdir %s: %s", conf, strerror(errno));
        snprintf(var, sizeof(var), "XDG_CONFIG_HOME=%s", conf);
        itest_runl(&r, &o, itest_ipcfence(), "--", "true", (char *)NULL);
        cr_assert(r.status == 0 || (r.status == 125 && strstr(r.err, conf)),
                  "with an unsearchable %s on the search path: %s", conf, itest_show(&r));
}

/* Without -p, the profile named after COMMAND's basename is used when the
 * search path has one (SPEC §3), else `default`. */
Test(cli, profile_named_after_command)
{
        const char *dir = itest_tmpdir();
        char arg[PATH_MAX + 32];
        struct itest_result r;

        snprintf(arg, sizeof(arg), "--profile-path=%s", dir);
        IPF(&r, arg, "--", itest_probe(), "netlink-socket", "route");
        cr_assert(itest_denied(&r), "no probe.profile yet: %s", itest_show(&r));
        itest_write_file(dir, "probe.profile", "netlink route\n");
        IPF(&r, arg, "--", itest_probe(), "netlink-socket", "route");
        cr_assert_str_eq(itest_line(&r), "ok", "probe.profile was not used: %s", itest_show(&r));
        IPF(&r, arg, "-p", "default", "--", itest_probe(), "netlink-socket", "route");
        cr_assert(itest_denied(&r), "-p default must win over probe.profile: %s", itest_show(&r));
}

Test(cli, check_verb)
{
        const char *dir = itest_tmpdir();
        char *good = itest_write_file(dir, "good.profile", "network none\nnetlink route\n");
        char *bad = itest_write_file(dir, "bad.profile", "network none\n  bogus-keyword x\n");
        char *later = itest_write_file(dir, "later.profile", "tcp listen 127.0.0.1:5432\n");
        char want[PATH_MAX + 32];
        struct itest_result r;

        IPF(&r, "check", good);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        /* Valid syntax, refused only at run time. */
        IPF(&r, "check", later);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        IPF(&r, "check", bad);
        cr_assert_eq(r.status, 1, "%s", itest_show(&r));
        snprintf(want, sizeof(want), "%s:2:3: ", bad);
        cr_assert(strstr(r.err, want), "stderr should contain '%s': %s", want, itest_show(&r));
        IPF(&r, "check", good, bad);
        cr_assert_eq(r.status, 1, "%s", itest_show(&r));
        IPF(&r, "check");
        cr_assert_eq(r.status, 125, "check without a profile: %s", itest_show(&r));
}

Test(cli, compile_json)
{
        const char *dir = itest_tmpdir();
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        char *p, want[4096];
        struct itest_result r;

        if (!xdg || xdg[0] != '/')
                itest_skip("$XDG_RUNTIME_DIR is unset");
        p = itest_write_file(dir, "json-test.profile",
                             "network none\n"
                             "netlink audit\n"
                             "netlink route\n"
                             "unix connect ${XDG_RUNTIME_DIR}/bus\n"
                             "sysv host\n");
        snprintf(want, sizeof(want),
                 "{\n"
                 "  \"profile\": \"json-test\",\n"
                 "  \"source\": \"%s\",\n"
                 "  \"network\": \"none\",\n"
                 "  \"sysv\": \"host\",\n"
                 "  \"signal\": \"sandbox\",\n"
                 "  \"netlink\": [\"route\", \"audit\"],\n"
                 "  \"rules\": [\n"
                 "    {\"kind\": \"network\", \"endpoint\": \"none\", \"glob\": false, "
                 "\"origin\": \"%s:1:1\"},\n"
                 "    {\"kind\": \"netlink\", \"endpoint\": \"audit\", \"glob\": false, "
                 "\"origin\": \"%s:2:1\"},\n"
                 "    {\"kind\": \"netlink\", \"endpoint\": \"route\", \"glob\": false, "
                 "\"origin\": \"%s:3:1\"},\n"
                 "    {\"kind\": \"unix.connect\", \"endpoint\": \"%s/bus\", \"glob\": false, "
                 "\"origin\": \"%s:4:1\"},\n"
                 "    {\"kind\": \"sysv.host\", \"endpoint\": null, \"glob\": false, "
                 "\"origin\": \"%s:5:1\"}\n"
                 "  ]\n"
                 "}\n",
                 p, p, p, p, xdg, p, p);
        IPF(&r, "compile", "--target=json", "-p", p);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_str_eq(r.out, want, "compile --target=json:\n%s\nwanted:\n%s", r.out, want);
}

Test(cli, explain_verb)
{
        const char *dir = itest_tmpdir();
        char *p = itest_write_file(dir, "explain-test.profile", "netlink route\n");
        char *bad = itest_write_file(dir, "bad.profile", "bogus-keyword\n");
        char want[PATH_MAX + 32];
        struct itest_result r;

        IPF(&r, "explain", "-p", p);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert(strlen(r.out) > 0, "explain printed nothing");
        IPF(&r, "explain", "-p", bad);
        cr_assert_eq(r.status, 125, "%s", itest_show(&r));
        snprintf(want, sizeof(want), "%s:1:1: ", bad);
        assert_located_error(&r, want, NULL);
}

Test(cli, help_mentions_every_option)
{
        static const char *const opts[] = {
                "-p", "--profile", "-a",     "--allow",  "--profile-path", "--new-session",
                "-q", "-v",        "--help", "--version"};
        struct itest_result r;

        IPF(&r, "--help");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
                char word[64];
                const char *s = r.out;
                bool found = false;

                /* As a word: "-p" must not match inside "--profile". */
                snprintf(word, sizeof(word), "%s", opts[i]);
                while ((s = strstr(s, word))) {
                        char before = s == r.out ? ' ' : s[-1];
                        char after = s[strlen(word)];

                        if ((before == ' ' || before == '\t' || before == '\n' || before == '[' ||
                             before == '|' || before == ',') &&
                            !(after == '-' || (after >= 'a' && after <= 'z'))) {
                                found = true;
                                break;
                        }
                        s += strlen(word);
                }
                cr_assert(found, "--help does not mention %s:\n%s", opts[i], r.out);
        }
}

Test(cli, version)
{
        struct itest_result r;

        IPF(&r, "--version");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert(strstr(r.out, IPF_VERSION), "--version should print %s: %s", IPF_VERSION,
                  itest_show(&r));
}

Test(cli, quiet_and_verbose)
{
        struct itest_result r;

        IPF(&r, "-q", "--", "true");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert_str_eq(r.err, "", "-q printed: %s", itest_show(&r));
        IPF(&r, "-v", "--", "sh", "-c", "exit 4");
        cr_assert_eq(r.status, 4, "%s", itest_show(&r));
}

/* --new-session: the program leads a session of its own inside the sandbox
 * (getsid() shows a session id of the sandbox's PID namespace). */
Test(cli, new_session)
{
        struct itest_result r;

        IPF(&r, "--new-session", "--", itest_probe(), "getsid");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_assert(strcmp(itest_line(&r), "1") == 0 || strcmp(itest_line(&r), "2") == 0,
                  "session id inside: %s", itest_show(&r));
}
