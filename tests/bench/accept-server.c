/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accept-server — the host's end of the connect and throughput benchmarks,
 * built and run by tests/bench/bench.sh.
 *
 *   accept-server [-s] [-p PIDFILE] -P PID PATH
 *
 * Listens on the unix stream socket PATH and, for each connection, either
 * closes it at once (default: the connect benchmark) or, with -s ("sink",
 * the throughput benchmark), serves batches until EOF, each connection in
 * a thread of its own (the benchmark's clients stay connected side by
 * side): reads an 8-byte length, reads and discards that many bytes,
 * answers one byte (so that the client's time covers every byte read
 * here).
 *
 * The socket is bound and listening under a temporary name first and then
 * renamed to PATH (a unix socket is found by its inode), so PATH existing
 * means "ready"; PIDFILE, if given, holds the server's pid by then. The
 * server exits, removing PATH, when process PID (the
 * benchmark's shell) ends, or on SIGTERM/SIGINT: it never outlives the
 * benchmark, whatever killed that. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

/* Larger than any backlog the benchmark builds up (a few thousand): the
 * kernel caps it at net.core.somaxconn. */
#define BACKLOG 8192
#define SINK_BUF (256 * 1024)

static const char *sock_path;
static int watch_pidfd = -1;

static void on_signal(int sig)
{
        (void)unlink(sock_path);
        _exit(0);
}

/* Exit, removing the socket, once the watched process is gone. */
static void *watch(void *arg)
{
        struct pollfd pfd = {.fd = watch_pidfd, .events = POLLIN};

        while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
                ;
        (void)unlink(sock_path);
        _exit(0);
        return NULL;
}

/* Read exactly LEN bytes (into BUF, SINK_BUF at a time); 0, or -1 at EOF
 * or on an error. */
static int read_exactly(int fd, char *buf, uint64_t len)
{
        while (len > 0) {
                ssize_t n = read(fd, buf, len < SINK_BUF ? (size_t)len : SINK_BUF);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                len -= (uint64_t)n;
        }
        return 0;
}

static void *sink(void *arg)
{
        int fd = (int)(intptr_t)arg;
        char *buf = malloc(SINK_BUF);
        uint64_t len;

        while (buf && read_exactly(fd, buf, sizeof(len)) == 0) {
                memcpy(&len, buf, sizeof(len));
                if (read_exactly(fd, buf, len) < 0 || write(fd, "k", 1) != 1)
                        break;
        }
        free(buf);
        close(fd);
        return NULL;
}

int main(int argc, char *argv[])
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct sigaction act = {.sa_handler = on_signal};
        char tmp[sizeof(sa.sun_path)];
        bool sink_mode = false;
        const char *pidfile = NULL;
        long watch_pid = 0;
        FILE *f;
        pthread_attr_t detached;
        pthread_t thread;
        int opt, lfd;

        while ((opt = getopt(argc, argv, "sp:P:")) != -1) {
                switch (opt) {
                case 's':
                        sink_mode = true;
                        break;
                case 'p':
                        pidfile = optarg;
                        break;
                case 'P':
                        watch_pid = strtol(optarg, NULL, 10);
                        break;
                default:
                        fprintf(stderr, "usage: accept-server [-s] [-p PIDFILE] -P PID PATH\n");
                        return 2;
                }
        }
        if (optind + 1 != argc || watch_pid <= 0) {
                fprintf(stderr, "usage: accept-server [-s] [-p PIDFILE] -P PID PATH\n");
                return 2;
        }
        sock_path = argv[optind];
        if (strlen(sock_path) + 5 >= sizeof(sa.sun_path)) {
                fprintf(stderr, "accept-server: path too long for a unix socket: %s\n", sock_path);
                return 1;
        }
        snprintf(tmp, sizeof(tmp), "%s.new", sock_path);
        memcpy(sa.sun_path, tmp, strlen(tmp) + 1);

        /* Background jobs of a non-interactive shell start with SIGINT
         * ignored: install handlers explicitly. */
        sigaction(SIGTERM, &act, NULL);
        sigaction(SIGINT, &act, NULL);
        signal(SIGPIPE, SIG_IGN);

        watch_pidfd = (int)syscall(__NR_pidfd_open, (pid_t)watch_pid, 0);
        if (watch_pidfd < 0) {
                fprintf(stderr, "accept-server: pidfd_open(%ld): %m\n", watch_pid);
                return 1;
        }
        pthread_attr_init(&detached);
        pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0) {
                fprintf(stderr, "accept-server: socket: %m\n");
                return 1;
        }
        (void)unlink(tmp);
        (void)unlink(sock_path);
        if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, BACKLOG) < 0) {
                fprintf(stderr, "accept-server: cannot listen on %s: %m\n", tmp);
                return 1;
        }
        if (pthread_create(&thread, NULL, watch, NULL) != 0) {
                fprintf(stderr, "accept-server: cannot start a thread\n");
                (void)unlink(tmp);
                return 1;
        }
        if (pidfile) {
                f = fopen(pidfile, "we");
                if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
                        fprintf(stderr, "accept-server: cannot write %s: %m\n", pidfile);
                        (void)unlink(tmp);
                        return 1;
                }
        }
        if (rename(tmp, sock_path) < 0) {
                fprintf(stderr, "accept-server: cannot rename %s to %s: %m\n", tmp, sock_path);
                (void)unlink(tmp);
                return 1;
        }

        for (;;) {
                int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

                if (fd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        fprintf(stderr, "accept-server: accept: %m\n");
                        (void)unlink(sock_path);
                        return 1;
                }
                if (!sink_mode ||
                    pthread_create(&thread, &detached, sink, (void *)(intptr_t)fd) != 0)
                        close(fd); /* no thread: that client sees EOF and fails */
        }
}
