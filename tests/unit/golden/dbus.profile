# every bus and verb
dbus session talk org.freedesktop.Notifications
dbus session own org.example.App
dbus session see org.freedesktop.portal.*
dbus system talk org.freedesktop.login1
dbus system own com.example.Daemon-2
dbus system see org.freedesktop.NetworkManager
dbus session call org.freedesktop.portal.Desktop=org.freedesktop.portal.Settings.Read@/org/freedesktop/portal/desktop
dbus session broadcast org.example.App=org.example.App.Changed@/org/example/*
dbus system call org.freedesktop.systemd1=*
dbus system broadcast org.freedesktop.*=@/org/freedesktop/*
dbus session talk _private.name-with-dash.x1
