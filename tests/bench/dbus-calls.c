/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus-calls — the client and the server of the dbus benchmark, built and
 * run by tests/bench/bench.sh. A minimal D-Bus peer written against the
 * wire protocol (no libdbus: nothing but the round trip is measured, and
 * no -dev package is needed), connecting to $DBUS_SESSION_BUS_ADDRESS
 * (unix:path= only).
 *
 *   dbus-calls -s NAME                 own NAME, answer every method call
 *                                      with an empty reply; prints "ready"
 *   dbus-calls -p SOCKET -f PIDFILE NAME
 *                                      start xdg-dbus-proxy by hand: filter
 *                                      the bus into SOCKET, NAME talkable;
 *                                      print "ready" once it is, write our
 *                                      pid to PIDFILE, stop it on SIGTERM
 *   dbus-calls [-r] [-n N] [-w W] NAME W calls, then N method calls to NAME
 *                                      (org.ipf.Bench.Ping on /org/ipf/Bench),
 *                                      each waiting for its reply; prints the
 *                                      mean round trip: call_ns=12345.6
 * With -r (driven by tests/bench/rounds): one batch of N and one such line
 * per byte read from stdin, until EOF. Any failure (an error reply
 * included) is fatal: exit 1. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX (1 << 20)

enum { TYPE_CALL = 1, TYPE_RETURN = 2, TYPE_ERROR = 3, TYPE_SIGNAL = 4 };
enum {
        FIELD_PATH = 1,
        FIELD_INTERFACE = 2,
        FIELD_MEMBER = 3,
        FIELD_REPLY_SERIAL = 5,
        FIELD_DESTINATION = 6,
        FIELD_SENDER = 7,
        FIELD_SIGNATURE = 8,
};

struct buf {
        uint8_t d[4096];
        size_t n;
};

static uint32_t next_serial = 1;

static void pad(struct buf *b, size_t align)
{
        while (b->n % align)
                b->d[b->n++] = 0;
}

static void put_u32(struct buf *b, uint32_t v)
{
        pad(b, 4);
        memcpy(b->d + b->n, &v, 4);
        b->n += 4;
}

/* A string ('s', 'o'): length, bytes, NUL; a signature ('g'): byte length. */
static void put_str(struct buf *b, char type, const char *s)
{
        size_t len = strlen(s);

        if (type == 'g') {
                b->d[b->n++] = (uint8_t)len;
        } else {
                put_u32(b, (uint32_t)len);
        }
        memcpy(b->d + b->n, s, len + 1);
        b->n += len + 1;
}

static void put_field(struct buf *b, uint8_t code, char type, const char *s, uint32_t u)
{
        char sig[2] = {type, 0};

        pad(b, 8);
        b->d[b->n++] = code;
        put_str(b, 'g', sig);
        if (type == 'u')
                put_u32(b, u);
        else
                put_str(b, type, s);
}

/* One message: a call (DEST, PATH, IFACE.MEMBER) or, with REPLY_TO, an
 * empty method return to DEST. BODY_SIG/BODY: an optional body built by
 * the caller (already marshalled, at offset 0 aligned to 8). */
static int send_msg(int fd, int type, const char *dest, const char *path, const char *iface,
                    const char *member, uint32_t reply_to, const char *body_sig,
                    const struct buf *body)
{
        struct buf m = {.n = 0};
        uint32_t fields_len;

        m.d[m.n++] = 'l';
        m.d[m.n++] = (uint8_t)type;
        m.d[m.n++] = 0;
        m.d[m.n++] = 1;
        put_u32(&m, body ? (uint32_t)body->n : 0);
        put_u32(&m, next_serial++);
        put_u32(&m, 0); /* fields length, filled below */
        if (path)
                put_field(&m, FIELD_PATH, 'o', path, 0);
        if (iface)
                put_field(&m, FIELD_INTERFACE, 's', iface, 0);
        if (member)
                put_field(&m, FIELD_MEMBER, 's', member, 0);
        if (dest)
                put_field(&m, FIELD_DESTINATION, 's', dest, 0);
        if (reply_to)
                put_field(&m, FIELD_REPLY_SERIAL, 'u', NULL, reply_to);
        if (body_sig)
                put_field(&m, FIELD_SIGNATURE, 'g', body_sig, 0);
        fields_len = (uint32_t)(m.n - 16);
        memcpy(m.d + 12, &fields_len, 4);
        pad(&m, 8);
        if (body) {
                memcpy(m.d + m.n, body->d, body->n);
                m.n += body->n;
        }
        return write(fd, m.d, m.n) == (ssize_t)m.n ? 0 : -1;
}

