/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "util/json.h"

/* Length of the valid UTF-8 sequence at S (at most N bytes), or 0 when the
 * bytes there are not valid UTF-8 (overlong forms, surrogates and code
 * points above U+10FFFF are invalid). */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
        uint32_t cp, min;
        size_t len;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf) {
                len = 2, cp = s[0] & 0x1f, min = 0x80;
        } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
                len = 3, cp = s[0] & 0x0f, min = 0x800;
        } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
                len = 4, cp = s[0] & 0x07, min = 0x10000;
        } else {
                return 0;
        }
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

int ipf_json_write_escaped(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                size_t len;

                if (c == '"' || c == '\\') {
                        fputc('\\', f);
                        fputc(c, f);
                        i++;
                } else if (c == '\n') {
                        fputs("\\n", f);
                        i++;
                } else if (c == '\t') {
                        fputs("\\t", f);
                        i++;
                } else if (c < 0x20 || c == 0x7f) {
                        fprintf(f, "\\u%04x", c);
                        i++;
                } else if ((len = utf8_valid_len(p + i, n - i)) > 0) {
                        fwrite(p + i, 1, len, f);
                        i += len;
                } else {
                        fputs("\xef\xbf\xbd", f); /* U+FFFD */
                        i++;
                }
        }
        return ferror(f) ? -EIO : 0;
}

int ipf_json_write_string(FILE *f, const char *s)
{
        if (!s) {
                fputs("null", f);
                return ferror(f) ? -EIO : 0;
        }
        fputc('"', f);
        (void)ipf_json_write_escaped(f, s);
        fputc('"', f);
        return ferror(f) ? -EIO : 0;
}
