/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy IR: folding, conflicts, derived fields, names, rule text, the
 * diagnostic helper and the canonical JSON writer. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "profile-fixture.h"
#include "util/json.h"

static struct ipf_rule make_rule(enum ipf_rule_kind kind, const char *endpoint, unsigned line)
{
        struct ipf_rule r = {
                .kind = kind,
                .origin = {.file = strdup("t.profile"), .line = line, .col = 1},
                .endpoint = endpoint ? strdup(endpoint) : NULL,
        };

        cr_assert_not_null(r.origin.file);
        return r;
}

static struct ipf_rule make_network(enum ipf_network n, unsigned line)
{
        struct ipf_rule r = make_rule(IPF_RULE_NETWORK, NULL, line);

        r.network = n;
        return r;
}

Test(policy, new_free_name)
{
        struct ipf_policy *p = NULL;

        cr_assert_eq(ipf_policy_new("default", &p), 0);
        cr_expect_str_eq(ipf_policy_name(p), "default");
        cr_expect_null(p->source);
        cr_expect_eq(p->n_rules, 0);
        cr_expect_eq(p->network, IPF_NETWORK_NONE);
        cr_expect_not(p->sysv_host);
        cr_expect_not(p->signal_host);
        cr_expect_eq(p->netlink, 0);
        cr_expect_null(ipf_policy_free(p));
        cr_expect_null(ipf_policy_free(NULL));
        cr_expect_null(ipf_policy_name(NULL));
        cr_expect_eq(ipf_policy_new(NULL, &p), -EINVAL);
}

Test(policy, fold_duplicates)
{
        struct ipf_policy *p = NULL;
        struct ipf_rule r;
        struct ipf_diag d = {};

        cr_assert_eq(ipf_policy_new("t", &p), 0);
        r = make_rule(IPF_RULE_UNIX_CONNECT, "/run/x", 1);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        cr_expect_null(r.endpoint, "ownership taken");
        cr_expect_null(r.origin.file);

        r = make_rule(IPF_RULE_UNIX_CONNECT, "/run/x", 7);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 0, "folded");
        cr_expect_null(r.endpoint, "emptied when folded too");
        cr_expect_eq(p->n_rules, 1);
        cr_expect_eq(p->rules[0].origin.line, 1, "first origin kept");

        /* Neighbours are distinct rules. */
        r = make_rule(IPF_RULE_UNIX_LISTEN, "/run/x", 2);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        r = make_rule(IPF_RULE_UNIX_CONNECT, "/run/x*", 3);
        r.glob = true;
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        r = make_rule(IPF_RULE_DBUS, "org.a.b", 4);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        r = make_rule(IPF_RULE_DBUS, "org.a.b", 5);
        r.bus = IPF_BUS_SYSTEM;
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        r = make_rule(IPF_RULE_DBUS, "org.a.b", 6);
        r.dbus_verb = IPF_DBUS_OWN;
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        r = make_rule(IPF_RULE_DBUS, "org.a.b", 8);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 0);
        r = make_rule(IPF_RULE_SYSV_HOST, NULL, 9);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        r = make_rule(IPF_RULE_SYSV_HOST, NULL, 10);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 0);
        cr_expect_eq(p->n_rules, 7);

        /* Growth past the first allocation keeps every rule. */
        for (unsigned i = 0; i < 100; i++) {
                char e[32];

                snprintf(e, sizeof e, "/run/%u", i);
                r = make_rule(IPF_RULE_FIFO_OPEN, e, 100 + i);
                cr_assert_eq(ipf_policy_add(p, &r, &d), 1);
        }
        cr_expect_eq(p->n_rules, 107);
        cr_expect_str_eq(p->rules[106].endpoint, "/run/99");
        ipf_policy_free(p);
}

