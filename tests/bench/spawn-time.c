/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn-time — times one launch of a command, built and run by
 * tests/bench/bench.sh (the dbus benchmark's launch cost, under
 * tests/bench/rounds).
 *
 *   spawn-time [-r] CMD [ARG...]
 *
 * posix_spawn()s CMD (stdout on /dev/null, stderr inherited), waits for it
 * and prints the time from the spawn to the end of waitpid():
 *   launch_ns=1234567.0
 * With -r: one launch and one such line per byte read from stdin, until
 * EOF. A command that does not exit 0 is fatal (exit 1). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int launch(char *const argv[])
{
        posix_spawn_file_actions_t fa;
        double t0;
        pid_t pid;
        int st, r;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        t0 = now_ns();
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0) {
                fprintf(stderr, "spawn-time: %s: %s\n", argv[0], strerror(r));
                return -1;
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "spawn-time: %s did not exit 0 (status 0x%x)\n", argv[0], st);
                return -1;
        }
        printf("launch_ns=%.1f\n", now_ns() - t0);
        return fflush(stdout) == 0 ? 0 : -1;
}

int main(int argc, char *argv[])
{
        bool rounds = argc > 1 && strcmp(argv[1], "-r") == 0;
        char c;

        if (argc < 2 + rounds) {
                fprintf(stderr, "usage: spawn-time [-r] CMD [ARG...]\n");
                return 2;
        }
        argv += 1 + rounds;
        if (!rounds)
                return launch(argv) < 0 ? 1 : 0;
        while (read(STDIN_FILENO, &c, 1) == 1)
                if (launch(argv) < 0)
                        return 1;
        return 0;
}
