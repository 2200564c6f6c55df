/* SPDX-License-Identifier: MIT */
/*
 * bench_touch: host memory follows pages touched (bench/sim.py,
 * configs/bench-mem.dts: a 256 MiB cell). Writes one word in each 4 KiB
 * page of BENCH_TOUCH_SIZE bytes from BENCH_TOUCH_BASE, reads them all
 * back, then test_exit (status 1 on a mismatch). hvsim's peak RSS should
 * grow by about BENCH_TOUCH_SIZE over a run that touches little.
 */
#include "guest.h"

#define BENCH_TOUCH_BASE UINT64_C(0x44000000)
#define BENCH_TOUCH_SIZE (UINT64_C(64) << 20)
#define BENCH_PAGE 4096u

int main(void)
{
	volatile uint64_t *p = (volatile uint64_t *)BENCH_TOUCH_BASE;
	const uint64_t step = BENCH_PAGE / sizeof(*p);
	const uint64_t pages = BENCH_TOUCH_SIZE / BENCH_PAGE;

	for (uint64_t i = 0; i < pages; i++)
		p[i * step] = i + 1;
	for (uint64_t i = 0; i < pages; i++)
		if (p[i * step] != i + 1)
			return 1;
	return 0;
}
