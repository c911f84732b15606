/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mount-view compiler: the private IPC view of SPEC §2 as a sorted table.
 *
 * Every standard rendezvous directory gets a fresh, empty filesystem, so
 * that no host socket, FIFO or shm object in it can be named: /tmp,
 * /var/tmp, /run (all of it: D-Bus, systemd, databases, /run/user),
 * $XDG_RUNTIME_DIR wherever it lives, /dev/shm and /dev/mqueue. /dev itself
 * is rebuilt with only the harmless nodes (no /dev/userfaultfd, no /dev/log
 * socket), and /proc is remounted for the new PID namespace.
 *
 * Read-only bind mounts would not do: connect(2) on a unix socket checks
 * write permission on the inode, not on the mount (firejail#2269). */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "compile/plan.h"
#include "util/cleanup.h"

#define TMP_FLAGS (MS_NOSUID | MS_NODEV)
#define DEV_FLAGS (MS_NOSUID | MS_NOEXEC)
#define PROC_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
        const char *path, *target;
} dev_links[] = {
        {"/dev/fd", "/proc/self/fd"},       {"/dev/stdin", "/proc/self/fd/0"},
        {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
        {"/dev/ptmx", "pts/ptmx"},          {"/run/shm", "/dev/shm"},
};

/* Directories that get a fresh tmpfs, with their tmpfs options. */
static const struct {
        const char *path, *options;
        bool optional;
} masked_dirs[] = {
        {"/dev/shm", "mode=1777", false},
        {"/run", "mode=0755", true},
        {"/tmp", "mode=1777", false},
        {"/var/tmp", "mode=1777", true},
};

/* An entry as written in this file; plan_add() copies the strings. */
struct mount_spec {
        enum ipf_mount_kind kind;
        const char *path, *source, *options;
        unsigned long flags;
        mode_t mode;
        bool optional;
};

static int plan_add(struct ipf_mount_plan *m, size_t *allocated, struct mount_spec e)
{
        _cleanup_free_ char *path = NULL, *source = NULL;

        if (m->n == *allocated) {
                size_t n = *allocated ? *allocated * 2 : 32;
                struct ipf_mount *a = reallocarray(m->entries, n, sizeof(*a));

                if (!a)
                        return -ENOMEM;
                m->entries = a;
                *allocated = n;
        }
        path = strdup(e.path);
        if (!path)
                return -ENOMEM;
        if (e.source) {
                source = strdup(e.source);
                if (!source)
                        return -ENOMEM;
        }
        m->entries[m->n++] = (struct ipf_mount){
                .kind = e.kind,
                .path = TAKE_PTR(path),
                .source = TAKE_PTR(source),
                .options = e.options,
                .flags = e.flags,
                .mode = e.mode,
                .optional = e.optional,
        };
        return 0;
}

static bool path_is_below(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Parents before children; at one path a DIR (the mount point) before the
 * mount on it. */
static int mount_cmp(const void *a, const void *b)
{
        const struct ipf_mount *x = a, *y = b;
        int c = strcmp(x->path, y->path);

        if (c != 0)
                return c;
        return (x->kind != IPF_MOUNT_DIR) - (y->kind != IPF_MOUNT_DIR);
}

/* Duplicates (same path, same kind) keep the first: every entry of this
 * table is already the most restrictive choice for its path. */
static void plan_sort_dedup(struct ipf_mount_plan *m)
{
        size_t w = 0;

        qsort(m->entries, m->n, sizeof(*m->entries), mount_cmp);
        for (size_t i = 0; i < m->n; i++) {
                if (w > 0 && m->entries[w - 1].kind == m->entries[i].kind &&
                    strcmp(m->entries[w - 1].path, m->entries[i].path) == 0) {
                        free(m->entries[i].path);
                        free(m->entries[i].source);
                        continue;
                }
                m->entries[w++] = m->entries[i];
        }
        m->n = w;
}

static int add_dev(const struct ipf_policy *p, struct ipf_mount_plan *m, size_t *alloc)
{
        char path[64], source[64];
        int r;

        r = plan_add(m, alloc,
                     (struct mount_spec){.kind = IPF_MOUNT_TMPFS,
                                         .path = "/dev",
                                         .options = "mode=0755",
                                         .flags = DEV_FLAGS});
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dev_nodes); i++) {
                snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
                snprintf(source, sizeof(source), "/dev/%s", dev_nodes[i]);
                r = plan_add(m, alloc,
                             (struct mount_spec){.kind = IPF_MOUNT_DEV,
                                                 .path = path,
                                                 .source = source,
                                                 .mode = 0666});
        }
        if (r >= 0)
                r = plan_add(m, alloc,
                             (struct mount_spec){
                                     .kind = IPF_MOUNT_DIR, .path = "/dev/pts", .mode = 0755});
        if (r >= 0)
                r = plan_add(m, alloc,
                             (struct mount_spec){.kind = IPF_MOUNT_DEVPTS,
                                                 .path = "/dev/pts",
                                                 .options = "newinstance,ptmxmode=0666,mode=620",
                                                 .flags = MS_NOSUID | MS_NOEXEC});
        if (r >= 0)
                r = plan_add(m, alloc,
                             (struct mount_spec){
                                     .kind = IPF_MOUNT_DIR, .path = "/dev/mqueue", .mode = 0755});
        /* The host's queues, with `sysv host`, must not be one open(2) away:
         * an empty directory then (and seccomp refuses mq_open). */
        if (r >= 0 && !p->sysv_host)
                r = plan_add(m, alloc,
                             (struct mount_spec){.kind = IPF_MOUNT_MQUEUE,
                                                 .path = "/dev/mqueue",
                                                 .flags = PROC_FLAGS});
        if (r >= 0)
                r = plan_add(m, alloc,
                             (struct mount_spec){
                                     .kind = IPF_MOUNT_DIR, .path = "/dev/shm", .mode = 01777});
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dev_links); i++)
                r = plan_add(m, alloc,
                             (struct mount_spec){.kind = IPF_MOUNT_SYMLINK,
                                                 .path = dev_links[i].path,
                                                 .source = dev_links[i].target});
        return r;
}

