/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding, reading and including profile files: the search path, the
 * include stack (cycles, depth) and the set of completed files (a diamond
 * include is parsed once; its rules would only fold as duplicates). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/profile-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

DEFINE_FREE_FUNC(struct ipf_policy, ipf_policy_free)

/* Internal code for "exists but is not a regular file". */
#define ENOTREG EMEDIUMTYPE

void ipf_profile_ctx_done(struct ipf_profile_ctx *c)
{
        free(c->done);
        c->done = NULL;
        c->n_done = c->n_done_allocated = 0;
}

static const char *open_error(int r)
{
        switch (r) {
        case -EFBIG:
                return "larger than 1 MiB";
        case -ENOTREG:
                return "not a regular file";
        default:
                return strerror(-r);
        }
}

/* O_NONBLOCK: a FIFO or device named as a profile must not block us; only
 * regular files are read. */
static int profile_open(const char *path, int *ret_fd, struct stat *ret_st)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

        if (fd < 0)
                return -errno;
        if (fstat(fd, ret_st) < 0)
                return -errno;
        if (!S_ISREG(ret_st->st_mode))
                return -ENOTREG;
        if (ret_st->st_size > IPF_PROFILE_MAX_SIZE)
                return -EFBIG;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Read to EOF, at most IPF_PROFILE_MAX_SIZE bytes (the file may grow). */
