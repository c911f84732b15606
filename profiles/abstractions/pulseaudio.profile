# pulseaudio — sound through a PulseAudio server, or PipeWire's
# pipewire-pulse, which listens at the same place.
#
# Opens: the native protocol socket of the user's sound server.
unix connect ${XDG_RUNTIME_DIR}/pulse/native
