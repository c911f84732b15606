/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Apply: executes a struct ipf_plan in the child, deciding nothing. */
#pragma once

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "compile/plan.h"
#include "ipcfence.h"

/* Steps of the child's set-up, in SPEC §2 order; a failure report names one. */
enum ipf_step {
        IPF_STEP_PARENT, /* the supervisor went away during set-up */
        IPF_STEP_FDS, /* closing inherited descriptors */
        IPF_STEP_USERNS, /* uid/gid maps */
        IPF_STEP_MOUNTS, /* mount view */
        IPF_STEP_NET, /* loopback up */
        IPF_STEP_NNP, /* no_new_privs */
        IPF_STEP_LANDLOCK,
        IPF_STEP_CAPS,
        IPF_STEP_SECCOMP,
        IPF_STEP_LISTENER, /* handing the notification listener over */
        IPF_STEP_EXEC, /* starting the program (posix_spawn) */
        _IPF_STEP_MAX,
};

/* Fixed-size record the child writes to the close-on-exec report pipe
 * before _exit() (STYLE §3). EOF on the pipe means exec succeeded. */
struct ipf_child_report {
        int32_t step;
        int32_t err; /* positive errno */
        char detail[240];
};

struct ipf_sandbox {
        pid_t init_pid; /* host pid of the sandbox's pid 1 */
        int report_fd; /* read end of the report pipe */
        int life_fd; /* write end of the life pipe: init sees POLLHUP if we die */
        int broker_fd; /* our end of the socketpair init sends the listener on */
};

const char *ipf_step_to_string(enum ipf_step s);
/* A hint to append to a user-namespace failure with errno ERR, or "". */
const char *ipf_sandbox_userns_hint(int err);
/* What init sends the supervisor once its filter is loaded. */
enum {
        IPF_SANDBOX_FD_LISTENER, /* seccomp notification listener */
        IPF_SANDBOX_FD_ROOT, /* O_PATH of the sandbox's "/" */
        IPF_SANDBOX_FD_NETNS, /* the sandbox's network namespace */
        IPF_SANDBOX_N_FDS,
};
#define IPF_SANDBOX_MAX_PRIVATE 16

/* Facts init measures in its own view right after building it, before any
 * program exists to tamper with paths, and sends along with the fds. */
struct ipf_sandbox_facts {
        uint32_t n_private;
        uint32_t reserved;
        /* st_dev of each fresh filesystem the sandbox mounted (tmpfs) */
        uint64_t private_devs[IPF_SANDBOX_MAX_PRIVATE];
};

/* Receive them on SOCK (close-on-exec): 0, or -errno (EOF: -ECONNRESET). */
int ipf_sandbox_recv_fds(int sock, int ret_fds[IPF_SANDBOX_N_FDS],
                         struct ipf_sandbox_facts *ret_facts);

/* Start the sandbox: clone the init process into the plan's namespaces; it
 * applies every layer and forks the program. Signals in FORWARD must be
 * blocked by the caller; ORIG_MASK is restored in the program. */
int ipf_sandbox_spawn(const struct ipf_plan *plan, char *const argv[],
                      const struct ipf_run_options *o, const sigset_t *forward,
                      const sigset_t *orig_mask, struct ipf_sandbox *ret);

/* Hand init the seccomp filter, when the plan it was started with had none
 * yet (ipf_plan_compile_early()): init waits for it before its seccomp
 * step, so that the compile runs while init builds the sandbox. */
int ipf_sandbox_send_filter(const struct ipf_sandbox *sb, const struct ipf_seccomp_plan *s);

/* Per-layer apply functions, run in the child. Each returns -errno and may
 * write what failed into DETAIL. */
int ipf_apply_userns(uid_t uid, gid_t gid, char *detail, size_t n);
/* Returns 1 when the working directory is hidden by the view and the
 * process moved to '/' (its old path in DETAIL). */
/* FACTS gets the device of every fresh filesystem actually mounted; nothing
 * is created anywhere else (-EXDEV). */
int ipf_apply_mounts(const struct ipf_mount_plan *m, struct ipf_sandbox_facts *facts, char *detail,
                     size_t n);
int ipf_apply_loopback(char *detail, size_t n);
int ipf_apply_landlock(const struct ipf_landlock_plan *l, char *detail, size_t n);
int ipf_apply_caps(char *detail, size_t n);
/* *RET_LISTENER: the notification listener, or -1 without broker rules. */
int ipf_apply_seccomp(const struct ipf_seccomp_plan *s, int *ret_listener, char *detail, size_t n);

/* The sandbox's pid 1: reaps, forwards signals to PROGRAM, exits with the
 * program's status (128+N for signal N). Never returns. */
/* Without a PID namespace of its own (OWN_PIDNS false), init must be a
 * child subreaper and have IPF_INIT_SUPERVISOR_GONE blocked and as its
 * parent-death signal. */
#define IPF_INIT_SUPERVISOR_GONE (SIGRTMIN + 1)
/* Kill and reap every child until none is left; orphans of the killed ones
 * become ours (a child subreaper) and go in a later round. */
void ipf_kill_descendants(void);
_Noreturn void ipf_init_run(pid_t program, const sigset_t *forward, bool forward_tty_signals,
                            bool own_pidns);
