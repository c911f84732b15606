/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network namespace: bring loopback up so programs that talk to themselves
 * over 127.0.0.1 keep working; nothing else exists in the namespace. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "sandbox/sandbox.h"
#include "util/cleanup.h"

int ipf_apply_loopback(char *detail, size_t n)
{
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {0};

        snprintf(detail, n, "loopback");
        if (fd < 0)
                return -errno;
        strncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name) - 1);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        return 0;
}
