# base — what every program needs from outside the sandbox.
#
# Nothing, for IPC: inside the sandbox a program already has its own /tmp,
# /var/tmp, /run, $XDG_RUNTIME_DIR, /dev/shm and /dev/mqueue, its own SysV
# and POSIX IPC, PID and network namespaces (loopback up), and it can talk
# to its own children freely. Name-service lookups (abstractions/nscd),
# logging (abstractions/journald, abstractions/syslog) and the desktop
# buses are separate abstractions, each opening its own endpoints.
