# The base abstraction: what nearly every program needs.
unix connect /run/systemd/journal/socket
include abstractions/common
