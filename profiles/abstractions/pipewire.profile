# pipewire — PipeWire's native protocol (libpipewire clients).
#
# Opens: the default PipeWire socket, not the manager socket
# (pipewire-0-manager), which lets a client link any node to any other.
unix connect ${XDG_RUNTIME_DIR}/pipewire-0
