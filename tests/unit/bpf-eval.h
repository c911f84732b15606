/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A userspace classic-BPF interpreter for seccomp programs, so that unit
 * tests can check compiled filters against (arch, syscall, args) tables
 * without loading them. */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>

/* Runs PROG on DATA; returns the filter's SECCOMP_RET_* value, or
 * UINT32_MAX if the program is malformed (bad opcode, jump out of range,
 * out-of-bounds load, falling off the end). */
uint32_t bpf_eval(const struct sock_filter *prog, unsigned len, const struct seccomp_data *data);
