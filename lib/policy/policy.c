/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy IR: adding rules (duplicates fold, contradictions are refused,
 * the derived fields follow the rules) and the names every stage prints. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "util/cleanup.h"

/* A cap on the rule count, so that a huge generated profile fails instead of
 * making the quadratic duplicate check crawl. Real profiles have dozens. */
#define IPF_POLICY_MAX_RULES 16384

static const char *const rule_kind_table[_IPF_RULE_MAX] = {
        [IPF_RULE_NETWORK] = "network",         [IPF_RULE_UNIX_CONNECT] = "unix.connect",
        [IPF_RULE_UNIX_LISTEN] = "unix.listen", [IPF_RULE_DBUS] = "dbus",
        [IPF_RULE_TCP_CONNECT] = "tcp.connect", [IPF_RULE_TCP_LISTEN] = "tcp.listen",
        [IPF_RULE_SYSV_HOST] = "sysv.host",     [IPF_RULE_MQUEUE_OPEN] = "mqueue.open",
        [IPF_RULE_SHM_OPEN] = "shm.open",       [IPF_RULE_FIFO_OPEN] = "fifo.open",
        [IPF_RULE_SIGNAL_HOST] = "signal.host", [IPF_RULE_NETLINK] = "netlink",
};

/* The same kinds in profile syntax, for ipf_rule_to_text(). */
static const char *const rule_keyword_table[_IPF_RULE_MAX] = {
        [IPF_RULE_NETWORK] = "network",         [IPF_RULE_UNIX_CONNECT] = "unix connect",
        [IPF_RULE_UNIX_LISTEN] = "unix listen", [IPF_RULE_DBUS] = "dbus",
        [IPF_RULE_TCP_CONNECT] = "tcp connect", [IPF_RULE_TCP_LISTEN] = "tcp listen",
        [IPF_RULE_SYSV_HOST] = "sysv host",     [IPF_RULE_MQUEUE_OPEN] = "mqueue open",
        [IPF_RULE_SHM_OPEN] = "shm open",       [IPF_RULE_FIFO_OPEN] = "fifo open",
        [IPF_RULE_SIGNAL_HOST] = "signal host", [IPF_RULE_NETLINK] = "netlink",
};

static const char *const network_table[_IPF_NETWORK_MAX] = {
        [IPF_NETWORK_NONE] = "none",
        [IPF_NETWORK_HOST] = "host",
};

static const char *const bus_table[_IPF_BUS_MAX] = {
        [IPF_BUS_SESSION] = "session",
        [IPF_BUS_SYSTEM] = "system",
};

static const char *const dbus_verb_table[_IPF_DBUS_MAX] = {
        [IPF_DBUS_TALK] = "talk",
        [IPF_DBUS_OWN] = "own",
        [IPF_DBUS_SEE] = "see",
        [IPF_DBUS_CALL] = "call",
        [IPF_DBUS_BROADCAST] = "broadcast",
};

static const char *const netlink_table[_IPF_NETLINK_MAX] = {
        [IPF_NETLINK_ROUTE] = "route",
        [IPF_NETLINK_KOBJECT_UEVENT] = "kobject-uevent",
        [IPF_NETLINK_AUDIT] = "audit",
};

const char *ipf_rule_kind_to_string(enum ipf_rule_kind k)
{
        return (unsigned)k < _IPF_RULE_MAX ? rule_kind_table[k] : NULL;
}

const char *ipf_network_to_string(enum ipf_network n)
{
        return (unsigned)n < _IPF_NETWORK_MAX ? network_table[n] : NULL;
}

const char *ipf_bus_to_string(enum ipf_bus b)
{
        return (unsigned)b < _IPF_BUS_MAX ? bus_table[b] : NULL;
}

bool ipf_policy_has(const struct ipf_policy *p, enum ipf_rule_kind kind)
{
        for (size_t i = 0; i < p->n_rules; i++)
                if (p->rules[i].kind == kind)
                        return true;
        return false;
}

const char *ipf_dbus_verb_to_string(enum ipf_dbus_verb v)
{
        return (unsigned)v < _IPF_DBUS_MAX ? dbus_verb_table[v] : NULL;
}

const char *ipf_netlink_to_string(enum ipf_netlink n)
{
        return (unsigned)n < _IPF_NETLINK_MAX ? netlink_table[n] : NULL;
}

