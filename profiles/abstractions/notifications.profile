# notifications — desktop notifications (notify-send, libnotify, GNotification
# without a portal) through the notification daemon.
#
# Opens: the org.freedesktop.Notifications name on the session bus (methods
# Notify, CloseNotification, GetCapabilities..., and its NotificationClosed
# and ActionInvoked signals). Nothing else on the bus.
include abstractions/dbus-session
dbus session talk org.freedesktop.Notifications
