/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stream-client — the client of the throughput benchmark, built and run by
 * tests/bench/bench.sh, unconfined and under ipcfence.
 *
 *   stream-client [-m MIB] [-c CHUNK_KIB] [-w WARMUP_MIB] PATH
 *
 * Connects once to the unix stream socket PATH (an accept-server -s, which
 * reads to EOF and discards), writes WARMUP_MIB untimed, then MIB in
 * CHUNK_KIB writes, shuts its side down and waits for the server's EOF, so
 * that the time covers every byte read by the server. Prints
 *   mib_per_s=1234.5
 * measured with CLOCK_MONOTONIC from the first timed write to that EOF. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *buf, size_t chunk, size_t total)
{
        while (total > 0) {
                size_t want = total < chunk ? total : chunk;
                ssize_t n = write(fd, buf, want);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "stream-client: write: %m\n");
                        return -1;
                }
                total -= (size_t)n;
        }
        return 0;
}

int main(int argc, char *argv[])
{
        unsigned long mib = 256, chunk_kib = 64, warmup_mib = 16;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t chunk;
        char *buf, c;
        double t0, t1;
        ssize_t n;
        int opt, fd;

        while ((opt = getopt(argc, argv, "m:c:w:")) != -1) {
                switch (opt) {
                case 'm':
                        mib = strtoul(optarg, NULL, 10);
                        break;
                case 'c':
                        chunk_kib = strtoul(optarg, NULL, 10);
                        break;
                case 'w':
                        warmup_mib = strtoul(optarg, NULL, 10);
                        break;
                default:
                        goto usage;
                }
        }
        if (optind + 1 != argc || mib == 0 || chunk_kib == 0 ||
            strlen(argv[optind]) >= sizeof(sa.sun_path))
                goto usage;
        memcpy(sa.sun_path, argv[optind], strlen(argv[optind]) + 1);
        signal(SIGPIPE, SIG_IGN);

        chunk = chunk_kib * 1024;
        buf = malloc(chunk);
        if (!buf) {
                fprintf(stderr, "stream-client: out of memory\n");
                return 1;
        }
        memset(buf, 'x', chunk);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                fprintf(stderr, "stream-client: cannot connect to %s: %m\n", sa.sun_path);
                return 1;
        }
        if (write_all(fd, buf, chunk, warmup_mib << 20) < 0)
                return 1;
        t0 = now_s();
        if (write_all(fd, buf, chunk, mib << 20) < 0)
                return 1;
        if (shutdown(fd, SHUT_WR) < 0) {
                fprintf(stderr, "stream-client: shutdown: %m\n");
                return 1;
        }
        do
                n = read(fd, &c, 1);
        while (n < 0 && errno == EINTR);
        t1 = now_s();
        if (n != 0) {
                fprintf(stderr, "stream-client: expected EOF from the server, got %zd (%m)\n", n);
                return 1;
        }
        close(fd);
        printf("mib_per_s=%.1f\n", (double)mib / (t1 - t0));
        return fflush(stdout) == 0 ? 0 : 1;

usage:
        fprintf(stderr, "usage: stream-client [-m MIB] [-c CHUNK_KIB] [-w WARMUP_MIB] PATH\n");
        return 2;
}
