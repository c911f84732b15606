# x11 — an X11 display (DISPLAY=:N) on this machine.
#
# Opens: the X servers' sockets, by path in /tmp/.X11-unix and by the
# abstract name Xorg and Xwayland also listen on. An X client can read
# other windows and inject input: X11 is not an isolation boundary; prefer
# abstractions/wayland.
unix connect /tmp/.X11-unix/X*
unix connect @/tmp/.X11-unix/X*
