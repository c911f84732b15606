/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mount view: executes the sorted table from compile-mounts.c. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "sys/syscalls.h"
#include "util/cleanup.h"

/* mkdir -p: intermediates 0755, the last component MODE (umask is 0 here). */
/* Whether PATH, or its nearest existing ancestor, is on one of the fresh
 * filesystems we mounted (FACTS): the only places we create anything. A
 * skipped optional mount (a host without that directory) must not make us
 * create directories or placeholders on the host's own filesystem, nor
 * count it as the sandbox's (red team round 4 #1). */
static bool on_our_fs(const char *path, const struct ipf_sandbox_facts *facts)
{
        char buf[PATH_MAX];
        struct stat st;
        size_t len = strlen(path);

        if (len >= sizeof(buf))
                return false;
        memcpy(buf, path, len + 1);
        while (lstat(buf, &st) < 0) {
                char *slash = strrchr(buf, '/');

                if (errno != ENOENT || !slash)
                        return false;
                if (slash == buf)
                        slash[1] = '\0';
                else
                        *slash = '\0';
        }
        for (uint32_t i = 0; i < facts->n_private; i++)
                if (facts->private_devs[i] == (uint64_t)st.st_dev)
                        return true;
        return false;
}

static int mkdir_p(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);

        if (len >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, len + 1);
        for (char *s = buf + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* Bind the pre-opened host node FD onto a fresh placeholder at PATH. */
static int bind_dev(int fd, const char *path, mode_t mode)
{
        char source[64];
        int placeholder = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

        if (placeholder < 0)
                return -errno;
        close(placeholder);
        snprintf(source, sizeof(source), "/proc/self/fd/%d", fd);
        if (mount(source, path, NULL, MS_BIND, NULL) < 0)
                return -errno;
        return 0;
}

/* A host object (FIFO, shm file, D-Bus proxy socket) at PATH in a fresh directory: parents
 * made, an empty placeholder, the pinned object bound over it. */
static int bind_object(int fd, const char *path, const struct ipf_sandbox_facts *facts)
{
        char parent[PATH_MAX];
        char *slash;
        int r;

        if (strlen(path) >= sizeof(parent))
                return -ENAMETOOLONG;
        if (!on_our_fs(path, facts))
                return -EXDEV;
        strcpy(parent, path);
        slash = strrchr(parent, '/');
        if (slash && slash != parent) {
                *slash = '\0';
                r = mkdir_p(parent, 0755);
                if (r < 0)
                        return r;
        }
        return bind_dev(fd, path, 0600);
}

/* The host's tree SOURCE at PATH, every mount in it read-only (and
 * nosuid, nodev, noexec): mount_setattr(2) reaches the submounts, which a
 * remount would leave writable. */
static int rbind_ro(const char *source, const char *path)
{
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                              MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};

        if (mount(source, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return -errno;
        if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return -errno;
        return 0;
}

/* A fresh tmpfs, and its device noted as the sandbox's own. */
static int mount_tmpfs(const struct ipf_mount *e, struct ipf_sandbox_facts *facts)
{
        struct stat before, st;

        if (stat(e->path, &before) < 0)
                return -errno;
        if (mount("tmpfs", e->path, "tmpfs", e->flags, e->options) < 0)
                return -errno;
        /* A path that does not lead to the new mount (a magic link, say)
         * would name another file system as ours (round 5). */
        if (stat(e->path, &st) < 0)
                return -errno;
        if (st.st_dev == before.st_dev)
                return -EXDEV;
        if (facts->n_private == IPF_SANDBOX_MAX_PRIVATE)
                return -E2BIG;
        facts->private_devs[facts->n_private++] = st.st_dev;
        return 0;
}

static int apply_one(const struct ipf_mount *e, int dev_fd, struct ipf_sandbox_facts *facts)
{
        switch (e->kind) {
        case IPF_MOUNT_TMPFS:
                return mount_tmpfs(e, facts);
        case IPF_MOUNT_DIR:
                return on_our_fs(e->path, facts) ? mkdir_p(e->path, e->mode) : -EXDEV;
        case IPF_MOUNT_DEV:
                return dev_fd < 0 ? -ENOENT : bind_dev(dev_fd, e->path, e->mode);
        case IPF_MOUNT_DEVPTS:
                return mount("devpts", e->path, "devpts", e->flags, e->options) < 0 ? -errno : 0;
        case IPF_MOUNT_MQUEUE:
                return mount("mqueue", e->path, "mqueue", e->flags, NULL) < 0 ? -errno : 0;
        case IPF_MOUNT_PROC:
                return mount("proc", e->path, "proc", e->flags, NULL) < 0 ? -errno : 0;
        case IPF_MOUNT_SYMLINK:
                return symlink(e->source, e->path) < 0 ? -errno : 0;
        case IPF_MOUNT_OBJECT:
                return dev_fd < 0 ? -ENOENT : bind_object(dev_fd, e->path, facts);
        case IPF_MOUNT_SYSFS:
                return mount("sysfs", e->path, "sysfs", e->flags, NULL) < 0 ? -errno : 0;
        case IPF_MOUNT_RBIND_RO:
                return rbind_ro(e->source, e->path);
        default:
                return -EINVAL;
        }
}

/* Re-enter the working directory through the new view: the old cwd still
 * points into the host's /tmp (or wherever) under the fresh mounts, and a
 * relative connect() would reach the host's sockets through it. Returns 1
 * when the directory is not visible in the view and we moved to '/', with
 * its path in DETAIL. */
static int reenter_cwd(char *detail, size_t n)
{
        char cwd[PATH_MAX];

        if (!getcwd(cwd, sizeof(cwd)))
                snprintf(cwd, sizeof(cwd), "?");
        else if (chdir(cwd) == 0)
                return 0;
        if (chdir("/") < 0)
                return -errno;
        snprintf(detail, n, "%s", cwd);
        return 1;
}

static int open_object(const char *path, mode_t type)
{
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        struct stat st;
        int fd = path ? sys_openat2(AT_FDCWD, path, &how, sizeof(how)) : -1;

        if (fd < 0)
                return -1;
        if (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != type) {
                close(fd);
                return -1;
        }
        return fd;
}

int ipf_apply_mounts(const struct ipf_mount_plan *m, struct ipf_sandbox_facts *facts, char *detail,
                     size_t n)
{
        int host_fds[IPF_MOUNT_MAX_HOST_NODES];
        size_t n_host = 0;
        mode_t old_umask;
        int r = 0;

        /* Nothing we mount propagates back to the host, nor host mounts in. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                snprintf(detail, n, "making / private");
                return -errno;
        }
        /* Pin the host's nodes and objects before the fresh mounts hide
         * them: device nodes as they are; an allowed object only without a
         * symlink on its path and only of the type its rule names (a FIFO,
         * a shm file, a socket), or it stays absent. */
        for (size_t i = 0; i < m->n; i++) {
                const struct ipf_mount *e = &m->entries[i];

                if (e->kind != IPF_MOUNT_DEV && e->kind != IPF_MOUNT_OBJECT)
                        continue;
                if (n_host == IPF_MOUNT_MAX_HOST_NODES)
                        return -E2BIG;
                host_fds[n_host++] = e->kind == IPF_MOUNT_DEV ? open(e->source, O_PATH | O_CLOEXEC)
                                                              : open_object(e->source, e->mode);
        }

        old_umask = umask(0);
        for (size_t i = 0, d = 0; i < m->n && r >= 0; i++) {
                const struct ipf_mount *e = &m->entries[i];
                int fd = e->kind == IPF_MOUNT_DEV || e->kind == IPF_MOUNT_OBJECT ? host_fds[d++]
                                                                                 : -1;

                r = apply_one(e, fd, facts);
                /* A host without this node or directory has nothing to hide. */
                if (r == -ENOENT && (e->optional || e->kind == IPF_MOUNT_DEV))
                        r = 0;
                if (r == -EXDEV)
                        snprintf(detail, n,
                                 "%s %s: its directory is not on the sandbox's own file systems "
                                 "(does it exist on the host?)",
                                 ipf_mount_kind_to_string(e->kind), e->path);
                else if (r < 0)
                        snprintf(detail, n, "%s %s", ipf_mount_kind_to_string(e->kind), e->path);
        }
        umask(old_umask);
        for (size_t i = 0; i < n_host; i++)
                if (host_fds[i] >= 0)
                        close(host_fds[i]);
        if (r >= 0)
                r = reenter_cwd(detail, n);
        return r;
}
