/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "supervise/decision-log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
 * that cannot be written at once is dropped.
 *
 * A line waits until the call it is about has been answered, and lines of
 * allowed calls (level "all") are gathered: written within FLUSH_AFTER_MS,
 * or when PENDING is full. A write per allowed call (and the caller's
 * name read afresh) made a brokered connect 1.47x as slow here, where SPEC
 * §7 wants logging not to slow the allowed path measurably (make bench:
 * about 1.13x now, 1.00x at the default level). A timer signal (no
 * SA_RESTART) wakes the loop, blocked in the broker's receive, to write
 * what waits. */
#define FLUSH_AFTER_MS 100

/* /proc/TID/comm of the threads that called last, kept open: one pread(2)
 * per line rather than an open, a read and a close. Bound to its task,
 * such a file reads the name after an exec too, and fails (ESRCH) once the
 * thread is gone, whoever has its number now. */
#define COMM_FILES 8

struct comm_file {
        pid_t pid;
        int fd;
};

struct ipf_decision_log {
        enum ipf_log_dest dest;
        bool all;
        char *profile;
        int fd; /* FILE, STDERR: our own non-blocking open file, or -1 */
        bool fd_is_socket; /* stderr is a socket: sent with MSG_DONTWAIT */
        bool fd_tried; /* STDERR: opened on the first line */
        bool cut_short; /* the last write ended inside a line */
        struct comm_file comm[COMM_FILES];
        size_t n_comm;
        size_t next_comm; /* the slot to reuse once all are taken */
        /* FILE: each JSON line is made in LINE_BUF through LINE, both
         * ours for the log's life, and the date of the last one kept. */
        FILE *line;
        char *line_buf;
        time_t date_sec;
        char date[32];
        /* FILE, STDERR: lines not written yet, since FIRST_MS (monotonic);
         * URGENT once one is a denial. */
        char *pending;
        size_t pending_len;
        long first_ms;
        bool urgent;
        bool timer_set;
        bool timer_failed;
        timer_t timer;
        struct sigaction saved_action;
};

/* Room for the longest line: every field escaped at worst (\u00XX for
 * each byte of a PATH_MAX endpoint), and more. */
#define LINE_BUF_SIZE (8 * PATH_MAX)
#define PENDING_SIZE (2 * LINE_BUF_SIZE)

static void on_flush_timer(int sig)
{
        (void)sig; /* only to interrupt the broker's receive */
}

/* The timer that bounds how long lines wait, made with the first line:
 * in the supervisor's loop, after the sandbox's start (the program gets
 * ipcfence's own signal mask). false: lines are written at once. */
static bool timer_ready(struct ipf_decision_log *l)
{
        struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
        struct sigaction sa = {.sa_handler = on_flush_timer};
        sigset_t sig;

        if (l->timer_set || l->timer_failed)
                return l->timer_set;
        sigemptyset(&sig);
        sigaddset(&sig, SIGRTMIN);
        l->timer_failed = true;
        if (sigaction(SIGRTMIN, &sa, &l->saved_action) < 0)
                return false;
        if (timer_create(CLOCK_MONOTONIC, &ev, &l->timer) < 0 ||
            sigprocmask(SIG_UNBLOCK, &sig, NULL) < 0) {
                (void)sigaction(SIGRTMIN, &l->saved_action, NULL);
                return false;
        }
        l->timer_failed = false;
        l->timer_set = true;
        return true;
}

static int open_file(struct ipf_decision_log *l, const char *path)
{
        l->line_buf = malloc(LINE_BUF_SIZE);
        l->line = l->line_buf ? fmemopen(l->line_buf, LINE_BUF_SIZE, "w") : NULL;
        if (!l->line)
                return -ENOMEM;
        l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
        return l->fd < 0 ? -errno : 0;
}

int ipf_decision_log_open(const char *dest, bool all, const char *profile,
                          struct ipf_decision_log **ret)
{
        struct ipf_decision_log *l = calloc(1, sizeof(*l));
        int r = 0;

