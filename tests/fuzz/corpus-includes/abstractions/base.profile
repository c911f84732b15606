unix connect /run/systemd/journal/socket
include abstractions/common
