/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The search path and variables the profile language sees (SPEC §4), and
 * the profile-selection rule shared by every verb. */
#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#define PROFILES_SUBDIR "/ipcfence/profiles"

static char uid_runtime_dir[64];
static char *user_from_passwd;

static char *dir_join(const char *a, const char *b)
{
        char *s;

        return asprintf(&s, "%s%s", a, b) < 0 ? NULL : s;
}

/* Search path, highest priority first: --profile-path, $IPCFENCE_PROFILE_PATH,
 * $XDG_CONFIG_HOME (or ~/.config), /etc, the installed profiles. */
static char **search_path_build(void)
{
        const char *env = secure_getenv("IPCFENCE_PROFILE_PATH");
        const char *xdg = secure_getenv("XDG_CONFIG_HOME");
        const char *home = secure_getenv("HOME");
        char **v = calloc(64, sizeof(char *));
        size_t n = 0;

        if (!v)
                return NULL;
        for (char **p = arg_profile_path; p && *p && n < 32; p++)
                v[n++] = strdup(*p);
        if (env) {
                char *copy = strdup(env), *save = NULL;

                for (char *t = copy ? strtok_r(copy, ":", &save) : NULL; t && n < 56;
                     t = strtok_r(NULL, ":", &save))
                        if (t[0] == '/')
                                v[n++] = strdup(t);
                free(copy);
        }
        if (xdg && xdg[0] == '/')
                v[n++] = dir_join(xdg, PROFILES_SUBDIR);
        else if (home && home[0] == '/')
                v[n++] = dir_join(home, "/.config" PROFILES_SUBDIR);
        v[n++] = strdup(IPF_SYSCONFDIR PROFILES_SUBDIR);
        v[n++] = strdup(IPF_DATADIR PROFILES_SUBDIR);
        for (size_t i = 0; i < n; i++)
                if (!v[i]) {
                        for (size_t j = 0; j < n; j++)
                                free(v[j]);
                        free(v);
                        return NULL;
                }
        return v;
}

int profile_env_init(struct ipf_profile_env *env)
{
        const char *user = secure_getenv("USER");
        const char *xdg = secure_getenv("XDG_RUNTIME_DIR");
        char **path = search_path_build();

        if (!path)
                return -ENOMEM;
        /* Services often run without $USER: ask the password database then. */
        if (!user || !user[0]) {
                struct passwd *pw = getpwuid(getuid());

                if (pw && pw->pw_name)
                        user = user_from_passwd = strdup(pw->pw_name);
        }
        if (!xdg || xdg[0] != '/') {
                snprintf(uid_runtime_dir, sizeof(uid_runtime_dir), "/run/user/%u",
                         (unsigned)getuid());
                xdg = uid_runtime_dir;
        }
        *env = (struct ipf_profile_env){
                .uid = getuid(),
                .user = user,
                .home = secure_getenv("HOME"),
                .xdg_runtime_dir = xdg,
                .search_path = (const char *const *)path,
        };
        return 0;
}

void profile_env_done(struct ipf_profile_env *env)
{
        char **path = (char **)env->search_path;

        for (size_t i = 0; path && path[i]; i++)
                free(path[i]);
        free(path);
        free(user_from_passwd);
        user_from_passwd = NULL;
        env->search_path = NULL;
}

void print_diag(const struct ipf_diag *d)
{
        if (d->line > 0)
                fprintf(stderr, "%s:%u:%u: %s\n", d->file, d->line, d->col, d->msg);
        else
                fprintf(stderr, "ipcfence: %s\n", d->msg);
}

static int load_named(const char *name, const struct ipf_profile_env *env, struct ipf_policy **ret,
                      struct ipf_diag *d)
{
        char *path = NULL;
        int r = ipf_profile_find(name, env, &path);

        free(path);
        if (r < 0)
                return r; /* -ENOENT: try the next candidate */
        return ipf_profile_load(name, env, ret, d);
}

static struct ipf_policy *load_policy_env(const struct ipf_profile_env *env, const char *command)
{
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {0};
        int r = -ENOENT;

        if (arg_profile)
                r = ipf_profile_load(arg_profile, env, &p, &d);
        else {
                if (command) {
                        char *copy = strdup(command);

                        /* A command named like a path component is no name. */
                        if (copy && strcmp(basename(copy), ".") != 0 &&
                            strcmp(basename(copy), "..") != 0)
                                r = load_named(basename(copy), env, &p, &d);
                        free(copy);
                }
                if (r == -ENOENT)
                        r = load_named("default", env, &p, &d);
                /* No installed profiles at all: the built-in deny-all one. */
                if (r == -ENOENT)
                        r = ipf_policy_new("default", &p);
        }
        for (char **a = arg_allow; r >= 0 && a && *a; a++)
                r = ipf_profile_add_rule_text(p, *a, "--allow", env, &d);
        if (r < 0) {
                if (d.msg[0])
                        print_diag(&d);
                else
                        fprintf(stderr, "ipcfence: cannot load profile: %s\n", strerror(-r));
                ipf_policy_free(p);
                return NULL;
        }
        return p;
}

struct ipf_policy *load_policy(const char *command)
{
        struct ipf_profile_env env;
        struct ipf_policy *p;

        if (profile_env_init(&env) < 0) {
                fprintf(stderr, "ipcfence: out of memory\n");
                return NULL;
        }
        p = load_policy_env(&env, command);
        profile_env_done(&env);
        return p;
}
