/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decisions channel (SPEC §7): one JSON object per decision to a file
 * (JSON Lines, appended), one short human line to stderr, or syslog. Only
 * denials unless the level is "all"; nothing is formatted on the allowed
 * path at level "deny". */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

enum ipf_log_dest {
        IPF_LOG_DEST_NONE,
        IPF_LOG_DEST_STDERR,
        IPF_LOG_DEST_FILE,
        IPF_LOG_DEST_SYSLOG,
        _IPF_LOG_DEST_MAX,
};

struct ipf_decision_log;

struct ipf_decision {
        pid_t pid; /* host pid of the thread that asked */
        const char *kind; /* "unix.connect", "unix.send", ... */
        const char *endpoint; /* what it named */
        bool allow;
        bool permissive; /* denied by the policy, allowed by --permissive */
        const char *layer; /* "broker", "sandbox" */
};

/* DEST: NULL or "-" (stderr), "syslog", "none", or a file path. */
int ipf_decision_log_open(const char *dest, bool all, const char *profile,
                          struct ipf_decision_log **ret);
struct ipf_decision_log *ipf_decision_log_free(struct ipf_decision_log *l);
bool ipf_decision_log_wants(const struct ipf_decision_log *l, bool allow);
/* Made at once; to a file or stderr written later (syslog at once): the
 * loop calls ipf_decision_log_flush_due() once a call has been answered,
 * which writes denials then, and allowed calls' lines within 100 ms. */
void ipf_decision_log_write(struct ipf_decision_log *l, const struct ipf_decision *d);
void ipf_decision_log_flush_due(struct ipf_decision_log *l);
/* Write every line that waits. */
void ipf_decision_log_flush(struct ipf_decision_log *l);
