/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel feature probes: by use, never by version (STYLE §4). Cached. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Only "/a/b" forms: no empty, "." or ".." component, no trailing '/'. */
static bool path_is_normalized(const char *p)
{
        if (p[0] != '/' || strcmp(p, "/") == 0)
                return false;
        for (const char *c = p; *c;) {
                const char *e = strchrnul(++c, '/');
                size_t n = (size_t)(e - c);

                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c = e;
        }
        return true;
}

int ipf_host_from_process(struct ipf_host *ret, char xdg_buf[PATH_MAX])
{
        const char *xdg = secure_getenv("XDG_RUNTIME_DIR");

        *ret = (struct ipf_host){.uid = getuid(), .gid = getgid()};
        /* The directory that gets masked must be the one the program would
         * reach: "/tmp/../home/u/run" is /home/u/run, not something under
         * the fresh /tmp (red team #5). Resolved on the host, before any
         * sandbox exists; a directory that does not exist yet is taken as
         * written only when it is already in normal form. */
        for (int fd = 0; fd <= 2; fd++) {
                struct stat st;

                if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
                        ret->stdio_socket = true;
        }
        if (xdg && realpath(xdg, xdg_buf))
                ret->xdg_runtime_dir = xdg_buf;
        else if (xdg && errno == ENOENT && path_is_normalized(xdg))
                ret->xdg_runtime_dir = xdg;
        return 0;
}
