/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command-line state (arg_*) and the helpers every verb shares. */
#pragma once

#include <stdbool.h>

#include "ipcfence.h"

enum verb {
        VERB_RUN,
        VERB_LEARN,
        VERB_CHECK,
        VERB_EXPLAIN,
        VERB_COMPILE,
};

extern enum verb arg_verb;
extern const char *arg_profile; /* -p */
extern char **arg_allow; /* -a, NULL-terminated */
extern char **arg_profile_path; /* --profile-path, NULL-terminated */
extern const char *arg_target; /* compile --target */
extern const char *arg_output; /* learn -o */
extern const char *arg_log; /* --log */
extern const char *arg_log_level; /* --log-level */
extern bool arg_permissive;
extern bool arg_require_mac;
extern bool arg_new_session;
extern int arg_verbosity;

/* Parse ARGV. Returns the index of the first operand (COMMAND or PROFILE),
 * 0 when the caller must exit 0 (--help, --version), -1 on a usage error
 * (already printed). */
int parse_argv(int argc, char *argv[]);
void options_free(void);

/* The environment the profile language sees, and the search path. */
int profile_env_init(struct ipf_profile_env *env);
void profile_env_done(struct ipf_profile_env *env);

/* Load the profile for a verb: -p, else the one named after COMMAND (may be
 * NULL), else `default` on the search path, else the built-in `default`;
 * then the -a rules. Prints the error; returns NULL on failure. */
struct ipf_policy *load_policy(const char *command);

/* "ipcfence: MSG" with the location when there is one. */
void print_diag(const struct ipf_diag *d);

int verb_run(char *argv[]);
int verb_learn(char *argv[]);
int verb_check(int argc, char *argv[]);
int verb_explain(void);
int verb_compile(void);
