# portal — the XDG desktop portals (file chooser, open URI, settings,
# screenshot...), the interfaces sandboxed desktop programs are meant to use.
#
# Opens: method calls to the portal frontends (org.freedesktop.portal.*)
# and the signals they send on their own objects, as Flatpak grants them.
# Not the portal backends (org.freedesktop.impl.portal.*), which trust
# their caller.
include abstractions/dbus-session
dbus session call org.freedesktop.portal.*=*
dbus session broadcast org.freedesktop.portal.*=@/org/freedesktop/portal/*
