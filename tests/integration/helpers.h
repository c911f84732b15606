/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration test helpers: run ipcfence (and the probe) with captured
 * output and a timeout, and set up real host-side endpoints — listeners that
 * record from the host side whether anything arrived, SysV/POSIX objects,
 * FIFOs, a pty, a victim process — all released by itest_fini() even when an
 * assertion aborts the test.
 *
 * Environment (set by tests/run-tests.sh): IPCFENCE (absolute path of the
 * binary), IPF_PROBE (the probe, which must live outside /tmp, /run, ... to
 * be visible inside the sandbox), IPCFENCE_PROFILE_PATH, HOME,
 * XDG_RUNTIME_DIR, IPCFENCE_TEST_STRICT. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/types.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#define ITEST_TIMEOUT_MS 20000

/* Every suite uses these as .init/.fini. */
void itest_init(void);
void itest_fini(void);

#define ITEST_SUITE(name) TestSuite(name, .init = itest_init, .fini = itest_fini, .timeout = 60)

/* Skip for a missing precondition, with the reason; a failure when
 * IPCFENCE_TEST_STRICT=1. */
#define itest_skip(...)                                                                         \
        do {                                                                                    \
                if (itest_strict())                                                             \
                        cr_assert_fail(                                                         \
                                "precondition missing (IPCFENCE_TEST_STRICT=1): " __VA_ARGS__); \
                cr_log_warn("SKIP: " __VA_ARGS__);                                              \
                cr_skip_test(__VA_ARGS__);                                                      \
        } while (0)

bool itest_strict(void);
const char *itest_ipcfence(void);
const char *itest_probe(void);
/* Absolute path of an executable found on $PATH, or NULL. */
const char *itest_which(const char *name);

struct itest_result {
        int status; /* exit code; 128+N if killed by signal N; -1 on timeout */
        char *out; /* NUL-terminated, never NULL */
        char *err;
};

struct itest_opts {
        const char *const *env; /* extra "KEY=VALUE" entries, NULL-terminated */
        int stdin_fd; /* 0: /dev/null */
        size_t n_fds; /* inherit fds[i][0] as fds[i][1] (not close-on-exec) */
        int fds[4][2];
        int timeout_ms; /* 0: ITEST_TIMEOUT_MS */
};

struct itest_proc {
        pid_t pid;
        int out_fd, err_fd;
        char *out, *err;
        size_t out_len, err_len, out_size, err_size;
        int timeout_ms;
};

/* Synchronous: ARGV[0] is a path or a name looked up on $PATH. */
void itest_run(struct itest_result *r, const struct itest_opts *o, char *const argv[]);
void itest_runl(struct itest_result *r, const struct itest_opts *o, const char *arg0, ...)
        __attribute__((sentinel));

/* Asynchronous: start, wait for NEEDLE on stdout, then finish. */
void itest_spawn(struct itest_proc *p, const struct itest_opts *o, char *const argv[]);
void itest_spawnl(struct itest_proc *p, const struct itest_opts *o, const char *arg0, ...)
        __attribute__((sentinel));
bool itest_proc_wait_output(struct itest_proc *p, const char *needle, int timeout_ms);
/* Write a line feed to W, the process's stdin (a pipe), and assert that
 * its stdout then holds WANT (all of it so far) within ITEST_TIMEOUT_MS. */
void itest_proc_poke(struct itest_proc *p, int w, const char *want);
void itest_proc_finish(struct itest_proc *p, struct itest_result *r, int timeout_ms);

/* ipcfence ARGS... */
#define IPF(r, ...) itest_runl((r), NULL, itest_ipcfence(), __VA_ARGS__, (char *)NULL)
/* ipcfence -- probe ARGS... (the default profile) */
#define IN(r, ...) \
        itest_runl((r), NULL, itest_ipcfence(), "--", itest_probe(), __VA_ARGS__, (char *)NULL)
/* probe ARGS... on the host, without ipcfence */
#define HOST(r, ...) itest_runl((r), NULL, itest_probe(), __VA_ARGS__, (char *)NULL)

/* First line of R's stdout (static buffer), "" if none. */
const char *itest_line(const struct itest_result *r);
/* "status=N stdout='...' stderr='...'" for assertion messages (static). */
const char *itest_show(const struct itest_result *r);

/* The probe printed a failure and did not succeed: exit 1 with a line other
 * than "ok", or killed by SIGSYS (a seccomp kill action). */
bool itest_denied(const struct itest_result *r);

