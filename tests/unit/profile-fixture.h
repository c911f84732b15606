/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture the profile tests share: a fixed environment whose search
 * path is the golden include tree, and diagnostics as the launcher prints
 * them. */
#pragma once

#include <stddef.h>

#include "profile/profile.h"

#define GOLDEN_DIR "tests/unit/golden"
#define PATH_HIGH GOLDEN_DIR "/path"
#define PATH_LOW GOLDEN_DIR "/path-low"
#define SEARCH_PATH_TEXT PATH_HIGH ":" PATH_LOW

extern const struct ipf_profile_env test_env;

/* P's canonical JSON (ipf_policy_write_json), malloc'd. */
char *policy_json(const struct ipf_policy *p);

/* "FILE:LINE:COL: message", or the message alone without a location. */
void diag_text(const struct ipf_diag *d, char *buf, size_t size);
