# journald — logging to systemd-journald with its own protocols.
#
# Opens: the native protocol socket (sd_journal_send(3)) and the stream
# socket behind sd_journal_stream_fd(3). For syslog(3), see
# abstractions/syslog.
unix connect /run/systemd/journal/socket
unix connect /run/systemd/journal/stdout
