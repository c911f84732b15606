/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rounds — paired, interleaved rounds of measurements, built and run by
 * tests/bench/bench.sh for the connect, throughput, syscalls and rss
 * benchmarks (launch has its own driver, launch.c).
 *
 *   rounds [-n ROUNDS] [-w WARMUP] [-s SEED] [-t SECONDS] [-l LABEL] [-o]
 *          [-r NAME=NUM/DEN:KEY]... -- VARIANT CMD [ARG...] [:: VARIANT CMD [ARG...]]...
 *
 * Each VARIANT is a command that measures itself and prints one line of
 * KEY=VALUE pairs (e.g. "connect_ns=20345.1") per measurement.
 *
 * By default the variants are long-lived: all of them are started once
 * (stdin and stdout on pipes, stderr inherited), and every round sends
 * each one byte on its stdin, in an order shuffled per round, and reads
 * one result line back; a variant does one batch per byte and exits 0 at
 * EOF. The batches of one round run within milliseconds of each other, so
 * the per-round ratios hold while the machine's speed drifts, and no
 * variant pays a launch per measurement. With -o each variant is instead
 * started anew every round (stdin on /dev/null), and its result is what it
 * printed before exiting 0.
 *
 * Ratios are computed per round (NUM's KEY over DEN's KEY in the same
 * round) and summarised by their median, p10 and p90; each KEY's values are
 * summarised per variant too. Absolute values are for orientation only.
 * The last lines are machine-readable:
 *   value VARIANT KEY median=... p10=... p90=...
 *   ratio NAME median=... p10=... p90=...
 * Exit status 1 if a variant fails: it exits non-zero, prints no or a
 * malformed line, or takes longer than the timeout for one measurement. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shuffle.h"

extern char **environ;

#define MAX_VARIANTS 8
#define MAX_SERIES 32
#define MAX_RATIOS 16
#define MAX_ROUNDS 100000
#define LINE_MAX_LEN 1024

struct variant {
        const char *name;
        char **argv;
        pid_t pid;
        int in_fd; /* persistent: our end of its stdin */
        int out_fd; /* its stdout */
        char buf[LINE_MAX_LEN];
        size_t buf_len;
};

struct series {
        int variant;
        char key[48];
        double *v;
        size_t n;
};

struct ratio {
        const char *name;
        int num, den;
        const char *key;
};

static struct variant variants[MAX_VARIANTS];
static size_t n_variants;
static struct series series[MAX_SERIES];
static size_t n_series;
static struct ratio ratios[MAX_RATIOS];
static size_t n_ratios;
static unsigned long rounds = 30, warmup = 2, timeout_s = 60;
static bool oneshot;
static int null_fd = -1;

static void usage(FILE *f)
{
        fprintf(f, "usage: rounds [-n ROUNDS] [-w WARMUP] [-s SEED] [-t SECONDS] [-l LABEL] [-o]\n"
                   "              [-r NAME=NUM/DEN:KEY]... -- VARIANT CMD [ARG...] "
                   "[:: VARIANT CMD [ARG...]]...\n");
}

