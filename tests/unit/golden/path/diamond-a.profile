include abstractions/common
unix connect /run/a.sock