Test(policy, network_conflict)
{
        struct ipf_policy *p = NULL;
        struct ipf_rule r;
        struct ipf_diag d = {};

        cr_assert_eq(ipf_policy_new("t", &p), 0);
        r = make_network(IPF_NETWORK_HOST, 3);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 1);
        r = make_network(IPF_NETWORK_HOST, 4);
        cr_expect_eq(ipf_policy_add(p, &r, &d), 0);
        r = make_network(IPF_NETWORK_NONE, 9);
        cr_expect_eq(ipf_policy_add(p, &r, &d), -EINVAL);
        cr_expect_null(r.origin.file, "emptied on failure");
        cr_expect_str_eq(d.file, "t.profile");
        cr_expect_eq(d.line, 9);
        cr_expect_eq(d.col, 1);
        cr_expect_str_eq(d.msg, "'network none' conflicts with 'network host' at t.profile:3:1");
        cr_expect_eq(p->n_rules, 1);
        cr_expect_eq(p->network, IPF_NETWORK_HOST);
        ipf_policy_free(p);
}

Test(policy, derived_fields)
{
        struct ipf_policy *p = NULL;
        struct ipf_rule r;

        cr_assert_eq(ipf_policy_new("t", &p), 0);
        r = make_rule(IPF_RULE_NETLINK, NULL, 1);
        r.netlink = IPF_NETLINK_AUDIT;
        cr_expect_eq(ipf_policy_add(p, &r, NULL), 1);
        cr_expect_eq(p->netlink, 1u << IPF_NETLINK_AUDIT);
        r = make_network(IPF_NETWORK_NONE, 2);
        cr_expect_eq(ipf_policy_add(p, &r, NULL), 1);
        cr_expect_eq(p->network, IPF_NETWORK_NONE);
        cr_expect_eq(p->netlink, 1u << IPF_NETLINK_AUDIT, "network none adds no family");
        r = make_rule(IPF_RULE_SIGNAL_HOST, NULL, 3);
        cr_expect_eq(ipf_policy_add(p, &r, NULL), 1);
        cr_expect(p->signal_host);
        cr_expect_not(p->sysv_host);
        r = make_rule(IPF_RULE_SYSV_HOST, NULL, 4);
        cr_expect_eq(ipf_policy_add(p, &r, NULL), 1);
        cr_expect(p->sysv_host);
        ipf_policy_free(p);

        /* SPEC §4: network host implies netlink route. */
        cr_assert_eq(ipf_policy_new("t", &p), 0);
        r = make_network(IPF_NETWORK_HOST, 1);
        cr_expect_eq(ipf_policy_add(p, &r, NULL), 1);
        cr_expect_eq(p->network, IPF_NETWORK_HOST);
        cr_expect_eq(p->netlink, 1u << IPF_NETLINK_ROUTE);
        ipf_policy_free(p);
}

Test(policy, invalid_rules)
{
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        struct ipf_rule r;

        cr_assert_eq(ipf_policy_new("t", &p), 0);
        r = make_rule(_IPF_RULE_MAX, NULL, 1);
        cr_expect_eq(ipf_policy_add(p, &r, &d), -EINVAL);
        cr_expect_str_eq(d.msg, "invalid rule");
        r = make_rule(IPF_RULE_UNIX_CONNECT, NULL, 1);
        cr_expect_eq(ipf_policy_add(p, &r, &d), -EINVAL);
        r = make_rule(IPF_RULE_SYSV_HOST, "/x", 1);
        cr_expect_eq(ipf_policy_add(p, &r, &d), -EINVAL);
        r = make_rule(IPF_RULE_TCP_CONNECT, "1.2.3.4:5", 1);
        cr_expect_eq(ipf_policy_add(p, &r, &d), -EINVAL, "no host/port");
        r = make_rule(IPF_RULE_NETLINK, NULL, 1);
        r.netlink = _IPF_NETLINK_MAX;
        cr_expect_eq(ipf_policy_add(p, &r, &d), -EINVAL);
        cr_expect_eq(p->n_rules, 0);
        ipf_policy_free(p);
}

