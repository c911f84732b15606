/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile lexer: lines, byte checks (length, NUL, control characters,
 * UTF-8) and tokens with their 1-based byte columns. */
#include <stdint.h>
#include <string.h>

#include "profile/profile-internal.h"
#include "util/utf8.h"

#define QUOTE_MAX 100

bool ipf_profile_next_line(const char *text, size_t len, size_t *pos, const char **ret_line,
                           size_t *ret_len)
{
        const char *start, *nl;
        size_t n;

        if (*pos >= len)
                return false;

        start = text + *pos;
        nl = memchr(start, '\n', len - *pos);
        n = nl ? (size_t)(nl - start) : len - *pos;
        *ret_line = start;
        *ret_len = n;
        *pos += n + (nl ? 1 : 0);
        return true;
}

int ipf_profile_quote_len(const char *s, size_t len)
{
        if (len <= QUOTE_MAX)
                return (int)len;
        len = QUOTE_MAX;
        /* Do not split a multi-byte character. */
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
                len--;
        return (int)len;
}

/* Every byte of the line, comments included: a NUL or a control character
 * is an error wherever it is; a '\r' is whitespace only as the last byte
 * (CRLF line ends). */
static int check_bytes(const char *line, size_t len, const char *file, unsigned lineno,
                       struct ipf_diag *reterr)
{
        const unsigned char *p = (const unsigned char *)line;

        for (size_t i = 0; i < len;) {
                unsigned col = (unsigned)i + 1;
                uint32_t cp;
                size_t n;

                if (p[i] == '\0')
                        return ipf_diag_set(reterr, file, lineno, col, "NUL byte");
                if (p[i] == '\r' && i + 1 == len)
                        break;
                if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
                        return ipf_diag_set(reterr, file, lineno, col, "control character 0x%02x",
                                            p[i]);
                n = ipf_utf8_decode(p + i, len - i, &cp);
                if (n == 0)
                        return ipf_diag_set(reterr, file, lineno, col, "invalid UTF-8");
                if (cp >= 0x80 && cp <= 0x9f)
                        return ipf_diag_set(reterr, file, lineno, col, "control character U+%04X",
                                            (unsigned)cp);
                i += n;
        }
        return 0;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

int ipf_profile_lex_line(const char *line, size_t len, const char *file, unsigned lineno,
                         struct ipf_profile_line *ret, struct ipf_diag *reterr)
{
        size_t i = 0;
        int r;

        if (len > IPF_PROFILE_MAX_LINE)
                return ipf_diag_set(reterr, file, lineno, IPF_PROFILE_MAX_LINE + 1,
                                    "line longer than %d bytes", IPF_PROFILE_MAX_LINE);
        r = check_bytes(line, len, file, lineno, reterr);
        if (r < 0)
                return r;

        *ret = (struct ipf_profile_line){.file = file, .lineno = lineno, .end_col = 1};
        for (;;) {
                size_t start;

                while (i < len && is_blank(line[i]))
                        i++;
                if (i >= len || line[i] == '#')
                        break;
                start = i;
                while (i < len && !is_blank(line[i]))
                        i++;
                if (ret->n_tok < IPF_PROFILE_MAX_TOKENS)
                        ret->tok[ret->n_tok++] = (struct ipf_profile_token){
                                .s = line + start,
                                .len = i - start,
                                .col = (unsigned)start + 1,
                        };
                ret->n_total++;
                ret->end_col = (unsigned)i + 1;
        }
        return 0;
}
