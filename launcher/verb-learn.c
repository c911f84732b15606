/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "options.h"

/* Learning mode needs the broker to observe endpoints; until it exists the
 * verb says so instead of writing an empty profile. */
int verb_learn(char *argv[])
{
        fprintf(stderr, "ipcfence: learn: not available in this version\n");
        return IPF_EXIT_FAILURE;
}