Test(policy, to_string)
{
        static const struct {
                enum ipf_rule_kind kind;
                const char *name;
        } kinds[] = {
                {IPF_RULE_NETWORK, "network"},         {IPF_RULE_UNIX_CONNECT, "unix.connect"},
                {IPF_RULE_UNIX_LISTEN, "unix.listen"}, {IPF_RULE_DBUS, "dbus"},
                {IPF_RULE_TCP_CONNECT, "tcp.connect"}, {IPF_RULE_TCP_LISTEN, "tcp.listen"},
                {IPF_RULE_SYSV_HOST, "sysv.host"},     {IPF_RULE_MQUEUE_OPEN, "mqueue.open"},
                {IPF_RULE_SHM_OPEN, "shm.open"},       {IPF_RULE_FIFO_OPEN, "fifo.open"},
                {IPF_RULE_SIGNAL_HOST, "signal.host"}, {IPF_RULE_NETLINK, "netlink"},
        };

        cr_assert_eq(sizeof kinds / sizeof *kinds, _IPF_RULE_MAX);
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
                cr_expect_str_eq(ipf_rule_kind_to_string(kinds[i].kind), kinds[i].name);
        cr_expect_null(ipf_rule_kind_to_string(_IPF_RULE_MAX));
        cr_expect_null(ipf_rule_kind_to_string((enum ipf_rule_kind) - 1));

        cr_expect_str_eq(ipf_network_to_string(IPF_NETWORK_NONE), "none");
        cr_expect_str_eq(ipf_network_to_string(IPF_NETWORK_HOST), "host");
        cr_expect_null(ipf_network_to_string(_IPF_NETWORK_MAX));
        cr_expect_str_eq(ipf_bus_to_string(IPF_BUS_SESSION), "session");
        cr_expect_str_eq(ipf_bus_to_string(IPF_BUS_SYSTEM), "system");
        cr_expect_null(ipf_bus_to_string(_IPF_BUS_MAX));
        cr_expect_str_eq(ipf_dbus_verb_to_string(IPF_DBUS_TALK), "talk");
        cr_expect_str_eq(ipf_dbus_verb_to_string(IPF_DBUS_OWN), "own");
        cr_expect_str_eq(ipf_dbus_verb_to_string(IPF_DBUS_SEE), "see");
        cr_expect_str_eq(ipf_dbus_verb_to_string(IPF_DBUS_CALL), "call");
        cr_expect_str_eq(ipf_dbus_verb_to_string(IPF_DBUS_BROADCAST), "broadcast");
        cr_expect_null(ipf_dbus_verb_to_string(_IPF_DBUS_MAX));
        cr_expect_str_eq(ipf_netlink_to_string(IPF_NETLINK_ROUTE), "route");
        cr_expect_str_eq(ipf_netlink_to_string(IPF_NETLINK_KOBJECT_UEVENT), "kobject-uevent");
        cr_expect_str_eq(ipf_netlink_to_string(IPF_NETLINK_AUDIT), "audit");
        cr_expect_null(ipf_netlink_to_string(_IPF_NETLINK_MAX));

        cr_expect_eq(ipf_netlink_protocol(IPF_NETLINK_ROUTE), NETLINK_ROUTE);
        cr_expect_eq(ipf_netlink_protocol(IPF_NETLINK_KOBJECT_UEVENT), NETLINK_KOBJECT_UEVENT);
        cr_expect_eq(ipf_netlink_protocol(IPF_NETLINK_AUDIT), NETLINK_AUDIT);
        cr_expect_eq(ipf_netlink_protocol(_IPF_NETLINK_MAX), -EINVAL);
}

