/* SPDX-License-Identifier: MIT */
/*
 * bench_hvc: the null-hypercall simulator benchmark (bench/sim.py):
 * BENCH_HVC_CALLS calls of HV_CALL_VERSION by HVC #0 in a 4-instruction
 * loop, then test_exit (status 1 if the last call did not answer the
 * version). bench/uc_ref runs the same image in bare Unicorn with one
 * UC_HOOK_INTR hook that answers every HVC.
 */
#include "guest.h"

#define BENCH_HVC_CALLS UINT64_C(2000000)

int main(void)
{
	uint64_t n = BENCH_HVC_CALLS, fid = HV_CALL_VERSION;
	register uint64_t x0 __asm__("x0") = 0;

	__asm__ volatile("1:\n\t"
			 "mov	x0, %[fid]\n\t"
			 "hvc	#0\n\t"
			 "subs	%[n], %[n], #1\n\t"
			 "b.ne	1b"
			 : [n] "+r"(n), "+r"(x0)
			 : [fid] "r"(fid)
			 : "x1", "x2", "x3", "cc", "memory");
	return x0 == (HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR) ? 0 : 1;
}
