/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "supervise/decision-log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/json.h"

struct ipf_decision_log {
        enum ipf_log_dest dest;
        bool all;
        char *profile;
        FILE *f;
};

int ipf_decision_log_open(const char *dest, bool all, const char *profile,
                          struct ipf_decision_log **ret)
{
        _cleanup_free_ struct ipf_decision_log *l = calloc(1, sizeof(*l));
        int fd;

        if (!l)
                return -ENOMEM;
        l->all = all;
        l->profile = strdup(profile ? profile : "");
        if (!l->profile)
                return -ENOMEM;
        if (dest && strcmp(dest, "none") == 0) {
                l->dest = IPF_LOG_DEST_NONE;
        } else if (!dest || strcmp(dest, "-") == 0) {
                l->dest = IPF_LOG_DEST_STDERR;
        } else if (strcmp(dest, "syslog") == 0) {
                l->dest = IPF_LOG_DEST_SYSLOG;
                openlog("ipcfence", LOG_PID, LOG_USER);
        } else {
                l->dest = IPF_LOG_DEST_FILE;
                fd = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
                if (fd < 0 || !(l->f = fdopen(fd, "ae"))) {
                        int err = errno;

                        if (fd >= 0)
                                close(fd);
                        free(l->profile);
                        return -err;
                }
                /* One line per write: a reader never sees half a decision. */
                setvbuf(l->f, NULL, _IOLBF, 0);
        }
        *ret = TAKE_PTR(l);
        return 0;
}

struct ipf_decision_log *ipf_decision_log_free(struct ipf_decision_log *l)
{
        if (!l)
                return NULL;
        if (l->f)
                fclose(l->f);
        if (l->dest == IPF_LOG_DEST_SYSLOG)
                closelog();
        free(l->profile);
        free(l);
        return NULL;
}

bool ipf_decision_log_wants(const struct ipf_decision_log *l, bool allow)
{
        return l && l->dest != IPF_LOG_DEST_NONE && (!allow || l->all);
}

/* /proc/PID/comm, the name the program gave itself (untrusted text). */
static void read_comm(pid_t pid, char *buf, size_t n)
{
        char path[64];
        _cleanup_close_ int fd = -1;
        ssize_t len;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        len = fd < 0 ? -1 : read(fd, buf, n - 1);
        if (len <= 0)
                len = 0;
        buf[len] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
}

static const char *verdict(const struct ipf_decision *d)
{
        return d->allow && !d->permissive ? "allow" : "deny";
}

static void write_json(struct ipf_decision_log *l, const struct ipf_decision *d, const char *comm)
{
        struct timespec ts;
        struct tm tm;
        char when[64];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(l->f, "{\"time\":\"%s.%06ldZ\",\"pid\":%d,\"comm\":", when, ts.tv_nsec / 1000,
                (int)d->pid);
        ipf_json_write_string(l->f, comm);
        fputs(",\"profile\":", l->f);
        ipf_json_write_string(l->f, l->profile);
        fputs(",\"kind\":", l->f);
        ipf_json_write_string(l->f, d->kind);
        fputs(",\"endpoint\":", l->f);
        ipf_json_write_string(l->f, d->endpoint);
        fprintf(l->f, ",\"verdict\":\"%s\",\"layer\":", verdict(d));
        ipf_json_write_string(l->f, d->layer);
        fprintf(l->f, "%s}\n", d->permissive ? ",\"permissive\":true" : "");
}

void ipf_decision_log_write(struct ipf_decision_log *l, const struct ipf_decision *d)
{
        char comm[32], line[PATH_MAX + 256];

        if (!ipf_decision_log_wants(l, d->allow && !d->permissive))
                return;
        read_comm(d->pid, comm, sizeof(comm));
        if (l->dest == IPF_LOG_DEST_FILE) {
                write_json(l, d, comm);
                return;
        }
        /* Untrusted strings are quoted and cut, one line each. */
        snprintf(line, sizeof(line), "%s%s %s '%.*s' (pid %d '%s', %s)", verdict(d),
                 d->permissive ? " (permissive: allowed)" : "", d->kind, PATH_MAX,
                 d->endpoint ? d->endpoint : "", (int)d->pid, comm, d->layer);
        for (char *s = line; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        *s = '?';
        if (l->dest == IPF_LOG_DEST_SYSLOG)
                syslog(d->allow && !d->permissive ? LOG_INFO : LOG_NOTICE, "%s", line);
        else
                fprintf(stderr, "ipcfence: %s\n", line);
}