/* One host object at PATH, bound at its own path into the fresh directory
 * that hides its neighbours (SPEC §2). Objects outside the replaced
 * directories are visible as they are. */
static int add_object(const char *path, mode_t type, const char *const *dirs, size_t n_dirs,
                      struct ipf_mount_plan *m, size_t *alloc)
{
        for (size_t d = 0; d < n_dirs; d++)
                if (path_is_below(path, dirs[d]) && strcmp(path, dirs[d]) != 0)
                        return plan_add(m, alloc,
                                        (struct mount_spec){.kind = IPF_MOUNT_OBJECT,
                                                            .path = path,
                                                            .source = path,
                                                            .mode = type,
                                                            .optional = true});
        return 0;
}

/* A glob in the last component: the objects that match when the sandbox
 * starts (the kernel has no way to show later ones alone). */
static int add_object_glob(const char *pattern, mode_t type, const char *const *dirs, size_t n_dirs,
                           struct ipf_mount_plan *m, size_t *alloc)
{
        char dir[PATH_MAX], path[PATH_MAX];
        const char *slash = strrchr(pattern, '/');
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r = 0;

        if (!slash || (size_t)(slash - pattern) >= sizeof(dir))
                return -EINVAL;
        memcpy(dir, pattern, (size_t)(slash - pattern));
        dir[slash - pattern] = '\0';
        d = opendir(dir[0] ? dir : "/");
        if (!d)
                return errno == ENOENT || errno == EACCES ? 0 : -errno;
        while (r >= 0 && (de = readdir(d)))
                if (fnmatch(slash + 1, de->d_name, FNM_PERIOD) == 0 &&
                    (de->d_type == DT_UNKNOWN ||
                     de->d_type == (type == S_IFIFO ? DT_FIFO : DT_REG))) {
                        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
                            sizeof(path))
                                continue;
                        r = add_object(path, type, dirs, n_dirs, m, alloc);
                }
        return r;
}

