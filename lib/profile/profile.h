/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile front end: lexer, parser, includes, ${VAR} expansion, globs and
 * the search path. Produces a struct ipf_policy; decides nothing else. */
#pragma once

#include <stddef.h>

#include "ipcfence.h"
#include "policy/policy.h"

#define IPF_PROFILE_MAX_LINE 4096 /* bytes, without the newline */
#define IPF_PROFILE_MAX_DEPTH 16 /* include nesting */
#define IPF_PROFILE_MAX_SIZE (1 << 20) /* bytes per file */

/* Parse TEXT (LEN bytes, may contain NULs, which are an error) named FILENAME
 * into P. Includes are looked up on env->search_path. DEPTH is 0 for a
 * top-level file. */
int ipf_profile_parse_text(struct ipf_policy *p, const char *text, size_t len, const char *filename,
                           const struct ipf_profile_env *env, unsigned depth,
                           struct ipf_diag *reterr);

/* Expand ${UID} ${USER} ${HOME} ${XDG_RUNTIME_DIR} in IN. Unknown or
 * malformed variables: -EINVAL with *ret_bad_offset set to the byte offset
 * of the offending '$' in IN. */
int ipf_profile_expand(const char *in, const struct ipf_profile_env *env, char **ret,
                       size_t *ret_bad_offset);
