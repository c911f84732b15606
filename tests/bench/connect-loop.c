/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* connect-loop — the client of the connect benchmark, built and run by
 * tests/bench/bench.sh, unconfined, under tests/bench/ref-broker and under
 * ipcfence.
 *
 *   connect-loop [-r] [-n N] [-w WARMUP] PATH
 *
 * Does WARMUP and then N times socket + connect + close on the unix stream
 * socket PATH (an accept-server that accepts and closes) and prints the
 * mean time of one such cycle of the N, measured with CLOCK_MONOTONIC
 * around the loop only:
 *   connect_ns=12345.6
 * With -r (driven by tests/bench/rounds), after the warm-up: one batch of
 * N and one such line for every byte read from stdin, until EOF.
 * Any failure is fatal (exit 1): a benchmark of a refused connect would
 * measure the wrong thing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int one(const struct sockaddr_un *sa, socklen_t len, unsigned long i)
{
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0) {
                fprintf(stderr, "connect-loop: socket (iteration %lu): %m\n", i);
                return -1;
        }
        if (connect(fd, (const struct sockaddr *)sa, len) < 0) {
                fprintf(stderr, "connect-loop: connect to %s (iteration %lu): %m\n", sa->sun_path,
                        i);
                close(fd);
                return -1;
        }
        close(fd);
        return 0;
}

/* N cycles; the mean time of one, printed. */
static int batch(const struct sockaddr_un *sa, socklen_t len, unsigned long n, unsigned long *done)
{
        double t0, t1;

        t0 = now_ns();
        for (unsigned long i = 0; i < n; i++)
                if (one(sa, len, (*done)++) < 0)
                        return -1;
        t1 = now_ns();
        printf("connect_ns=%.1f\n", (t1 - t0) / (double)n);
        return fflush(stdout) == 0 ? 0 : -1;
}

int main(int argc, char *argv[])
{
        unsigned long n = 2000, warmup = 100, done = 0;
        bool rounds = false;
        char c;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        socklen_t len;
        int opt;

        while ((opt = getopt(argc, argv, "rn:w:")) != -1) {
                switch (opt) {
                case 'r':
                        rounds = true;
                        break;
                case 'n':
                        n = strtoul(optarg, NULL, 10);
                        break;
                case 'w':
                        warmup = strtoul(optarg, NULL, 10);
                        break;
                default:
                        fprintf(stderr, "usage: connect-loop [-r] [-n N] [-w WARMUP] PATH\n");
                        return 2;
                }
        }
        if (optind + 1 != argc || n == 0 || strlen(argv[optind]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: connect-loop [-r] [-n N] [-w WARMUP] PATH\n");
                return 2;
        }
        memcpy(sa.sun_path, argv[optind], strlen(argv[optind]) + 1);
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);

        for (unsigned long i = 0; i < warmup; i++)
                if (one(&sa, len, done++) < 0)
                        return 1;
        if (!rounds)
                return batch(&sa, len, n, &done) < 0 ? 1 : 0;
        while (read(STDIN_FILENO, &c, 1) == 1)
                if (batch(&sa, len, n, &done) < 0)
                        return 1;
        return 0;
}
