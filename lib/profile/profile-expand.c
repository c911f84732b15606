/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ${VAR} expansion and the validation of what rules name: paths (with a
 * `*` glob in the last component only), abstract socket names, POSIX IPC
 * names, D-Bus names and rules, profile names. Pure functions. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile-internal.h"
#include "util/cleanup.h"

#define ABSTRACT_NAME_MAX 107 /* sizeof(sun_path) - the leading NUL */
#define IPC_NAME_MAX 255 /* NAME_MAX of mqueue and /dev/shm */
#define DBUS_NAME_MAX 255

static bool name_is(const char *s, size_t len, const char *word)
{
        return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* The value of variable NAME, NULL when unset or empty; *ret_known tells an
 * unknown variable from an unset one. */
static const char *env_lookup(const char *name, size_t len, const struct ipf_profile_env *env,
                              char uid_buf[static 16], bool *ret_known)
{
        const char *v = NULL;

        *ret_known = true;
        if (name_is(name, len, "UID")) {
                if (env->uid == (uid_t)-1)
                        return NULL;
                (void)snprintf(uid_buf, 16, "%u", (unsigned)env->uid);
                return uid_buf;
        }
        if (name_is(name, len, "USER"))
                v = env->user;
        else if (name_is(name, len, "HOME"))
                v = env->home;
        else if (name_is(name, len, "XDG_RUNTIME_DIR"))
                v = env->xdg_runtime_dir;
        else
                *ret_known = false;
        return v && *v ? v : NULL;
}

static int expand_fail(struct ipf_expand_failure *f, enum ipf_expand_error e, size_t offset,
                       const char *name, size_t name_len)
{
        if (f)
                *f = (struct ipf_expand_failure){
                        .error = e, .offset = offset, .name = name, .name_len = name_len};
        return e == IPF_EXPAND_TOO_LONG ? -ENAMETOOLONG : -EINVAL;
}

int ipf_profile_expand_map(const char *in, size_t len, const struct ipf_profile_env *env,
                           struct ipf_expanded *ret, struct ipf_expand_failure *reterr)
{
        _cleanup_free_ char *out = malloc(IPF_PROFILE_MAX_EXPANDED + 1);
        _cleanup_free_ size_t *map = malloc((IPF_PROFILE_MAX_EXPANDED + 1) * sizeof(size_t));
        size_t o = 0;

        if (!out || !map)
                return -ENOMEM;

        for (size_t i = 0; i < len;) {
                const char *name, *end, *v;
                char uid_buf[16];
                bool known;
                size_t vlen;

                if (in[i] != '$') {
                        if (o + 1 > IPF_PROFILE_MAX_EXPANDED)
                                return expand_fail(reterr, IPF_EXPAND_TOO_LONG, i, NULL, 0);
                        map[o] = i;
                        out[o++] = in[i++];
                        continue;
                }
                if (i + 1 >= len || in[i + 1] != '{')
                        return expand_fail(reterr, IPF_EXPAND_BAD_DOLLAR, i, NULL, 0);
                name = in + i + 2;
                end = memchr(name, '}', len - i - 2);
                if (!end)
                        return expand_fail(reterr, IPF_EXPAND_UNTERMINATED, i, NULL, 0);
                v = env_lookup(name, (size_t)(end - name), env, uid_buf, &known);
                if (!v)
                        return expand_fail(reterr, known ? IPF_EXPAND_UNSET : IPF_EXPAND_UNKNOWN, i,
                                           name, (size_t)(end - name));
                vlen = strlen(v);
                if (o + vlen > IPF_PROFILE_MAX_EXPANDED)
                        return expand_fail(reterr, IPF_EXPAND_TOO_LONG, i, NULL, 0);
                memcpy(out + o, v, vlen);
                /* Bytes of a value point back at their '$'. */
                for (size_t k = 0; k < vlen; k++)
                        map[o + k] = i;
                o += vlen;
                i = (size_t)(end - in) + 1;
        }
        out[o] = '\0';
        map[o] = len;
        *ret = (struct ipf_expanded){.s = TAKE_PTR(out), .len = o, .map = TAKE_PTR(map)};
        return 0;
}

void ipf_expanded_done(struct ipf_expanded *e)
{
        free(e->s);
        free(e->map);
        *e = (struct ipf_expanded){};
}

int ipf_profile_expand(const char *in, const struct ipf_profile_env *env, char **ret,
                       size_t *ret_bad_offset)
{
        struct ipf_expand_failure f = {};
        struct ipf_expanded e = {};
        int r;

        if (!in || !env || !ret)
                return -EINVAL;
        r = ipf_profile_expand_map(in, strlen(in), env, &e, &f);
        if (r < 0) {
                if (r != -ENOMEM && ret_bad_offset)
                        *ret_bad_offset = f.offset;
                return r;
        }
        free(e.map);
        *ret = e.s;
        return 0;
}

static enum ipf_name_error name_error(enum ipf_name_error e, size_t bad, size_t *reterr_bad)
{
        *reterr_bad = bad;
        return e;
}

enum ipf_name_error ipf_profile_check_path(const char *s, size_t len, bool *ret_glob,
                                           size_t *reterr_bad)
{
        size_t i = 0;

        if (len == 0 || s[0] != '/')
                return name_error(IPF_NAME_NOT_ABSOLUTE, 0, reterr_bad);
        if (len >= PATH_MAX)
                return name_error(IPF_NAME_TOO_LONG, 0, reterr_bad);

        /* I is at a '/'; look at the component after it. */
        for (;;) {
                size_t start = i + 1, end = start;
                const char *star;

                while (end < len && s[end] != '/')
                        end++;
                if (end == start)
                        return end == len ? name_error(IPF_NAME_TRAILING_SLASH, i, reterr_bad)
                                          : name_error(IPF_NAME_DOUBLE_SLASH, end, reterr_bad);
                if (name_is(s + start, end - start, ".") || name_is(s + start, end - start, ".."))
                        return name_error(IPF_NAME_DOT_COMPONENT, start, reterr_bad);
                star = memchr(s + start, '*', end - start);
                if (end == len) {
                        *ret_glob = star != NULL;
                        return IPF_NAME_OK;
                }
                if (star)
                        return name_error(IPF_NAME_GLOB_NOT_LAST, (size_t)(star - s), reterr_bad);
                i = end;
        }
}

enum ipf_name_error ipf_profile_check_abstract(const char *name, size_t len, bool *ret_glob,
                                               size_t *reterr_bad)
{
        if (len == 0)
                return name_error(IPF_NAME_EMPTY, 0, reterr_bad);
        if (len > ABSTRACT_NAME_MAX)
                return name_error(IPF_NAME_TOO_LONG, ABSTRACT_NAME_MAX, reterr_bad);
        *ret_glob = memchr(name, '*', len) != NULL;
        return IPF_NAME_OK;
}

enum ipf_name_error ipf_profile_check_ipc_name(const char *s, size_t len, bool *ret_glob,
                                               size_t *reterr_bad)
{
        const char *slash;

        if (len == 0 || s[0] != '/')
                return name_error(IPF_NAME_NO_LEADING_SLASH, 0, reterr_bad);
        if (len == 1)
                return name_error(IPF_NAME_EMPTY, 0, reterr_bad);
        slash = memchr(s + 1, '/', len - 1);
        if (slash)
                return name_error(IPF_NAME_INNER_SLASH, (size_t)(slash - s), reterr_bad);
        if (len - 1 > IPC_NAME_MAX)
                return name_error(IPF_NAME_TOO_LONG, 1 + IPC_NAME_MAX, reterr_bad);
        /* "/dev/shm/.." would be /dev: never a name. */
        if (name_is(s + 1, len - 1, ".") || name_is(s + 1, len - 1, ".."))
                return name_error(IPF_NAME_DOTS, 1, reterr_bad);
        *ret_glob = memchr(s, '*', len) != NULL;
        return IPF_NAME_OK;
}

static bool is_alpha(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* A D-Bus well-known name: at least two dot-separated elements of
 * [A-Za-z0-9_-], none empty or starting with a digit; optionally ".*". */
bool ipf_profile_dbus_name_valid(const char *s, size_t len, bool *ret_glob)
{
        bool glob = false, elem_start = true;
        unsigned elements = 0;

        if (len >= 2 && s[len - 2] == '.' && s[len - 1] == '*') {
                glob = true;
                len -= 2;
        }
        if (len == 0 || len > DBUS_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];

                if (c == '.') {
                        if (elem_start)
                                return false;
                        elements++;
                        elem_start = true;
                        continue;
                }
                if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-')
                        return false;
                if (elem_start && is_digit(c))
                        return false;
                elem_start = false;
        }
        if (elem_start || elements + 1 < 2)
                return false;
        *ret_glob = glob;
        return true;
}

/* An xdg-dbus-proxy rule `[METHOD][@PATH]`: METHOD of [A-Za-z0-9_.*-],
 * PATH an object path, possibly ending in a star component. */
bool ipf_profile_dbus_rule_valid(const char *s, size_t len)
{
        const char *at = memchr(s, '@', len);
        size_t mlen = at ? (size_t)(at - s) : len;

        if (len == 0)
                return false;
        for (size_t i = 0; i < mlen; i++)
                if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '.' &&
                    s[i] != '*' && s[i] != '-')
                        return false;
        if (!at)
                return true;
        if (at + 1 == s + len || at[1] != '/')
                return false;
        for (const char *p = at + 1; p < s + len; p++)
                if (!is_alpha(*p) && !is_digit(*p) && *p != '_' && *p != '/' && *p != '*')
                        return false;
        return true;
}

bool ipf_profile_name_valid(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || len >= PATH_MAX - 16 || s[0] == '/')
                return false;
        for (size_t start = 0; start <= len;) {
                const char *slash = memchr(s + start, '/', len - start);
                size_t end = slash ? (size_t)(slash - s) : len;

                if (end == start || name_is(s + start, end - start, ".") ||
                    name_is(s + start, end - start, ".."))
                        return false;
                start = end + 1;
        }
        return true;
}
