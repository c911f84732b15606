/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stream-client — the client of the throughput benchmark, built and run by
 * tests/bench/bench.sh, unconfined and under ipcfence.
 *
 *   stream-client [-r] [-m MIB] [-c CHUNK_KIB] [-w WARMUP_MIB] PATH
 *
 * Connects once to the unix stream socket PATH (an accept-server -s), and
 * sends it batches: an 8-byte length, then that many bytes in CHUNK_KIB
 * writes; the server reads and discards them and answers one byte, so a
 * batch's time covers every byte read by the server. A first batch of
 * WARMUP_MIB is not timed; then one batch of MIB is, with CLOCK_MONOTONIC
 * from the length's write to the answer's read:
 *   mib_per_s=1234.5
 * With -r (driven by tests/bench/rounds): one timed batch and one such line
 * for every byte read from stdin, until EOF. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
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

/* One batch of TOTAL bytes, acknowledged by the server; its rate printed
 * unless QUIET. */
static int batch(int fd, const char *buf, size_t chunk, uint64_t total, bool quiet)
{
        double t0, t1;
        ssize_t n;
        char c;

        t0 = now_s();
        if (write_all(fd, (const char *)&total, sizeof(total), sizeof(total)) < 0 ||
            write_all(fd, buf, chunk, total) < 0)
                return -1;
        do
                n = read(fd, &c, 1);
        while (n < 0 && errno == EINTR);
        t1 = now_s();
        if (n != 1) {
                fprintf(stderr, "stream-client: no acknowledgement from the server (%s)\n",
                        n == 0 ? "EOF" : strerror(errno));
                return -1;
        }
        if (quiet)
                return 0;
        printf("mib_per_s=%.1f\n", (double)total / (1024.0 * 1024.0) / (t1 - t0));
        return fflush(stdout) == 0 ? 0 : -1;
}

int main(int argc, char *argv[])
{
        unsigned long mib = 256, chunk_kib = 64, warmup_mib = 16;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        bool rounds = false;
        size_t chunk;
        char *buf, c;
        int opt, fd;

        while ((opt = getopt(argc, argv, "rm:c:w:")) != -1) {
                switch (opt) {
                case 'r':
                        rounds = true;
                        break;
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
        if (warmup_mib && batch(fd, buf, chunk, (uint64_t)warmup_mib << 20, true) < 0)
                return 1;
        if (!rounds)
                return batch(fd, buf, chunk, (uint64_t)mib << 20, false) < 0 ? 1 : 0;
        while (read(STDIN_FILENO, &c, 1) == 1)
                if (batch(fd, buf, chunk, (uint64_t)mib << 20, false) < 0)
                        return 1;
        close(fd);
        return 0;

usage:
        fprintf(stderr, "usage: stream-client [-r] [-m MIB] [-c CHUNK_KIB] [-w WARMUP_MIB] PATH\n");
        return 2;
}
