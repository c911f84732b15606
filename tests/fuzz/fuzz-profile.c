/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz the profile front end (STYLE §5): any bytes either fail with a
 * diagnostic or parse; a parsed policy writes valid-looking JSON, and each
 * rule rendered back to text (ipf_rule_to_text) parses to the same rule, so
 * parse → JSON/text → parse is stable. Never crash, hang or leak.
 * Run from the repository root: includes resolve in tests/fuzz/corpus-includes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const search_path[] = {"tests/fuzz/corpus-includes", NULL};

static const struct ipf_profile_env env = {
        .uid = 1000,
        .user = "alice",
        .home = "/home/alice",
        .xdg_runtime_dir = "/run/user/1000",
        .search_path = search_path,
};

static void check(bool ok, const char *what, const char *detail)
{
        if (!ok) {
                fprintf(stderr, "fuzz-profile: %s: %s\n", what, detail ? detail : "");
                abort();
        }
}

static bool streq_null(const char *a, const char *b)
{
        return a && b ? strcmp(a, b) == 0 : a == b;
}

static bool same_rule(const struct ipf_rule *a, const struct ipf_rule *b)
{
        return a->kind == b->kind && streq_null(a->endpoint, b->endpoint) && a->glob == b->glob &&
               a->network == b->network && a->bus == b->bus && a->dbus_verb == b->dbus_verb &&
               streq_null(a->host, b->host) && a->port == b->port && a->netlink == b->netlink;
}

/* The JSON must be one document without raw control characters. */
static void check_json(const struct ipf_policy *p)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);

        check(m != NULL, "open_memstream", NULL);
        check(ipf_policy_write_json(p, m) == 0, "write_json", NULL);
        check(fclose(m) == 0, "fclose", NULL);
        check(len >= 2 && buf[0] == '{' && buf[len - 2] == '}' && buf[len - 1] == '\n',
              "json shape", buf);
        for (size_t i = 0; i < len; i++)
                check((unsigned char)buf[i] >= 0x20 || buf[i] == '\n', "raw control byte", buf);
        free(buf);
}

/* Each rule as text parses alone to the same rule; all of them together
 * rebuild the same rule list and derived fields. */
static void check_round_trip(const struct ipf_policy *p)
{
        struct ipf_policy *all = NULL;
        struct ipf_diag d = {};

        check(ipf_policy_new("rt", &all) == 0, "policy_new", NULL);
        for (size_t i = 0; i < p->n_rules; i++) {
                char *text = ipf_rule_to_text(&p->rules[i]);
                struct ipf_policy *one = NULL;

                check(text != NULL, "rule_to_text", NULL);
                check(ipf_policy_new("one", &one) == 0, "policy_new", NULL);
                check(ipf_profile_add_rule_text(one, text, "rt", &env, &d) >= 0, d.msg, text);
                check(one->n_rules == 1, "one rule", text);
                check(same_rule(&one->rules[0], &p->rules[i]), "same rule", text);
                check(ipf_profile_add_rule_text(all, text, "rt", &env, &d) >= 0, d.msg, text);
                ipf_policy_free(one);
                free(text);
        }
        check(all->n_rules == p->n_rules, "rule count", NULL);
        for (size_t i = 0; i < p->n_rules; i++)
                check(same_rule(&all->rules[i], &p->rules[i]), "same order", NULL);
        check(all->network == p->network && all->sysv_host == p->sysv_host &&
                      all->signal_host == p->signal_host && all->netlink == p->netlink,
              "derived fields", NULL);
        ipf_policy_free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ipf_policy *p = NULL;
        struct ipf_diag d = {};
        int r;

        check(ipf_policy_new("fuzz", &p) == 0, "policy_new", NULL);
        r = ipf_profile_parse_text(p, (const char *)data, size, "fuzz.profile", &env, 0, &d);
        if (r < 0) {
                check(d.msg[0] != '\0' && memchr(d.msg, '\0', sizeof d.msg), "diagnostic", NULL);
                check(memchr(d.file, '\0', sizeof d.file) != NULL, "diagnostic file", NULL);
        } else {
                check_json(p);
                check_round_trip(p);
        }
        ipf_policy_free(p);
        return 0;
}
