/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch — paired, interleaved launch-latency benchmark, built and run by
 * tests/bench/bench.sh.
 *
 * Every round launches three commands once each, in a fresh random order:
 *   true      /bin/true
 *   ipcfence  IPCFENCE -- true
 *   bwrap     bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc true
 * and times posix_spawn() up to the end of waitpid() with CLOCK_MONOTONIC.
 *
 * The benchmark machines are noisy: absolute times drift by tens of percent
 * within one run. The three launches of a round happen within milliseconds
 * of each other, so the ratios are computed per round and summarised by
 * their median; that number is stable where the absolute times are not.
 * Absolute times are printed for orientation only and must never be compared
 * across runs. The order changes every round so that no command always pays
 * (or profits from) its predecessor's cache and scheduler effects.
 *
 * Any launch that does not exit 0, or that takes longer than the timeout,
 * fails the benchmark (exit 1) after printing that command's stderr. */

/* Built alone by bench.sh, not through the Makefile's CPPFLAGS. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shuffle.h"

extern char **environ;

enum {
        CMD_TRUE,
        CMD_IPCFENCE,
        CMD_BWRAP,
        N_CMDS,
};

#define MAX_ROUNDS 1000000
#define STDERR_SHOWN 4096 /* bytes of a failed command's stderr we print */

struct command {
        const char *name;
        char **argv;
        int err_fd; /* memfd that collects the command's stderr */
        posix_spawn_file_actions_t actions;
        double *ms; /* one sample per measured round */
};

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
        timed_out = 1;
}

static void usage(FILE *f)
{
        fprintf(f, "usage: launch [-n ROUNDS] [-w WARMUP] [-s SEED] [-t SECONDS] [-b BWRAP]\n"
                   "              [-l LABEL] IPCFENCE\n"
                   "  -n ROUNDS   measured rounds (default 200)\n"
                   "  -w WARMUP   unmeasured warm-up rounds first (default 5)\n"
                   "  -s SEED     seed of the per-round order shuffle (default: from the clock)\n"
                   "  -t SECONDS  a launch running longer fails the benchmark (default 30)\n"
                   "  -b BWRAP    absolute path of bwrap (default /usr/bin/bwrap)\n"
                   "  -l LABEL    label printed in the header (e.g. the user it runs as)\n");
}

