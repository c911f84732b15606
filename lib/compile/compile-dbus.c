/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* D-Bus compiler: the policy's `dbus BUS VERB ARG` rules as the command
 * line of the xdg-dbus-proxy that filters that bus, where the filtered bus
 * appears in the sandbox, and the bus addresses involved (SPEC §2, §4).
 * Pure: the supervisor (lib/supervise/dbus-proxy.c) starts what this says. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/plan.h"
#include "util/cleanup.h"

bool ipf_dbus_bus_used(const struct ipf_policy *p, enum ipf_bus bus)
{
        for (size_t i = 0; i < p->n_rules; i++)
                if (p->rules[i].kind == IPF_RULE_DBUS && p->rules[i].bus == bus)
                        return true;
        return false;
}

/* The bus's usual place: where libdbus and GDBus look without a variable. */
int ipf_dbus_view_path(enum ipf_bus bus, const struct ipf_host *h, char *buf, size_t n)
{
        int len;

        if (bus == IPF_BUS_SYSTEM)
                len = snprintf(buf, n, "/run/dbus/system_bus_socket");
        else if (h->xdg_runtime_dir)
                len = snprintf(buf, n, "%s/bus", h->xdg_runtime_dir);
        else
                len = snprintf(buf, n, "/run/user/%u/bus", (unsigned)h->uid);
        return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* D-Bus address values: bytes outside [-0-9A-Za-z_/.\*] are %-escaped. */
int ipf_dbus_address_escape(const char *value, char *buf, size_t n)
{
        static const char hex[] = "0123456789abcdef";
        size_t w = 0;

        for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
                bool plain = (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
                             (*s >= 'A' && *s <= 'Z') || strchr("-_/.\\*", *s);

                if (w + (plain ? 1 : 3) >= n)
                        return -ENAMETOOLONG;
                if (plain) {
                        buf[w++] = (char)*s;
                } else {
                        buf[w++] = '%';
                        buf[w++] = hex[*s >> 4];
                        buf[w++] = hex[*s & 15];
                }
        }
        buf[w] = '\0';
        return 0;
}

static int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Unescape the N bytes at S into BUF; NUL bytes are refused. */
static int address_unescape(const char *s, size_t len, char *buf, size_t n)
{
        size_t w = 0;

        for (size_t i = 0; i < len; i++) {
                int c = (unsigned char)s[i];

                if (c == '%') {
                        int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
                        int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;

                        if (lo < 0)
                                return -EINVAL;
                        c = hi * 16 + lo;
                        i += 2;
                }
                if (c == '\0')
                        return -EINVAL;
                if (w + 1 >= n)
                        return -ENAMETOOLONG;
                buf[w++] = (char)c;
        }
        buf[w] = '\0';
        return 0;
}

int ipf_dbus_address_parse(const char *address, char **ret_entry, char *ret_path, size_t n,
                           bool *ret_abstract)
{
        size_t len = strcspn(address, ";");
        _cleanup_free_ char *entry = strndup(address, len);
        const char *keys;
        bool found = false, abstract = false;

        if (!entry)
                return -ENOMEM;
        if (strncmp(entry, "unix:", 5) != 0)
                return -EPROTONOSUPPORT;
        /* unix:path=/run/user/1000/bus,guid=...  or  unix:abstract=/tmp/dbus-X */
        for (keys = entry + 5; *keys;) {
                size_t klen = strcspn(keys, ",");
                const char *eq = memchr(keys, '=', klen);
                int r;

                if (eq && ((size_t)(eq - keys) == 4 && strncmp(keys, "path", 4) == 0)) {
                        abstract = false;
                } else if (eq && (size_t)(eq - keys) == 8 && strncmp(keys, "abstract", 8) == 0) {
                        abstract = true;
                } else {
                        keys += klen + (keys[klen] == ',');
                        continue;
                }
                if (found)
                        return -EINVAL; /* two places to connect to: ambiguous */
                r = address_unescape(eq + 1, klen - (size_t)(eq + 1 - keys), ret_path, n);
                if (r < 0)
                        return r;
                if (ret_path[0] == '\0' || (!abstract && ret_path[0] != '/'))
                        return -EINVAL;
                found = true;
                keys += klen + (keys[klen] == ',');
        }
        if (!found)
                return -EPROTONOSUPPORT; /* unix:dir=, unix:runtime=: not a client address */
        *ret_abstract = abstract;
        *ret_entry = TAKE_PTR(entry);
        return 0;
}

void ipf_strv_free(char **v)
{
        for (char **s = v; s && *s; s++)
                free(*s);
        free(v);
}

int ipf_compile_dbus_proxy_argv(const struct ipf_policy *p, enum ipf_bus bus, const char *address,
                                const char *socket_path, int ready_fd, char ***ret)
{
        static const char *const option[_IPF_DBUS_MAX] = {
                [IPF_DBUS_TALK] = "--talk",
                [IPF_DBUS_OWN] = "--own",
                [IPF_DBUS_SEE] = "--see",
                [IPF_DBUS_CALL] = "--call",
                [IPF_DBUS_BROADCAST] = "--broadcast",
        };
        size_t n = 0, max = p->n_rules + 6;
        char **argv = calloc(max, sizeof(char *));
        int r = 0;

        if (!argv)
                return -ENOMEM;
        /* --fd: the proxy writes one byte there once its socket listens, and
         * exits when the other end is closed (our death included). Options
         * after ADDRESS PATH apply to that bus; --filter turns on the policy,
         * under which only the bus driver and the named names exist. */
        if (asprintf(&argv[n++], "xdg-dbus-proxy") < 0 ||
            asprintf(&argv[n++], "--fd=%d", ready_fd) < 0 ||
            asprintf(&argv[n++], "%s", address) < 0 ||
            asprintf(&argv[n++], "%s", socket_path) < 0 || asprintf(&argv[n++], "--filter") < 0)
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < p->n_rules; i++) {
                const struct ipf_rule *rule = &p->rules[i];

                if (rule->kind != IPF_RULE_DBUS || rule->bus != bus || !rule->endpoint)
                        continue;
                if (rule->dbus_verb >= _IPF_DBUS_MAX) {
                        r = -EINVAL;
                        break;
                }
                if (asprintf(&argv[n++], "%s=%s", option[rule->dbus_verb], rule->endpoint) < 0)
                        r = -ENOMEM;
        }
        if (r < 0) {
                /* asprintf leaves its pointer undefined on failure. */
                argv[n - 1] = NULL;
                ipf_strv_free(argv);
                return r;
        }
        *ret = argv;
        return 0;
}
