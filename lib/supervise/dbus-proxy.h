/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The D-Bus proxies: one xdg-dbus-proxy per bus the profile names, started
 * by the supervisor outside the sandbox with the argv compile-dbus.c builds,
 * living exactly as long as the sandbox. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "compile/plan.h"

struct ipf_dbus_proxy {
        pid_t pid; /* 0: this bus is not proxied */
        int pidfd; /* the proxy, for good: its pid may be reaped by another */
        int ready_fd; /* read end of the proxy's --fd pipe: closing it stops the proxy */
        char *dir; /* the private 0700 directory holding the socket, until unlinked */
        char *socket; /* DIR/bus */
        char *view; /* where the view has it: the bus's usual place */
        dev_t dev; /* the socket's inode, once ready: what the broker lets */
        ino_t ino; /* the program connect to */
};

struct ipf_dbus_proxies {
        struct ipf_dbus_proxy bus[_IPF_BUS_MAX];
};
#define IPF_DBUS_PROXIES_INIT                                                       \
        {                                                                           \
                .bus = { [0 ... _IPF_BUS_MAX - 1] = {.ready_fd = -1, .pidfd = -1} } \
        }

/* Start a proxy for every bus P names, without waiting for it, and record
 * its socket's path in H->dbus_socket for the mount plan. A missing
 * xdg-dbus-proxy, an unusable address or an unreachable bus: -errno and a
 * one-line diagnostic; what was started is stopped. */
int ipf_dbus_proxies_start(struct ipf_dbus_proxies *d, const struct ipf_policy *p,
                           struct ipf_host *h, struct ipf_diag *reterr);
/* Wait for every started proxy's ready byte, record its socket's inode and
 * point DBUS_SESSION_BUS_ADDRESS (DBUS_SYSTEM_BUS_ADDRESS where set) at the
 * bus's place in the sandbox. */
int ipf_dbus_proxies_wait(struct ipf_dbus_proxies *d, const struct ipf_host *h,
                          struct ipf_diag *reterr);
/* Once the sandbox's view holds the sockets: remove them and their
 * directories from the host, so that nothing is left behind even if we are
 * killed; the bound inodes keep working inside. */
void ipf_dbus_proxies_unlink(struct ipf_dbus_proxies *d);
/* Stop and reap every proxy, remove what is left on disk. */
void ipf_dbus_proxies_stop(struct ipf_dbus_proxies *d);
