/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "options.h"

/* An option that belongs to a later capability is refused rather than
 * accepted and ignored: a user who asked for it must not believe it is in
 * force. */
static int refuse_unavailable(void)
{
        if (arg_require_mac) {
                fprintf(stderr, "ipcfence: --require-mac: this version applies no AppArmor or "
                                "SELinux label\n");
                return -1;
        }
        return 0;
}

int verb_run(char *argv[])
{
        struct ipf_run_options o = {
                .new_session = arg_new_session,
                .verbosity = arg_verbosity,
                /* -q: errors only; decisions go where --log says, if anywhere. */
                .log = arg_log             ? arg_log
                       : arg_verbosity < 0 ? "none"
                                           : NULL,
                .log_all = arg_log_level && strcmp(arg_log_level, "all") == 0,
                .permissive = arg_permissive,
        };
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