static double now_s(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int find_variant(const char *name, size_t len)
{
        for (size_t i = 0; i < n_variants; i++)
                if (strlen(variants[i].name) == len && strncmp(variants[i].name, name, len) == 0)
                        return (int)i;
        return -1;
}

static void kill_all(void)
{
        for (size_t i = 0; i < n_variants; i++) {
                if (variants[i].pid > 0) {
                        (void)kill(variants[i].pid, SIGKILL);
                        (void)waitpid(variants[i].pid, NULL, 0);
                        variants[i].pid = 0;
                }
        }
}

static void fail(void)
{
        kill_all();
        exit(EXIT_FAILURE);
}

/* Wait up to the timeout for V to exit; 0 if it exited 0. */
static int reap(struct variant *v)
{
        double deadline = now_s() + (double)timeout_s;
        struct timespec ms = {0, 1000 * 1000};
        int status;

        for (;;) {
                pid_t r = waitpid(v->pid, &status, WNOHANG);

                if (r == v->pid)
                        break;
                if (r < 0 && errno != EINTR) {
                        fprintf(stderr, "rounds: waitpid: %m\n");
                        return -1;
                }
                if (now_s() > deadline) {
                        fprintf(stderr, "rounds: %s did not exit within %lu s\n", v->name,
                                timeout_s);
                        return -1;
                }
                nanosleep(&ms, NULL);
        }
        v->pid = 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                fprintf(stderr, "rounds: %s exited with status %d\n", v->name, WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                fprintf(stderr, "rounds: %s was killed by signal %d (%s)\n", v->name,
                        WTERMSIG(status), strsignal(WTERMSIG(status)));
        return -1;
}

static int start(struct variant *v)
{
        posix_spawn_file_actions_t fa;
        int in[2] = {-1, -1}, out[2];
        int r;

        if (pipe2(out, O_CLOEXEC) < 0 || (!oneshot && pipe2(in, O_CLOEXEC) < 0)) {
                fprintf(stderr, "rounds: pipe: %m\n");
                return -1;
        }
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, oneshot ? null_fd : in[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
        r = posix_spawn(&v->pid, v->argv[0], &fa, NULL, v->argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        if (!oneshot)
                close(in[0]);
        if (r != 0) {
                fprintf(stderr, "rounds: cannot start %s ('%s'): %s\n", v->name, v->argv[0],
                        strerror(r));
                v->pid = 0;
                return -1;
        }
        v->in_fd = in[1];
        v->out_fd = out[0];
        v->buf_len = 0;
        return 0;
}

/* Read from V's stdout until a newline (persistent) or EOF (one-shot);
 * the text, without the newline, in V->buf. */
static int read_result(struct variant *v)
{
        double deadline = now_s() + (double)timeout_s;

        v->buf_len = 0;
        for (;;) {
                struct pollfd pfd = {.fd = v->out_fd, .events = POLLIN};
                int left = (int)((deadline - now_s()) * 1000);
                ssize_t n;

                if (left <= 0) {
                        fprintf(stderr, "rounds: no result from %s within %lu s\n", v->name,
                                timeout_s);
                        return -1;
                }
                n = poll(&pfd, 1, left);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        continue; /* timeout: checked above */
                if (v->buf_len + 1 >= sizeof(v->buf)) {
                        fprintf(stderr, "rounds: result of %s too long\n", v->name);
                        return -1;
                }
                n = read(v->out_fd, v->buf + v->buf_len, sizeof(v->buf) - 1 - v->buf_len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        fprintf(stderr, "rounds: reading from %s: %m\n", v->name);
                        return -1;
                }
                if (n == 0) {
                        if (oneshot)
                                break;
                        fprintf(stderr, "rounds: %s closed its output early\n", v->name);
                        return -1;
                }
                v->buf_len += (size_t)n;
                v->buf[v->buf_len] = '\0';
                if (!oneshot && memchr(v->buf, '\n', v->buf_len)) {
                        if (v->buf[v->buf_len - 1] != '\n') {
                                fprintf(stderr, "rounds: %s wrote more than one line\n", v->name);
                                return -1;
                        }
                        break;
                }
        }
        v->buf[v->buf_len] = '\0';
        return 0;
}

static struct series *get_series(int variant, const char *key, size_t key_len)
{
        for (size_t i = 0; i < n_series; i++)
                if (series[i].variant == variant && strlen(series[i].key) == key_len &&
                    strncmp(series[i].key, key, key_len) == 0)
                        return &series[i];
        if (n_series == MAX_SERIES || key_len >= sizeof(series[0].key))
                return NULL;
        series[n_series].variant = variant;
        memcpy(series[n_series].key, key, key_len);
        series[n_series].key[key_len] = '\0';
        series[n_series].v = calloc(rounds, sizeof(double));
        if (!series[n_series].v)
                return NULL;
        return &series[n_series++];
}

/* Record every KEY=VALUE of V's result for measured round R (0-based). */
static int record(int vi, size_t r)
{
        struct variant *v = &variants[vi];
        char *p = v->buf;
        size_t found = 0;

        for (;;) {
                size_t klen;
                char *eq, *end;
                struct series *s;
                double val;

                p += strspn(p, " \t\n");
                if (!*p)
                        break;
                eq = strchr(p, '=');
                klen = eq ? (size_t)(eq - p) : 0;
                if (!eq || klen == 0 || memchr(p, ' ', klen) || memchr(p, '\n', klen))
                        goto malformed;
                errno = 0;
                val = strtod(eq + 1, &end);
                if (errno || end == eq + 1 || !(val > 0) || (*end && !strchr(" \t\n", *end)))
                        goto malformed;
                s = get_series(vi, p, klen);
                if (!s) {
                        fprintf(stderr, "rounds: too many keys\n");
                        return -1;
                }
                if (s->n != r)
                        goto malformed; /* a key missing in an earlier round, or twice */
                s->v[s->n++] = val;
                found++;
                p = end;
        }
        if (found == 0)
                goto malformed;
        /* Every key seen before must be in this round too. */
        for (size_t i = 0; i < n_series; i++)
                if (series[i].variant == vi && series[i].n != r + 1)
                        goto malformed;
        return 0;

malformed:
        fprintf(stderr, "rounds: malformed or inconsistent result from %s: '%s'\n", v->name,
                v->buf);
        return -1;
}

static int measure(int vi)
{
        struct variant *v = &variants[vi];

        if (oneshot) {
                int r;

                if (start(v) < 0)
                        return -1;
                r = read_result(v);
                close(v->out_fd);
                v->out_fd = -1;
                if (reap(v) < 0 || r < 0)
                        return -1;
                return 0;
        }
        if (write(v->in_fd, "g", 1) != 1) {
                fprintf(stderr, "rounds: cannot ask %s for a measurement: %m\n", v->name);
                return -1;
        }
        return read_result(v);
}

static int compare_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

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

static struct summary summarize(const double *v, size_t n)
{
        double *s = malloc(n * sizeof(double));
        struct summary r;

        if (!s) {
                fprintf(stderr, "rounds: out of memory\n");
                exit(EXIT_FAILURE);
        }
        memcpy(s, v, n * sizeof(double));
        qsort(s, n, sizeof(double), compare_double);
        r = (struct summary){quantile(s, n, 0.5), quantile(s, n, 0.1), quantile(s, n, 0.9)};
        free(s);
        return r;
}

static struct series *lookup(int variant, const char *key)
{
        for (size_t i = 0; i < n_series; i++)
                if (series[i].variant == variant && strcmp(series[i].key, key) == 0)
                        return &series[i];
        return NULL;
}

static int print_results(void)
{
        struct summary vs[MAX_SERIES], rs[MAX_RATIOS];
        double *per_round = calloc(rounds, sizeof(double));

        if (!per_round) {
                fprintf(stderr, "rounds: out of memory\n");
                return -1;
        }
        for (size_t i = 0; i < n_series; i++)
                vs[i] = summarize(series[i].v, rounds);
        for (size_t k = 0; k < n_ratios; k++) {
                struct series *a = lookup(ratios[k].num, ratios[k].key);
                struct series *b = lookup(ratios[k].den, ratios[k].key);

                if (!a || !b) {
                        fprintf(stderr, "rounds: ratio %s: no key '%s' in %s or %s\n",
                                ratios[k].name, ratios[k].key, variants[ratios[k].num].name,
                                variants[ratios[k].den].name);
                        return -1;
                }
                for (size_t i = 0; i < rounds; i++)
                        per_round[i] = a->v[i] / b->v[i];
                rs[k] = summarize(per_round, rounds);
        }
        free(per_round);

        printf("\n%-12s %-14s %12s %12s %12s\n", "variant", "key", "median", "p10", "p90");
        for (size_t v = 0; v < n_variants; v++)
                for (size_t i = 0; i < n_series; i++)
                        if (series[i].variant == (int)v)
                                printf("%-12s %-14s %12.2f %12.2f %12.2f\n", variants[v].name,
                                       series[i].key, vs[i].median, vs[i].p10, vs[i].p90);
        if (n_ratios) {
                printf("\n%-24s %-14s %8s %8s %8s   (of the %lu per-round ratios)\n", "ratio",
                       "key", "median", "p10", "p90", rounds);
                for (size_t k = 0; k < n_ratios; k++)
                        printf("%-24s %-14s %8.3f %8.3f %8.3f\n", ratios[k].name, ratios[k].key,
                               rs[k].median, rs[k].p10, rs[k].p90);
        }
        printf("\n");
        for (size_t v = 0; v < n_variants; v++)
                for (size_t i = 0; i < n_series; i++)
                        if (series[i].variant == (int)v)
                                printf("value %s %s median=%.3f p10=%.3f p90=%.3f\n",
                                       variants[v].name, series[i].key, vs[i].median, vs[i].p10,
                                       vs[i].p90);
        for (size_t k = 0; k < n_ratios; k++)
                printf("ratio %s median=%.4f p10=%.4f p90=%.4f\n", ratios[k].name, rs[k].median,
                       rs[k].p10, rs[k].p90);
        return 0;
}

static int parse_ratio(const char *spec)
{
        const char *eq = strchr(spec, '='), *slash, *colon;
        struct ratio *r = &ratios[n_ratios];

        if (n_ratios == MAX_RATIOS || !eq)
                return -1;
        slash = strchr(eq + 1, '/');
        colon = slash ? strchr(slash + 1, ':') : NULL;
        if (!slash || !colon || colon[1] == '\0')
                return -1;
        r->name = strndup(spec, (size_t)(eq - spec));
        r->num = find_variant(eq + 1, (size_t)(slash - eq - 1));
        r->den = find_variant(slash + 1, (size_t)(colon - slash - 1));
        r->key = colon + 1;
        if (!r->name || r->num < 0 || r->den < 0)
                return -1;
        n_ratios++;
        return 0;
}

int main(int argc, char *argv[])
{
        const char *label = NULL, *ratio_specs[MAX_RATIOS];
        size_t n_specs = 0;
        uint64_t seed = 0, state;
        bool have_seed = false;
        int opt;

        while ((opt = getopt(argc, argv, "+hn:w:s:t:l:or:")) != -1) {
                switch (opt) {
                case 'n':
                        rounds = strtoul(optarg, NULL, 10);
                        break;
                case 'w':
                        warmup = strtoul(optarg, NULL, 10);
                        break;
                case 's':
                        seed = strtoull(optarg, NULL, 10);
                        have_seed = true;
                        break;
                case 't':
                        timeout_s = strtoul(optarg, NULL, 10);
                        break;
                case 'l':
                        label = optarg;
                        break;
                case 'o':
                        oneshot = true;
                        break;
                case 'r':
                        if (n_specs == MAX_RATIOS) {
                                fprintf(stderr, "rounds: too many ratios\n");
                                return 2;
                        }
                        ratio_specs[n_specs++] = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (rounds == 0 || rounds > MAX_ROUNDS || warmup > MAX_ROUNDS || timeout_s == 0) {
                fprintf(stderr, "rounds: invalid -n, -w or -t\n");
                return 2;
        }
        /* VARIANT CMD [ARG...] groups, separated by "::". */
        for (int i = optind; i < argc;) {
                int j = i + 1;

                if (n_variants == MAX_VARIANTS) {
                        fprintf(stderr, "rounds: too many variants\n");
                        return 2;
                }
                while (j < argc && strcmp(argv[j], "::") != 0)
                        j++;
                if (j - i < 2 || argv[i + 1][0] != '/') {
                        fprintf(stderr, "rounds: each variant needs a name and an absolute "
                                        "command path\n");
                        return 2;
                }
                variants[n_variants].name = argv[i];
                variants[n_variants].argv = argv + i + 1;
                variants[n_variants].in_fd = variants[n_variants].out_fd = -1;
                argv[j < argc ? j : argc] = NULL; /* ends this variant's argv */
                n_variants++;
                i = j + 1;
        }
        if (n_variants == 0) {
                usage(stderr);
                return 2;
        }
        for (size_t k = 0; k < n_specs; k++)
                if (parse_ratio(ratio_specs[k]) < 0) {
                        fprintf(stderr,
                                "rounds: invalid ratio '%s' (NAME=NUM/DEN:KEY, "
                                "NUM and DEN variants)\n",
                                ratio_specs[k]);
                        return 2;
                }

        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0) {
                fprintf(stderr, "rounds: /dev/null: %m\n");
                return 1;
        }
        signal(SIGPIPE, SIG_IGN);
        if (!have_seed)
                seed = (uint64_t)(now_s() * 1e6) ^ ((uint64_t)getpid() << 32);
        state = seed;

        printf("rounds: %s%s%lu rounds after %lu warm-up rounds, %s, order shuffled per round "
               "(seed %" PRIu64 "), uid %u\n",
               label ? label : "", label ? ": " : "", rounds, warmup,
               oneshot ? "a fresh process per measurement" : "long-lived variants", seed,
               (unsigned)getuid());
        for (size_t i = 0; i < n_variants; i++) {
                printf("  %-11s", variants[i].name);
                for (char **a = variants[i].argv; *a; a++)
                        printf(strchr(*a, ' ') ? " '%s'" : " %s", *a);
                printf("\n");
        }
        fflush(stdout);

        if (!oneshot)
                for (size_t i = 0; i < n_variants; i++)
                        if (start(&variants[i]) < 0)
                                fail();

        for (unsigned long i = 0; i < warmup + rounds; i++) {
                int order[MAX_VARIANTS];
                bool measured = i >= warmup;

                for (size_t k = 0; k < n_variants; k++)
                        order[k] = (int)k;
                shuffle(order, n_variants, &state);
                for (size_t k = 0; k < n_variants; k++) {
                        if (measure(order[k]) < 0 ||
                            (measured && record(order[k], i - warmup) < 0)) {
                                fprintf(stderr, "rounds: failed in %s round %lu\n",
                                        measured ? "measured" : "warm-up",
                                        measured ? i - warmup + 1 : i + 1);
                                fail();
                        }
                }
        }

        /* Long-lived variants end at EOF on their stdin, and must exit 0. */
        if (!oneshot) {
                for (size_t i = 0; i < n_variants; i++) {
                        close(variants[i].in_fd);
                        variants[i].in_fd = -1;
                }
                for (size_t i = 0; i < n_variants; i++)
                        if (reap(&variants[i]) < 0)
                                fail();
        }
        if (print_results() < 0)
                return EXIT_FAILURE;
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "rounds: cannot write the results: %m\n");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
