/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON string output shared by the canonical policy JSON and the decision
 * log (SPEC §4, §7). Escapes \" \\ \n \t, writes other control characters as
 * \u00XX, copies valid UTF-8 as is and replaces each invalid byte with
 * U+FFFD so that the output stays valid JSON whatever the child sent. */
#pragma once

#include <stdio.h>

/* Write S as a JSON string, quotes included (NULL: null). 0, or -EIO on a
 * write error. */
int ipf_json_write_string(FILE *f, const char *s);
/* The same without the surrounding quotes, to build a string in pieces. */
int ipf_json_write_escaped(FILE *f, const char *s);
