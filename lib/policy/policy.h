/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy IR: typed rules, merged across includes and --allow, with
 * duplicates folded and conflicts refused. Every later stage (compilers,
 * explain, compile --target) reads only this. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ipcfence.h"

enum ipf_rule_kind {
        IPF_RULE_NETWORK, /* network none|host */
        IPF_RULE_UNIX_CONNECT, /* unix connect PATH|@NAME */
        IPF_RULE_UNIX_LISTEN, /* unix listen PATH|@NAME */
        IPF_RULE_DBUS, /* dbus BUS VERB ARG */
        IPF_RULE_TCP_CONNECT, /* tcp connect HOST:PORT */
        IPF_RULE_TCP_LISTEN, /* tcp listen [HOST:]PORT */
        IPF_RULE_SYSV_HOST, /* sysv host */
        IPF_RULE_MQUEUE_OPEN, /* mqueue open /NAME */
        IPF_RULE_SHM_OPEN, /* shm open /NAME */
        IPF_RULE_FIFO_OPEN, /* fifo open PATH */
        IPF_RULE_SIGNAL_HOST, /* signal host */
        IPF_RULE_NETLINK, /* netlink FAMILY */
        _IPF_RULE_MAX,
};

enum ipf_network {
        IPF_NETWORK_NONE,
        IPF_NETWORK_HOST,
        _IPF_NETWORK_MAX,
};

enum ipf_bus {
        IPF_BUS_SESSION,
        IPF_BUS_SYSTEM,
        _IPF_BUS_MAX,
};

enum ipf_dbus_verb {
        IPF_DBUS_TALK,
        IPF_DBUS_OWN,
        IPF_DBUS_SEE,
        IPF_DBUS_CALL,
        IPF_DBUS_BROADCAST,
        _IPF_DBUS_MAX,
};

enum ipf_netlink {
        IPF_NETLINK_ROUTE, /* NETLINK_ROUTE (0) */
        IPF_NETLINK_KOBJECT_UEVENT, /* NETLINK_KOBJECT_UEVENT (15) */
        IPF_NETLINK_AUDIT, /* NETLINK_AUDIT (9) */
        _IPF_NETLINK_MAX,
};

/* Where a rule came from, for FILE:LINE:COL in later diagnostics. */
struct ipf_origin {
        char *file; /* owned; "--allow" for command-line rules */
        unsigned line, col;
};

struct ipf_rule {
        enum ipf_rule_kind kind;
        struct ipf_origin origin;
        /* Expanded endpoint text, owned (NULL for kinds without one):
         *  unix:   absolute path, or "@name" for an abstract socket
         *  mqueue, shm: "/NAME";  fifo: absolute path
         *  dbus:   NAME (talk/own/see) or NAME=RULE (call/broadcast)
         *  tcp:    canonical "HOST:PORT" ("[v6]:PORT"; listen without
         *          host: "PORT") */
        char *endpoint;
        bool glob; /* the endpoint's last path component contains '*' */
        enum ipf_network network; /* IPF_RULE_NETWORK */
        enum ipf_bus bus; /* IPF_RULE_DBUS */
        enum ipf_dbus_verb dbus_verb; /* IPF_RULE_DBUS */
        char *host; /* tcp: IP literal, NULL = any (listen) */
        uint16_t port; /* tcp */
        enum ipf_netlink netlink; /* IPF_RULE_NETLINK */
};

struct ipf_policy {
        char *name; /* profile name ("default", "psql", ...) */
        char *source; /* path of the top-level file; NULL for the built-in default */
        struct ipf_rule *rules;
        size_t n_rules, n_allocated;

        /* Derived from rules by ipf_policy_add(), never set directly. */
        enum ipf_network network; /* IPF_NETWORK_NONE unless a rule says host */
        bool sysv_host;
        bool signal_host;
        uint32_t netlink; /* bit (1 << enum ipf_netlink) per allowed family */
};

/* Add *R to P, taking ownership of its strings (R is emptied) on success and
 * on failure. An identical rule already present is folded (success, no
 * change). A rule that contradicts an earlier one (`network none` after
 * `network host`) fails with -EINVAL and a diagnostic at R's origin. */
int ipf_policy_add(struct ipf_policy *p, struct ipf_rule *r, struct ipf_diag *reterr);

void ipf_rule_done(struct ipf_rule *r);

/* Whether P has at least one rule of KIND. */
bool ipf_policy_has(const struct ipf_policy *p, enum ipf_rule_kind kind);

/* "unix.connect", "dbus.session.talk", "tcp.listen", "network", ... */
const char *ipf_rule_kind_to_string(enum ipf_rule_kind k);
const char *ipf_network_to_string(enum ipf_network n);
const char *ipf_bus_to_string(enum ipf_bus b);
const char *ipf_dbus_verb_to_string(enum ipf_dbus_verb v);
const char *ipf_netlink_to_string(enum ipf_netlink n); /* "route", "kobject-uevent", "audit" */
int ipf_netlink_protocol(enum ipf_netlink n); /* NETLINK_* number */

/* The rule back in profile syntax ("unix connect /run/x.sock"), malloc'd. */
char *ipf_rule_to_text(const struct ipf_rule *r);

/* Format a diagnostic at ORIGIN (file may be NULL). Always returns -EINVAL
 * so callers can `return ipf_diag_set(...)`. */
int ipf_diag_set(struct ipf_diag *d, const char *file, unsigned line, unsigned col, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));
