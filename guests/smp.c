/* SPDX-License-Identifier: MIT */
/*
 * smp: a cell of NCPUS vCPUs. vCPU 0 sets up the GIC, then starts vCPUs
 * 1..NCPUS-1 one by one with PSCI CPU_ON (entry _secondary_entry, a
 * context id per vCPU). Each secondary checks its context id, MPIDR and
 * redistributor, sets up its CPU interface and reports in. Then IPI
 * ping-pong: vCPU 0 sends SGI 1 to vCPU k, which answers with SGI 2 to
 * vCPU 0, ROUNDS times each. Finally each secondary is told to stop (SGI 3
 * wakes it), calls CPU_OFF, and vCPU 0 polls AFFINITY_INFO until it reads
 * OFF. vCPU 0 then turns itself off: as the cell's last vCPU that ends the
 * cell (status 0) on Cellvisor.
 *
 * Only vCPU 0 prints. The secondaries report through `shared`: every field
 * has a single writer, written with a barrier before (shared_write) and
 * read with one after (shared_read): the MMU is off, memory is Device
 * memory and exclusives cannot be relied on.
 */
#include "gic.h"
#include "guest.h"

#define NCPUS 4u
#define ROUNDS 10u
#define SGI_PING 1u
#define SGI_PONG 2u
#define SGI_WAKE 3u
#define CONTEXT_MAGIC UINT64_C(0x5ec0000000000000)

/* Upper bounds of the waits (each step is a WFI or a PSCI call). */
#define WAIT_MAX \
	200000000u /* generous: a loaded host may not schedule a sibling vCPU for a while */

#define AFF_ON 0
#define AFF_OFF 1

static struct {
	/* Written by vCPU k only. */
	volatile uint32_t ready[NCPUS];	       /* 1: set up, IRQs on */
	volatile uint32_t context_ok[NCPUS];   /* x0 at entry was its context */
	volatile uint32_t mpidr_ok[NCPUS];     /* MPIDR Aff0 == k */
	volatile uint32_t redist_ok[NCPUS];    /* found, awake, ProcNum == k */
	volatile uint32_t pings[NCPUS];	       /* SGI_PING taken */
	volatile uint32_t bad_irqs[NCPUS];     /* other INTIDs, spurious */
	volatile uint32_t off_returned[NCPUS]; /* CPU_OFF came back */
	/* Written by vCPU 0 only. */
	volatile uint32_t stop[NCPUS];
	volatile uint32_t pongs;
} shared;

static uint64_t redist[NCPUS];

/* Runs on every vCPU, on its own stack. */
void guest_irq(void)
{
	unsigned me = guest_cpu_id();

	for (unsigned handled = 0;; handled++) {
		uint32_t id = gic_ack();

		if (id >= 1020) {
			if (handled == 0)
				shared_write(&shared.bad_irqs[me],
					     shared.bad_irqs[me] + 1);
			return;
		}
		if (me != 0 && id == SGI_PING) {
			shared_write(&shared.pings[me], shared.pings[me] + 1);
			gic_send_sgi(SGI_PONG, 0);
		} else if (me == 0 && id == SGI_PONG) {
			shared_write(&shared.pongs, shared.pongs + 1);
		} else if (id != SGI_WAKE) {
			shared_write(&shared.bad_irqs[me],
				     shared.bad_irqs[me] + 1);
		}
		gic_eoi(id);
	}
}

static bool cpu_setup(unsigned me)
{
	uint64_t rd = gic_redist_find(NULL);
	bool ok = rd != 0;

	if (ok) {
		ok = gic_redist_init(rd, 0xa0) &&
		     GICR_TYPER_PROCNUM(mmio_ldr64(rd + GICR_TYPER)) == me;
		gic_enable(rd, SGI_PING);
		gic_enable(rd, SGI_PONG);
		gic_enable(rd, SGI_WAKE);
	}
	if (me < NCPUS)
		redist[me] = rd;
	gic_cpu_init();
	return ok;
}

void secondary_main(uint64_t context)
{
	unsigned me = guest_cpu_id();

	if (me == 0 || me >= NCPUS)
		return; /* crt0 turns it off */
	shared_write(&shared.context_ok[me], context == (CONTEXT_MAGIC | me));
	shared_write(&shared.mpidr_ok[me],
		     (read_sysreg(mpidr_el1) & 0xff) == me);
	shared_write(&shared.redist_ok[me], cpu_setup(me));
	shared_write(&shared.ready[me], 1);

	/* Serve pings until told to stop; WFI with PSTATE.I set so that a
	 * wake-up between the test and the WFI is not lost. */
	while (!shared_read(&shared.stop[me])) {
		irq_mask();
		if (!shared_read(&shared.stop[me]))
			wfi();
		irq_unmask();
	}
	irq_mask();
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	shared_write(&shared.off_returned[me], 1);
}

/* vCPU 0: polls until *flag == want (for flags no interrupt announces). */
static bool poll_flag(volatile uint32_t *flag, uint32_t want)
{
	for (unsigned i = 0; i < WAIT_MAX; i++)
		if (shared_read(flag) == want)
			return true;
	return false;
}

