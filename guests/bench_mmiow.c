/* SPDX-License-Identifier: MIT */
/*
 * bench_mmiow: the emulated-MMIO-write simulator benchmark (bench/sim.py):
 * BENCH_MMIOW_WRITES stores of 0 to the PL011 interrupt mask register
 * (IMSC: no interrupt is enabled, nothing is printed), each a stage-2
 * abort the hypervisor emulates, in a 3-instruction loop, then test_exit.
 * bench/uc_ref runs the same image in bare Unicorn with the UART page as
 * a uc_mmio_map() region (one write callback per store).
 */
#include "guest.h"

/* PL011 TRM r1p5, 3.2 (as hv/include/hv/pl011.h). */
#define PL011_IMSC 0x038u

#define BENCH_MMIOW_WRITES UINT64_C(1000000)

int main(void)
{
	uint64_t n = BENCH_MMIOW_WRITES, imsc = GUEST_UART_BASE + PL011_IMSC;

	__asm__ volatile("1:\n\t"
			 "str	wzr, [%[a]]\n\t"
			 "subs	%[n], %[n], #1\n\t"
			 "b.ne	1b"
			 : [n] "+r"(n)
			 : [a] "r"(imsc)
			 : "cc", "memory");
	return 0;
}
