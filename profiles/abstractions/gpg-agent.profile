# gpg-agent — GnuPG's agent, for gpg to sign, decrypt and ask for a PIN.
#
# Opens: the agent's main socket in $XDG_RUNTIME_DIR/gnupg (where gpgconf
# puts it when the runtime directory exists) and in ~/.gnupg (where it
# lives otherwise). Not the "extra", "browser" or "ssh" sockets.
unix connect ${XDG_RUNTIME_DIR}/gnupg/S.gpg-agent
unix connect ${HOME}/.gnupg/S.gpg-agent
