unix connect ${XDG_RUNTIME_DIR}/bus
netlink route
