/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 decoding shared by the profile lexer (which refuses invalid text)
 * and the JSON writer (which replaces it). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Decode the UTF-8 sequence at S (N >= 1 bytes available): its length, or
 * 0 when invalid (truncated, overlong, surrogate, above U+10FFFF). */
size_t ipf_utf8_decode(const unsigned char *s, size_t n, uint32_t *ret_cp);
