/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "supervise/decision-log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/json.h"

/* Lines are written whole, with one call, and never wait: the program may
 * share the destination (our stderr is its stderr) and could stop it (a
 * tty with TCOOFF, a full pipe) to freeze us (red team round 5 #3). A line
 * that cannot be written at once is dropped. */
struct ipf_decision_log {
        enum ipf_log_dest dest;
        bool all;
        char *profile;
        int fd; /* FILE, STDERR: our own non-blocking open file, or -1 */
        bool fd_is_socket; /* stderr is a socket: sent with MSG_DONTWAIT */
        bool fd_tried; /* STDERR: opened on the first line */
};

int ipf_decision_log_open(const char *dest, bool all, const char *profile,
                          struct ipf_decision_log **ret)
{
        _cleanup_free_ struct ipf_decision_log *l = calloc(1, sizeof(*l));

        if (!l)
                return -ENOMEM;
        l->fd = -1;
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
                l->fd = open(dest,
                             O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                             0600);
                if (l->fd < 0) {
                        int err = errno;

                        free(l->profile);
                        return -err;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

struct ipf_decision_log *ipf_decision_log_free(struct ipf_decision_log *l)
{
        if (!l)
                return NULL;
        if (l->fd > STDERR_FILENO)
                close(l->fd);
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

/* Our own open file on stderr, non-blocking (a socket cannot be reopened:
 * then stderr itself, with MSG_DONTWAIT). */
static void open_stderr(struct ipf_decision_log *l)
{
        struct stat st;

        l->fd_tried = true;
        l->fd = open("/proc/self/fd/2", O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (l->fd < 0 && fstat(STDERR_FILENO, &st) == 0 && S_ISSOCK(st.st_mode)) {
                l->fd = STDERR_FILENO;
                l->fd_is_socket = true;
        }
}

static void emit(struct ipf_decision_log *l, const char *line, size_t n)
{
        if (l->dest == IPF_LOG_DEST_STDERR && !l->fd_tried)
                open_stderr(l);
        if (l->fd < 0)
                return;
        if (l->fd_is_socket)
                (void)send(l->fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        else
                (void)!write(l->fd, line, n); /* EAGAIN: dropped */
}

static void write_json(struct ipf_decision_log *l, const struct ipf_decision *d, const char *comm)
{
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        struct timespec ts;
        struct tm tm;
        char when[64];
        FILE *f = open_memstream(&buf, &n);

        if (!f)
                return;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(f, "{\"time\":\"%s.%06ldZ\",\"pid\":%d,\"comm\":", when, ts.tv_nsec / 1000,
                (int)d->pid);
        ipf_json_write_string(f, comm);
        fputs(",\"profile\":", f);
        ipf_json_write_string(f, l->profile);
        fputs(",\"kind\":", f);
        ipf_json_write_string(f, d->kind);
        fputs(",\"endpoint\":", f);
        ipf_json_write_string(f, d->endpoint);
        fprintf(f, ",\"verdict\":\"%s\",\"layer\":", verdict(d));
        ipf_json_write_string(f, d->layer);
        fprintf(f, "%s}\n", d->permissive ? ",\"permissive\":true" : "");
        if (fclose(f) == 0)
                emit(l, buf, n);
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
        else {
                char out[sizeof(line) + 16];
                int n = snprintf(out, sizeof(out), "ipcfence: %s\n", line);

                emit(l, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
        }
}
