/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "profile-fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>

static const char *const search_path[] = {PATH_HIGH, PATH_LOW, NULL};

const struct ipf_profile_env test_env = {
        .uid = 1000,
        .user = "alice",
        .home = "/home/alice",
        .xdg_runtime_dir = "/run/user/1000",
        .search_path = search_path,
};

void diag_text(const struct ipf_diag *d, char *buf, size_t size)
{
        int n;

        if (d->line > 0)
                n = snprintf(buf, size, "%s:%u:%u: %s", d->file, d->line, d->col, d->msg);
        else
                n = snprintf(buf, size, "%s", d->msg);
        cr_assert_lt((size_t)n, size, "diagnostic truncated");
}

char *policy_json(const struct ipf_policy *p)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);

        cr_assert_not_null(m);
        cr_assert_eq(ipf_policy_write_json(p, m), 0);
        fclose(m);
        return buf;
}
