# wayland — the Wayland compositor (WAYLAND_DISPLAY=wayland-N).
#
# Opens: the compositors' sockets in $XDG_RUNTIME_DIR (not their lock
# files, which are not sockets).
unix connect ${XDG_RUNTIME_DIR}/wayland-*
