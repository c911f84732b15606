# network host implies netlink route
network host
tcp connect 127.0.0.1:5432
