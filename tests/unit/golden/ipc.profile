# SysV, POSIX queues and shm, FIFOs, signals
sysv host
mqueue open /app-queue
mqueue open /pulse-*
shm open /pulse-shm-1
shm open /wayland.*
fifo open /run/user/1000/app.fifo
fifo open /tmp/fifo-*
signal host