int ipf_netlink_protocol(enum ipf_netlink n)
{
        switch (n) {
        case IPF_NETLINK_ROUTE:
                return NETLINK_ROUTE;
        case IPF_NETLINK_KOBJECT_UEVENT:
                return NETLINK_KOBJECT_UEVENT;
        case IPF_NETLINK_AUDIT:
                return NETLINK_AUDIT;
        default:
                return -EINVAL;
        }
}

int ipf_diag_set(struct ipf_diag *d, const char *file, unsigned line, unsigned col, const char *fmt,
                 ...)
{
        char msg[sizeof d->msg];
        va_list ap;

        if (!d)
                return -EINVAL;

        /* Format first: an argument may point into *d itself. */
        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        if (!file)
                d->file[0] = '\0';
        else if (file != d->file)
                (void)snprintf(d->file, sizeof d->file, "%s", file);
        d->line = line;
        d->col = col;
        memcpy(d->msg, msg, sizeof msg);
        return -EINVAL;
}

int ipf_policy_new(const char *name, struct ipf_policy **ret)
{
        struct ipf_policy *p;

        if (!name || !ret)
                return -EINVAL;

        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->name = strdup(name);
        if (!p->name) {
                free(p);
                return -ENOMEM;
        }
        p->network = IPF_NETWORK_NONE;
        *ret = p;
        return 0;
}

struct ipf_policy *ipf_policy_free(struct ipf_policy *p)
{
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_rules; i++)
                ipf_rule_done(&p->rules[i]);
        free(p->rules);
        free(p->name);
        free(p->source);
        free(p);
        return NULL;
}

const char *ipf_policy_name(const struct ipf_policy *p)
{
        return p ? p->name : NULL;
}

void ipf_rule_done(struct ipf_rule *r)
{
        if (!r)
                return;
        free(r->origin.file);
        free(r->endpoint);
        free(r->host);
        memset(r, 0, sizeof *r);
}

/* Which kinds carry an endpoint string. */
static bool kind_has_endpoint(enum ipf_rule_kind k)
{
        switch (k) {
        case IPF_RULE_UNIX_CONNECT:
        case IPF_RULE_UNIX_LISTEN:
        case IPF_RULE_DBUS:
        case IPF_RULE_TCP_CONNECT:
        case IPF_RULE_TCP_LISTEN:
        case IPF_RULE_MQUEUE_OPEN:
        case IPF_RULE_SHM_OPEN:
        case IPF_RULE_FIFO_OPEN:
                return true;
        default:
                return false;
        }
}

static bool rule_is_valid(const struct ipf_rule *r)
{
        if ((unsigned)r->kind >= _IPF_RULE_MAX)
                return false;
        if (kind_has_endpoint(r->kind) != !!r->endpoint)
                return false;
        switch (r->kind) {
        case IPF_RULE_NETWORK:
                return (unsigned)r->network < _IPF_NETWORK_MAX;
        case IPF_RULE_DBUS:
                return (unsigned)r->bus < _IPF_BUS_MAX && (unsigned)r->dbus_verb < _IPF_DBUS_MAX;
        case IPF_RULE_NETLINK:
                return (unsigned)r->netlink < _IPF_NETLINK_MAX;
        case IPF_RULE_TCP_CONNECT:
                return r->host && r->port > 0;
        case IPF_RULE_TCP_LISTEN:
                return r->port > 0;
        default:
                return true;
        }
}