static int read_full(int fd, uint8_t *p, size_t n)
{
        while (n > 0) {
                ssize_t r = read(fd, p, n);

                if (r <= 0)
                        return -1;
                p += r;
                n -= (size_t)r;
        }
        return 0;
}

struct msg {
        int type;
        uint32_t serial, reply_serial;
        char sender[256];
};

/* Read one little-endian message and the header fields we need. */
static int recv_msg(int fd, uint8_t *m, struct msg *ret)
{
        uint32_t body_len, fields_len;
        size_t hdr, p;

        if (read_full(fd, m, 16) < 0 || m[0] != 'l')
                return -1;
        memcpy(&body_len, m + 4, 4);
        memcpy(&fields_len, m + 12, 4);
        hdr = 16 + ((fields_len + 7) & ~(size_t)7);
        if (hdr + body_len > MSG_MAX || read_full(fd, m + 16, hdr - 16 + body_len) < 0)
                return -1;
        *ret = (struct msg){.type = m[1]};
        memcpy(&ret->serial, m + 8, 4);
        for (p = 16; p < 16 + fields_len;) {
                uint8_t code = m[p], siglen = m[p + 1];
                char type = (char)m[p + 2];
                uint32_t len;

                p += 2 + siglen + 1;
                if (type == 'u' || type == 's' || type == 'o') {
                        p = (p + 3) & ~(size_t)3;
                        memcpy(&len, m + p, 4);
                        p += 4;
                        if (type == 'u') {
                                if (code == FIELD_REPLY_SERIAL)
                                        ret->reply_serial = len;
                        } else {
                                if (code == FIELD_SENDER && len < sizeof(ret->sender))
                                        memcpy(ret->sender, m + p, len + 1);
                                p += len + 1;
                        }
                } else if (type == 'g') {
                        p += m[p] + 2u;
                } else {
                        return -1;
                }
                p = (p + 7) & ~(size_t)7;
        }
        return 0;
}

/* Wait for the reply to SERIAL, skipping signals (NameAcquired...). */
static int wait_reply(int fd, uint8_t *m, uint32_t serial)
{
        struct msg r;

        for (;;) {
                if (recv_msg(fd, m, &r) < 0)
                        return -1;
                if (r.reply_serial != serial)
                        continue;
                return r.type == TYPE_RETURN ? 0 : -1;
        }
}

static int bus_connect(void)
{
        const char *a = getenv("DBUS_SESSION_BUS_ADDRESS");
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        char line[512], auth[64];
        size_t len;
        ssize_t n;
        int fd;

        if (!a || strncmp(a, "unix:path=", 10) != 0) {
                fprintf(stderr, "dbus-calls: DBUS_SESSION_BUS_ADDRESS must be unix:path=\n");
                return -1;
        }
        len = strcspn(a + 10, ",;");
        if (len >= sizeof(un.sun_path))
                return -1;
        memcpy(un.sun_path, a + 10, len);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
                fprintf(stderr, "dbus-calls: connect %s: %m\n", un.sun_path);
                return -1;
        }
        /* SASL EXTERNAL with our uid, as hex of its decimal digits. */
        snprintf(line, sizeof(line), "%u", (unsigned)getuid());
        auth[0] = '\0';
        for (char *c = line; *c; c++)
                snprintf(auth + strlen(auth), sizeof(auth) - strlen(auth), "%02x", *c);
        n = snprintf(line, sizeof(line), "AUTH EXTERNAL %s\r\n", auth);
        if (write(fd, "", 1) != 1 || write(fd, line, (size_t)n) != n)
                return -1;
        n = read(fd, line, sizeof(line) - 1);
        if (n < 3 || strncmp(line, "OK ", 3) != 0) {
                fprintf(stderr, "dbus-calls: authentication refused\n");
                return -1;
        }
        if (write(fd, "BEGIN\r\n", 7) != 7)
                return -1;
        return fd;
}

static int call(int fd, uint8_t *m, const char *dest, const char *path, const char *iface,
                const char *member, const char *sig, const struct buf *body)
{
        uint32_t serial = next_serial;

        if (send_msg(fd, TYPE_CALL, dest, path, iface, member, 0, sig, body) < 0)
                return -1;
        return wait_reply(fd, m, serial);
}

