/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/log.h"

#include <errno.h>
#include <stdio.h>

#include "ipcfence.h"

/* The one mutable global of the library besides probe caches: set once by
 * the launcher from -q/-v before anything runs. */
static int log_verbosity;

void ipf_log_set_verbosity(int v)
{
        log_verbosity = v;
}

void ipf_log(enum ipf_log_level level, const char *fmt, ...)
{
        int saved = errno;
        va_list ap;

        if ((level == IPF_LOG_DEBUG && log_verbosity < 1) ||
            (level == IPF_LOG_NOTICE && log_verbosity < 0))
                return;
        va_start(ap, fmt);
        fputs("ipcfence: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        errno = saved;
}
