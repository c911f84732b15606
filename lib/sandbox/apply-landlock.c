/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock: one ruleset with the plan's scopes and file-system accesses,
 * restricted onto the sandbox. Runs after the mount view is built (the
 * allowed directories are opened in it) and after no_new_privs. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/sandbox.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif

static int add_beneath(int ruleset, const char *path, uint64_t access)
{
        struct landlock_path_beneath_attr attr = {.allowed_access = access};
        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno; /* an optional dir absent here */
        attr.parent_fd = fd;
        if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0)
                return -errno;
        return 0;
}

/* RESOLVE_UNIX on PATH: the socket itself, or the directory a glob rule
 * names, reached without a symlink (one planted in a writable directory
 * would otherwise have its target allowed; round 5). Absent in the view,
 * or through a symlink: nothing allowed. A kernel that refuses the right
 * on a socket file fails the run rather than widen it to the directory. */
static int add_resolve_unix(int ruleset, const char *path)
{
        struct landlock_path_beneath_attr attr = {.allowed_access =
                                                          IPF_LANDLOCK_ACCESS_FS_RESOLVE_UNIX};
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        _cleanup_close_ int fd = sys_openat2(AT_FDCWD, path, &how, sizeof(how));

        if (fd < 0)
                return errno == ENOENT || errno == EACCES || errno == ELOOP ? 0 : -errno;
        attr.parent_fd = fd;
        if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0)
                return -errno;
        return 0;
}

int ipf_apply_landlock(const struct ipf_landlock_plan *l, char *detail, size_t n)
{
        struct ipf_landlock_ruleset_attr attr = {.handled_access_fs = l->handled_fs,
                                                 .handled_access_net = l->handled_net,
                                                 .scoped = l->scoped};
        /* Only as much of the struct as the plan's ABI knows (net: 4,
         * scoped: 6). */
        size_t size = l->scoped        ? sizeof(attr)
                      : l->handled_net ? offsetof(struct ipf_landlock_ruleset_attr, scoped)
                                       : sizeof(attr.handled_access_fs);
        _cleanup_close_ int fd = -1;
        int r;

        if (l->scoped == 0 && l->handled_fs == 0)
                return 0; /* the plan chose the namespace fallback */
        snprintf(detail, n, "ABI %d, scopes 0x%llx, fs 0x%llx, net 0x%llx", l->abi,
                 (unsigned long long)l->scoped, (unsigned long long)l->handled_fs,
                 (unsigned long long)l->handled_net);
        fd = sys_landlock_create_ruleset(&attr, size, 0);
        if (fd < 0)
                return -errno;
        for (size_t i = 0; i < l->n_allow_beneath; i++) {
                r = add_beneath(fd, l->allow_beneath[i], l->handled_fs);
                if (r < 0) {
                        snprintf(detail, n, "rule for '%s'", l->allow_beneath[i]);
                        return r;
                }
        }
        for (size_t i = 0; i < l->n_resolve_unix; i++) {
                r = add_resolve_unix(fd, l->resolve_unix[i]);
                if (r < 0) {
                        snprintf(detail, n, "rule for unix socket '%s'", l->resolve_unix[i]);
                        return r;
                }
        }
        for (size_t i = 0; i < l->n_ports; i++) {
                struct ipf_landlock_net_port_attr port = {.allowed_access = l->ports[i].access,
                                                          .port = l->ports[i].port};

                if (syscall(__NR_landlock_add_rule, fd, IPF_LANDLOCK_RULE_NET_PORT, &port, 0) < 0) {
                        snprintf(detail, n, "rule for TCP port %u", (unsigned)l->ports[i].port);
                        return -errno;
                }
        }
        if (sys_landlock_restrict_self(fd, 0) < 0)
                return -errno;
        return 0;
}
