sysv host
include self-cycle
