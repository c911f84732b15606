/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities: the user namespace handed us a full set; drop all of it,
 * clear the bounding and ambient sets, and lock the securebits so that
 * executing a uid-0 binary inside does not grant them back. */
#include <cap-ng.h>
#include <errno.h>
#include <stdio.h>

#include "sandbox/sandbox.h"

int ipf_apply_caps(char *detail, size_t n)
{
        /* Needs CAP_SETPCAP, so before the drop. */
        if (capng_lock() < 0) {
                snprintf(detail, n, "locking securebits");
                return -EPERM;
        }
        capng_clear(CAPNG_SELECT_ALL);
        if (capng_apply(CAPNG_SELECT_ALL) < 0) {
                snprintf(detail, n, "dropping capabilities");
                return -EPERM;
        }
        return 0;
}
