# includes expand in place; diamonds fold
include abstractions/base
unix connect /run/before.sock
include diamond-a
include diamond-b
include shadow
include low-only
unix connect /run/after.sock