static int hello(int fd, uint8_t *m)
{
        return call(fd, m, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "Hello", NULL, NULL);
}

static int serve(int fd, uint8_t *m, const char *name)
{
        struct buf body = {.n = 0};
        struct msg r;

        put_str(&body, 's', name);
        put_u32(&body, 0);
        if (call(fd, m, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                 "RequestName", "su", &body) < 0)
                return 1;
        printf("ready\n");
        fflush(stdout);
        while (recv_msg(fd, m, &r) == 0)
                if (r.type == TYPE_CALL && r.sender[0] &&
                    send_msg(fd, TYPE_RETURN, r.sender, NULL, NULL, NULL, r.serial, NULL, NULL) < 0)
                        return 1;
        return 0;
}

/* xdg-dbus-proxy as a user would start it, with the --fd handshake; it
 * goes when we do (the pipe closes, and PR_SET_PDEATHSIG). */
static int hand_proxy(const char *sock, const char *pidfile, const char *name)
{
        const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
        char talk[300], ch;
        pid_t parent = getpid(), pid;
        sigset_t stop;
        int p[2], sig;
        FILE *f;

        if (!addr || snprintf(talk, sizeof(talk), "--talk=%s", name) >= (int)sizeof(talk) ||
            pipe2(p, O_CLOEXEC) < 0)
                return 1;
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        sigprocmask(SIG_BLOCK, &stop, NULL);
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                sigprocmask(SIG_UNBLOCK, &stop, NULL);
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(1);
                if (p[1] == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(p[1], 3) < 0)
                        _exit(1);
                execlp("xdg-dbus-proxy", "xdg-dbus-proxy", "--fd=3", addr, sock, "--filter", talk,
                       (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        if (read(p[0], &ch, 1) != 1) {
                fprintf(stderr, "dbus-calls: xdg-dbus-proxy did not start\n");
                return 1;
        }
        f = fopen(pidfile, "we");
        if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
                return 1;
        printf("ready\n");
        fflush(stdout);
        sigwait(&stop, &sig);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 0;
}

static double now_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int batch(int fd, uint8_t *m, const char *name, unsigned long n, bool print)
{
        double t0 = now_ns();

        for (unsigned long i = 0; i < n; i++)
                if (call(fd, m, name, "/org/ipf/Bench", "org.ipf.Bench", "Ping", NULL, NULL) < 0) {
                        fprintf(stderr, "dbus-calls: call %lu to %s failed\n", i, name);
                        return -1;
                }
        if (print) {
                printf("call_ns=%.1f\n", (now_ns() - t0) / (double)n);
                if (fflush(stdout) != 0)
                        return -1;
        }
        return 0;
}

int main(int argc, char *argv[])
{
        unsigned long n = 2000, warmup = 200;
        bool rounds = false, server = false;
        const char *proxy_sock = NULL, *pidfile = NULL;
        static uint8_t m[MSG_MAX];
        int opt, fd;
        char c;

        while ((opt = getopt(argc, argv, "rsp:f:n:w:")) != -1) {
                switch (opt) {
                case 'p':
                        proxy_sock = optarg;
                        break;
                case 'f':
                        pidfile = optarg;
                        break;
                case 'r':
                        rounds = true;
                        break;
                case 's':
                        server = true;
                        break;
                case 'n':
                        n = strtoul(optarg, NULL, 10);
                        break;
                case 'w':
                        warmup = strtoul(optarg, NULL, 10);
                        break;
                default:
                        goto usage;
                }
        }
        if (optind + 1 != argc || n == 0 || !proxy_sock != !pidfile)
                goto usage;
        if (proxy_sock)
                return hand_proxy(proxy_sock, pidfile, argv[optind]);
        fd = bus_connect();
        if (fd < 0 || hello(fd, m) < 0) {
                fprintf(stderr, "dbus-calls: cannot join the bus\n");
                return 1;
        }
        if (server)
                return serve(fd, m, argv[optind]);
        if (batch(fd, m, argv[optind], warmup, false) < 0)
                return 1;
        if (!rounds)
                return batch(fd, m, argv[optind], n, true) < 0 ? 1 : 0;
        while (read(STDIN_FILENO, &c, 1) == 1)
                if (batch(fd, m, argv[optind], n, true) < 0)
                        return 1;
        return 0;
usage:
        fprintf(stderr, "usage: dbus-calls -s NAME | -p SOCKET -f PIDFILE NAME | "
                        "[-r] [-n N] [-w W] NAME\n");
        return 2;
}
