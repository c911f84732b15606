# shadowed by ../path/shadow.profile
unix connect /run/shadow-low.sock
