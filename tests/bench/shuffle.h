/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The benchmarks' shuffle: each round runs its variants in a fresh random
 * order, so that no variant always goes first on a noisy machine. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* splitmix64: small, seedable and good enough to shuffle a few items. */
static inline uint64_t next_random(uint64_t *state)
{
        uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

static inline void shuffle(int *order, size_t n, uint64_t *state)
{
        for (size_t i = n - 1; i > 0; i--) {
                size_t j = (size_t)(next_random(state) % (i + 1));
                int t = order[i];

                order[i] = order[j];
                order[j] = t;
        }
}
