/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Option parsing. A verb is recognised only as the first argument (SPEC §3):
 * to run a program called `learn`, write `ipcfence -- learn`. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

enum verb arg_verb = VERB_RUN;
const char *arg_profile;
char **arg_allow;
char **arg_profile_path;
const char *arg_target;
const char *arg_output;
const char *arg_log;
const char *arg_log_level;
bool arg_permissive;
bool arg_require_mac;
bool arg_new_session;
int arg_verbosity;

static size_t n_allow, n_profile_path;

static void help(void)
{
        printf("Usage: ipcfence [OPTIONS] [--] COMMAND [ARG...]   run COMMAND confined\n"
               "       ipcfence learn [OPTIONS] -o FILE [--] COMMAND [ARG...]\n"
               "       ipcfence check [--profile-path=DIR] PROFILE...\n"
               "       ipcfence explain [-p PROFILE]\n"
               "       ipcfence compile --target=TARGET [-p PROFILE]\n"
               "       ipcfence --version | --help\n"
               "\n"
               "Confine the inter-process communication of COMMAND to the endpoints its\n"
               "profile allows; with no rules (the `default` profile) every IPC endpoint\n"
               "outside the sandbox is denied.\n"
               "\n"
               "Options:\n"
               "  -p, --profile=NAME|PATH   profile to use (default: the one named after\n"
               "                            COMMAND, else `default`)\n"
               "  -a, --allow=RULE          add one profile rule (repeatable)\n"
               "      --profile-path=DIR    search DIR for profiles first (repeatable; also\n"
               "                            IPCFENCE_PROFILE_PATH, colon-separated)\n"
               "      --new-session         run COMMAND in a new session (setsid), detached\n"
               "                            from the terminal\n"
               "      --log=DEST            broker decisions to - (stderr, the default), a FILE\n"
               "                            (JSON lines), syslog, or none\n"
               "      --log-level=deny|all  log denials only (default), or every decision\n"
               "      --permissive          let through and log what the broker would deny\n"
               "      --require-mac         fail unless the AppArmor/SELinux label is applied\n"
               "                            (this version applies none, so it always fails)\n"
               "  -o, --output=FILE         learn: profile to write\n"
               "      --target=TARGET       compile: json | seccomp-bpf (apparmor, selinux,\n"
               "                            systemd: not available in this version)\n"
               "  -q, --quiet               print errors only\n"
               "  -v, --verbose             print debug messages\n"
               "  -h, --help                show this help\n"
               "  -V, --version             show the version\n"
               "\n"
               "Exit status: COMMAND's status; 128+N if it died of signal N; 125 if ipcfence\n"
               "failed; 126 if COMMAND cannot be executed; 127 if it was not found.\n"
               "See ipcfence(1) and ipcfence.profile(5).\n");
}

static int strv_push(char ***v, size_t *n, char *s)
{
        char **a = reallocarray(*v, *n + 2, sizeof(char *));

        if (!a)
                return -ENOMEM;
        a[(*n)++] = s;
        a[*n] = NULL;
        *v = a;
        return 0;
}

static enum verb verb_from_string(const char *s, bool *found)
{
        static const struct {
                const char *name;
                enum verb verb;
        } verbs[] = {
                {"learn", VERB_LEARN},
                {"check", VERB_CHECK},
                {"explain", VERB_EXPLAIN},
                {"compile", VERB_COMPILE},
        };

        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strcmp(s, verbs[i].name) == 0) {
                        *found = true;
                        return verbs[i].verb;
                }
        *found = false;
        return VERB_RUN;
}

enum {
        OPT_PROFILE_PATH = 0x100,
        OPT_NEW_SESSION,
        OPT_LOG,
        OPT_LOG_LEVEL,
        OPT_PERMISSIVE,
        OPT_REQUIRE_MAC,
        OPT_TARGET,
};

static const struct option long_options[] = {
        {"profile", required_argument, NULL, 'p'},
        {"allow", required_argument, NULL, 'a'},
        {"profile-path", required_argument, NULL, OPT_PROFILE_PATH},
        {"new-session", no_argument, NULL, OPT_NEW_SESSION},
        {"log", required_argument, NULL, OPT_LOG},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"permissive", no_argument, NULL, OPT_PERMISSIVE},
        {"require-mac", no_argument, NULL, OPT_REQUIRE_MAC},
        {"output", required_argument, NULL, 'o'},
        {"target", required_argument, NULL, OPT_TARGET},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {},
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        fputs("ipcfence: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs("; try 'ipcfence --help'\n", stderr);
        va_end(ap);
        return -1;
}

static int parse_one(int c, char *arg)
{
        switch (c) {
        case 'p':
                arg_profile = arg;
                return 1;
        case 'a':
                return strv_push(&arg_allow, &n_allow, arg) < 0 ? -1 : 1;
        case OPT_PROFILE_PATH:
                if (arg[0] != '/')
                        return usage_error("--profile-path needs an absolute path, not '%s'", arg);
                return strv_push(&arg_profile_path, &n_profile_path, arg) < 0 ? -1 : 1;
        case OPT_NEW_SESSION:
                arg_new_session = true;
                return 1;
        case OPT_LOG:
                arg_log = arg;
                return 1;
        case OPT_LOG_LEVEL:
                if (strcmp(arg, "deny") != 0 && strcmp(arg, "all") != 0)
                        return usage_error("--log-level must be 'deny' or 'all', not '%s'", arg);
                arg_log_level = arg;
                return 1;
        case OPT_PERMISSIVE:
                arg_permissive = true;
                return 1;
        case OPT_REQUIRE_MAC:
                arg_require_mac = true;
                return 1;
        case 'o':
                arg_output = arg;
                return 1;
        case OPT_TARGET:
                arg_target = arg;
                return 1;
        case 'q':
                arg_verbosity = -1;
                return 1;
        case 'v':
                arg_verbosity = 1;
                return 1;
        case 'h':
                help();
                return 0;
        case 'V':
                printf("ipcfence %s\n", IPF_VERSION);
                return 0;
        default:
                return usage_error("%s", "invalid option");
        }
}

int parse_argv(int argc, char *argv[])
{
        bool is_verb = false;
        int c, r;

        if (argc > 1)
                arg_verb = verb_from_string(argv[1], &is_verb);
        if (is_verb)
                optind = 2;
        opterr = 0;
        /* '+': options end at COMMAND, whose own options are its own. */
        while ((c = getopt_long(argc, argv, "+:p:a:o:qvhV", long_options, NULL)) != -1) {
                if (c == '?')
                        return usage_error("unknown option '%s'", argv[optind - 1]);
                if (c == ':')
                        return usage_error("option '%s' needs an argument", argv[optind - 1]);
                r = parse_one(c, optarg);
                if (r <= 0)
                        return r;
        }
        switch (arg_verb) {
        case VERB_RUN:
        case VERB_LEARN:
                if (optind >= argc)
                        return usage_error("%s", "no COMMAND given");
                break;
        case VERB_CHECK:
                if (optind >= argc)
                        return usage_error("%s", "check needs at least one PROFILE");
                break;
        case VERB_EXPLAIN:
        case VERB_COMPILE:
                if (optind < argc)
                        return usage_error("unexpected argument '%s'", argv[optind]);
                break;
        }
        return optind;
}

void options_free(void)
{
        free(arg_allow);
        free(arg_profile_path);
        arg_allow = arg_profile_path = NULL;
}
