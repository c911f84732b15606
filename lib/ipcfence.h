/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libipcfence — the only header the launcher includes (STYLE §2).
 *
 * Pipeline: profile text → ipf_profile_load() → struct ipf_policy (IR) →
 * ipf_plan_build() (one compiler per layer, pure) → ipf_run() applies the
 * plan in the SPEC §2 order and supervises the sandbox. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define IPF_EXIT_FAILURE 125 /* ipcfence itself failed */
#define IPF_EXIT_CANNOT_EXEC 126
#define IPF_EXIT_NOT_FOUND 127

/* A diagnostic: where (optional) and what. line == 0 means no location. */
struct ipf_diag {
        char file[PATH_MAX];
        unsigned line, col; /* 1-based */
        char msg[512];
};

/* Everything the profile language needs from the environment, captured once
 * by the caller so that parsing stays deterministic and testable. */
struct ipf_profile_env {
        uid_t uid;
        const char *user; /* ${USER} */
        const char *home; /* ${HOME} */
        const char *xdg_runtime_dir; /* ${XDG_RUNTIME_DIR} */
        const char *const *search_path; /* NULL-terminated, highest priority first */
};

struct ipf_policy;

/* Profiles (lib/profile/). NAME_OR_PATH is a path when it contains '/' and
 * starts with '/' or '.', or ends in ".profile"; otherwise a name looked up
 * as NAME.profile on env->search_path. */
int ipf_profile_load(const char *name_or_path, const struct ipf_profile_env *env,
                     struct ipf_policy **ret, struct ipf_diag *reterr);
/* Look NAME.profile up on the search path; -ENOENT when absent. */
int ipf_profile_find(const char *name, const struct ipf_profile_env *env, char **ret_path);
/* Add one rule given as profile text (e.g. from --allow). ORIGIN names it in
 * diagnostics (e.g. "--allow"). */
int ipf_profile_add_rule_text(struct ipf_policy *p, const char *rule, const char *origin,
                              const struct ipf_profile_env *env, struct ipf_diag *reterr);
/* An empty deny-all policy (the built-in `default`). */
int ipf_policy_new(const char *name, struct ipf_policy **ret);
struct ipf_policy *ipf_policy_free(struct ipf_policy *p);
const char *ipf_policy_name(const struct ipf_policy *p);
int ipf_policy_write_json(const struct ipf_policy *p, FILE *f);

/* Running (lib/sandbox/, lib/supervise/). */
struct ipf_run_options {
        bool new_session; /* setsid() in the child (--new-session) */
        int verbosity; /* -1 quiet, 0 normal, 1 verbose */
        const char *log; /* decisions: NULL or "-" stderr, "syslog", "none", or a file */
        bool log_all; /* every decision, not only denials */
        bool permissive; /* log what the broker would deny, deny nothing it decides */
};

/* Run ARGV confined by P. On success *ret_status is the exit status to hand
 * to exit(): the child's status, 128+N for signal N, 126/127 when the command
 * could not be executed. Returns -errno when ipcfence itself failed, with a
 * message in reterr (the caller exits 125). */
int ipf_run(const struct ipf_policy *p, char *const argv[], const struct ipf_run_options *o,
            int *ret_status, struct ipf_diag *reterr);

/* explain: layer by layer, what P allows and what this kernel enforces. */
int ipf_explain(const struct ipf_policy *p, FILE *f, struct ipf_diag *reterr);
/* compile --target=seccomp-bpf: the filter ipf_run() would load, as text. */
int ipf_compile_seccomp_text(const struct ipf_policy *p, FILE *f, struct ipf_diag *reterr);

/* Diagnostics for the launcher. */
void ipf_log_set_verbosity(int v);
