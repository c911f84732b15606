# line 1
sysv host
unix connect relative
