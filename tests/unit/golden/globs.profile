# '*' only in the last component of a path; anywhere in names
unix connect /run/user/1000/pulse/*
unix connect /run/*
fifo open /tmp/a*b*c
unix connect @*
unix connect @dbus-*-x
mqueue open /*
dbus session talk org.example.*