static bool streq_null(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

/* Same rule, wherever it came from: the fields that matter for KIND. */
static bool rule_equal(const struct ipf_rule *a, const struct ipf_rule *b)
{
        if (a->kind != b->kind)
                return false;
        switch (a->kind) {
        case IPF_RULE_NETWORK:
                return a->network == b->network;
        case IPF_RULE_NETLINK:
                return a->netlink == b->netlink;
        case IPF_RULE_SYSV_HOST:
        case IPF_RULE_SIGNAL_HOST:
                return true;
        case IPF_RULE_DBUS:
                if (a->bus != b->bus || a->dbus_verb != b->dbus_verb)
                        return false;
                break;
        case IPF_RULE_TCP_CONNECT:
        case IPF_RULE_TCP_LISTEN:
                if (a->port != b->port || !streq_null(a->host, b->host))
                        return false;
                break;
        default:
                break;
        }
        return a->glob == b->glob && streq_null(a->endpoint, b->endpoint);
}

static void policy_derive(struct ipf_policy *p, const struct ipf_rule *r)
{
        switch (r->kind) {
        case IPF_RULE_NETWORK:
                p->network = r->network;
                /* SPEC §4: `network host` implies `netlink route`. */
                if (r->network == IPF_NETWORK_HOST)
                        p->netlink |= 1u << IPF_NETLINK_ROUTE;
                break;
        case IPF_RULE_SYSV_HOST:
                p->sysv_host = true;
                break;
        case IPF_RULE_SIGNAL_HOST:
                p->signal_host = true;
                break;
        case IPF_RULE_NETLINK:
                p->netlink |= 1u << r->netlink;
                break;
        default:
                break;
        }
}

static int policy_conflict(const struct ipf_rule *old, struct ipf_rule *r, struct ipf_diag *reterr)
{
        int ret;

        ret = ipf_diag_set(reterr, r->origin.file, r->origin.line, r->origin.col,
                           "'network %s' conflicts with 'network %s' at %s:%u:%u",
                           ipf_network_to_string(r->network), ipf_network_to_string(old->network),
                           old->origin.file ?: "?", old->origin.line, old->origin.col);
        ipf_rule_done(r);
        return ret;
}

int ipf_policy_add(struct ipf_policy *p, struct ipf_rule *r, struct ipf_diag *reterr)
{
        int ret;

        if (!rule_is_valid(r)) {
                ret = ipf_diag_set(reterr, r->origin.file, r->origin.line, r->origin.col,
                                   "invalid rule");
                ipf_rule_done(r);
                return ret;
        }

        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ipf_rule *old = &p->rules[i];

                if (rule_equal(old, r)) {
                        ipf_rule_done(r);
                        return 0;
                }
                /* The only contradiction the language can express. */
                if (old->kind == IPF_RULE_NETWORK && r->kind == IPF_RULE_NETWORK)
                        return policy_conflict(old, r, reterr);
        }

        if (p->n_rules >= IPF_POLICY_MAX_RULES) {
                ret = ipf_diag_set(reterr, r->origin.file, r->origin.line, r->origin.col,
                                   "too many rules (more than %d)", IPF_POLICY_MAX_RULES);
                ipf_rule_done(r);
                return -E2BIG;
        }
        if (p->n_rules == p->n_allocated) {
                size_t n = p->n_allocated ? p->n_allocated * 2 : 16;
                struct ipf_rule *rules = reallocarray(p->rules, n, sizeof *rules);

                if (!rules) {
                        (void)ipf_diag_set(reterr, r->origin.file, r->origin.line, r->origin.col,
                                           "out of memory");
                        ipf_rule_done(r);
                        return -ENOMEM;
                }
                p->rules = rules;
                p->n_allocated = n;
        }

        p->rules[p->n_rules++] = *r;
        memset(r, 0, sizeof *r);
        policy_derive(p, &p->rules[p->n_rules - 1]);
        return 1;
}

char *ipf_rule_to_text(const struct ipf_rule *r)
{
        const char *kw = ipf_rule_kind_to_string(r->kind) ? rule_keyword_table[r->kind] : NULL;
        char *s = NULL;
        int n;

        if (!kw || !rule_is_valid(r))
                return NULL;

        switch (r->kind) {
        case IPF_RULE_NETWORK:
                n = asprintf(&s, "%s %s", kw, ipf_network_to_string(r->network));
                break;
        case IPF_RULE_NETLINK:
                n = asprintf(&s, "%s %s", kw, ipf_netlink_to_string(r->netlink));
                break;
        case IPF_RULE_DBUS:
                n = asprintf(&s, "%s %s %s %s", kw, ipf_bus_to_string(r->bus),
                             ipf_dbus_verb_to_string(r->dbus_verb), r->endpoint);
                break;
        case IPF_RULE_SYSV_HOST:
        case IPF_RULE_SIGNAL_HOST:
                n = asprintf(&s, "%s", kw);
                break;
        default:
                n = asprintf(&s, "%s %s", kw, r->endpoint);
                break;
        }
        return n < 0 ? NULL : s;
}
