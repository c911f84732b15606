# listed in enum order whatever the profile order
netlink audit
netlink kobject-uevent
netlink route