/* `fifo open PATH`, `shm open /NAME`. */
static int add_objects(const struct ipf_policy *p, const struct ipf_host *h,
                       struct ipf_mount_plan *m, size_t *alloc)
{
        const char *dirs[IPF_LANDLOCK_MAX_PATHS];
        size_t n_dirs = ipf_mount_private_dirs(h, dirs, IPF_LANDLOCK_MAX_PATHS);
        int r = 0;

        for (size_t i = 0; r >= 0 && i < p->n_rules; i++) {
                const struct ipf_rule *rule = &p->rules[i];
                mode_t type = rule->kind == IPF_RULE_SHM_OPEN ? S_IFREG : S_IFIFO;
                char path[PATH_MAX];

                if ((rule->kind != IPF_RULE_FIFO_OPEN && rule->kind != IPF_RULE_SHM_OPEN) ||
                    !rule->endpoint)
                        continue;
                if ((size_t)snprintf(path, sizeof(path), "%s%s",
                                     rule->kind == IPF_RULE_SHM_OPEN ? "/dev/shm" : "",
                                     rule->endpoint) >= sizeof(path))
                        return -ENAMETOOLONG;
                r = rule->glob ? add_object_glob(path, type, dirs, n_dirs, m, alloc)
                               : add_object(path, type, dirs, n_dirs, m, alloc);
        }
        return r;
}

/* A filtered D-Bus: only the proxy's socket, bound at the bus's usual
 * place, which always lies in a fresh directory ($XDG_RUNTIME_DIR, /run),
 * so the real bus socket there stays hidden. Not optional: without the
 * proxy's socket the view cannot be built and nothing runs. */
static int add_dbus_sockets(const struct ipf_policy *p, const struct ipf_host *h,
                            struct ipf_mount_plan *m, size_t *alloc)
{
        int r = 0;

        for (int bus = 0; r >= 0 && bus < _IPF_BUS_MAX; bus++) {
                char path[PATH_MAX];

                if (!ipf_dbus_bus_used(p, (enum ipf_bus)bus))
                        continue;
                r = ipf_dbus_view_path((enum ipf_bus)bus, h, path, sizeof(path));
                if (r >= 0)
                        r = plan_add(m, alloc,
                                     (struct mount_spec){.kind = IPF_MOUNT_OBJECT,
                                                         .path = path,
                                                         .source = h->dbus_socket[bus],
                                                         .mode = S_IFSOCK});
        }
        return r;
}

/* $XDG_RUNTIME_DIR: a directory of the user's own inside an already fresh
 * mount, or a fresh tmpfs of its own when it lives elsewhere. */
static int add_runtime_dir(struct ipf_mount_plan *m, size_t *alloc, const char *xdg)
{
        if (!xdg || xdg[0] != '/' || strcmp(xdg, "/") == 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(masked_dirs); i++)
                if (path_is_below(xdg, masked_dirs[i].path))
                        return strcmp(xdg, masked_dirs[i].path) == 0
                                       ? 0
                                       : plan_add(m, alloc,
                                                  (struct mount_spec){.kind = IPF_MOUNT_DIR,
                                                                      .path = xdg,
                                                                      .mode = 0700});
        return plan_add(m, alloc,
                        (struct mount_spec){.kind = IPF_MOUNT_TMPFS,
                                            .path = xdg,
                                            .options = "mode=0700",
                                            .flags = TMP_FLAGS,
                                            .optional = true});
}

size_t ipf_mount_private_dirs(const struct ipf_host *h, const char **ret, size_t max)
{
        const char *xdg = h->xdg_runtime_dir;
        size_t n = 0;
        bool below = false;

        if (n < max)
                ret[n++] = "/dev";
        for (size_t i = 0; i < ELEMENTSOF(masked_dirs) && n < max; i++) {
                if (!path_is_below(masked_dirs[i].path, "/dev"))
                        ret[n++] = masked_dirs[i].path;
                if (xdg && path_is_below(xdg, masked_dirs[i].path))
                        below = true;
        }
        if (xdg && xdg[0] == '/' && strcmp(xdg, "/") != 0 && !below && n < max)
                ret[n++] = xdg;
        return n;
}

int ipf_compile_mounts(const struct ipf_policy *p, const struct ipf_host *h,
                       struct ipf_mount_plan *ret, struct ipf_diag *reterr)
{
        struct ipf_mount_plan m = {0};
        size_t alloc = 0;
        int r;

