# strings are JSON-escaped; UTF-8 kept as is
unix connect /tmp/a"b\c
unix connect /tmp/café/☃.sock
fifo open /tmp/{x}[y]?:%s
