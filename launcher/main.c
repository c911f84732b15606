/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipcfence: verb dispatch and exit codes (SPEC §3). 125: ipcfence failed;
 * 126: COMMAND not executable; 127: not found; 128+N: killed by signal N;
 * otherwise COMMAND's own status. */
#include <stdio.h>
#include <stdlib.h>

#include "options.h"

int main(int argc, char *argv[])
{
        int first, r;

        first = parse_argv(argc, argv);
        if (first <= 0) {
                options_free();
                return first == 0 ? EXIT_SUCCESS : IPF_EXIT_FAILURE;
        }
        ipf_log_set_verbosity(arg_verbosity);

        switch (arg_verb) {
        case VERB_RUN:
                r = verb_run(argv + first);
                break;
        case VERB_LEARN:
                r = verb_learn(argv + first);
                break;
        case VERB_CHECK:
                r = verb_check(argc - first, argv + first);
                break;
        case VERB_EXPLAIN:
                r = verb_explain();
                break;
        case VERB_COMPILE:
                r = verb_compile();
                break;
        default:
                r = IPF_EXIT_FAILURE;
        }
        options_free();
        return r;
}
