/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel feature probes: by use, never by version (STYLE §4). Cached. */
#include <errno.h>

#include "compile/plan.h"
#include "sys/syscalls.h"

static int landlock_abi_cache = -1;

static int probe_landlock_abi(void)
{
        int abi;

        if (landlock_abi_cache >= 0)
                return landlock_abi_cache;
        abi = sys_landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        /* ENOSYS: not built; EOPNOTSUPP: built but disabled at boot. */
        landlock_abi_cache = abi < 0 ? 0 : abi;
        return landlock_abi_cache;
}

int ipf_features_probe(struct ipf_features *ret)
{
        *ret = (struct ipf_features){
                .landlock_abi = probe_landlock_abi(),
        };
        return 0;
}
