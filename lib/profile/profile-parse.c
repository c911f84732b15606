/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile parser: one line's tokens → one struct ipf_rule (or an include),
 * checked left to right so that the first error is the leftmost one. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile-internal.h"
#include "util/cleanup.h"

struct parse_state {
        struct ipf_profile_ctx *c;
        const struct ipf_profile_line *l;
        unsigned next; /* index of the next token to consume */
        char *include_arg; /* set by `include`, expanded */
};

#define parse_error(st, col, ...) \
        ipf_diag_set((st)->c->diag, (st)->l->file, (st)->l->lineno, (col), __VA_ARGS__)

/* A token quoted in a message: "'%.*s'" with QUOTE(t). */
#define QUOTE(t) ipf_profile_quote_len((t)->s, (t)->len), (t)->s

/* asprintf() leaves its pointer undefined on failure: NULL here. */
__attribute__((format(printf, 1, 2))) static char *format_string(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        return n < 0 ? NULL : s;
}

static int parse_oom(struct parse_state *st)
{
        (void)parse_error(st, st->l->tok[0].col, "out of memory");
        return -ENOMEM;
}

static int next_token(struct parse_state *st, const struct ipf_profile_token **ret)
{
        if (st->next >= st->l->n_total)
                return parse_error(st, st->l->end_col, "missing argument");
        *ret = &st->l->tok[st->next++];
        return 0;
}

static bool token_is(const struct ipf_profile_token *t, const char *word)
{
        return strlen(word) == t->len && memcmp(t->s, word, t->len) == 0;
}

/* Consume a token that must be one of WORDS; return its index. */
static int next_word(struct parse_state *st, const char *const *words, size_t n)
{
        const struct ipf_profile_token *t = NULL;
        char expected[128] = "";
        int r;

        r = next_token(st, &t);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (token_is(t, words[i]))
                        return (int)i;
        for (size_t i = 0; i < n; i++) {
                size_t used = strlen(expected);

                (void)snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "",
                               words[i]);
        }
        return parse_error(st, t->col, "invalid argument '%.*s' (expected: %s)", QUOTE(t),
                           expected);
}

static int expand_token(struct parse_state *st, const struct ipf_profile_token *t, size_t skip,
                        struct ipf_expanded *ret)
{
        struct ipf_expand_failure f = {};
        unsigned col;
        int r;

        r = ipf_profile_expand_map(t->s + skip, t->len - skip, st->c->env, ret, &f);
        if (r == -ENOMEM)
                return parse_oom(st);
        if (r >= 0)
                return 0;

        col = t->col + (unsigned)(skip + f.offset);
        switch (f.error) {
        case IPF_EXPAND_BAD_DOLLAR:
                return parse_error(st, col,
                                   "'$' must start ${UID}, ${USER}, ${HOME} or "
                                   "${XDG_RUNTIME_DIR}");
        case IPF_EXPAND_UNTERMINATED:
                return parse_error(st, col, "unterminated '${'");
        case IPF_EXPAND_UNKNOWN:
                return parse_error(st, col, "unknown variable ${%.*s}",
                                   ipf_profile_quote_len(f.name, f.name_len), f.name);
        case IPF_EXPAND_UNSET:
                return parse_error(st, col, "variable ${%.*s} is not set", (int)f.name_len, f.name);
        default:
                return parse_error(st, col, "'%.*s' is too long (over %d bytes after expansion)",
                                   QUOTE(t), IPF_PROFILE_MAX_EXPANDED);
        }
}

