include abstractions/common
unix connect /run/b.sock
