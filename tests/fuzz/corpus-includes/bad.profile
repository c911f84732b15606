sysv host
unix connect relative