static int bad_argument(int opt, const char *arg)
{
        fprintf(stderr, "launch: invalid argument to -%c: '%s'\n", opt, arg);
        return 2;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
        char *end = NULL;
        unsigned long v;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 0);
        if (errno != 0 || *end != '\0' || v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

static double now_ms(void)
{
        struct timespec ts;

        /* CLOCK_MONOTONIC cannot fail with a valid clock id and pointer. */
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int command_init(struct command *c, const char *name, char **argv, int null_fd)
{
        int r;

        c->name = name;
        c->argv = argv;
        c->ms = NULL;
        c->err_fd = memfd_create(name, MFD_CLOEXEC);
        if (c->err_fd < 0)
                return -errno;
        /* stdin and stdout on /dev/null, stderr kept for the failure report.
         * The sources are close-on-exec, so the command inherits fds 0-2 only. */
        r = posix_spawn_file_actions_init(&c->actions);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&c->actions, null_fd, STDIN_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&c->actions, null_fd, STDOUT_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&c->actions, c->err_fd, STDERR_FILENO);
        return -r;
}

static void show_stderr(const struct command *c)
{
        char buf[STDERR_SHOWN + 1];
        ssize_t n = pread(c->err_fd, buf, STDERR_SHOWN, 0);

        if (n <= 0) {
                fprintf(stderr, "launch: (%s wrote nothing to stderr)\n", c->name);
                return;
        }
        buf[n] = '\0';
        fprintf(stderr, "launch: stderr of %s:\n%s%s", c->name, buf,
                buf[n - 1] == '\n' ? "" : "\n");
}

static void describe_status(int status, char *buf, size_t size)
{
        if (WIFEXITED(status))
                snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                snprintf(buf, size, "was killed by signal %d (%s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
        else
                snprintf(buf, size, "ended with wait status 0x%x", (unsigned)status);
}

/* Launch C once and wait for it. Returns 0 and the elapsed time when it
 * exited 0; otherwise reports why on stderr and returns -1. */
static int run_once(struct command *c, unsigned timeout, double *ret_ms)
{
        char what[128];
        double t0, t1;
        int status = 0, r;
        pid_t pid;

        /* Empty the stderr collector (outside the timed section). */
        if (ftruncate(c->err_fd, 0) < 0 || lseek(c->err_fd, 0, SEEK_SET) < 0) {
                fprintf(stderr, "launch: cannot reset stderr buffer: %m\n");
                return -1;
        }
        timed_out = 0;
        alarm(timeout);

        t0 = now_ms();
        r = posix_spawn(&pid, c->argv[0], &c->actions, NULL, c->argv, environ);
        if (r != 0) {
                alarm(0);
                fprintf(stderr, "launch: cannot start %s ('%s'): %s\n", c->name, c->argv[0],
                        strerror(r));
                return -1;
        }
        for (;;) {
                if (waitpid(pid, &status, 0) == pid)
                        break;
                if (errno != EINTR) {
                        alarm(0);
                        fprintf(stderr, "launch: waitpid: %m\n");
                        return -1;
                }
                if (timed_out) {
                        /* The sandboxes die with their launcher (PDEATHSIG). */
                        (void)kill(pid, SIGKILL);
                        (void)waitpid(pid, &status, 0);
                        fprintf(stderr, "launch: %s did not finish within %u s\n", c->name,
                                timeout);
                        show_stderr(c);
                        return -1;
                }
        }
        t1 = now_ms();
        alarm(0);

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                describe_status(status, what, sizeof(what));
                fprintf(stderr, "launch: %s %s; the benchmark needs exit status 0\n", c->name,
                        what);
                show_stderr(c);
                return -1;
        }
        *ret_ms = t1 - t0;
        return 0;
}

static int compare_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/* Q-quantile of sorted[0..n) by linear interpolation between closest ranks. */
static double quantile(const double *sorted, size_t n, double q)
{
        double pos = q * (double)(n - 1);
        size_t i = (size_t)pos;

        if (i + 1 >= n)
                return sorted[n - 1];
        return sorted[i] + (pos - (double)i) * (sorted[i + 1] - sorted[i]);
}

struct summary {
        double median, p10, p90;
};

/* Sorts V in place. */
static struct summary summarize(double *v, size_t n)
{
        qsort(v, n, sizeof(double), compare_double);
        return (struct summary){
                .median = quantile(v, n, 0.5),
                .p10 = quantile(v, n, 0.1),
                .p90 = quantile(v, n, 0.9),
        };
}

static void print_results(struct command *cmds, size_t rounds)
{
        static const struct {
                const char *name;
                int num, den;
        } ratios[] = {
                {"ipcfence/bwrap", CMD_IPCFENCE, CMD_BWRAP},
                {"ipcfence/true", CMD_IPCFENCE, CMD_TRUE},
        };
        struct summary t[N_CMDS], q[sizeof(ratios) / sizeof(ratios[0])];
        double *per_round = calloc(rounds, sizeof(double));
        double *sorted = calloc(rounds, sizeof(double));

        if (!per_round || !sorted) {
                fprintf(stderr, "launch: out of memory\n");
                exit(EXIT_FAILURE);
        }
        /* Ratios first: they need the samples in round order. */
        for (size_t k = 0; k < sizeof(ratios) / sizeof(ratios[0]); k++) {
                for (size_t i = 0; i < rounds; i++)
                        per_round[i] = cmds[ratios[k].num].ms[i] / cmds[ratios[k].den].ms[i];
                q[k] = summarize(per_round, rounds);
        }
        for (int c = 0; c < N_CMDS; c++) {
                memcpy(sorted, cmds[c].ms, rounds * sizeof(double));
                t[c] = summarize(sorted, rounds);
        }

        printf("\n%-10s %10s %10s %10s   (ms per launch, spawn to reap)\n", "command", "median",
               "p10", "p90");
        for (int c = 0; c < N_CMDS; c++)
                printf("%-10s %10.3f %10.3f %10.3f\n", cmds[c].name, t[c].median, t[c].p10,
                       t[c].p90);
        printf("\n%-16s %8s %8s %8s   (of the %zu per-round ratios)\n", "ratio", "median", "p10",
               "p90", rounds);
        for (size_t k = 0; k < sizeof(ratios) / sizeof(ratios[0]); k++)
                printf("%-16s %8.3f %8.3f %8.3f\n", ratios[k].name, q[k].median, q[k].p10,
                       q[k].p90);

        /* Machine-readable lines, one per measurement. */
        printf("\n");
        for (int c = 0; c < N_CMDS; c++)
                printf("time %s median_ms=%.3f p10_ms=%.3f p90_ms=%.3f\n", cmds[c].name,
                       t[c].median, t[c].p10, t[c].p90);
        for (size_t k = 0; k < sizeof(ratios) / sizeof(ratios[0]); k++)
                printf("ratio %s median=%.3f p10=%.3f p90=%.3f\n", ratios[k].name, q[k].median,
                       q[k].p10, q[k].p90);
        free(per_round);
        free(sorted);
}

int main(int argc, char *argv[])
{
        unsigned long rounds = 200, warmup = 5, timeout = 30, v;
        const char *bwrap = "/usr/bin/bwrap", *label = NULL;
        uint64_t seed = 0, state;
        bool have_seed = false;
        struct command cmds[N_CMDS];
        struct sigaction sa = {.sa_handler = on_alarm};
        int opt, null_fd, r;

        while ((opt = getopt(argc, argv, "hn:w:s:t:b:l:")) != -1) {
                switch (opt) {
                case 'n':
                        if (parse_ulong(optarg, 1, MAX_ROUNDS, &rounds) < 0)
                                return bad_argument(opt, optarg);
                        break;
                case 'w':
                        if (parse_ulong(optarg, 0, MAX_ROUNDS, &warmup) < 0)
                                return bad_argument(opt, optarg);
                        break;
                case 's':
                        if (parse_ulong(optarg, 0, ULONG_MAX, &v) < 0)
                                return bad_argument(opt, optarg);
                        seed = v;
                        have_seed = true;
                        break;
                case 't':
                        if (parse_ulong(optarg, 1, 3600, &timeout) < 0)
                                return bad_argument(opt, optarg);
                        break;
                case 'b':
                        bwrap = optarg;
                        break;
                case 'l':
                        label = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind + 1 != argc) {
                usage(stderr);
                return 2;
        }
        if (argv[optind][0] != '/' || bwrap[0] != '/') {
                /* posix_spawn() does no PATH search: all three start alike. */
                fprintf(stderr, "launch: IPCFENCE and BWRAP must be absolute paths\n");
                return 2;
        }

        char *argv_true[] = {"/bin/true", NULL};
        char *argv_ipcfence[] = {argv[optind], "--", "true", NULL};
        char *argv_bwrap[] = {(char *)bwrap,
                              "--unshare-all",
                              "--die-with-parent",
                              "--ro-bind",
                              "/",
                              "/",
                              "--dev",
                              "/dev",
                              "--proc",
                              "/proc",
                              "true",
                              NULL};

        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0) {
                fprintf(stderr, "launch: cannot open /dev/null: %m\n");
                return EXIT_FAILURE;
        }
        r = command_init(&cmds[CMD_TRUE], "true", argv_true, null_fd);
        if (r >= 0)
                r = command_init(&cmds[CMD_IPCFENCE], "ipcfence", argv_ipcfence, null_fd);
        if (r >= 0)
                r = command_init(&cmds[CMD_BWRAP], "bwrap", argv_bwrap, null_fd);
        if (r < 0) {
                fprintf(stderr, "launch: cannot prepare the commands: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        for (int c = 0; c < N_CMDS; c++) {
                cmds[c].ms = calloc(rounds, sizeof(double));
                if (!cmds[c].ms) {
                        fprintf(stderr, "launch: out of memory\n");
                        return EXIT_FAILURE;
                }
        }
        /* No SA_RESTART: the alarm must interrupt waitpid(). */
        if (sigaction(SIGALRM, &sa, NULL) < 0) {
                fprintf(stderr, "launch: sigaction: %m\n");
                return EXIT_FAILURE;
        }
        if (!have_seed)
                seed = (uint64_t)(now_ms() * 1e3) ^ ((uint64_t)getpid() << 32);
        state = seed;

        printf("launch: %lu rounds after %lu warm-up rounds, order shuffled per round "
               "(seed %" PRIu64 "), uid %u%s%s\n",
               rounds, warmup, seed, (unsigned)getuid(), label ? ", " : "", label ? label : "");
        for (int c = 0; c < N_CMDS; c++) {
                printf("  %-9s", cmds[c].name);
                for (char **a = cmds[c].argv; *a; a++)
                        printf(" %s", *a);
                printf("\n");
        }
        fflush(stdout);

        for (unsigned long i = 0; i < warmup + rounds; i++) {
                int order[N_CMDS] = {CMD_TRUE, CMD_IPCFENCE, CMD_BWRAP};
                bool measured = i >= warmup;

                shuffle(order, N_CMDS, &state);
                for (int k = 0; k < N_CMDS; k++) {
                        struct command *c = &cmds[order[k]];
                        double ms;

                        if (run_once(c, (unsigned)timeout, &ms) < 0) {
                                fprintf(stderr, "launch: benchmark failed in %s round %lu\n",
                                        measured ? "measured" : "warm-up",
                                        measured ? i - warmup + 1 : i + 1);
                                return EXIT_FAILURE;
                        }
                        if (measured)
                                c->ms[i - warmup] = ms;
                }
        }

        print_results(cmds, rounds);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "launch: cannot write the results: %m\n");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
