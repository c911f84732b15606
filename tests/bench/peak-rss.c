/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* peak-rss — the peak resident set of one process, for the RSS benchmark
 * of tests/bench/bench.sh.
 *
 *   peak-rss [-i MICROSECONDS] COMMAND [ARG...]
 *
 * Starts COMMAND (stdin and stdout on /dev/null) and reads VmHWM from
 * /proc/PID/status of that process — not of its children — every
 * MICROSECONDS (default 1000) until it exits, keeping the largest value.
 * VmHWM only grows, and an exited process has none left to read, so the
 * last read before the exit is the answer up to the last interval.
 * Prints
 *   vmhwm_kib=1900
 * and exits 0 if COMMAND exited 0 and was read at least once, 1 otherwise. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* VmHWM of PID in KiB, or -1 (gone, or a zombie without a memory map). */
static long vmhwm_kib(pid_t pid)
{
        char path[64], buf[4096];
        ssize_t n;
        const char *p;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        p = strstr(buf, "\nVmHWM:");
        return p ? strtol(p + 7, NULL, 10) : -1;
}

int main(int argc, char *argv[])
{
        posix_spawn_file_actions_t fa;
        struct timespec interval = {0, 1000 * 1000};
        long peak = -1, v;
        int opt, status, r;
        pid_t pid;

        while ((opt = getopt(argc, argv, "+i:")) != -1) {
                switch (opt) {
                case 'i':
                        interval.tv_nsec = strtol(optarg, NULL, 10) * 1000;
                        if (interval.tv_nsec <= 0 || interval.tv_nsec >= 1000000000)
                                goto usage;
                        break;
                default:
                        goto usage;
                }
        }
        if (optind >= argc || argv[optind][0] != '/')
                goto usage;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        r = posix_spawn(&pid, argv[optind], &fa, NULL, argv + optind, environ);
        if (r != 0) {
                fprintf(stderr, "peak-rss: cannot start %s: %s\n", argv[optind], strerror(r));
                return 1;
        }
        for (;;) {
                v = vmhwm_kib(pid);
                if (v > peak)
                        peak = v;
                r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        break;
                if (r < 0 && errno != EINTR) {
                        fprintf(stderr, "peak-rss: waitpid: %m\n");
                        return 1;
                }
                nanosleep(&interval, NULL);
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "peak-rss: %s ended with wait status 0x%x\n", argv[optind],
                        (unsigned)status);
                return 1;
        }
        if (peak < 0) {
                fprintf(stderr, "peak-rss: could not read VmHWM of %s\n", argv[optind]);
                return 1;
        }
        printf("vmhwm_kib=%ld\n", peak);
        return fflush(stdout) == 0 ? 0 : 1;

usage:
        fprintf(stderr, "usage: peak-rss [-i MICROSECONDS] /PATH/COMMAND [ARG...]\n");
        return 2;
}
