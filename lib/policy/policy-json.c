/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The canonical JSON form of a policy (`ipcfence compile --target=json`,
 * SPEC §4): fixed key order, two-space indent, one rule per line, rules in
 * insertion order, so that golden files and diffs stay byte-stable. */
#include <errno.h>

#include "policy/policy.h"
#include "util/json.h"

static void write_kind(FILE *f, const struct ipf_rule *r)
{
        if (r->kind == IPF_RULE_DBUS)
                fprintf(f, "\"dbus.%s.%s\"", ipf_bus_to_string(r->bus) ?: "?",
                        ipf_dbus_verb_to_string(r->dbus_verb) ?: "?");
        else
                fprintf(f, "\"%s\"", ipf_rule_kind_to_string(r->kind) ?: "?");
}

static void write_endpoint(FILE *f, const struct ipf_rule *r)
{
        const char *e = r->endpoint;

        if (r->kind == IPF_RULE_NETWORK)
                e = ipf_network_to_string(r->network);
        else if (r->kind == IPF_RULE_NETLINK)
                e = ipf_netlink_to_string(r->netlink);

        if (e)
                (void)ipf_json_write_string(f, e);
        else
                fputs("null", f);
}

static void write_rule(FILE *f, const struct ipf_rule *r)
{
        fputs("    {\"kind\": ", f);
        write_kind(f, r);
        fputs(", \"endpoint\": ", f);
        write_endpoint(f, r);
        fprintf(f, ", \"glob\": %s, \"origin\": ", r->glob ? "true" : "false");
        if (r->origin.file) {
                fputc('"', f);
                (void)ipf_json_write_escaped(f, r->origin.file);
                fprintf(f, ":%u:%u\"", r->origin.line, r->origin.col);
        } else {
                fputs("null", f);
        }
        fputc('}', f);
}

int ipf_policy_write_json(const struct ipf_policy *p, FILE *f)
{
        const char *sep = "";

        if (!p || !f)
                return -EINVAL;

        fputs("{\n  \"profile\": ", f);
        (void)ipf_json_write_string(f, p->name ?: "");
        fputs(",\n  \"source\": ", f);
        if (p->source)
                (void)ipf_json_write_string(f, p->source);
        else
                fputs("null", f);
        fprintf(f, ",\n  \"network\": \"%s\"", ipf_network_to_string(p->network) ?: "?");
        fprintf(f, ",\n  \"sysv\": \"%s\"", p->sysv_host ? "host" : "private");
        fprintf(f, ",\n  \"signal\": \"%s\"", p->signal_host ? "host" : "sandbox");

        fputs(",\n  \"netlink\": [", f);
        for (unsigned n = 0; n < _IPF_NETLINK_MAX; n++) {
                if (!(p->netlink & (1u << n)))
                        continue;
                fprintf(f, "%s\"%s\"", sep, ipf_netlink_to_string(n));
                sep = ", ";
        }
        fputs("]", f);

        fputs(",\n  \"rules\": [", f);
        for (size_t i = 0; i < p->n_rules; i++) {
                fputs(i == 0 ? "\n" : ",\n", f);
                write_rule(f, &p->rules[i]);
        }
        fputs(p->n_rules > 0 ? "\n  ]\n}\n" : "]\n}\n", f);

        return ferror(f) ? -EIO : 0;
}
