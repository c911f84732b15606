# portal — the XDG desktop portals (file chooser, open URI, settings,
# screenshot...), the interfaces sandboxed desktop programs are meant to use.
#
# Opens: method calls to the portal frontends (org.freedesktop.portal.*)
# and the signals they send on their own objects, as Flatpak grants them.
# Not the portal backends (org.freedesktop.impl.portal.*), which trust
# their caller.
#
# Caution: the portals identify their caller by its pid, and the bus gives
# them xdg-dbus-proxy's, an unconfined host process: they treat the program
# as an unsandboxed host application (no per-app permissions, host-app
# rights on the Documents portal). Use it for programs you would also run
# unsandboxed on the desktop (SECURITY.md).
include abstractions/dbus-session
dbus session call org.freedesktop.portal.*=*
dbus session broadcast org.freedesktop.portal.*=@/org/freedesktop/portal/*
