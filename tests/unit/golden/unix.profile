# unix connect / listen, paths and abstract names
unix connect /run/dbus/system_bus_socket
unix listen /run/user/1000/app.sock
unix connect @/tmp/.X11-unix/X0
unix listen @app-control
unix connect /run/user/1000/pulse/native    # trailing comment
	unix	connect	/var/run/nscd/socket
unix connect @a