Test(policy, rule_to_text)
{
        struct ipf_rule r = {.kind = IPF_RULE_NETWORK, .network = IPF_NETWORK_HOST};
        struct {
                struct ipf_rule rule;
                const char *text;
        } cases[] = {
                {r, "network host"},
                {{.kind = IPF_RULE_UNIX_CONNECT, .endpoint = "/run/x.sock"},
                 "unix connect /run/x.sock"},
                {{.kind = IPF_RULE_UNIX_LISTEN, .endpoint = "@abs"}, "unix listen @abs"},
                {{.kind = IPF_RULE_DBUS,
                  .endpoint = "a.b=c@/d",
                  .bus = IPF_BUS_SYSTEM,
                  .dbus_verb = IPF_DBUS_CALL},
                 "dbus system call a.b=c@/d"},
                {{.kind = IPF_RULE_TCP_CONNECT, .endpoint = "[::1]:5", .host = "::1", .port = 5},
                 "tcp connect [::1]:5"},
                {{.kind = IPF_RULE_TCP_LISTEN, .endpoint = "80", .port = 80}, "tcp listen 80"},
                {{.kind = IPF_RULE_SYSV_HOST}, "sysv host"},
                {{.kind = IPF_RULE_MQUEUE_OPEN, .endpoint = "/q"}, "mqueue open /q"},
                {{.kind = IPF_RULE_SHM_OPEN, .endpoint = "/s*", .glob = true}, "shm open /s*"},
                {{.kind = IPF_RULE_FIFO_OPEN, .endpoint = "/f"}, "fifo open /f"},
                {{.kind = IPF_RULE_SIGNAL_HOST}, "signal host"},
                {{.kind = IPF_RULE_NETLINK, .netlink = IPF_NETLINK_KOBJECT_UEVENT},
                 "netlink kobject-uevent"},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                char *text = ipf_rule_to_text(&cases[i].rule);

                cr_expect_str_eq(text, cases[i].text);
                free(text);
        }
        r.kind = _IPF_RULE_MAX;
        cr_expect_null(ipf_rule_to_text(&r));
        r = (struct ipf_rule){.kind = IPF_RULE_FIFO_OPEN};
        cr_expect_null(ipf_rule_to_text(&r), "endpoint missing");
}

Test(policy, diag_set)
{
        struct ipf_diag d = {};
        char long_file[PATH_MAX + 100];

        cr_expect_eq(ipf_diag_set(&d, "f.profile", 3, 7, "bad '%s' %d", "x", 42), -EINVAL);
        cr_expect_str_eq(d.file, "f.profile");
        cr_expect_eq(d.line, 3);
        cr_expect_eq(d.col, 7);
        cr_expect_str_eq(d.msg, "bad 'x' 42");

        /* Arguments may come from the diagnostic itself. */
        cr_expect_eq(ipf_diag_set(&d, d.file, 4, 1, "again: %s", d.msg), -EINVAL);
        cr_expect_str_eq(d.file, "f.profile");
        cr_expect_str_eq(d.msg, "again: bad 'x' 42");

        cr_expect_eq(ipf_diag_set(&d, NULL, 0, 0, "no location"), -EINVAL);
        cr_expect_str_eq(d.file, "");
        cr_expect_eq(d.line, 0);
        cr_expect_eq(ipf_diag_set(NULL, "x", 1, 1, "dropped"), -EINVAL);

        memset(long_file, 'f', sizeof long_file - 1);
        long_file[sizeof long_file - 1] = '\0';
        cr_expect_eq(ipf_diag_set(&d, long_file, 1, 1, "%s", long_file), -EINVAL);
        cr_expect_eq(strlen(d.file), sizeof d.file - 1, "truncated");
        cr_expect_eq(strlen(d.msg), sizeof d.msg - 1, "truncated");
}

Test(policy, json_empty)
{
        struct ipf_policy *p = NULL;
        char *json;

        cr_assert_eq(ipf_policy_new("default", &p), 0);
        json = policy_json(p);
        cr_expect_str_eq(json, "{\n"
                               "  \"profile\": \"default\",\n"
                               "  \"source\": null,\n"
                               "  \"network\": \"none\",\n"
                               "  \"sysv\": \"private\",\n"
                               "  \"signal\": \"sandbox\",\n"
                               "  \"netlink\": [],\n"
                               "  \"rules\": []\n"
                               "}\n");
        free(json);
        ipf_policy_free(p);
}

