/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "options.h"

int verb_compile(void)
{
        struct ipf_diag d = {0};
        struct ipf_policy *p;
        int r;

        if (!arg_target) {
                fprintf(stderr, "ipcfence: compile needs --target=json|seccomp-bpf\n");
                return IPF_EXIT_FAILURE;
        }
        if (strcmp(arg_target, "json") != 0 && strcmp(arg_target, "seccomp-bpf") != 0) {
                bool later = strcmp(arg_target, "apparmor") == 0 ||
                             strcmp(arg_target, "selinux") == 0 ||
                             strcmp(arg_target, "systemd") == 0;
                fprintf(stderr, "ipcfence: compile: target '%s' %s\n", arg_target,
                        later ? "is not available in this version" : "is unknown");
                return IPF_EXIT_FAILURE;
        }
        p = load_policy(NULL);
        if (!p)
                return IPF_EXIT_FAILURE;
        if (strcmp(arg_target, "json") == 0)
                r = ipf_policy_write_json(p, stdout);
        else
                r = ipf_compile_seccomp_text(p, stdout, &d);
        ipf_policy_free(p);
        if (r < 0) {
                if (d.msg[0])
                        print_diag(&d);
                else
                        fprintf(stderr, "ipcfence: compile: %s\n", strerror(-r));
                return IPF_EXIT_FAILURE;
        }
        return fflush(stdout) == 0 ? 0 : IPF_EXIT_FAILURE;
}