static int name_error(struct parse_state *st, enum ipf_name_error e, const char *what,
                      const struct ipf_profile_token *t, unsigned col)
{
        switch (e) {
        case IPF_NAME_NOT_ABSOLUTE:
                return parse_error(st, col, "%s '%.*s' is not absolute", what, QUOTE(t));
        case IPF_NAME_DOUBLE_SLASH:
                return parse_error(st, col, "%s '%.*s' contains '//'", what, QUOTE(t));
        case IPF_NAME_TRAILING_SLASH:
                return parse_error(st, col, "%s '%.*s' ends in '/'", what, QUOTE(t));
        case IPF_NAME_DOT_COMPONENT:
                return parse_error(st, col, "%s '%.*s' contains a '.' or '..' component", what,
                                   QUOTE(t));
        case IPF_NAME_GLOB_NOT_LAST:
                return parse_error(st, col, "'*' is only allowed in the last path component");
        case IPF_NAME_TOO_LONG:
                return parse_error(st, col, "%s '%.*s' is too long", what, QUOTE(t));
        case IPF_NAME_EMPTY:
                return parse_error(st, col, "%s '%.*s' is empty", what, QUOTE(t));
        case IPF_NAME_NO_LEADING_SLASH:
                return parse_error(st, col, "%s '%.*s' does not start with '/'", what, QUOTE(t));
        case IPF_NAME_INNER_SLASH:
                return parse_error(st, col, "%s '%.*s' contains '/' after the first byte", what,
                                   QUOTE(t));
        default:
                return parse_error(st, col, "%s '%.*s' is '.' or '..'", what, QUOTE(t));
        }
}

enum endpoint_type {
        ENDPOINT_PATH,
        ENDPOINT_SOCKET, /* a path or @abstract */
        ENDPOINT_IPC, /* /NAME */
};

/* Consume, expand and check an endpoint; fill r->endpoint and r->glob. */
static int parse_endpoint(struct parse_state *st, enum endpoint_type type, const char *what,
                          struct ipf_rule *r)
{
        _cleanup_(ipf_expanded_done) struct ipf_expanded e = {};
        const struct ipf_profile_token *t = NULL;
        enum ipf_name_error ne;
        size_t skip = 0, bad = 0;
        int ret;

        ret = next_token(st, &t);
        if (ret < 0)
                return ret;
        if (type == ENDPOINT_SOCKET && t->s[0] == '@') {
                skip = 1;
                what = "abstract socket name";
        }
        ret = expand_token(st, t, skip, &e);
        if (ret < 0)
                return ret;

        if (skip)
                ne = ipf_profile_check_abstract(e.s, e.len, &r->glob, &bad);
        else if (type == ENDPOINT_IPC)
                ne = ipf_profile_check_ipc_name(e.s, e.len, &r->glob, &bad);
        else
                ne = ipf_profile_check_path(e.s, e.len, &r->glob, &bad);
        if (ne != IPF_NAME_OK) {
                /* Name-level errors point at the token, byte-level ones at the byte. */
                unsigned col = t->col;

                if (ne != IPF_NAME_TOO_LONG && ne != IPF_NAME_EMPTY && ne != IPF_NAME_DOTS)
                        col += (unsigned)(skip + e.map[bad]);
                return name_error(st, ne, what, t, col);
        }

        r->endpoint = skip ? format_string("@%s", e.s) : strdup(e.s);
        return r->endpoint ? 0 : parse_oom(st);
}

static int parse_include(struct parse_state *st, struct ipf_rule *r)
{
        _cleanup_(ipf_expanded_done) struct ipf_expanded e = {};
        const struct ipf_profile_token *t = NULL;
        int ret;

        ret = next_token(st, &t);
        if (ret < 0)
                return ret;
        ret = expand_token(st, t, 0, &e);
        if (ret < 0)
                return ret;
        st->include_arg = TAKE_PTR(e.s);
        return 0;
}

static int parse_network(struct parse_state *st, struct ipf_rule *r)
{
        static const char *const words[] = {"none", "host"};
        int i = next_word(st, words, ELEMENTSOF(words));

        if (i < 0)
                return i;
        r->kind = IPF_RULE_NETWORK;
        r->network = i == 0 ? IPF_NETWORK_NONE : IPF_NETWORK_HOST;
        return 0;
}

static int parse_unix(struct parse_state *st, struct ipf_rule *r)
{
        static const char *const words[] = {"connect", "listen"};
        int i = next_word(st, words, ELEMENTSOF(words));

        if (i < 0)
                return i;
        r->kind = i == 0 ? IPF_RULE_UNIX_CONNECT : IPF_RULE_UNIX_LISTEN;
        return parse_endpoint(st, ENDPOINT_SOCKET, "path", r);
}

