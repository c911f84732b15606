/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* syscall-loop — tight loops of syscalls that the broker never sees (no
 * notification), built and run by tests/bench/bench.sh, unconfined and
 * under ipcfence, where the seccomp filter runs on each of them.
 *
 *   syscall-loop [-R] [-g N] [-r N] [-i N]
 *
 * Runs N getppid() (default 2,000,000), N read(/dev/zero, 1 byte) and
 * N ioctl(FIONREAD) on a pipe (1,000,000 each), each loop after a short
 * untimed warm-up, and prints the mean time of one call of each loop,
 * measured with CLOCK_MONOTONIC around the loop:
 *   getppid_ns=71.2 read_ns=140.3 ioctl_ns=88.0
 * With -R (driven by tests/bench/rounds): the three loops and one such
 * line for every byte read from stdin, until EOF.
 * getppid and read pass ipcfence's filter without running it (the kernel's
 * per-filter action cache allows them by number); ioctl is matched on its
 * request (TIOCSTI, TIOCLINUX), so the BPF program runs on every call. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* syscall() directly: no libc may ever answer getppid from a cache. */
static int loop_getppid(unsigned long n)
{
        for (unsigned long i = 0; i < n; i++)
                if (syscall(SYS_getppid) <= 0)
                        return -1;
        return 0;
}

static int loop_read(int fd, unsigned long n)
{
        char c;

        for (unsigned long i = 0; i < n; i++)
                if (read(fd, &c, 1) != 1)
                        return -1;
        return 0;
}

static int loop_ioctl(int fd, unsigned long n)
{
        int avail;

        for (unsigned long i = 0; i < n; i++)
                if (ioctl(fd, FIONREAD, &avail) < 0)
                        return -1;
        return 0;
}

static unsigned long n_getppid = 2000000, n_read = 1000000, n_ioctl = 1000000;

static int batch(int zero, int pipe_rd)
{
        double t0, t1, t2, t3;

        t0 = now_ns();
        if (loop_getppid(n_getppid) < 0)
                goto failed;
        t1 = now_ns();
        if (loop_read(zero, n_read) < 0)
                goto failed;
        t2 = now_ns();
        if (loop_ioctl(pipe_rd, n_ioctl) < 0)
                goto failed;
        t3 = now_ns();
        printf("getppid_ns=%.2f read_ns=%.2f ioctl_ns=%.2f\n", (t1 - t0) / (double)n_getppid,
               (t2 - t1) / (double)n_read, (t3 - t2) / (double)n_ioctl);
        return fflush(stdout) == 0 ? 0 : -1;

failed:
        fprintf(stderr, "syscall-loop: a timed call failed: %m\n");
        return -1;
}

int main(int argc, char *argv[])
{
        int opt, zero, pipefd[2];
        bool rounds = false;
        char c;

        while ((opt = getopt(argc, argv, "Rg:r:i:")) != -1) {
                switch (opt) {
                case 'R':
                        rounds = true;
                        break;
                case 'g':
                        n_getppid = strtoul(optarg, NULL, 10);
                        break;
                case 'r':
                        n_read = strtoul(optarg, NULL, 10);
                        break;
                case 'i':
                        n_ioctl = strtoul(optarg, NULL, 10);
                        break;
                default:
                        fprintf(stderr, "usage: syscall-loop [-R] [-g N] [-r N] [-i N]\n");
                        return 2;
                }
        }
        if (optind != argc || !n_getppid || !n_read || !n_ioctl) {
                fprintf(stderr, "usage: syscall-loop [-R] [-g N] [-r N] [-i N]\n");
                return 2;
        }
        zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        if (zero < 0) {
                fprintf(stderr, "syscall-loop: cannot open /dev/zero: %m\n");
                return 1;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                fprintf(stderr, "syscall-loop: pipe: %m\n");
                return 1;
        }
        /* Warm-up: page in the code, settle the frequency governor. */
        if (loop_getppid(n_getppid / 20) < 0 || loop_read(zero, n_read / 20) < 0 ||
            loop_ioctl(pipefd[0], n_ioctl / 20) < 0) {
                fprintf(stderr, "syscall-loop: a warm-up call failed: %m\n");
                return 1;
        }
        if (!rounds)
                return batch(zero, pipefd[0]) < 0 ? 1 : 0;
        while (read(STDIN_FILENO, &c, 1) == 1)
                if (batch(zero, pipefd[0]) < 0)
                        return 1;
        return 0;
}