        r = add_dev(p, &m, &alloc);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(masked_dirs); i++)
                r = plan_add(&m, &alloc,
                             (struct mount_spec){.kind = IPF_MOUNT_TMPFS,
                                                 .path = masked_dirs[i].path,
                                                 .options = masked_dirs[i].options,
                                                 .flags = TMP_FLAGS,
                                                 .optional = masked_dirs[i].optional});
        if (r >= 0)
                /* A caller that is root stays uid 0 inside, without
                 * capabilities, and the kernel lets uid 0 write root-owned
                 * sysctls and proc files on DAC owner bits alone
                 * (core_pattern, sysrq-trigger...): its /proc is read-only.
                 * Anyone else's are root's, read-only to it already, and its
                 * own /proc/self stays writable. */
                r = plan_add(&m, &alloc,
                             p->signal_host
                                     /* The host's PID namespace: a fresh procfs
                                 * needs one of our own. Read-only, so that
                                 * no host process's files (oom_score_adj...)
                                 * can be written from inside. */
                                     ? (struct mount_spec){.kind = IPF_MOUNT_RBIND_RO,
                                                           .path = "/proc",
                                                           .source = "/proc"}
                                     : (struct mount_spec){.kind = IPF_MOUNT_PROC,
                                                           .path = "/proc",
                                                           .flags = PROC_FLAGS |
                                                                    (h->uid == 0 ? MS_RDONLY : 0)});
        if (r >= 0)
                r = add_runtime_dir(&m, &alloc, h->xdg_runtime_dir);
        if (r >= 0)
                r = add_objects(p, h, &m, &alloc);
        if (r >= 0)
                r = add_dbus_sockets(p, h, &m, &alloc);
        /* /sys: a fresh, read-only sysfs for every caller. The host's holds
         * the cgroup file systems, and a user's own (systemd-delegated)
         * cgroups have cgroup.kill and cgroup.freeze, which reach host
         * processes past every other layer (red team #3); a root caller
         * could also write root-owned attributes (power/state...).
         * With `network host` sysfs cannot be mounted afresh (it belongs to
         * the host's network namespace): the host's, read-only all through,
         * cgroup file systems included. */
        if (r >= 0)
                r = plan_add(&m, &alloc,
                             p->network == IPF_NETWORK_HOST
                                     ? (struct mount_spec){.kind = IPF_MOUNT_RBIND_RO,
                                                           .path = "/sys",
                                                           .source = "/sys"}
                                     : (struct mount_spec){.kind = IPF_MOUNT_SYSFS,
                                                           .path = "/sys",
                                                           .flags = PROC_FLAGS | MS_RDONLY});
        if (r < 0) {
                ipf_mount_plan_done(&m);
                ipf_diag_set(reterr, NULL, 0, 0, "cannot build mount plan: %s", strerror(-r));
                return r;
        }
        plan_sort_dedup(&m);
        *ret = m;
        return 0;
}

void ipf_mount_plan_done(struct ipf_mount_plan *m)
{
        for (size_t i = 0; i < m->n; i++) {
                free(m->entries[i].path);
                free(m->entries[i].source);
        }
        free(m->entries);
        *m = (struct ipf_mount_plan){0};
}

const char *ipf_mount_kind_to_string(enum ipf_mount_kind k)
{
        static const char *const names[_IPF_MOUNT_MAX] = {
                [IPF_MOUNT_TMPFS] = "tmpfs",     [IPF_MOUNT_DIR] = "dir",
                [IPF_MOUNT_DEV] = "dev",         [IPF_MOUNT_DEVPTS] = "devpts",
                [IPF_MOUNT_MQUEUE] = "mqueue",   [IPF_MOUNT_PROC] = "proc",
                [IPF_MOUNT_SYMLINK] = "symlink", [IPF_MOUNT_SYSFS] = "sysfs",
                [IPF_MOUNT_OBJECT] = "object",   [IPF_MOUNT_RBIND_RO] = "rbind-ro",
        };
        return k < _IPF_MOUNT_MAX ? names[k] : NULL;
}
