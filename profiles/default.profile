# default — used when no profile is named after the command.
#
# No rules: the program gets a private /tmp, /var/tmp, /run,
# $XDG_RUNTIME_DIR and /dev/shm, its own SysV/POSIX IPC, PID and network
# namespaces (loopback only), and reaches no IPC endpoint outside the
# sandbox. See ipcfence.profile(5).
include abstractions/base