static int profile_read_fd(int fd, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 0;

        for (;;) {
                ssize_t n;

                if (len == size) {
                        size_t new_size = size ? size * 2 : 4096;
                        char *b;

                        if (new_size > IPF_PROFILE_MAX_SIZE + 1)
                                new_size = IPF_PROFILE_MAX_SIZE + 1;
                        if (new_size == size)
                                return -EFBIG;
                        b = realloc(buf, new_size);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        size = new_size;
                }
                n = read(fd, buf + len, size - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (len > IPF_PROFILE_MAX_SIZE)
                return -EFBIG;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* "DIR1:DIR2:..." for messages, truncated to SIZE. */
static void format_search_path(const struct ipf_profile_env *env, char *buf, size_t size)
{
        size_t used = 0;

        buf[0] = '\0';
        for (const char *const *d = env->search_path; d && *d && used < size; d++) {
                int n = snprintf(buf + used, size - used, "%s%s", used ? ":" : "", *d);

                if (n < 0)
                        break;
                used += (size_t)n;
        }
}

int ipf_profile_find(const char *name, const struct ipf_profile_env *env, char **ret_path)
{
        if (!name || !env || !ret_path)
                return -EINVAL;
        if (!ipf_profile_name_valid(name))
                return -EINVAL;

        for (const char *const *d = env->search_path; d && *d; d++) {
                size_t dlen = strlen(*d);
                struct stat st;
                char *path;
                int r;

                if (dlen == 0)
                        continue;
                if (asprintf(&path, "%s%s%s.profile", *d, (*d)[dlen - 1] == '/' ? "" : "/", name) <
                    0)
                        return -ENOMEM;
                if (stat(path, &st) >= 0) {
                        *ret_path = path;
                        return 0;
                }
                r = -errno;
                free(path);
                /* A directory the caller cannot search holds nothing it could
                 * have put there: skip it as a PATH lookup does (e.g. ~/.config
                 * of HOME=/root after dropping to another uid). Anything else
                 * fails loudly rather than picking a lower-priority file. */
                if (r == -EACCES) {
                        ipf_debug("cannot search profile directory '%s': %s, skipping", *d,
                                  strerror(EACCES));
                        continue;
                }
                if (r != -ENOENT && r != -ENOTDIR)
                        return r;
        }
        return -ENOENT;
}

static int include_cycle(struct ipf_profile_ctx *c, const struct ipf_profile_line *l,
                         unsigned first, const char *path)
{
        char chain[sizeof c->diag->msg];
        size_t used = 0;

        chain[0] = '\0';
        for (unsigned i = first; i < c->n_stack && used < sizeof chain; i++) {
                int n = snprintf(chain + used, sizeof chain - used, "%s -> ", c->stack[i].path);

                if (n < 0)
                        break;
                used += (size_t)n;
        }
        return ipf_diag_set(c->diag, l->file, l->lineno, l->tok[0].col, "include cycle: %s%s",
                            chain, path);
}

static int include_resolve(struct ipf_profile_ctx *c, const struct ipf_profile_line *l,
                           const char *arg, char **ret_path)
{
        unsigned col = l->tok[1].col;
        char dirs[sizeof c->diag->msg];
        int r;

        if (arg[0] == '/') {
                *ret_path = strdup(arg);
                return *ret_path ? 0 : -ENOMEM;
        }
        if (!ipf_profile_name_valid(arg))
                return ipf_diag_set(c->diag, l->file, l->lineno, col,
                                    "invalid include name '%s' (empty, '.' and '..' components "
                                    "are not allowed)",
                                    arg);
        r = ipf_profile_find(arg, c->env, ret_path);
        if (r == -ENOENT) {
                format_search_path(c->env, dirs, sizeof dirs);
                (void)ipf_diag_set(c->diag, l->file, l->lineno, col,
                                   "include '%s' not found in: %s", arg, dirs);
                return r;
        }
        if (r < 0)
                (void)ipf_diag_set(c->diag, l->file, l->lineno, col,
                                   "cannot look up include '%s': %s", arg, strerror(-r));
        return r;
}

/* A completed file can be skipped when parsing it again here would not
 * exceed the depth limit; otherwise it is parsed again to report where. */
static bool include_done(const struct ipf_profile_ctx *c, const struct stat *st, unsigned depth,
                         unsigned *ret_height)
{
        for (size_t i = 0; i < c->n_done; i++)
                if (c->done[i].dev == st->st_dev && c->done[i].ino == st->st_ino &&
                    depth + c->done[i].height <= IPF_PROFILE_MAX_DEPTH) {
                        *ret_height = c->done[i].height;
                        return true;
                }
        return false;
}

static int include_mark_done(struct ipf_profile_ctx *c, const struct stat *st, unsigned height)
{
        if (c->n_done == c->n_done_allocated) {
                size_t n = c->n_done_allocated ? c->n_done_allocated * 2 : 8;
                struct ipf_profile_file *d = reallocarray(c->done, n, sizeof *d);

                if (!d)
                        return -ENOMEM;
                c->done = d;
                c->n_done_allocated = n;
        }
        c->done[c->n_done++] =
                (struct ipf_profile_file){.dev = st->st_dev, .ino = st->st_ino, .height = height};
        return 0;
}

static int include_read_error(struct ipf_profile_ctx *c, const struct ipf_profile_line *l,
                              const char *path, int r)
{
        (void)ipf_diag_set(c->diag, l->file, l->lineno, l->tok[1].col,
                           "cannot read include '%s': %s", path, open_error(r));
        return r;
}

static int include_oom(struct ipf_profile_ctx *c, const struct ipf_profile_line *l)
{
        (void)ipf_diag_set(c->diag, l->file, l->lineno, l->tok[0].col, "out of memory");
        return -ENOMEM;
}

int ipf_profile_include(struct ipf_profile_ctx *c, const struct ipf_profile_line *l,
                        const char *arg, unsigned depth, unsigned *ret_height)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int fd = -1;
        unsigned height = 0;
        struct stat st;
        size_t len;
        int r;

        if (depth >= IPF_PROFILE_MAX_DEPTH)
                return ipf_diag_set(c->diag, l->file, l->lineno, l->tok[0].col,
                                    "include depth over %d", IPF_PROFILE_MAX_DEPTH);
        r = include_resolve(c, l, arg, &path);
        if (r == -ENOMEM)
                return include_oom(c, l);
        if (r < 0)
                return r;

        r = profile_open(path, &fd, &st);
        if (r < 0)
                return include_read_error(c, l, path, r);
        for (unsigned i = 0; i < c->n_stack; i++)
                if (c->stack[i].dev == st.st_dev && c->stack[i].ino == st.st_ino)
                        return include_cycle(c, l, i, path);
        if (include_done(c, &st, depth + 1, &height)) {
                *ret_height = height + 1;
                return 0;
        }
        r = profile_read_fd(fd, &text, &len);
        if (r < 0)
                return include_read_error(c, l, path, r);
        if (c->n_stack >= ELEMENTSOF(c->stack))
                return ipf_diag_set(c->diag, l->file, l->lineno, l->tok[0].col,
                                    "include depth over %d", IPF_PROFILE_MAX_DEPTH);

        c->stack[c->n_stack++] =
                (struct ipf_profile_file){.path = path, .dev = st.st_dev, .ino = st.st_ino};
        r = ipf_profile_parse_ctx(c, text, len, path, depth + 1, &height);
        c->n_stack--;
        if (r < 0)
                return r;
        if (include_mark_done(c, &st, height) < 0)
                return include_oom(c, l);
        *ret_height = height + 1;
        return 0;
}

/* SPEC: a path when it starts with '/' or '.' or ends in ".profile". */
static bool is_path(const char *s)
{
        size_t len = strlen(s), suffix = strlen(".profile");

        return s[0] == '/' || s[0] == '.' ||
               (len >= suffix && strcmp(s + len - suffix, ".profile") == 0);
}

/* The profile's name: PATH's basename without ".profile". */
static char *name_from_path(const char *path)
{
        const char *base = strrchr(path, '/');
        size_t len, suffix = strlen(".profile");

        base = base ? base + 1 : path;
        len = strlen(base);
        if (len > suffix && strcmp(base + len - suffix, ".profile") == 0)
                len -= suffix;
        return strndup(base, len);
}

static int load_locate(const char *name_or_path, const struct ipf_profile_env *env, char **ret_path,
                       struct ipf_diag *reterr)
{
        char dirs[sizeof reterr->msg];
        int r;

        if (is_path(name_or_path)) {
                *ret_path = strdup(name_or_path);
                return *ret_path ? 0 : -ENOMEM;
        }
        if (!ipf_profile_name_valid(name_or_path))
                return ipf_diag_set(reterr, NULL, 0, 0, "invalid profile name '%s'", name_or_path);
        r = ipf_profile_find(name_or_path, env, ret_path);
        if (r == -ENOENT) {
                format_search_path(env, dirs, sizeof dirs);
                (void)ipf_diag_set(reterr, NULL, 0, 0, "profile '%s' not found in: %s",
                                   name_or_path, dirs);
        } else if (r < 0) {
                (void)ipf_diag_set(reterr, NULL, 0, 0, "cannot look up profile '%s': %s",
                                   name_or_path, strerror(-r));
        }
        return r;
}

static int load_parse(const char *path, const struct stat *st, const char *text, size_t len,
                      const struct ipf_profile_env *env, struct ipf_policy **ret,
                      struct ipf_diag *reterr)
{
        _cleanup_(ipf_policy_freep) struct ipf_policy *p = NULL;
        _cleanup_free_ char *name = name_from_path(path);
        struct ipf_profile_ctx c = {.env = env, .diag = reterr, .n_stack = 1};
        int r;

        if (!name || ipf_policy_new(name, &p) < 0 || !(p->source = strdup(path))) {
                (void)ipf_diag_set(reterr, NULL, 0, 0, "out of memory");
                return -ENOMEM;
        }
        c.policy = p;
        c.stack[0] = (struct ipf_profile_file){.path = path, .dev = st->st_dev, .ino = st->st_ino};
        r = ipf_profile_parse_ctx(&c, text, len, path, 0, NULL);
        ipf_profile_ctx_done(&c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

int ipf_profile_load(const char *name_or_path, const struct ipf_profile_env *env,
                     struct ipf_policy **ret, struct ipf_diag *reterr)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t len;
        int r;

        if (!name_or_path || !*name_or_path || !env || !ret)
                return -EINVAL;

        r = load_locate(name_or_path, env, &path, reterr);
        if (r == -ENOMEM)
                (void)ipf_diag_set(reterr, NULL, 0, 0, "out of memory");
        if (r < 0)
                return r;

        r = profile_open(path, &fd, &st);
        if (r >= 0)
                r = profile_read_fd(fd, &text, &len);
        if (r < 0) {
                (void)ipf_diag_set(reterr, NULL, 0, 0, "cannot read profile '%s': %s", path,
                                   open_error(r));
                return r;
        }
        return load_parse(path, &st, text, len, env, ret, reterr);
}
