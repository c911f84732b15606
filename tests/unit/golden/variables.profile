# ${UID} ${USER} ${HOME} ${XDG_RUNTIME_DIR}
unix connect ${XDG_RUNTIME_DIR}/bus
unix connect /run/user/${UID}/wayland-0
fifo open ${HOME}/.cache/${USER}.fifo
unix connect @${USER}-${UID}
shm open /app-${UID}-*
mqueue open /q.${USER}
unix listen ${HOME}/sock-*
