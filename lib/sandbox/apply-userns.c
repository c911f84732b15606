/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespace: map the caller to itself. Written by the child itself
 * (allowed for a single mapping of its own ids once setgroups is denied),
 * which saves a round trip with the supervisor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/cleanup.h"

static int write_file(const char *path, const char *text, char *detail, size_t n)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        size_t len = strlen(text);

        if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
                int err = errno ? errno : EIO;

                snprintf(detail, n, "%s", path);
                return -err;
        }
        return 0;
}

int ipf_apply_userns(uid_t uid, gid_t gid, char *detail, size_t n)
{
        char map[64];
        int r;

        r = write_file("/proc/self/setgroups", "deny", detail, n);
        if (r < 0)
                return r;
        snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
        r = write_file("/proc/self/gid_map", map, detail, n);
        if (r < 0)
                return r;
        snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
        return write_file("/proc/self/uid_map", map, detail, n);
}
