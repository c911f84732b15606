/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the profile front end's files only: the lexer's line and
 * tokens, expansion with a source map (so that an error found after
 * ${VAR} expansion still points at the right column), the validators, and
 * the include context (stack for cycles, completed files for diamonds). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "profile/profile.h"

/* Tokens kept per line; the longest rule has 4 (`dbus BUS VERB NAME`), one
 * more locates the first unexpected argument. Further tokens are counted. */
#define IPF_PROFILE_MAX_TOKENS 8

struct ipf_profile_token {
        const char *s;
        size_t len;
        unsigned col; /* 1-based byte column */
};

struct ipf_profile_line {
        const char *file;
        unsigned lineno;
        struct ipf_profile_token tok[IPF_PROFILE_MAX_TOKENS];
        unsigned n_tok; /* tokens stored, ≤ IPF_PROFILE_MAX_TOKENS */
        unsigned n_total; /* tokens on the line, comments excluded */
        unsigned end_col; /* column just past the last token */
};

/* profile-lexer.c */
bool ipf_profile_next_line(const char *text, size_t len, size_t *pos, const char **ret_line,
                           size_t *ret_len);
int ipf_profile_lex_line(const char *line, size_t len, const char *file, unsigned lineno,
                         struct ipf_profile_line *ret, struct ipf_diag *reterr);
/* How much of S to quote in a message: at most 100 bytes, cut at a UTF-8
 * character boundary; use as "%.*s". */
int ipf_profile_quote_len(const char *s, size_t len);

/* profile-expand.c */

/* An expanded argument is at most this long (well below PATH_MAX), so that
 * every rule renders back (ipf_rule_to_text) within one profile line. */
#define IPF_PROFILE_MAX_EXPANDED (IPF_PROFILE_MAX_LINE - 32)

enum ipf_expand_error {
        IPF_EXPAND_OK,
        IPF_EXPAND_BAD_DOLLAR, /* '$' not followed by '{' */
        IPF_EXPAND_UNTERMINATED, /* '${' without '}' */
        IPF_EXPAND_UNKNOWN, /* ${X} with X not a known variable */
        IPF_EXPAND_UNSET, /* known variable, NULL or empty value */
        IPF_EXPAND_TOO_LONG, /* result would reach PATH_MAX bytes */
};

struct ipf_expanded {
        char *s; /* NUL-terminated result */
        size_t len;
        size_t *map; /* len + 1 entries: input offset each output byte came from */
};

struct ipf_expand_failure {
        enum ipf_expand_error error;
        size_t offset; /* of the offending '$' (or byte) in the input */
        const char *name; /* the variable text after "${", for UNKNOWN/UNSET */
        size_t name_len;
};

int ipf_profile_expand_map(const char *in, size_t len, const struct ipf_profile_env *env,
                           struct ipf_expanded *ret, struct ipf_expand_failure *reterr);
void ipf_expanded_done(struct ipf_expanded *e);

/* Why an endpoint is invalid; the validators also return the offending
 * byte's offset in the checked string. */
enum ipf_name_error {
        IPF_NAME_OK,
        IPF_NAME_NOT_ABSOLUTE,
        IPF_NAME_DOUBLE_SLASH,
        IPF_NAME_TRAILING_SLASH,
        IPF_NAME_DOT_COMPONENT,
        IPF_NAME_GLOB_NOT_LAST,
        IPF_NAME_TOO_LONG,
        IPF_NAME_EMPTY,
        IPF_NAME_NO_LEADING_SLASH,
        IPF_NAME_INNER_SLASH,
        IPF_NAME_DOTS,
};

enum ipf_name_error ipf_profile_check_path(const char *s, size_t len, bool *ret_glob,
                                           size_t *reterr_bad);
enum ipf_name_error ipf_profile_check_abstract(const char *name, size_t len, bool *ret_glob,
                                               size_t *reterr_bad);
enum ipf_name_error ipf_profile_check_ipc_name(const char *s, size_t len, bool *ret_glob,
                                               size_t *reterr_bad);
bool ipf_profile_dbus_name_valid(const char *s, size_t len, bool *ret_glob);
bool ipf_profile_dbus_rule_valid(const char *s, size_t len);
/* A profile or include name: relative, no empty, "." or ".." component. */
bool ipf_profile_name_valid(const char *s);

/* profile-load.c */
struct ipf_profile_file {
        const char *path; /* borrowed, for the cycle message */
        dev_t dev;
        ino_t ino;
        unsigned height; /* include levels below this file, once complete */
};

struct ipf_profile_ctx {
        struct ipf_policy *policy;
        const struct ipf_profile_env *env;
        struct ipf_diag *diag;
        struct ipf_profile_file stack[IPF_PROFILE_MAX_DEPTH + 2];
        unsigned n_stack;
        struct ipf_profile_file *done; /* completed files, to skip diamonds */
        size_t n_done, n_done_allocated;
};

void ipf_profile_ctx_done(struct ipf_profile_ctx *c);
/* Handle `include ARG` (ARG already expanded) found at DEPTH; on success
 * *ret_height is the include levels it added below the current file. */
int ipf_profile_include(struct ipf_profile_ctx *c, const struct ipf_profile_line *l,
                        const char *arg, unsigned depth, unsigned *ret_height);

/* profile-parse.c */
int ipf_profile_parse_ctx(struct ipf_profile_ctx *c, const char *text, size_t len, const char *file,
                          unsigned depth, unsigned *ret_height);
