/* SPDX-License-Identifier: MIT */
/*
 * bench_smp: the many-vCPU simulator benchmark (bench/sim.py,
 * configs/bench-cells.dts: 4 cells of 2 vCPUs). vCPU 0 starts vCPU 1 with
 * PSCI CPU_ON, both run bench_alu_loop for BENCH_SMP_ITERS iterations
 * (the kernel of bench_alu), vCPU 1 then turns off and vCPU 0 waits for
 * its flag and ends the cell with test_exit. Status 1 if vCPU 1 could not
 * be started.
 */
#include "bench_sim.h"
#include "guest.h"

#define BENCH_SMP_ITERS (BENCH_ALU_ITERS / 4)

static volatile uint32_t done;
static volatile uint64_t sink[2];

void secondary_main(uint64_t context)
{
	(void)context;
	sink[1] = bench_alu_loop(BENCH_SMP_ITERS);
	shared_write(&done, 1);
}

int main(void)
{
	int64_t r = psci_call(PSCI_CPU_ON_64, 1, (uint64_t)_secondary_entry, 0);

	sink[0] = bench_alu_loop(BENCH_SMP_ITERS);
	if (r != PSCI_RET_SUCCESS)
		return 1;
	while (shared_read(&done) == 0)
		;
	return 0;
}
