/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "options.h"

/* Options that belong to later capabilities are refused rather than
 * accepted and ignored: a user who asked for them must not believe they
 * are in force. */
static int refuse_unavailable(void)
{
        const char *what = arg_log          ? "--log"
                           : arg_log_level  ? "--log-level"
                           : arg_permissive ? "--permissive"
                                            : NULL;

        if (what) {
                fprintf(stderr, "ipcfence: %s is not available in this version\n", what);
                return -1;
        }
        if (arg_require_mac) {
                fprintf(stderr, "ipcfence: --require-mac: this version applies no AppArmor or "
                                "SELinux label\n");
                return -1;
        }
        return 0;
}

int verb_run(char *argv[])
{
        struct ipf_run_options o = {.new_session = arg_new_session, .verbosity = arg_verbosity};
        struct ipf_diag d = {0};
        struct ipf_policy *p;
        int status = IPF_EXIT_FAILURE, r;

        if (refuse_unavailable() < 0)
                return IPF_EXIT_FAILURE;
        p = load_policy(argv[0]);
        if (!p)
                return IPF_EXIT_FAILURE;

        fflush(stdout);
        r = ipf_run(p, argv, &o, &status, &d);
        ipf_policy_free(p);
        if (d.msg[0])
                print_diag(&d);
        return r < 0 ? IPF_EXIT_FAILURE : status;
}
