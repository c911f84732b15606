/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* D-Bus through xdg-dbus-proxy (issue #4), against a real private
 * dbus-daemon — a session bus and a system-style bus, each with its own
 * configuration — with real clients (dbus-send, gdbus, python3-dbus). A
 * python3-dbus service on the host side counts the calls it gets, so every
 * denial is also checked from the bus side: the owner never saw the call.
 * The bus sockets live in a directory the sandbox does not mask, so "not
 * reachable by path" is the broker's doing, not the view's. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

ITEST_SUITE(dbus);

#define OBJ "/org/ipf/Test"
#define IFACE "org.ipf.Test"

/* The host-side service: owns the names on argv[2...], answers Ping,
 * Other and Properties.GetAll, counts them (Count), says whether a name has an owner (HasOwner,
 * asked of the bus) and emits Changed on Emit. */
static const char service_py[] =
        "import sys, dbus, dbus.service, dbus.mainloop.glib\n"
        "from gi.repository import GLib\n"
        "dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)\n"
        "bus = dbus.bus.BusConnection(sys.argv[1])\n"
        "names = [dbus.service.BusName(n, bus) for n in sys.argv[2:]]\n"
        "calls = {}\n"
        "class S(dbus.service.Object):\n"
        "    @dbus.service.method('" IFACE "', out_signature='s')\n"
        "    def Ping(self):\n"
        "        calls['Ping'] = calls.get('Ping', 0) + 1; return 'pong'\n"
        "    @dbus.service.method('" IFACE "', out_signature='s')\n"
        "    def Other(self):\n"
        "        calls['Other'] = calls.get('Other', 0) + 1; return 'other'\n"
        "    @dbus.service.method('" IFACE "', in_signature='s', out_signature='u')\n"
        "    def Count(self, m): return calls.get(m, 0)\n"
        "    @dbus.service.method('" IFACE "', in_signature='s', out_signature='b')\n"
        "    def HasOwner(self, n): return bool(bus.name_has_owner(n))\n"
        "    @dbus.service.method('org.freedesktop.DBus.Properties', in_signature='s',\n"
        "                         out_signature='a{sv}')\n"
        "    def GetAll(self, i):\n"
        "        calls['GetAll'] = calls.get('GetAll', 0) + 1; return {'x': dbus.UInt32(1)}\n"
        "    @dbus.service.method('" IFACE "')\n"
        "    def Emit(self): self.Changed('hello')\n"
        "    @dbus.service.signal('" IFACE "', signature='s')\n"
        "    def Changed(self, s): pass\n"
        "S(bus, '" OBJ "')\n"
        "S(bus, '/org/freedesktop/login1')\n"
        "print('ready', flush=True)\n"
        "GLib.MainLoop().run()\n";

/* Inside: request each name on argv[2...] and ask the service (argv[1])
 * whether the bus sees an owner. */
static const char own_py[] =
        "import sys, dbus\n"
        "bus = dbus.SessionBus()\n"
        "svc = bus.get_object(sys.argv[1], '" OBJ "')\n"
        "for n in sys.argv[2:]:\n"
        "    try:\n"
        "        ok = bus.request_name(n) == 1\n"
        "    except dbus.exceptions.DBusException:\n"
        "        ok = False\n"
        "    seen = svc.HasOwner(n, dbus_interface='" IFACE "')\n"
        "    print(n, 'owned' if ok else 'refused', 'seen' if seen else 'unseen')\n";

/* Inside: listen for Changed from argv[1], have it emitted, report. */
static const char signal_py[] =
        "import sys, dbus, dbus.mainloop.glib\n"
        "from gi.repository import GLib\n"
        "dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)\n"
        "bus = dbus.SessionBus()\n"
        "got = []\n"
        "bus.add_signal_receiver(lambda s: got.append(s), 'Changed', '" IFACE "', sys.argv[1])\n"
        "bus.get_object(sys.argv[1], '" OBJ "').Emit(dbus_interface='" IFACE "')\n"
        "loop = GLib.MainLoop()\n"
        "GLib.timeout_add(1000, loop.quit)\n"
        "loop.run()\n"
        "print('signal' if got else 'no-signal')\n";

struct bus {
        char dir[PATH_MAX];
        char address[PATH_MAX + 32];
        char socket[PATH_MAX + 8];
};

static void need_tools(void)
{
        static const char *const tools[] = {"dbus-daemon", "dbus-send", "gdbus", "python3",
                                            "xdg-dbus-proxy"};
        struct itest_result r;

        for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
                if (!itest_which(tools[i]))
                        itest_skip("'%s' is not installed (build-aux/deps.sh test)", tools[i]);
        itest_runl(&r, NULL, "python3", "-c", "import dbus, dbus.mainloop.glib, gi", (char *)NULL);
        if (r.status != 0)
                itest_skip("python3-dbus or python3-gi is not installed: %s", itest_show(&r));
}

/* A private dbus-daemon of TYPE ("session" or "system") with its own
 * configuration, listening in a directory the sandbox does not mask. */
static void bus_start_in(struct bus *b, const char *type, const char *dir)
{
        char conf[3 * PATH_MAX], arg[PATH_MAX + 32];
        struct itest_proc p;
        char *path;

        snprintf(b->dir, sizeof(b->dir), "%s", dir);
        snprintf(b->socket, sizeof(b->socket), "%s/bus", b->dir);
        snprintf(b->address, sizeof(b->address), "unix:path=%s", b->socket);
        /* The system-style bus refuses what a real system bus refuses by
         * default (owning names) except for our test names. */
        snprintf(conf, sizeof(conf),
                 "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                 "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                 "<busconfig><type>%s</type><listen>%s</listen>\n"
                 "<auth>EXTERNAL</auth>\n"
                 "<policy context=\"default\"><allow user=\"*\"/>%s"
                 "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy>\n"
                 "</busconfig>\n",
                 type, b->address,
                 strcmp(type, "system") == 0 ? "<deny own=\"*\"/><allow own_prefix=\"org.ipf\"/>"
                                               "<allow own=\"org.freedesktop.login1\"/>"
                                             : "<allow own=\"*\"/>");
        path = itest_write_file(b->dir, "daemon.conf", conf);
        snprintf(arg, sizeof(arg), "--config-file=%s", path);
        itest_spawnl(&p, NULL, "dbus-daemon", "--nofork", "--print-address=1", arg, (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "unix:", 5000), "dbus-daemon did not start: %s",
                  p.err);
}

static void bus_start(struct bus *b, const char *type)
{
        need_tools();
        bus_start_in(b, type, itest_visible_dir());
}

/* A service owning NAMES on B; returns once they are owned. */
static void service_start(const struct bus *b, const char *name, const char *name2)
{
        struct itest_proc p;

        itest_spawnl(&p, NULL, "python3", "-c", service_py, b->address, name, name2, (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready", 10000), "service did not start: %s", p.err);
}

/* How many METHOD calls the service owning NAME got, asked on the real bus
 * (as the session bus: dbus-send --address does not register on a bus). */
static int calls_seen(const struct bus *b, const char *name, const char *method)
{
        char addr[PATH_MAX + 64], dest[256], arg[64];
        const char *env[] = {addr, NULL};
        struct itest_opts o = {.env = env};
        struct itest_result r;
        const char *u;

        snprintf(addr, sizeof(addr), "DBUS_SESSION_BUS_ADDRESS=%s", b->address);
        snprintf(dest, sizeof(dest), "--dest=%s", name);
        snprintf(arg, sizeof(arg), "string:%s", method);
        itest_runl(&r, &o, "dbus-send", "--session", "--print-reply", dest, OBJ, IFACE ".Count",
                   arg, (char *)NULL);
        cr_assert_eq(r.status, 0, "Count on the real bus: %s", itest_show(&r));
        u = strstr(r.out, "uint32 ");
        cr_assert_not_null(u, "%s", itest_show(&r));
        return atoi(u + 7);
}

/* A bus name unique to this test: NAME-safe (letters, digits, '_'). */
static const char *unique_name(const char *prefix)
{
        char *s = (char *)itest_unique(prefix);

        for (char *c = s; *c; c++)
                if (*c == '-')
                        *c = '_';
        return s;
}

static void use_session(const struct bus *b)
{
        cr_assert_eq(setenv("DBUS_SESSION_BUS_ADDRESS", b->address, 1), 0);
}

static void dbus_send_in(struct itest_result *r, const char *bus_flag, const char *allow,
                         const char *name, const char *method)
{
        char dest[256], m[128];

        snprintf(dest, sizeof(dest), "--dest=%s", name);
        snprintf(m, sizeof(m), IFACE ".%s", method);
        IPF(r, "--allow", allow, "--", "dbus-send", bus_flag, "--print-reply", dest, OBJ, m);
}

static void gdbus_in(struct itest_result *r, const char *bus_flag, const char *allow,
                     const char *name, const char *method)
{
        char m[128];

        snprintf(m, sizeof(m), IFACE ".%s", method);
        IPF(r, "--allow", allow, "--", "gdbus", "call", bus_flag, "--dest", name, "--object-path",
            OBJ, "--method", m);
}

/* FMT with one name, malloc'd (a macro: FMT stays a checked literal). */
#define rule(fmt, name)                                     \
        ({                                                  \
                char *_s = NULL;                            \
                cr_assert_geq(asprintf(&_s, fmt, name), 0); \
                _s;                                         \
        })

Test(dbus, talk_allows_one_name_and_no_other)
{
        struct bus b;
        const char *yes = unique_name("org.ipf.Yes"), *no = unique_name("org.ipf.No");
        char *allow = rule("dbus session talk %s", yes);
        struct itest_result r;

        bus_start(&b, "session");
        service_start(&b, yes, NULL);
        service_start(&b, no, NULL);
        use_session(&b);

        dbus_send_in(&r, "--session", allow, yes, "Ping");
        cr_expect_eq(r.status, 0, "dbus-send to the talk name: %s", itest_show(&r));
        cr_expect_not_null(strstr(r.out, "pong"), "%s", itest_show(&r));
        gdbus_in(&r, "--session", allow, yes, "Ping");
        cr_expect_eq(r.status, 0, "gdbus to the talk name: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&b, yes, "Ping"), 2, "the allowed name got both calls");

        dbus_send_in(&r, "--session", allow, no, "Ping");
        cr_expect_neq(r.status, 0, "dbus-send to another name: %s", itest_show(&r));
        gdbus_in(&r, "--session", allow, no, "Ping");
        cr_expect_neq(r.status, 0, "gdbus to another name: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&b, no, "Ping"), 0, "the other name never saw a call");
        free(allow);
}

Test(dbus, prefix_rule_covers_subnames_only)
{
        struct bus b;
        const char *pfx = unique_name("org.ipf.P");
        char *in = rule("%s.In", pfx), *out = rule("%sOut", pfx);
        char *allow = rule("dbus session talk %s.*", pfx);
        struct itest_result r;

        bus_start(&b, "session");
        service_start(&b, in, NULL);
        service_start(&b, out, NULL);
        use_session(&b);
        dbus_send_in(&r, "--session", allow, in, "Ping");
        cr_expect_eq(r.status, 0, "a name under the prefix: %s", itest_show(&r));
        dbus_send_in(&r, "--session", allow, out, "Ping");
        cr_expect_neq(r.status, 0, "a name that only starts like it: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&b, in, "Ping"), 1);
        cr_expect_eq(calls_seen(&b, out, "Ping"), 0);
        free(in);
        free(out);
        free(allow);
}

Test(dbus, own_only_the_allowed_name)
{
        struct bus b;
        const char *svc = unique_name("org.ipf.Svc"), *mine = unique_name("org.ipf.Mine"),
                   *other = unique_name("org.ipf.Other");
        char *talk = rule("--allow=dbus session talk %s", svc);
        char *own = rule("--allow=dbus session own %s", mine);
        char want[512];
        struct itest_result r;

        bus_start(&b, "session");
        service_start(&b, svc, NULL);
        use_session(&b);
        IPF(&r, talk, own, "--", "python3", "-c", own_py, svc, mine, other);
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        /* "seen": the bus itself, asked by the service, saw the owner. */
        snprintf(want, sizeof(want), "%s owned seen\n%s refused unseen\n", mine, other);
        cr_expect_str_eq(r.out, want, "%s", itest_show(&r));
        free(talk);
        free(own);
}

Test(dbus, call_rule_allows_one_method)
{
        struct bus b;
        const char *svc = unique_name("org.ipf.Call");
        char *allow = rule("dbus session call %s=" IFACE ".Ping@" OBJ, svc);
        struct itest_result r;

        bus_start(&b, "session");
        service_start(&b, svc, NULL);
        use_session(&b);
        dbus_send_in(&r, "--session", allow, svc, "Ping");
        cr_expect_eq(r.status, 0, "the allowed method: %s", itest_show(&r));
        gdbus_in(&r, "--session", allow, svc, "Other");
        cr_expect_neq(r.status, 0, "another method: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&b, svc, "Ping"), 1);
        cr_expect_eq(calls_seen(&b, svc, "Other"), 0, "the service never saw Other");
        free(allow);
}

Test(dbus, broadcast_rule_lets_one_signal_through)
{
        struct bus b;
        const char *svc = unique_name("org.ipf.Sig");
        char *call = rule("--allow=dbus session call %s=" IFACE ".Emit@" OBJ, svc);
        char *bcast = rule("--allow=dbus session broadcast %s=" IFACE ".Changed@" OBJ, svc);
        struct itest_result r;

        bus_start(&b, "session");
        service_start(&b, svc, NULL);
        use_session(&b);
        IPF(&r, call, bcast, "--", "python3", "-c", signal_py, svc);
        cr_expect_str_eq(itest_line(&r), "signal", "with the broadcast rule: %s", itest_show(&r));
        IPF(&r, call, "--", "python3", "-c", signal_py, svc);
        cr_expect_str_eq(itest_line(&r), "no-signal", "without it: %s", itest_show(&r));
        free(call);
        free(bcast);
}

/* The real bus socket is visible in the view (outside the masked
 * directories): the broker refuses it, with a log line. */
Test(dbus, real_bus_socket_unreachable_by_path)
{
        struct bus b;
        const char *svc = unique_name("org.ipf.Real");
        char *allow = rule("dbus session talk %s", svc);
        char addr[PATH_MAX + 64], dest[256];
        struct itest_result r;

        bus_start(&b, "session");
        service_start(&b, svc, NULL);
        use_session(&b);
        snprintf(addr, sizeof(addr), "DBUS_SESSION_BUS_ADDRESS=%s", b.address);
        snprintf(dest, sizeof(dest), "--dest=%s", svc);
        IPF(&r, "--allow", allow, "--", "env", addr, "dbus-send", "--session", "--print-reply",
            dest, OBJ, IFACE ".Ping");
        cr_expect_neq(r.status, 0, "%s", itest_show(&r));
        cr_expect_not_null(strstr(r.err, "deny unix.connect"), "%s", itest_show(&r));
        IPF(&r, "--allow", allow, "--", itest_probe(), "unix-connect", b.socket);
        cr_expect(itest_denied(&r), "probe: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&b, svc, "Ping"), 0);
        free(allow);
}

/* A rule for the system bus only: the session bus stays shut, and the
 * default profile reaches neither. */
Test(dbus, bus_without_rule_is_unreachable)
{
        struct bus s, y;
        const char *svc = unique_name("org.ipf.Shut");
        char *sys_rule = rule("dbus system talk %s", svc);
        struct itest_result r;

        bus_start(&s, "session");
        bus_start(&y, "system");
        service_start(&s, svc, NULL);
        use_session(&s);
        cr_assert_eq(setenv("DBUS_SYSTEM_BUS_ADDRESS", y.address, 1), 0);
        dbus_send_in(&r, "--session", sys_rule, svc, "Ping");
        cr_expect_neq(r.status, 0, "%s", itest_show(&r));
        IPF(&r, "--", "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
            "org.freedesktop.DBus.ListNames");
        cr_expect_neq(r.status, 0, "default profile: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&s, svc, "Ping"), 0);
        free(sys_rule);
}

/* The real bus at its default place, $XDG_RUNTIME_DIR/bus, no variable:
 * there the program finds the proxy, also when a `unix connect` rule names
 * that very path (the broker would otherwise reach the real bus). */
Test(dbus, bus_at_default_place_stays_filtered)
{
        struct bus b;
        const char *yes = unique_name("org.ipf.DefYes"), *no = unique_name("org.ipf.DefNo");
        char *talk = rule("--allow=dbus session talk %s", yes);
        char env_xdg[PATH_MAX + 32], bypass[PATH_MAX + 32], dest[256];
        const char *env[] = {env_xdg, NULL};
        struct itest_opts o = {.env = env};
        struct itest_result r;

        need_tools();
        bus_start_in(&b, "session", itest_xdg_dir());
        service_start(&b, yes, NULL);
        service_start(&b, no, NULL);
        unsetenv("DBUS_SESSION_BUS_ADDRESS");
        snprintf(env_xdg, sizeof(env_xdg), "XDG_RUNTIME_DIR=%s", b.dir);
        snprintf(bypass, sizeof(bypass), "--allow=unix connect %s", b.socket);
        snprintf(dest, sizeof(dest), "--dest=%s", yes);
        itest_runl(&r, &o, itest_ipcfence(), talk, "--", "dbus-send", "--session", "--print-reply",
                   dest, OBJ, IFACE ".Ping", (char *)NULL);
        cr_expect_eq(r.status, 0, "the talk name through the default address: %s", itest_show(&r));
        snprintf(dest, sizeof(dest), "--dest=%s", no);
        itest_runl(&r, &o, itest_ipcfence(), talk, "--", "dbus-send", "--session", "--print-reply",
                   dest, OBJ, IFACE ".Ping", (char *)NULL);
        cr_expect_neq(r.status, 0, "%s", itest_show(&r));
        itest_runl(&r, &o, itest_ipcfence(), talk, bypass, "--", "dbus-send", "--session",
                   "--print-reply", dest, OBJ, IFACE ".Ping", (char *)NULL);
        cr_expect_neq(r.status, 0, "a unix connect rule on the bus path: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&b, yes, "Ping"), 1);
        cr_expect_eq(calls_seen(&b, no, "Ping"), 0, "the other name never saw a call");
        free(talk);
}

Test(dbus, system_bus_filtered_at_its_usual_place)
{
        struct bus y;
        const char *yes = unique_name("org.ipf.SysYes"), *no = unique_name("org.ipf.SysNo");
        char *allow = rule("dbus system talk %s", yes);
        struct itest_result r;

        bus_start(&y, "system");
        service_start(&y, yes, NULL);
        service_start(&y, no, NULL);
        cr_assert_eq(setenv("DBUS_SYSTEM_BUS_ADDRESS", y.address, 1), 0);
        unsetenv("DBUS_SESSION_BUS_ADDRESS");
        dbus_send_in(&r, "--system", allow, yes, "Ping");
        cr_expect_eq(r.status, 0, "%s", itest_show(&r));
        gdbus_in(&r, "--system", allow, no, "Ping");
        cr_expect_neq(r.status, 0, "%s", itest_show(&r));
        IPF(&r, "--allow", allow, "--", "sh", "-c",
            "echo \"$DBUS_SYSTEM_BUS_ADDRESS\"; test -S /run/dbus/system_bus_socket && echo sock");
        cr_expect_str_eq(r.out, "unix:path=/run/dbus/system_bus_socket\nsock\n", "%s",
                         itest_show(&r));
        cr_expect_eq(calls_seen(&y, yes, "Ping"), 1);
        cr_expect_eq(calls_seen(&y, no, "Ping"), 0);
        free(allow);
}

/* ---- the shipped abstractions ---- */

/* Each test has a bus of its own: well-known names need not be unique. */
static void expect_profile_reaches(const struct bus *b, const char *profile, const char *bus_flag,
                                   const char *name, bool reached)
{
        struct itest_result r;
        char dest[256];
        int before = calls_seen(b, name, "Ping");

        snprintf(dest, sizeof(dest), "--dest=%s", name);
        IPF(&r, "-p", profile, "--", "dbus-send", bus_flag, "--print-reply", dest, OBJ,
            IFACE ".Ping");
        if (reached)
                cr_expect_eq(r.status, 0, "%s -> %s: %s", profile, name, itest_show(&r));
        else
                cr_expect_neq(r.status, 0, "%s -> %s: %s", profile, name, itest_show(&r));
        cr_expect_eq(calls_seen(b, name, "Ping"), before + (reached ? 1 : 0),
                     "%s -> %s, seen from the bus", profile, name);
}

Test(dbus, session_abstractions_open_their_names_only)
{
        struct bus b;
        struct itest_result r;

        bus_start(&b, "session");
        service_start(&b, "org.freedesktop.Notifications", NULL);
        service_start(&b, "org.freedesktop.secrets", NULL);
        service_start(&b, "org.freedesktop.portal.Desktop", NULL);
        service_start(&b, "org.freedesktop.impl.portal.desktop.x", NULL);
        use_session(&b);

        IPF(&r, "-p", "abstractions/dbus-session", "--", "dbus-send", "--session", "--print-reply",
            "--dest=org.freedesktop.DBus", "/", "org.freedesktop.DBus.ListNames");
        cr_expect_eq(r.status, 0, "the bus driver: %s", itest_show(&r));
        cr_expect_null(strstr(r.out, "org.freedesktop.Notifications"), "%s", itest_show(&r));
        expect_profile_reaches(&b, "abstractions/dbus-session", "--session",
                               "org.freedesktop.Notifications", false);

        expect_profile_reaches(&b, "abstractions/notifications", "--session",
                               "org.freedesktop.Notifications", true);
        expect_profile_reaches(&b, "abstractions/notifications", "--session",
                               "org.freedesktop.secrets", false);

        expect_profile_reaches(&b, "abstractions/secrets", "--session", "org.freedesktop.secrets",
                               true);
        expect_profile_reaches(&b, "abstractions/secrets", "--session",
                               "org.freedesktop.Notifications", false);

        expect_profile_reaches(&b, "abstractions/portal", "--session",
                               "org.freedesktop.portal.Desktop", true);
        expect_profile_reaches(&b, "abstractions/portal", "--session",
                               "org.freedesktop.impl.portal.desktop.x", false);
}

/* login1: property reads reach logind, anything else does not. */
Test(dbus, login1_abstraction_reads_only)
{
        struct bus y;
        struct itest_result r;

        bus_start(&y, "system");
        service_start(&y, "org.freedesktop.login1", NULL);
        cr_assert_eq(setenv("DBUS_SYSTEM_BUS_ADDRESS", y.address, 1), 0);
        IPF(&r, "-p", "abstractions/login1", "--", "dbus-send", "--system", "--print-reply",
            "--dest=org.freedesktop.login1", "/org/freedesktop/login1",
            "org.freedesktop.DBus.Properties.GetAll", "string:org.freedesktop.login1.Manager");
        cr_expect_eq(r.status, 0, "GetAll: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&y, "org.freedesktop.login1", "GetAll"), 1);
        expect_profile_reaches(&y, "abstractions/login1", "--system", "org.freedesktop.login1",
                               false);
}

/* ---- lifetime and failures ---- */

static bool dir_has_proxy_dirs(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        bool found = false;

        cr_assert_not_null(d, "%s", dir);
        while ((e = readdir(d)))
                found = found || strncmp(e->d_name, "ipcfence-dbus-", 14) == 0;
        closedir(d);
        return found;
}

Test(dbus, no_proxy_outlives_the_sandbox)
{
        static const char *const endings[][2] = {
                {"exit 3", "3"},
                {"kill -SEGV $$", "139"},
                {"kill -TERM $$", "143"},
                {"kill -KILL $$", "137"},
        };
        struct bus b;
        const char *xdg;
        char env_xdg[PATH_MAX + 32];
        const char *env[] = {env_xdg, NULL};
        struct itest_opts o = {.env = env};
        struct itest_result r;
        struct itest_proc p;

        bus_start(&b, "session");
        use_session(&b);
        xdg = itest_xdg_dir();
        snprintf(env_xdg, sizeof(env_xdg), "XDG_RUNTIME_DIR=%s", xdg);
        for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
                itest_runl(&r, &o, itest_ipcfence(), "--allow=dbus session talk org.ipf.Any", "--",
                           "sh", "-c", endings[i][0], (char *)NULL);
                cr_expect_eq(r.status, atoi(endings[i][1]), "'%s': %s", endings[i][0],
                             itest_show(&r));
                cr_expect_eq(itest_count_procs(b.socket), 0, "proxy left after '%s'",
                             endings[i][0]);
                cr_expect(!dir_has_proxy_dirs(xdg), "directory left after '%s'", endings[i][0]);
        }

        /* SIGTERM to ipcfence: forwarded, the program dies of it, and the
         * proxy is reaped before ipcfence exits. */
        itest_spawnl(&p, &o, itest_ipcfence(), "--allow=dbus session talk org.ipf.Any", "--", "sh",
                     "-c", "echo ready; exec sleep 60", (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready", 10000), "%s", p.err);
        kill(p.pid, SIGTERM);
        itest_proc_finish(&p, &r, 10000);
        cr_expect_eq(r.status, 143, "%s", itest_show(&r));
        cr_expect_eq(itest_count_procs(b.socket), 0, "proxy left after SIGTERM of ipcfence");

        /* ipcfence itself killed: the proxy goes with it, nothing on disk. */
        itest_spawnl(&p, &o, itest_ipcfence(), "--allow=dbus session talk org.ipf.Any", "--", "sh",
                     "-c", "echo ready; exec sleep 60", (char *)NULL);
        cr_assert(itest_proc_wait_output(&p, "ready", 10000), "%s", p.err);
        cr_expect_eq(itest_count_procs(b.socket), 1, "one proxy while the sandbox runs");
        /* Removed once init has built the view (concurrently with the
         * program's start): give the supervisor a moment. */
        for (int i = 0; i < 100 && dir_has_proxy_dirs(xdg); i++)
                usleep(10000);
        cr_expect(!dir_has_proxy_dirs(xdg), "socket directory removed once the view holds it");
        kill(p.pid, SIGKILL);
        cr_expect(itest_wait_procs(b.socket, 0, 5000), "proxy left after SIGKILL of ipcfence");
        itest_proc_finish(&p, &r, 5000);
}

Test(dbus, missing_proxy_or_bus_is_an_error)
{
        struct bus b;
        const char *dir = itest_visible_dir();
        char nobus[PATH_MAX + 32], path_env[PATH_MAX + 8];
        const char *env_nobus[] = {nobus, NULL};
        const char *env_nopath[] = {path_env, NULL};
        struct itest_opts o = {.env = env_nobus};
        struct itest_result r;

        bus_start(&b, "session");
        use_session(&b);
        snprintf(nobus, sizeof(nobus), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s/nobus", dir);
        itest_runl(&r, &o, itest_ipcfence(), "--allow=dbus session talk org.ipf.Any", "--", "echo",
                   "RAN", (char *)NULL);
        cr_expect_eq(r.status, 125, "%s", itest_show(&r));
        cr_expect_not_null(strstr(r.err, "unreachable"), "%s", itest_show(&r));
        cr_expect_null(strstr(r.out, "RAN"), "%s", itest_show(&r));

        /* A $PATH without xdg-dbus-proxy (the program named by its path). */
        snprintf(path_env, sizeof(path_env), "PATH=%s", dir);
        o.env = env_nopath;
        itest_runl(&r, &o, itest_ipcfence(), "--allow=dbus session talk org.ipf.Any", "--",
                   "/bin/echo", "RAN", (char *)NULL);
        cr_expect_eq(r.status, 125, "%s", itest_show(&r));
        cr_expect_not_null(strstr(r.err, "install the package 'xdg-dbus-proxy'"), "%s",
                           itest_show(&r));
        cr_expect_null(strstr(r.out, "RAN"), "%s", itest_show(&r));
}

/* explain prints the proxy's command line `run` would start, per bus. */
Test(dbus, explain_shows_the_proxy)
{
        struct itest_result r;

        IPF(&r, "explain", "--allow=dbus session talk org.ipf.Explained",
            "--allow=dbus session call org.ipf.Called=org.ipf.Called.Go@/org/ipf");
        cr_assert_eq(r.status, 0, "%s", itest_show(&r));
        cr_expect_not_null(strstr(r.out, "--filter --talk=org.ipf.Explained "
                                         "--call=org.ipf.Called=org.ipf.Called.Go@/org/ipf\n"),
                           "%s", itest_show(&r));
        cr_expect_not_null(strstr(r.out, "system bus: unreachable (no rule)"), "%s",
                           itest_show(&r));
}

/* Red team round 4 #2: the program renamed the directory holding the
 * proxy's socket in its view, and a `unix connect` rule on the bus's path
 * then led the broker to the real bus on the host. The bus's path is
 * decided in the view only. */
Test(dbus, renamed_bus_directory_does_not_reach_the_real_bus)
{
        struct bus b;
        const char *no = unique_name("org.ipf.RenNo");
        char env_xdg[PATH_MAX + 32], bypass[PATH_MAX + 32], script[4 * PATH_MAX];
        const char *env[] = {env_xdg, NULL};
        struct itest_opts o = {.env = env};
        struct itest_result r;

        need_tools();
        bus_start_in(&b, "session", itest_xdg_dir());
        service_start(&b, no, NULL);
        unsetenv("DBUS_SESSION_BUS_ADDRESS");
        snprintf(env_xdg, sizeof(env_xdg), "XDG_RUNTIME_DIR=%s", b.dir);
        snprintf(bypass, sizeof(bypass), "--allow=unix connect %s", b.socket);
        snprintf(script, sizeof(script),
                 "mv '%s' '%s.moved' || exit 3; "
                 "dbus-send --bus=unix:path='%s' --print-reply --dest=%s " OBJ " " IFACE ".Ping",
                 b.dir, b.dir, b.socket, no);
        itest_runl(&r, &o, itest_ipcfence(), "--allow=dbus session talk org.ipf.Nothing", bypass,
                   "--", "sh", "-c", script, (char *)NULL);
        cr_expect_neq(r.status, 0, "%s", itest_show(&r));
        cr_expect_neq(r.status, 3, "the rename itself failed: %s", itest_show(&r));
        cr_expect_eq(calls_seen(&b, no, "Ping"), 0, "the real bus was reached");
}

/* Red team round 4 #1: with $XDG_RUNTIME_DIR missing on the host, the
 * proxy's socket was bound on a directory created on the host's own file
 * system, which then counted as the sandbox's own: every socket on it
 * became reachable. Now nothing is created outside the sandbox's own file
 * systems, and the run is refused. */
Test(dbus, missing_runtime_dir_is_refused)
{
        struct bus b;
        char env_xdg[PATH_MAX + 32], missing[PATH_MAX + 16];
        const char *env[] = {env_xdg, NULL};
        struct itest_opts o = {.env = env};
        struct itest_result r;
        struct stat st;

        need_tools();
        bus_start(&b, "session");
        use_session(&b);
        snprintf(missing, sizeof(missing), "%s/missing-run", itest_visible_dir());
        snprintf(env_xdg, sizeof(env_xdg), "XDG_RUNTIME_DIR=%s", missing);
        itest_runl(&r, &o, itest_ipcfence(), "--allow=dbus session talk org.ipf.Nothing", "--",
                   "true", (char *)NULL);
        cr_expect_eq(r.status, 125, "%s", itest_show(&r));
        cr_expect(strstr(r.err, "sandbox's own file systems"), "%s", itest_show(&r));
        cr_expect_neq(lstat(missing, &st), 0, "%s was created on the host", missing);
}
