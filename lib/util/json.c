/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "util/json.h"
#include "util/utf8.h"

int ipf_json_write_escaped(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                uint32_t cp;
                size_t len;

                /* Plain ASCII, the most of any text: one write per run. */
                for (len = 0; i + len < n && p[i + len] >= 0x20 && p[i + len] < 0x7f &&
                              p[i + len] != '"' && p[i + len] != '\\';
                     len++)
                        ;
                if (len > 0) {
                        fwrite(p + i, 1, len, f);
                        i += len;
                } else if (c == '"' || c == '\\') {
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
                } else if ((len = ipf_utf8_decode(p + i, n - i, &cp)) > 0) {
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
