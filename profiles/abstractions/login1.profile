# login1 — systemd-logind on the system bus, read-only: which sessions and
# seats exist and their properties, and the signals about them (session
# added or removed, PrepareForSleep, PrepareForShutdown).
#
# Opens: property reads on logind's objects, the session-listing methods of
# its manager, and its manager's and objects' signals. Not Inhibit,
# PowerOff, Suspend, LockSession..., which change the machine; allow one by
# name if needed, e.g. --allow='dbus system call
# org.freedesktop.login1=org.freedesktop.login1.Manager.Inhibit@/org/freedesktop/login1'.
dbus system call org.freedesktop.login1=org.freedesktop.DBus.Properties.Get@/org/freedesktop/login1/*
dbus system call org.freedesktop.login1=org.freedesktop.DBus.Properties.GetAll@/org/freedesktop/login1/*
dbus system call org.freedesktop.login1=org.freedesktop.login1.Manager.ListSessions@/org/freedesktop/login1
dbus system call org.freedesktop.login1=org.freedesktop.login1.Manager.ListSeats@/org/freedesktop/login1
dbus system call org.freedesktop.login1=org.freedesktop.login1.Manager.GetSession@/org/freedesktop/login1
dbus system call org.freedesktop.login1=org.freedesktop.login1.Manager.GetSessionByPID@/org/freedesktop/login1
dbus system broadcast org.freedesktop.login1=org.freedesktop.login1.Manager.*@/org/freedesktop/login1
dbus system broadcast org.freedesktop.login1=org.freedesktop.DBus.Properties.PropertiesChanged@/org/freedesktop/login1/*
