# ssh-agent — the user's SSH agent at its usual fixed places.
#
# Opens: the agent socket that systemd's user unit, GNOME Keyring and
# gpg-agent (enable-ssh-support) create in $XDG_RUNTIME_DIR.
# An agent started by hand listens at a random path
# (/tmp/ssh-XXXXXX/agent.PID); allow that one on the command line:
#   ipcfence --allow="unix connect $SSH_AUTH_SOCK" -- ssh host
unix connect ${XDG_RUNTIME_DIR}/ssh-agent.socket
unix connect ${XDG_RUNTIME_DIR}/keyring/ssh
unix connect ${XDG_RUNTIME_DIR}/gnupg/S.gpg-agent.ssh
