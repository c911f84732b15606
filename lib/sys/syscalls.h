/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw syscall wrappers and the uapi constants we define ourselves when the
 * build host's headers are older than the running kernel (Debian 12 ships
 * Linux 6.1 headers; we target 6.18). System headers win when they have
 * them. Every wrapper returns the raw result and sets errno, like libc. */
#pragma once

#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- Landlock (Linux 5.13+, scopes 6.12+) ---- */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
/* Scopes, ABI 6 (Linux 6.12). */
#define IPF_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define IPF_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

/* Connecting to and sending to a unix socket by path, ABI 9. */
#define IPF_LANDLOCK_ACCESS_FS_RESOLVE_UNIX (1ULL << 16)

/* TCP port rules, ABI 4 (Linux 6.7); not in the 6.1 header either. */
#define IPF_LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define IPF_LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define IPF_LANDLOCK_RULE_NET_PORT 2

struct ipf_landlock_net_port_attr {
        uint64_t allowed_access;
        uint64_t port;
} __attribute__((packed));

/* Our own copy of the ABI 6 attribute layout: the 6.1 header only has
 * handled_access_fs. The kernel accepts any prefix size it knows. */
struct ipf_landlock_ruleset_attr {
        uint64_t handled_access_fs;
        uint64_t handled_access_net; /* ABI 4 */
        uint64_t scoped; /* ABI 6 */
};

static inline int sys_landlock_create_ruleset(const struct ipf_landlock_ruleset_attr *attr,
                                              size_t size, uint32_t flags)
{
        return (int)syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static inline int sys_landlock_restrict_self(int ruleset_fd, uint32_t flags)
{
        return (int)syscall(__NR_landlock_restrict_self, ruleset_fd, flags);
}

/* ---- seccomp ---- */
#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif
static inline int sys_seccomp(unsigned op, unsigned flags, void *args)
{
        return (int)syscall(__NR_seccomp, op, flags, args);
}

/* ---- misc ---- */
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
static inline int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
        return (int)syscall(__NR_close_range, first, last, flags);
}

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
/* Syscalls newer than libseccomp 2.5.4 knows by name (x86-64 numbers are
 * shared by every architecture from 424 on). */
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif

/* ---- pidfd (5.3, 5.6) and openat2 (5.6) ---- */
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
static inline int sys_pidfd_open(pid_t pid, unsigned flags)
{
        return (int)syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_getfd(int pidfd, int fd, unsigned flags)
{
        return (int)syscall(__NR_pidfd_getfd, pidfd, fd, flags);
}

struct open_how;
static inline int sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
        return (int)syscall(__NR_openat2, dirfd, path, how, size);
}

/* ---- seccomp user notification (5.0; SYNC_WAKE_UP 6.6) ---- */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
