/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "options.h"

int verb_explain(void)
{
        struct ipf_diag d = {0};
        struct ipf_policy *p;
        int r;

        p = load_policy(NULL);
        if (!p)
                return IPF_EXIT_FAILURE;
        r = ipf_explain(p, stdout, &d);
        ipf_policy_free(p);
        if (r < 0) {
                print_diag(&d);
                return IPF_EXIT_FAILURE;
        }
        return 0;
}
