/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* POSIX message queues, trapped when a profile has `mqueue open` rules. An
 * allowed queue is opened (or unlinked) here, in the host's IPC namespace,
 * which is ours, and the descriptor put in the program's table as the
 * call's result (ADDFD with SEND). Any other name:
 *  - with `sysv host`, the program shares the host's IPC namespace: EACCES;
 *  - otherwise the call is continued into the sandbox's own IPC namespace.
 *    That is not enforcement by the broker: whatever name the kernel reads
 *    then, it can only reach the sandbox's own queues. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervise/broker.h"
#include "util/cleanup.h"

/* A NUL-terminated string from the program's memory, read up to page
 * boundaries so that a name at the end of a mapping still reads. */
static int read_name(pid_t pid, uint64_t addr, char *buf, size_t size)
{
        size_t got = 0;

        while (got < size) {
                size_t chunk = 4096 - ((addr + got) & 4095);
                int r;

                if (chunk > size - got)
                        chunk = size - got;
                r = ipf_broker_read_memory(pid, addr + got, buf + got, chunk);
                if (r < 0)
                        return r;
                if (memchr(buf + got, '\0', chunk))
                        return 0;
                got += chunk;
        }
        return -ENAMETOOLONG;
}

static void continue_call(const struct ipf_broker *b, uint64_t id)
{
        struct seccomp_notif_resp resp = {.id = id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};

        (void)ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* Read the queue name of call REQ and decide: 1 allowed (do it here), 0
 * continue into the sandbox's namespace, -errno to answer. */
static int mq_decide(struct ipf_broker *b, const struct seccomp_notif *req, const char *verb,
                     char name[NAME_MAX + 1])
{
        pid_t pid = (pid_t)req->pid;
        int r = read_name(pid, req->data.args[0], name, NAME_MAX + 1);

        if (!ipf_broker_id_valid(b, req->id))
                return -ESRCH;
        if (r < 0)
                return r;
        if (ipf_broker_mqueue_allowed(b, pid, name, verb) ||
            (b->permissive && b->policy->sysv_host))
                return 1;
        return b->policy->sysv_host ? -EACCES : 0;
}

void ipf_broker_mq_open(struct ipf_broker *b, const struct seccomp_notif *req)
{
        const __u64 *a = req->data.args;
        int oflag = (int)a[1];
        struct mq_attr attr;
        bool with_attr = (oflag & O_CREAT) && a[3];
        char name[NAME_MAX + 1];
        _cleanup_close_ int fd = -1;
        mode_t mask = 022;
        int r = mq_decide(b, req, "open", name);

        if (r == 0) {
                continue_call(b, req->id);
                return;
        }
        if (r > 0)
                r = with_attr ? ipf_broker_read_memory((pid_t)req->pid, a[3], &attr, sizeof(attr))
                              : 0;
        /* A queue it creates gets the program's umask, not ours. */
        if (r == 0)
                (void)ipf_broker_program_umask((pid_t)req->pid, &mask);
        if (r == 0 && !ipf_broker_id_valid(b, req->id))
                r = -ESRCH;
        if (r == 0) {
                mode_t old = umask(mask);

                fd = (int)syscall(SYS_mq_open, name, oflag | O_CLOEXEC, (mode_t)a[2],
                                  with_attr ? &attr : NULL);
                r = fd < 0 ? -errno : 0;
                umask(old);
        }
        if (r == 0) {
                struct seccomp_notif_addfd addfd = {
                        .id = req->id,
                        .flags = SECCOMP_ADDFD_FLAG_SEND,
                        .srcfd = (__u32)fd,
                        .newfd_flags = (__u32)(oflag & O_CLOEXEC),
                };

                /* The new descriptor's number is the call's result. */
                if (ipf_broker_addfd(b, &addfd) >= 0 || errno == ENOENT)
                        return;
                r = -errno;
        }
        if (r != -ESRCH)
                ipf_broker_respond(b, req->id, 0, r);
}

void ipf_broker_mq_unlink(struct ipf_broker *b, const struct seccomp_notif *req)
{
        char name[NAME_MAX + 1];
        int r = mq_decide(b, req, "unlink", name);

        if (r == 0) {
                continue_call(b, req->id);
                return;
        }
        if (r > 0)
                r = syscall(SYS_mq_unlink, name) < 0 ? -errno : 0;
        if (r != -ESRCH)
                ipf_broker_respond(b, req->id, 0, r);
}