Test(policy, json_rules)
{
        struct ipf_policy *p = NULL;
        struct ipf_rule r;
        char *json;

        cr_assert_eq(ipf_policy_new("we\"ird", &p), 0);
        p->source = strdup("/etc/x\\y.profile");
        r = make_network(IPF_NETWORK_HOST, 1);
        cr_assert_eq(ipf_policy_add(p, &r, NULL), 1);
        r = make_rule(IPF_RULE_DBUS, "org.a.*", 2);
        r.bus = IPF_BUS_SYSTEM;
        r.dbus_verb = IPF_DBUS_SEE;
        r.glob = true;
        cr_assert_eq(ipf_policy_add(p, &r, NULL), 1);
        r = make_rule(IPF_RULE_SIGNAL_HOST, NULL, 3);
        free(r.origin.file);
        r.origin.file = strdup("tab\there");
        cr_assert_eq(ipf_policy_add(p, &r, NULL), 1);
        r = make_rule(IPF_RULE_NETLINK, NULL, 4);
        r.netlink = IPF_NETLINK_KOBJECT_UEVENT;
        cr_assert_eq(ipf_policy_add(p, &r, NULL), 1);
        r = make_rule(IPF_RULE_SYSV_HOST, NULL, 5);
        free(r.origin.file);
        r.origin.file = NULL;
        cr_assert_eq(ipf_policy_add(p, &r, NULL), 1);

        json = policy_json(p);
        cr_expect_str_eq(
                json,
                "{\n"
                "  \"profile\": \"we\\\"ird\",\n"
                "  \"source\": \"/etc/x\\\\y.profile\",\n"
                "  \"network\": \"host\",\n"
                "  \"sysv\": \"host\",\n"
                "  \"signal\": \"host\",\n"
                "  \"netlink\": [\"route\", \"kobject-uevent\"],\n"
                "  \"rules\": [\n"
                "    {\"kind\": \"network\", \"endpoint\": \"host\", \"glob\": false, "
                "\"origin\": \"t.profile:1:1\"},\n"
                "    {\"kind\": \"dbus.system.see\", \"endpoint\": \"org.a.*\", \"glob\": true, "
                "\"origin\": \"t.profile:2:1\"},\n"
                "    {\"kind\": \"signal.host\", \"endpoint\": null, \"glob\": false, "
                "\"origin\": \"tab\\there:3:1\"},\n"
                "    {\"kind\": \"netlink\", \"endpoint\": \"kobject-uevent\", \"glob\": false, "
                "\"origin\": \"t.profile:4:1\"},\n"
                "    {\"kind\": \"sysv.host\", \"endpoint\": null, \"glob\": false, "
                "\"origin\": null}\n"
                "  ]\n"
                "}\n");
        free(json);
        ipf_policy_free(p);
}

Test(policy, json_write_error)
{
        struct ipf_policy *p = NULL;
        FILE *f = fopen("/dev/null", "re");

        cr_assert_not_null(f);
        cr_assert_eq(ipf_policy_new("t", &p), 0);
        cr_expect_eq(ipf_policy_write_json(p, f), -EIO);
        fclose(f);
        ipf_policy_free(p);
}

Test(policy, json_string_escaping)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                {"", "\"\""},
                {"plain", "\"plain\""},
                {"q\"b\\s/", "\"q\\\"b\\\\s/\""},
                {"n\nt\tr\r", "\"n\\nt\\tr\\u000d\""},
                {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
                {"caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x98\x83 "
                                                              "\xf0\x9f\x98\x80\""},
                {"a\xffz", "\"a\xef\xbf\xbdz\""},
                {"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
                {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
                {"\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
        };

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                char *buf = NULL;
                size_t size = 0;
                FILE *m = open_memstream(&buf, &size);

                cr_assert_not_null(m);
                cr_expect_eq(ipf_json_write_string(m, cases[i].in), 0);
                fclose(m);
                cr_expect_str_eq(buf, cases[i].out, "case %zu", i);
                free(buf);
        }
}

Test(policy, json_null_string)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);

        cr_assert_not_null(m);
        cr_expect_eq(ipf_json_write_string(m, NULL), 0);
        fclose(m);
        cr_expect_str_eq(buf, "null");
        free(buf);
}

Test(policy, rule_cap)
{
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        struct ipf_rule r;
        unsigned i;
        int ret = 0;

        cr_assert_eq(ipf_policy_new("t", &p), 0);
        for (i = 0; i < 100000 && ret >= 0; i++) {
                char e[32];

                snprintf(e, sizeof e, "/%u", i);
                r = make_rule(IPF_RULE_FIFO_OPEN, e, i + 1);
                ret = ipf_policy_add(p, &r, &d);
        }
        cr_expect_eq(ret, -E2BIG);
        cr_expect_eq(p->n_rules, 16384);
        cr_expect_str_eq(d.msg, "too many rules (more than 16384)");
        ipf_policy_free(p);
}