        if (!l)
                return -ENOMEM;
        l->fd = -1;
        l->all = all;
        l->profile = strdup(profile ? profile : "");
        if (!l->profile) {
                r = -ENOMEM;
        } else if (dest && strcmp(dest, "none") == 0) {
                l->dest = IPF_LOG_DEST_NONE;
        } else if (!dest || strcmp(dest, "-") == 0) {
                l->dest = IPF_LOG_DEST_STDERR;
                l->pending = malloc(PENDING_SIZE);
                r = l->pending ? 0 : -ENOMEM;
        } else if (strcmp(dest, "syslog") == 0) {
                l->dest = IPF_LOG_DEST_SYSLOG;
                openlog("ipcfence", LOG_PID, LOG_USER);
        } else {
                l->dest = IPF_LOG_DEST_FILE;
                l->pending = malloc(PENDING_SIZE);
                r = l->pending ? open_file(l, dest) : -ENOMEM;
        }
        if (r < 0) {
                ipf_decision_log_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

struct ipf_decision_log *ipf_decision_log_free(struct ipf_decision_log *l)
{
        if (!l)
                return NULL;
        ipf_decision_log_flush(l);
        if (l->timer_set) {
                /* Deleted first: SIGRTMIN's own action would end us. */
                (void)timer_delete(l->timer);
                (void)sigaction(SIGRTMIN, &l->saved_action, NULL);
        }
        if (l->fd > STDERR_FILENO)
                close(l->fd);
        if (l->dest == IPF_LOG_DEST_SYSLOG)
                closelog();
        for (size_t i = 0; i < l->n_comm; i++)
                closep(&l->comm[i].fd);
        if (l->line)
                fclose(l->line);
        free(l->line_buf);
        free(l->pending);
        free(l->profile);
        free(l);
        return NULL;
}

bool ipf_decision_log_wants(const struct ipf_decision_log *l, bool allow)
{
        return l && l->dest != IPF_LOG_DEST_NONE && (!allow || l->all);
}

static int open_comm(pid_t pid)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        return open(path, O_RDONLY | O_CLOEXEC);
}

/* /proc/PID/comm, the name the program gave itself (untrusted text). */
static void read_comm(struct ipf_decision_log *l, pid_t pid, char *buf, size_t n)
{
        struct comm_file *c = NULL;
        ssize_t len = -1;

        for (size_t i = 0; i < l->n_comm && !c; i++)
                if (l->comm[i].pid == pid)
                        c = &l->comm[i];
        if (c)
                len = pread(c->fd, buf, n - 1, 0);
        if (len < 0) {
                /* New, or gone: PID names another thread now, if any. */
                if (!c && l->n_comm < COMM_FILES) {
                        c = &l->comm[l->n_comm++];
                        c->fd = -1;
                } else if (!c) {
                        c = &l->comm[l->next_comm++ % COMM_FILES];
                }
                closep(&c->fd);
                c->pid = pid;
                c->fd = open_comm(pid);
                len = c->fd < 0 ? -1 : pread(c->fd, buf, n - 1, 0);
        }
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
        ssize_t w;

        if (l->dest == IPF_LOG_DEST_STDERR && !l->fd_tried)
                open_stderr(l);
        if (l->fd < 0)
                return;
        if (l->fd_is_socket) {
                (void)send(l->fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL);
                return;
        }
        /* A line cut short (a full disk) ends where the next one starts:
         * that one begins on a line of its own (red team 7 #2). */
        if (l->cut_short && write(l->fd, "\n", 1) == 1)
                l->cut_short = false;
        w = write(l->fd, line, n); /* EAGAIN: dropped */
        if (w > 0 && (size_t)w < n)
                l->cut_short = true;
}

static long monotonic_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void queue(struct ipf_decision_log *l, const char *line, size_t n, bool allow)
{
        if (n > PENDING_SIZE - l->pending_len)
                ipf_decision_log_flush(l);
        if (n > PENDING_SIZE) {
                emit(l, line, n);
                return;
        }
        if (l->pending_len == 0) {
                /* Again and again until they are written: one that fires
                 * between our check and the receive is spent (red team 7
                 * #3); ipf_decision_log_flush() stops it. */
                struct itimerspec due = {.it_value.tv_nsec = FLUSH_AFTER_MS * 1000000L,
                                         .it_interval.tv_nsec = FLUSH_AFTER_MS * 1000000L};

                l->first_ms = monotonic_ms();
                if (!timer_ready(l) || timer_settime(l->timer, 0, &due, NULL) < 0)
                        allow = false; /* nothing would wake us: at once */
        }
        memcpy(l->pending + l->pending_len, line, n);
        l->pending_len += n;
        l->urgent |= !allow;
}

void ipf_decision_log_flush(struct ipf_decision_log *l)
{
        static const struct itimerspec off;

        if (!l->pending_len)
                return;
        /* A file takes them all in one write; a pipe or a terminal one line
         * per write, so that each is whole or not at all. */
        if (l->dest == IPF_LOG_DEST_FILE) {
                emit(l, l->pending, l->pending_len);
        } else {
                for (size_t i = 0, n; i < l->pending_len; i += n) {
                        const char *nl = memchr(l->pending + i, '\n', l->pending_len - i);

                        n = nl ? (size_t)(nl - (l->pending + i)) + 1 : l->pending_len - i;
                        emit(l, l->pending + i, n);
                }
        }
        if (l->timer_set)
                (void)timer_settime(l->timer, 0, &off, NULL);
        l->pending_len = 0;
        l->urgent = false;
}

void ipf_decision_log_flush_due(struct ipf_decision_log *l)
{
        if (l && l->pending_len && (l->urgent || monotonic_ms() - l->first_ms >= FLUSH_AFTER_MS))
                ipf_decision_log_flush(l);
}

static void write_json(struct ipf_decision_log *l, const struct ipf_decision *d, const char *comm)
{
        FILE *f = l->line;
        struct timespec ts;
        long n;

        clock_gettime(CLOCK_REALTIME, &ts);
        if (ts.tv_sec != l->date_sec || !l->date[0]) {
                struct tm tm;

                gmtime_r(&ts.tv_sec, &tm);
                strftime(l->date, sizeof(l->date), "%Y-%m-%dT%H:%M:%S", &tm);
                l->date_sec = ts.tv_sec;
        }
        rewind(f);
        clearerr(f);
        fprintf(f, "{\"time\":\"%s.%06ldZ\",\"pid\":%d,\"comm\":", l->date, ts.tv_nsec / 1000,
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
        n = fflush(f) == 0 && !ferror(f) ? ftell(f) : -1;
        /* A line cut short is no JSON: none rather than half of one. */
        if (n > 0 && n < LINE_BUF_SIZE && l->line_buf[n - 1] == '\n')
                queue(l, l->line_buf, (size_t)n, d->allow && !d->permissive);
}

void ipf_decision_log_write(struct ipf_decision_log *l, const struct ipf_decision *d)
{
        char comm[32], line[PATH_MAX + 256];

        if (!ipf_decision_log_wants(l, d->allow && !d->permissive))
                return;
        read_comm(l, d->pid, comm, sizeof(comm));
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

                queue(l, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1,
                      d->allow && !d->permissive);
        }
}