/* vCPU 0: waits (WFI) until *flag == want, for a flag an interrupt to
 * vCPU 0 announces. */
static bool wait_flag(volatile uint32_t *flag, uint32_t want)
{
	for (unsigned i = 0; i < WAIT_MAX; i++) {
		irq_mask();
		if (shared_read(flag) == want) {
			irq_unmask();
			return true;
		}
		wfi();
		irq_unmask();
	}
	return shared_read(flag) == want;
}

static int64_t affinity(unsigned k)
{
	return psci_call(PSCI_AFFINITY_INFO_64, k, 0, 0);
}

static bool wait_affinity(unsigned k, int64_t want)
{
	for (unsigned i = 0; i < WAIT_MAX; i++)
		if (affinity(k) == want)
			return true;
	return false;
}

int main(void)
{
	unsigned frames = 0, started = 0, ready = 0, off = 0, pings = 0;
	bool all_ok = true;

	guest_puts("smp: 4 vCPUs, PSCI CPU_ON/CPU_OFF, IPI ping-pong\n");
	check_eq("running on vCPU (MPIDR Aff0)", guest_cpu_id(), 0);
	check(gic_dist_init(), "GIC distributor enabled");
	gic_redist_find(&frames);
	guest_printf("redistributor frames: %u\n", frames);
	check(cpu_setup(0), "vCPU 0 redistributor set up");

	/* Start the secondaries one by one. */
	for (unsigned k = 1; k < NCPUS; k++) {
		int64_t r;

		if (affinity(k) != AFF_OFF)
			all_ok = false;
		r = psci_call(PSCI_CPU_ON_64, k, (uint64_t)_secondary_entry,
			      CONTEXT_MAGIC | k);
		if (r == PSCI_RET_SUCCESS)
			started++;
		if (poll_flag(&shared.ready[k], 1))
			ready++;
		if (affinity(k) != AFF_ON)
			all_ok = false;
	}
	check(all_ok, "AFFINITY_INFO: OFF before CPU_ON, ON once running");
	guest_printf("CPU_ON succeeded: %u, secondaries ready: %u\n", started,
		     ready);
	check(started == NCPUS - 1 && ready == NCPUS - 1,
	      "every secondary started and reported in");
	all_ok = true;
	for (unsigned k = 1; k < NCPUS; k++)
		all_ok = all_ok && shared_read(&shared.context_ok[k]) &&
			 shared_read(&shared.mpidr_ok[k]) &&
			 shared_read(&shared.redist_ok[k]);
	check(all_ok, "secondaries: context id in x0, MPIDR Aff0, own "
		      "redistributor");

	/* Ping-pong: one exchange in flight at a time. */
	irq_unmask();
	for (unsigned k = 1; k < NCPUS; k++)
		for (unsigned r = 0; r < ROUNDS; r++) {
			uint32_t before = shared_read(&shared.pongs);

			gic_send_sgi(SGI_PING, k);
			if (!wait_flag(&shared.pongs, before + 1))
				break;
		}
	irq_mask();
	for (unsigned k = 1; k < NCPUS; k++)
		pings += shared_read(&shared.pings[k]);
	guest_printf("pings taken by vCPUs 1-3: %u, pongs taken by vCPU 0: "
		     "%u\n",
		     pings, shared_read(&shared.pongs));
	check(pings == (NCPUS - 1) * ROUNDS &&
		      shared_read(&shared.pongs) == (NCPUS - 1) * ROUNDS,
	      "every ping answered");
	all_ok = true;
	for (unsigned k = 1; k < NCPUS; k++)
		all_ok = all_ok && shared_read(&shared.pings[k]) == ROUNDS;
	check(all_ok, "10 pings on each secondary");

	/* Stop them: CPU_OFF, seen through AFFINITY_INFO. */
	for (unsigned k = 1; k < NCPUS; k++) {
		shared_write(&shared.stop[k], 1);
		gic_send_sgi(SGI_WAKE, k);
		if (wait_affinity(k, AFF_OFF))
			off++;
	}
	guest_printf("secondaries off (AFFINITY_INFO OFF): %u\n", off);
	check(off == NCPUS - 1, "every secondary turned off with CPU_OFF");
	all_ok = true;
	for (unsigned k = 0; k < NCPUS; k++)
		all_ok = all_ok && !shared_read(&shared.off_returned[k]) &&
			 !shared_read(&shared.bad_irqs[k]);
	check(all_ok, "no CPU_OFF returned, no unexpected or spurious IRQ");
	check(affinity(0) == AFF_ON, "AFFINITY_INFO of vCPU 0: ON");

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("smp: all checks passed, vCPU 0 CPU_OFF\n");
	if (!guest_hv_present())
		return 0; /* QEMU would just stop: power off instead */
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	guest_puts("FAIL: CPU_OFF of the last vCPU returned\n");
	return 1;
}
