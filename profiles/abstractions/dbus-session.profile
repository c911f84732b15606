# dbus-session — the session bus itself, for a program that links a D-Bus
# client library (libdbus, GDBus, sd-bus) and must be able to connect.
#
# Opens: a filtered session bus (xdg-dbus-proxy) on which only the bus
# driver, org.freedesktop.DBus, exists: enough to connect, say Hello, add
# match rules and watch names come and go; no other peer is reachable.
# Add the names the program needs (abstractions/notifications, portal,
# secrets, or --allow='dbus session talk NAME').
dbus session see org.freedesktop.DBus
