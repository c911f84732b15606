# Shared by diamond-a and diamond-b.
unix connect ${XDG_RUNTIME_DIR}/common.sock