static int parse_dbus_arg(struct parse_state *st, const struct ipf_profile_token *t,
                          struct ipf_rule *r)
{
        size_t name_len = t->len;

        if (r->dbus_verb == IPF_DBUS_CALL || r->dbus_verb == IPF_DBUS_BROADCAST) {
                const char *eq = memchr(t->s, '=', t->len);

                if (!eq)
                        return parse_error(st, t->col, "expected NAME=RULE, got '%.*s'", QUOTE(t));
                name_len = (size_t)(eq - t->s);
                if (ipf_profile_dbus_name_valid(t->s, name_len, &r->glob) &&
                    !ipf_profile_dbus_rule_valid(eq + 1, t->len - name_len - 1))
                        return parse_error(
                                st, t->col + (unsigned)name_len + 1, "invalid D-Bus rule '%.*s'",
                                ipf_profile_quote_len(eq + 1, t->len - name_len - 1), eq + 1);
        }
        if (!ipf_profile_dbus_name_valid(t->s, name_len, &r->glob))
                return parse_error(st, t->col, "invalid D-Bus name '%.*s'",
                                   ipf_profile_quote_len(t->s, name_len), t->s);
        r->endpoint = strndup(t->s, t->len);
        return r->endpoint ? 0 : parse_oom(st);
}

static int parse_dbus(struct parse_state *st, struct ipf_rule *r)
{
        static const char *const buses[] = {"session", "system"};
        static const char *const verbs[] = {"talk", "own", "see", "call", "broadcast"};
        static const enum ipf_dbus_verb verb_values[] = {
                IPF_DBUS_TALK, IPF_DBUS_OWN, IPF_DBUS_SEE, IPF_DBUS_CALL, IPF_DBUS_BROADCAST,
        };
        const struct ipf_profile_token *t = NULL;
        int bus, verb, ret;

        bus = next_word(st, buses, ELEMENTSOF(buses));
        if (bus < 0)
                return bus;
        verb = next_word(st, verbs, ELEMENTSOF(verbs));
        if (verb < 0)
                return verb;
        ret = next_token(st, &t);
        if (ret < 0)
                return ret;

        r->kind = IPF_RULE_DBUS;
        r->bus = bus == 0 ? IPF_BUS_SESSION : IPF_BUS_SYSTEM;
        r->dbus_verb = verb_values[verb];
        return parse_dbus_arg(st, t, r);
}

