/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plans: plain data that the per-layer compilers produce from the policy IR
 * and the probed kernel features, and that lib/sandbox/ executes without
 * deciding anything (STYLE §1). `explain` and `compile --target` print these
 * very plans. */
#pragma once

#include <limits.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/policy.h"

/* What the running kernel offers, probed by use (lib/compile/features.c). */
struct ipf_features {
        int landlock_abi; /* 0: Landlock unavailable */
};

/* Facts about the invoking user the plans depend on. */
struct ipf_host {
        uid_t uid;
        gid_t gid;
        const char *xdg_runtime_dir; /* may be NULL */
        /* One of descriptors 0-2, which the program inherits, is a socket
         * of the host's: bind(2) and listen(2) on it must be brokered. */
        bool stdio_socket;
        /* Host path of each bus's proxy socket once ipcfence has started the
         * proxy (lib/supervise/dbus-proxy.c); NULL for explain. */
        const char *dbus_socket[_IPF_BUS_MAX];
};

/* ---- namespaces + mount view (compile-mounts.c) ---- */
enum ipf_mount_kind {
        IPF_MOUNT_TMPFS, /* fresh tmpfs at path, options = tmpfs data */
        IPF_MOUNT_DIR, /* mkdir path (mode) inside an earlier fresh mount */
        IPF_MOUNT_DEV, /* bind the host device node `source` onto path */
        IPF_MOUNT_DEVPTS, /* new devpts instance */
        IPF_MOUNT_MQUEUE, /* fresh mqueue for the new IPC namespace */
        IPF_MOUNT_PROC, /* fresh procfs for the new PID namespace */
        IPF_MOUNT_SYMLINK, /* symlink path -> source */
        IPF_MOUNT_SYSFS, /* fresh sysfs for the new network namespace */
        IPF_MOUNT_OBJECT, /* bind the host's object at path (its type in mode) */
        IPF_MOUNT_RBIND_RO, /* the host's tree `source`, read-only all through */
        _IPF_MOUNT_MAX,
};

struct ipf_mount {
        enum ipf_mount_kind kind;
        char *path;
        char *source; /* DEV: host path; SYMLINK: target */
        const char *options; /* static string or NULL */
        unsigned long flags; /* MS_NOSUID|MS_NODEV|MS_NOEXEC */
        mode_t mode; /* DIR, DEV placeholder */
        bool optional; /* a missing mount point is not an error */
};

struct ipf_mount_plan {
        struct ipf_mount *entries; /* sorted: parents before children */
        size_t n;
};

/* ---- Landlock (compile-landlock.c) ---- */
#define IPF_LANDLOCK_MAX_PATHS 8
#define IPF_LANDLOCK_MAX_PORTS 64
#define IPF_LANDLOCK_ABI_NET 4
#define IPF_LANDLOCK_ABI_RESOLVE_UNIX 9
#define IPF_LANDLOCK_MAX_RESOLVE 32
#define IPF_MOUNT_MAX_HOST_NODES 64 /* DEV and OBJECT entries of one plan */

struct ipf_landlock_plan {
        int abi; /* the ABI this plan was built for */
        uint64_t scoped; /* IPF_LANDLOCK_SCOPE_* */
        uint64_t handled_fs; /* LANDLOCK_ACCESS_FS_* restricted */
        /* Directories (in the sandbox's view) beneath which the handled
         * accesses stay allowed: the sandbox's own fresh filesystems. */
        const char *allow_beneath[IPF_LANDLOCK_MAX_PATHS];
        size_t n_allow_beneath;
        const char *fallback; /* non-NULL: what replaces a missing feature */
        /* `network host` with tcp rules (ABI 4): TCP narrowed to these ports. */
        uint64_t handled_net; /* LANDLOCK_ACCESS_NET_* restricted */
        struct ipf_landlock_port {
                uint16_t port;
                uint64_t access; /* IPF_LANDLOCK_ACCESS_NET_BIND_TCP | _CONNECT_TCP */
        } ports[IPF_LANDLOCK_MAX_PORTS];
        size_t n_ports;
        /* ABI 9: the unix sockets (or, for a glob, their directory) the
         * program may reach by path itself — a datagram sendmsg(2), which
         * the broker never sees. Malloc'd, in the program's view. */
        char *resolve_unix[IPF_LANDLOCK_MAX_RESOLVE];
        size_t n_resolve_unix;
};

/* ---- seccomp (compile-seccomp.c) ---- */
struct ipf_seccomp_plan {
        struct sock_filter *insns;
        unsigned short len;
        unsigned flags; /* SECCOMP_FILTER_FLAG_*: NEW_LISTENER for the broker */
};

struct ipf_plan {
        unsigned long clone_flags; /* CLONE_NEW* for the init process */
        bool stdio_socket; /* ipf_host.stdio_socket, for the seccomp step */
        bool loopback_up;
        uid_t uid;
        gid_t gid;
        struct ipf_mount_plan mounts;
        struct ipf_landlock_plan landlock;
        struct ipf_seccomp_plan seccomp;
};

