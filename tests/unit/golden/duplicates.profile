# identical rules fold silently, keeping the first origin
unix connect /run/x.sock
sysv host
unix connect /run/x.sock
  sysv host
network none
network none
netlink route
netlink route
unix connect /run/x.sock*
unix listen /run/x.sock
dbus session talk org.a.b
dbus system talk org.a.b
tcp connect [::1]:80
tcp connect [0::1]:80
tcp connect 127.0.0.1:80
tcp listen 80
tcp listen 127.0.0.1:80
unix connect /run/x.sock
