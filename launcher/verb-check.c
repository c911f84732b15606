/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "options.h"

/* Exit 0 when every profile is valid, 1 when one is not (SPEC §4). */
int verb_check(int argc, char *argv[])
{
        struct ipf_profile_env env;
        int bad = 0;

        if (profile_env_init(&env) < 0) {
                fprintf(stderr, "ipcfence: out of memory\n");
                return IPF_EXIT_FAILURE;
        }
        for (int i = 0; i < argc; i++) {
                struct ipf_diag d = {0};
                struct ipf_policy *p = NULL;

                if (ipf_profile_load(argv[i], &env, &p, &d) < 0) {
                        print_diag(&d);
                        bad = 1;
                } else if (arg_verbosity >= 0) {
                        printf("%s: ok\n", argv[i]);
                }
                ipf_policy_free(p);
        }
        profile_env_done(&env);
        return bad;
}