int ipf_features_probe(struct ipf_features *ret);
/* The caller's uid, gid and canonical $XDG_RUNTIME_DIR (kept in XDG_BUF). */
int ipf_host_from_process(struct ipf_host *ret, char xdg_buf[PATH_MAX]);

/* Refuse rules this version parses but cannot enforce yet (exit 125 rather
 * than run with less confinement than asked). */
int ipf_plan_check_supported(const struct ipf_policy *p, struct ipf_diag *reterr);

int ipf_compile_mounts(const struct ipf_policy *p, const struct ipf_host *h,
                       struct ipf_mount_plan *ret, struct ipf_diag *reterr);
void ipf_mount_plan_done(struct ipf_mount_plan *m);
/* The sandbox's own fresh filesystems (their mount points), at most MAX:
 * what the program may create endpoints in. Strings live as long as H. */
size_t ipf_mount_private_dirs(const struct ipf_host *h, const char **ret, size_t max);
const char *ipf_mount_kind_to_string(enum ipf_mount_kind k);

/* -EOPNOTSUPP when the kernel lacks what the policy needs (TCP port rules
 * under `network host`), -E2BIG for more ports than a plan holds. */
int ipf_compile_landlock(const struct ipf_policy *p, const struct ipf_features *f,
                         const struct ipf_host *h, struct ipf_landlock_plan *ret);
void ipf_landlock_plan_done(struct ipf_landlock_plan *l);

/* ---- D-Bus proxy (compile-dbus.c) ---- */
/* P has at least one `dbus BUS ...` rule: BUS is proxied, else unreachable. */
bool ipf_dbus_bus_used(const struct ipf_policy *p, enum ipf_bus bus);
/* Where the filtered BUS appears inside the sandbox: $XDG_RUNTIME_DIR/bus
 * (/run/user/UID/bus without one), /run/dbus/system_bus_socket. */
int ipf_dbus_view_path(enum ipf_bus bus, const struct ipf_host *h, char *buf, size_t n);
/* VALUE %-escaped for a D-Bus address ("unix:path=" VALUE). */
int ipf_dbus_address_escape(const char *value, char *buf, size_t n);
/* The first entry of ADDRESS (before any ';'), malloc'd in *RET_ENTRY, if
 * it is one a client connects to by unix socket: its unescaped path (or
 * abstract name, *RET_ABSTRACT) in RET_PATH. -EPROTONOSUPPORT for other
 * transports, -EINVAL for a malformed one. */
int ipf_dbus_address_parse(const char *address, char **ret_entry, char *ret_path, size_t n,
                           bool *ret_abstract);
/* argv (NULL-terminated, malloc'd; ipf_strv_free) of the xdg-dbus-proxy
 * filtering BUS at ADDRESS into SOCKET_PATH with P's rules for BUS,
 * reporting readiness on READY_FD. */
int ipf_compile_dbus_proxy_argv(const struct ipf_policy *p, enum ipf_bus bus, const char *address,
                                const char *socket_path, int ready_fd, char ***ret);
void ipf_strv_free(char **v);

/* Build the filter context and export it as BPF. */
/* SIGNALS_SCOPED: Landlock confines signals (the plan has the SIGNAL scope). */
/* HOST_SOCKETS: the program holds a host socket (ipf_host.stdio_socket). */
int ipf_compile_seccomp(const struct ipf_policy *p, bool signals_scoped, bool host_sockets,
                        struct ipf_seccomp_plan *ret, struct ipf_diag *reterr);
void ipf_seccomp_plan_done(struct ipf_seccomp_plan *s);

/* Every layer's plan, whether or not this version enforces every rule
 * (explain shows them all); on failure nothing is left allocated. */
int ipf_plan_compile(const struct ipf_policy *p, const struct ipf_features *f,
                     const struct ipf_host *h, struct ipf_plan *ret, struct ipf_diag *reterr);
/* ipf_plan_compile() in two steps, as run takes them: every layer but
 * seccomp, whose filter the supervisor compiles while the sandbox's init
 * builds its namespaces and view (plan->seccomp stays empty until then).
 * The early step leaves nothing allocated on failure; after a failed
 * seccomp step the caller calls ipf_plan_done(). */
int ipf_plan_compile_early(const struct ipf_policy *p, const struct ipf_features *f,
                           const struct ipf_host *h, struct ipf_plan *ret, struct ipf_diag *reterr);
int ipf_plan_compile_seccomp(const struct ipf_policy *p, struct ipf_plan *plan,
                             struct ipf_diag *reterr);
/* ipf_plan_check_supported() and then ipf_plan_compile(): the two steps run
 * takes, with the D-Bus proxies started in between (their socket paths,
 * in H, go into the mount plan). */
int ipf_plan_build(const struct ipf_policy *p, const struct ipf_features *f,
                   const struct ipf_host *h, struct ipf_plan *ret, struct ipf_diag *reterr);
void ipf_plan_done(struct ipf_plan *plan);
