# syslog — syslog(3) and logger(1) through /dev/log.
#
# Opens: /dev/log, and the socket it leads to on systemd hosts
# (journald's dev-log). ipcfence requires the socket a symlink leads to
# to be allowed as well, so both are named.
unix connect /dev/log
unix connect /run/systemd/journal/dev-log