/* Run the probe op on the host in a plain user+net+mount namespace (no
 * filter: the control) and inside ipcfence: inside must be denied, and
 * where the control's answer differs from "inside", it proves the sandbox
 * (not the kernel) made the difference. NULL-terminated. */
void itest_assert_filtered(const char *op, ...) __attribute__((sentinel));

/* Temporary directories, removed by itest_fini(). */
const char *itest_tmpdir(void); /* under /tmp */
const char *itest_dir_under(const char *base);
const char *itest_xdg_dir(void); /* under $XDG_RUNTIME_DIR (skips if unset) */
const char *itest_visible_dir(void); /* under $HOME, visible inside the sandbox (or skips) */
/* Write TEXT to DIR/NAME, return the path (static per call: copy it). */
char *itest_write_file(const char *dir, const char *name, const char *text);
/* A unique token for argv/paths. */
const char *itest_unique(const char *prefix);

/* Host-side listeners in this process: they only count what arrives. */
struct itest_listener {
        int fd;
        int type; /* SOCK_STREAM or SOCK_DGRAM */
        char path[PATH_MAX]; /* unix path, or abstract name without '@' */
        char host[64]; /* inet */
        char port[16];
};
void itest_listen_unix(struct itest_listener *l, const char *dir, int type);
void itest_listen_abstract(struct itest_listener *l, int type);
void itest_listen_inet(struct itest_listener *l, const char *host, int type);
/* Number of connections (stream) or datagrams that arrived since the last
 * call; accepts/reads them. */
int itest_listener_seen(struct itest_listener *l);

/* SysV objects, created with a fresh key. */
int itest_sysv_shm(key_t *ret_key);
bool itest_sysv_shm_touched(int id); /* attached at least once */
int itest_sysv_msg(key_t *ret_key);
unsigned long itest_sysv_msg_count(int id);
int itest_sysv_sem(key_t *ret_key);

/* POSIX objects; NAME gets "/ipf-itest-...". */
void itest_mq(char name[64]);
long itest_mq_count(const char *name);
void itest_posix_shm(char name[64]);
long itest_posix_shm_size(const char *name);

/* A FIFO at DIR/fifo with a host reader: returns the reader fd. */
int itest_fifo(const char *dir, char path[PATH_MAX]);
/* Bytes written into the FIFO so far (reads them). */
int itest_fifo_read(int reader);

/* A pty: *ret_slave for the child's stdin, *ret_reader a second raw slave fd
 * to see what was injected into the input queue. */
void itest_pty(int *ret_slave, int *ret_reader);
int itest_pty_pending(int reader);

/* A host process (sleep) to signal/ptrace; alive = not exited. */
pid_t itest_victim(void);
const char *itest_pidstr(pid_t p); /* "1234", freed at the end of the test */
int itest_tracer_of(pid_t p); /* its TracerPid */
bool itest_alive(pid_t pid);

/* Number of processes (other than this one) whose argv contains MARKER. */
int itest_count_procs(const char *marker);
/* Poll until itest_count_procs(MARKER) == WANT or TIMEOUT_MS passes. */
bool itest_wait_procs(const char *marker, int want, int timeout_ms);

/* Command line of "ipcfence -- probe" with a pty as stdin. */
void itest_run_with_stdin(struct itest_result *r, int fd, bool in_sandbox, const char *op);

/* ---- listen rules, host POSIX queues, network host, signal host */

/* A TCP port that is free on HOST now (bound to port 0, then released),
 * as a string (static per call: copy it). */
const char *itest_free_port(const char *host);
/* A listener on HOST:PORT (PORT "0": any). */
void itest_listen_inet_port(struct itest_listener *l, const char *host, const char *port, int type);
/* Connect from the host to a unix stream socket (PATH, or "@NAME" for an
 * abstract name) or to TCP HOST:PORT and read one byte (up to 5 s): 0 if
 * the connection was made and the byte arrived, else -errno (ECONNREFUSED,
 * ENOENT, ...; ETIMEDOUT if no byte came). */
int itest_connect_unix(const char *name);
int itest_connect_tcp(const char *host, const char *port);
/* A fresh POSIX queue name that does not exist yet, unlinked by fini. */
void itest_mq_name(char name[64]);
/* Whether the host has a POSIX queue NAME. */
bool itest_mq_exists(const char *name);
/* The permission bits of the host's POSIX queue NAME. */
unsigned itest_mq_mode(const char *name);
/* SIGKILL (by pid) every process whose argv contains MARKER, a unique token
 * of the calling test; returns how many. */
int itest_kill_procs(const char *marker);
