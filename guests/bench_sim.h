/* SPDX-License-Identifier: MIT */
/*
 * Loop kernels of the simulator benchmark guests (guests/bench_*.c other
 * than bench_el2; bench/sim.py runs them). Each kernel is one asm block,
 * so the instruction stream (and hence the translation-block size, which
 * is what the simulator's per-block costs scale with) is fixed by this
 * file, not by the compiler:
 *
 *   bench_alu_loop   10 instructions per iteration, one block: 8 integer
 *                    ops (a xorshift-style mix) + SUBS + B.NE
 *   bench_copy_loop  12 instructions per 64 bytes, one block: 4 LDP +
 *                    4 STP + 2 ADD + SUBS + B.NE
 *
 * The compute guests issue no hypercall and touch no device before their
 * kernel ends, so bench/uc_ref runs the very same .bin in bare Unicorn
 * with no hooks at all: the first HVC (test_exit) ends that run.
 */
#ifndef BENCH_SIM_H
#define BENCH_SIM_H

#include <stdint.h>

/* Iterations of bench_alu_loop per vCPU: 6e8 instructions. */
#define BENCH_ALU_ITERS UINT64_C(60000000)

/* bench_copy: BENCH_COPY_REPS copies of BENCH_COPY_SIZE bytes from
 * BENCH_COPY_SRC to BENCH_COPY_DST (inside every bench config's 16 MiB
 * cell, above the image): 16 MiB copied, 3.1e6 instructions in the loop.
 * Small because every store of Unicorn 2.0.1 takes its slow path
 * (docs/performance.md): ~0.2 us per store even with no hooks. */
#define BENCH_COPY_SRC UINT64_C(0x40400000)
#define BENCH_COPY_DST UINT64_C(0x40800000)
#define BENCH_COPY_SIZE UINT64_C(0x40000) /* 256 KiB */
#define BENCH_COPY_REPS 64u

/* Returns a value that depends on every iteration (so nothing is dead). */
static inline uint64_t bench_alu_loop(uint64_t iters)
{
	uint64_t a = 0x9e3779b97f4a7c15u, b = 1, c = 2, d = 3;

	__asm__ volatile("1:\n\t"
			 "add	%[b], %[b], %[a]\n\t"
			 "eor	%[a], %[a], %[b], lsl #13\n\t"
			 "eor	%[a], %[a], %[a], lsr #7\n\t"
			 "add	%[c], %[c], %[a], lsl #1\n\t"
			 "eor	%[c], %[c], %[b]\n\t"
			 "orr	%[d], %[d], %[c], lsr #3\n\t"
			 "sub	%[b], %[b], %[d]\n\t"
			 "add	%[d], %[d], #1\n\t"
			 "subs	%[n], %[n], #1\n\t"
			 "b.ne	1b"
			 : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [d] "+r"(d),
			   [n] "+r"(iters)
			 :
			 : "cc");
	return a ^ b ^ c ^ d;
}

/* Copies size bytes (a non-zero multiple of 64, both 16-byte aligned). */
static inline void bench_copy_loop(uint64_t dst, uint64_t src, uint64_t size)
{
	uint64_t t0, t1, t2, t3, t4, t5, t6, t7;

	__asm__ volatile(
		"1:\n\t"
		"ldp	%[t0], %[t1], [%[s]]\n\t"
		"ldp	%[t2], %[t3], [%[s], #16]\n\t"
		"ldp	%[t4], %[t5], [%[s], #32]\n\t"
		"ldp	%[t6], %[t7], [%[s], #48]\n\t"
		"stp	%[t0], %[t1], [%[d]]\n\t"
		"stp	%[t2], %[t3], [%[d], #16]\n\t"
		"stp	%[t4], %[t5], [%[d], #32]\n\t"
		"stp	%[t6], %[t7], [%[d], #48]\n\t"
		"add	%[s], %[s], #64\n\t"
		"add	%[d], %[d], #64\n\t"
		"subs	%[n], %[n], #64\n\t"
		"b.ne	1b"
		: [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2),
		  [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5), [t6] "=&r"(t6),
		  [t7] "=&r"(t7), [s] "+r"(src), [d] "+r"(dst), [n] "+r"(size)
		:
		: "cc", "memory");
}

#endif /* BENCH_SIM_H */
