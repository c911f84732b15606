/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Diagnostics channel (STYLE §4): one line on stderr, "ipcfence: " prefix.
 * Library code logs only at debug; notices (a fallback in use) once. */
#pragma once

#include <stdarg.h>

enum ipf_log_level {
        IPF_LOG_ERR,
        IPF_LOG_NOTICE,
        IPF_LOG_DEBUG,
};

void ipf_log(enum ipf_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define ipf_debug(...) ipf_log(IPF_LOG_DEBUG, __VA_ARGS__)
#define ipf_notice(...) ipf_log(IPF_LOG_NOTICE, __VA_ARGS__)
