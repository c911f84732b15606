# every keyword once
include abstractions/common
network host
unix connect /run/a.sock
unix listen @b
dbus session talk org.example.A
tcp connect localhost:1
tcp listen 2
sysv host
mqueue open /q
shm open /s
fifo open /f
signal host
netlink kobject-uevent
