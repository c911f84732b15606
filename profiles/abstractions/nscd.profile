# nscd — the name service cache daemon, which glibc asks first for
# passwd, group and hosts lookups when it runs.
#
# Opens: nscd's socket, under the name glibc uses (/var/run, a symlink to
# /run on current systems) and its real place.
unix connect /var/run/nscd/socket
unix connect /run/nscd/socket
