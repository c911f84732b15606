/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scope-based cleanup helpers (STYLE §3): every variable that owns a resource
 * is declared with one of these and initialised at declaration; TAKE_*()
 * hands ownership out. */
#pragma once

#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                (void)close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
        if (*f)
                (void)fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closedirp(DIR **d)
{
        if (*d)
                (void)closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Hand out ownership: returns the value and leaves the variable empty. */
#define TAKE_PTR(p)                         \
        ({                                  \
                __typeof__(p) _taken = (p); \
                (p) = NULL;                 \
                _taken;                     \
        })
#define TAKE_FD(fd)                \
        ({                         \
                int _taken = (fd); \
                (fd) = -1;         \
                _taken;            \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Define a _cleanup_ function for a type with a *_free() returning NULL. */
#define DEFINE_FREE_FUNC(type, func)         \
        static inline void func##p(type **p) \
        {                                    \
                if (*p)                      \
                        (void)func(*p);      \
        }
