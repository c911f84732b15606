/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bpf-eval.h"

#include <string.h>

#define BAD UINT32_MAX

static uint32_t load_abs(const struct seccomp_data *d, uint32_t off, int *ok)
{
        uint32_t v;

        if (off % 4 != 0 || off + 4 > sizeof(*d)) {
                *ok = 0;
                return 0;
        }
        memcpy(&v, (const char *)d + off, 4);
        return v;
}

static uint32_t alu(uint16_t op, uint32_t a, uint32_t x, int *ok)
{
        switch (op) {
        case BPF_ADD: return a + x;
        case BPF_SUB: return a - x;
        case BPF_MUL: return a * x;
        case BPF_DIV: if (x == 0) { *ok = 0; return 0; } return a / x;
        case BPF_AND: return a & x;
        case BPF_OR: return a | x;
        case BPF_XOR: return a ^ x;
        case BPF_LSH: return x < 32 ? a << x : 0;
        case BPF_RSH: return x < 32 ? a >> x : 0;
        case BPF_NEG: return -a;
        default: *ok = 0; return 0;
        }
}

uint32_t bpf_eval(const struct sock_filter *prog, unsigned len, const struct seccomp_data *data)
{
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
        int ok = 1;

        for (unsigned pc = 0; pc < len && ok; pc++) {
                const struct sock_filter *i = &prog[pc];
                uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
                int taken;

                switch (BPF_CLASS(i->code)) {
                case BPF_LD:
                        if (i->code == (BPF_LD | BPF_W | BPF_ABS))
                                a = load_abs(data, i->k, &ok);
                        else if (i->code == (BPF_LD | BPF_IMM))
                                a = i->k;
                        else if (i->code == (BPF_LD | BPF_MEM) && i->k < BPF_MEMWORDS)
                                a = mem[i->k];
                        else if (i->code == (BPF_LD | BPF_W | BPF_LEN))
                                a = sizeof(*data);
                        else
                                return BAD;
                        break;
                case BPF_LDX:
                        if (i->code == (BPF_LDX | BPF_IMM))
                                x = i->k;
                        else if (i->code == (BPF_LDX | BPF_MEM) && i->k < BPF_MEMWORDS)
                                x = mem[i->k];
                        else if (i->code == (BPF_LDX | BPF_W | BPF_LEN))
                                x = sizeof(*data);
                        else
                                return BAD;
                        break;
                case BPF_ST:
                        if (i->k >= BPF_MEMWORDS)
                                return BAD;
                        mem[i->k] = a;
                        break;
                case BPF_STX:
                        if (i->k >= BPF_MEMWORDS)
                                return BAD;
                        mem[i->k] = x;
                        break;
                case BPF_ALU:
                        a = alu(BPF_OP(i->code), a, src, &ok);
                        break;
                case BPF_JMP:
                        if (BPF_OP(i->code) == BPF_JA) {
                                if (pc + 1 + i->k >= len)
                                        return BAD;
                                pc += i->k;
                                break;
                        }
                        switch (BPF_OP(i->code)) {
                        case BPF_JEQ: taken = a == src; break;
                        case BPF_JGT: taken = a > src; break;
                        case BPF_JGE: taken = a >= src; break;
                        case BPF_JSET: taken = (a & src) != 0; break;
                        default: return BAD;
                        }
                        pc += taken ? i->jt : i->jf;
                        if (pc + 1 >= len)
                                return BAD;
                        break;
                case BPF_RET:
                        if (BPF_RVAL(i->code) == BPF_K)
                                return i->k;
                        if (BPF_RVAL(i->code) == BPF_A)
                                return a;
                        return BAD;
                case BPF_MISC:
                        if (BPF_MISCOP(i->code) == BPF_TAX)
                                x = a;
                        else
                                a = x;
                        break;
                default:
                        return BAD;
                }
        }
        return BAD;
}
