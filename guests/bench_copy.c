/* SPDX-License-Identifier: MIT */
/*
 * bench_copy: the memory-bound simulator benchmark (bench/sim.py): fills a
 * 256 KiB source buffer, then copies it BENCH_COPY_REPS times with an
 * LDP/STP loop (bench_copy_loop), then test_exit. No hypercall or device
 * access before the end, so bench/uc_ref runs the same image in bare
 * Unicorn with no hooks as the reference.
 */
#include "bench_sim.h"
#include "guest.h"

int main(void)
{
	volatile uint64_t *src = (volatile uint64_t *)BENCH_COPY_SRC;
	const volatile uint64_t *dst = (const volatile uint64_t *)BENCH_COPY_DST;

	for (uint64_t i = 0; i < BENCH_COPY_SIZE / 8; i++)
		src[i] = i * 0x9e3779b97f4a7c15u;
	for (unsigned r = 0; r < BENCH_COPY_REPS; r++)
		bench_copy_loop(BENCH_COPY_DST, BENCH_COPY_SRC,
				BENCH_COPY_SIZE);
	/* The last word must have arrived. */
	return dst[BENCH_COPY_SIZE / 8 - 1] == src[BENCH_COPY_SIZE / 8 - 1] ? 0
									    : 1;
}
