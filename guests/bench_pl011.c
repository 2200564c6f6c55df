/* SPDX-License-Identifier: MIT */
/*
 * bench_pl011: the emulated-MMIO-read simulator benchmark (bench/sim.py):
 * BENCH_PL011_READS loads of the PL011 flag register (FR), each a stage-2
 * abort the hypervisor emulates, in a 3-instruction loop, then test_exit.
 * bench/uc_ref runs the same image in bare Unicorn with the UART page as
 * a uc_mmio_map() region (one read callback per load).
 */
#include "guest.h"

/* PL011 TRM r1p5, 3.2 (as hv/include/hv/pl011.h). */
#define PL011_FR 0x018u

#define BENCH_PL011_READS UINT64_C(1000000)

int main(void)
{
	uint64_t n = BENCH_PL011_READS, fr = GUEST_UART_BASE + PL011_FR;
	uint32_t v;

	__asm__ volatile("1:\n\t"
			 "ldr	%w[v], [%[a]]\n\t"
			 "subs	%[n], %[n], #1\n\t"
			 "b.ne	1b"
			 : [n] "+r"(n), [v] "=&r"(v)
			 : [a] "r"(fr)
			 : "cc", "memory");
	(void)v;
	return 0;
}