static bool all_digits(const char *s, size_t len)
{
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

/* HOST (LEN bytes): "localhost", an IPv4 literal or, with V6, the inside of
 * "[...]"; *ret gets the canonical text (inet_ntop). */
static int canonical_host(const char *host, size_t len, bool v6, char **ret)
{
        char buf[INET6_ADDRSTRLEN + 1], out[INET6_ADDRSTRLEN];
        unsigned char addr[sizeof(struct in6_addr)];
        int af = v6 ? AF_INET6 : AF_INET;

        if (!v6 && len == strlen("localhost") && memcmp(host, "localhost", len) == 0) {
                *ret = strdup("localhost");
                return *ret ? 0 : -ENOMEM;
        }
        if (len >= sizeof buf)
                return -EINVAL;
        memcpy(buf, host, len);
        buf[len] = '\0';
        if (inet_pton(af, buf, addr) != 1 || !inet_ntop(af, addr, out, sizeof out))
                return -EINVAL;
        *ret = strdup(out);
        return *ret ? 0 : -ENOMEM;
}

/* "PORT" (listen only), "HOST:PORT" or "[V6]:PORT". */
static int parse_tcp_address(struct parse_state *st, const struct ipf_profile_token *t, bool listen,
                             struct ipf_rule *r)
{
        const char *s = t->s, *host = NULL, *port = s;
        size_t len = t->len, hlen = 0;
        unsigned long value = 0;
        bool v6 = s[0] == '[';
        int ret;

        if (!(listen && all_digits(s, len))) {
                const char *sep = v6 ? memchr(s, ']', len) : memrchr(s, ':', len);

                if (v6 && sep && sep + 1 < s + len && sep[1] == ':')
                        sep++;
                if (!sep || *sep != ':')
                        return parse_error(st, t->col, "expected %sHOST:PORT, got '%.*s'",
                                           listen ? "PORT or " : "", QUOTE(t));
                host = s + v6;
                hlen = (size_t)(sep - s) - 2 * v6;
                port = sep + 1;
                ret = canonical_host(host, hlen, v6, &r->host);
                if (ret == -ENOMEM)
                        return parse_oom(st);
                if (ret < 0)
                        return parse_error(st, t->col,
                                           "invalid host '%.*s' (expected an IPv4 address, "
                                           "[IPv6 address] or localhost)",
                                           ipf_profile_quote_len(s, (size_t)(sep - s)), s);
        }

        len -= (size_t)(port - s);
        if (all_digits(port, len) && len <= 5)
                value = strtoul(port, NULL, 10);
        if (value < 1 || value > 65535)
                return parse_error(st, t->col + (unsigned)(port - s),
                                   "invalid port '%.*s' (expected 1 to 65535)",
                                   ipf_profile_quote_len(port, len), port);
        r->port = (uint16_t)value;

        if (!r->host)
                r->endpoint = format_string("%u", r->port);
        else if (v6)
                r->endpoint = format_string("[%s]:%u", r->host, r->port);
        else
                r->endpoint = format_string("%s:%u", r->host, r->port);
        return r->endpoint ? 0 : parse_oom(st);
}

static int parse_tcp(struct parse_state *st, struct ipf_rule *r)
{
        static const char *const words[] = {"connect", "listen"};
        const struct ipf_profile_token *t = NULL;
        int i, ret;

        i = next_word(st, words, ELEMENTSOF(words));
        if (i < 0)
                return i;
        ret = next_token(st, &t);
        if (ret < 0)
                return ret;
        r->kind = i == 0 ? IPF_RULE_TCP_CONNECT : IPF_RULE_TCP_LISTEN;
        return parse_tcp_address(st, t, i == 1, r);
}

static int parse_host_only(struct parse_state *st, struct ipf_rule *r, enum ipf_rule_kind kind)
{
        static const char *const words[] = {"host"};
        int i = next_word(st, words, ELEMENTSOF(words));

        if (i < 0)
                return i;
        r->kind = kind;
        return 0;
}

static int parse_sysv(struct parse_state *st, struct ipf_rule *r)
{
        return parse_host_only(st, r, IPF_RULE_SYSV_HOST);
}

static int parse_signal(struct parse_state *st, struct ipf_rule *r)
{
        return parse_host_only(st, r, IPF_RULE_SIGNAL_HOST);
}

static int parse_open(struct parse_state *st, struct ipf_rule *r, enum ipf_rule_kind kind,
                      enum endpoint_type type, const char *what)
{
        static const char *const words[] = {"open"};
        int i = next_word(st, words, ELEMENTSOF(words));

        if (i < 0)
                return i;
        r->kind = kind;
        return parse_endpoint(st, type, what, r);
}

static int parse_mqueue(struct parse_state *st, struct ipf_rule *r)
{
        return parse_open(st, r, IPF_RULE_MQUEUE_OPEN, ENDPOINT_IPC, "mqueue name");
}

static int parse_shm(struct parse_state *st, struct ipf_rule *r)
{
        return parse_open(st, r, IPF_RULE_SHM_OPEN, ENDPOINT_IPC, "shm name");
}

static int parse_fifo(struct parse_state *st, struct ipf_rule *r)
{
        return parse_open(st, r, IPF_RULE_FIFO_OPEN, ENDPOINT_PATH, "path");
}

static int parse_netlink(struct parse_state *st, struct ipf_rule *r)
{
        static const char *const words[] = {"route", "kobject-uevent", "audit"};
        static const enum ipf_netlink values[] = {
                IPF_NETLINK_ROUTE,
                IPF_NETLINK_KOBJECT_UEVENT,
                IPF_NETLINK_AUDIT,
        };
        int i = next_word(st, words, ELEMENTSOF(words));

        if (i < 0)
                return i;
        r->kind = IPF_RULE_NETLINK;
        r->netlink = values[i];
        return 0;
}

static const struct {
        const char *keyword;
        int (*parse)(struct parse_state *st, struct ipf_rule *r);
} keywords[] = {
        {"include", parse_include}, {"network", parse_network}, {"unix", parse_unix},
        {"dbus", parse_dbus},       {"tcp", parse_tcp},         {"sysv", parse_sysv},
        {"mqueue", parse_mqueue},   {"shm", parse_shm},         {"fifo", parse_fifo},
        {"signal", parse_signal},   {"netlink", parse_netlink},
};

/* One non-empty line at DEPTH: a rule added to the policy, or an include. */
static int parse_line(struct ipf_profile_ctx *c, const struct ipf_profile_line *l, unsigned depth,
                      unsigned *ret_height)
{
        _cleanup_(ipf_rule_done) struct ipf_rule r = {};
        struct parse_state st = {.c = c, .l = l, .next = 1};
        const struct ipf_profile_token *kw = &l->tok[0];
        _cleanup_free_ char *include_arg = NULL;
        size_t i = 0;
        int ret;

        *ret_height = 0;
        while (i < ELEMENTSOF(keywords) && !token_is(kw, keywords[i].keyword))
                i++;
        if (i == ELEMENTSOF(keywords))
                return parse_error(&st, kw->col, "unknown keyword '%.*s'", QUOTE(kw));
        ret = keywords[i].parse(&st, &r);
        include_arg = TAKE_PTR(st.include_arg);
        if (ret < 0)
                return ret;
        if (st.next < l->n_total)
                return parse_error(&st, l->tok[st.next].col, "unexpected argument '%.*s'",
                                   QUOTE(&l->tok[st.next]));

        if (include_arg)
                return ipf_profile_include(c, l, include_arg, depth, ret_height);

        r.origin = (struct ipf_origin){.file = strdup(l->file), .line = l->lineno, .col = kw->col};
        if (!r.origin.file)
                return parse_oom(&st);
        ret = ipf_policy_add(c->policy, &r, c->diag);
        return ret < 0 ? ret : 0;
}

int ipf_profile_parse_ctx(struct ipf_profile_ctx *c, const char *text, size_t len, const char *file,
                          unsigned depth, unsigned *ret_height)
{
        unsigned lineno = 0, height = 0;
        const char *line;
        size_t pos = 0, n;

        if (len > IPF_PROFILE_MAX_SIZE)
                return ipf_diag_set(c->diag, file, 0, 0, "'%s' is larger than 1 MiB", file);

        while (ipf_profile_next_line(text, len, &pos, &line, &n)) {
                struct ipf_profile_line l;
                unsigned h;
                int r;

                r = ipf_profile_lex_line(line, n, file, ++lineno, &l, c->diag);
                if (r < 0)
                        return r;
                if (l.n_total == 0)
                        continue;
                r = parse_line(c, &l, depth, &h);
                if (r < 0)
                        return r;
                if (h > height)
                        height = h;
        }
        if (ret_height)
                *ret_height = height;
        return 0;
}

int ipf_profile_parse_text(struct ipf_policy *p, const char *text, size_t len, const char *filename,
                           const struct ipf_profile_env *env, unsigned depth,
                           struct ipf_diag *reterr)
{
        struct ipf_profile_ctx c = {.policy = p, .env = env, .diag = reterr};
        int r;

        if (!p || (!text && len > 0) || !filename || !env)
                return -EINVAL;
        r = ipf_profile_parse_ctx(&c, text, len, filename, depth, NULL);
        ipf_profile_ctx_done(&c);
        return r;
}

int ipf_profile_add_rule_text(struct ipf_policy *p, const char *rule, const char *origin,
                              const struct ipf_profile_env *env, struct ipf_diag *reterr)
{
        struct ipf_profile_ctx c = {.policy = p, .env = env, .diag = reterr};
        struct ipf_profile_line l;
        unsigned height;
        int r;

        if (!p || !rule || !origin || !env)
                return -EINVAL;
        r = ipf_profile_lex_line(rule, strlen(rule), origin, 1, &l, reterr);
        if (r < 0)
                return r;
        if (l.n_total == 0)
                return ipf_diag_set(reterr, origin, 1, 1, "empty rule");
        r = parse_line(&c, &l, 0, &height);
        ipf_profile_ctx_done(&c);
        return r;
}
