/* SPDX-License-Identifier: MIT */
/*
 * bench_el2: instructions per hypervisor operation, counted by the PMU
 * (event INST_RETIRED, 0x08, in PMEVCNTR0_EL0 with PMEVTYPER0_EL0.NSH = 1 so
 * that EL2 counts too: hal/baremetal leaves MDCR_EL2.HPMD = 0). Meant for
 * QEMU with `-icount shift=0`, where the count is exact and the same on
 * every run (QEMU implements INST_RETIRED only with icount). bench/el2.py
 * runs it and does the arithmetic (docs/performance.md).
 *
 * Each measurement is a loop of ITERS calls through a function pointer;
 * the same loop calling an empty function is printed too, so the loop and
 * the call are subtracted while the operation's own guest wrapper
 * (hvc0(), mmio_ldr32(), gic_send_sgi() + the IRQ vector) is included:
 *
 *   hvc        null hypercall HV_CALL_VERSION through hvc0()
 *   pl011      emulated PL011 FR load (ldr w)
 *   gicd       emulated vGIC distributor GICD_TYPER load
 *   gicr       emulated vGIC redistributor GICR_ISENABLER0 load
 *   sgi-self   SGI to itself: ICC_SGI1R_EL1 write, IRQ taken, IAR, EOIR
 *   ping-pong  vCPU 0 -> vCPU 1 SGI, answered by vCPU 1 -> vCPU 0 (ITERS
 *              round trips, both vCPUs wait in WFI)
 *
 * Output, one line per loop: "bench: NAME iters=N insns=C". Under QEMU's
 * icount the counter follows the one global instruction count of all
 * CPUs (QEMU runs them round robin in one thread), so the ping-pong count
 * is the work of both vCPUs and their pCPUs; vCPU 1 is still OFF (its pCPU
 * asleep in WFI at EL2) during the single-vCPU loops. For the same reason
 * every wait here is a WFI, never a poll: QEMU switches CPUs only when the
 * running one halts.
 *
 * Also runs on bare QEMU at EL1 without a hypervisor (`-kernel
 * bench_el2.elf`, -smp 2): the same loops then give the reference cost
 * of the operation on QEMU's own devices (the HVC is then answered by
 * QEMU's PSCI emulation with NOT_SUPPORTED, no exception).
 */
#include "gic.h"
#include "guest.h"

#ifndef BENCH_ITERS
#define BENCH_ITERS 1000u
#endif
#define ITERS BENCH_ITERS
#define SGI_SELF 0u
#define SGI_PING 1u
#define SGI_PONG 2u
#define SGI_WAKE 3u
#define PRIO 0xa0u
#define WAIT_MAX 20000000u

/* PMU (Arm ARM D13): PMCR_EL0.E enables the counters, .P resets the
 * event counters; PMEVTYPER<n>_EL0.NSH counts EL2 too. */
#define PMCR_E (UINT64_C(1) << 0)
#define PMCR_P (UINT64_C(1) << 1)
#define PMEVTYPER_NSH (UINT64_C(1) << 27)
#define PMU_INST_RETIRED UINT64_C(0x08)

/* GICD_TYPER, and the redistributor register the gicr loop reads. */
#define GICD_TYPER_OFF 0x0004u

static struct {
	volatile uint32_t ready;  /* written by vCPU 1 */
	volatile uint32_t pings;  /* written by vCPU 1 */
	volatile uint32_t pongs;  /* written by vCPU 0 */
	volatile uint32_t selfs;  /* written by vCPU 0 */
	volatile uint32_t bad[2]; /* written by vCPU k */
} shared;

static uint64_t rd0;

void guest_irq(void)
{
	unsigned me = guest_cpu_id() & 1;

	for (unsigned handled = 0;; handled++) {
		uint32_t id = gic_ack();

		if (id >= 1020) {
			if (handled == 0)
				shared.bad[me]++;
			return;
		}
		if (me == 0 && id == SGI_SELF)
			shared.selfs++;
		else if (me == 0 && id == SGI_PONG)
			shared_write(&shared.pongs, shared.pongs + 1);
		else if (me == 1 && id == SGI_PING) {
			shared_write(&shared.pings, shared.pings + 1);
			gic_send_sgi(SGI_PONG, 0);
		} else if (id != SGI_WAKE)
			shared.bad[me]++;
		gic_eoi(id);
	}
}

static void pmu_init(void)
{
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmcntenset_el0, 1);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | PMCR_E | PMCR_P);
	isb();
}

static uint32_t pmu_read(void)
{
	isb();
	return (uint32_t)read_sysreg(pmevcntr0_el0);
}

/* The operations, each called through a pointer by run(). */
static __attribute__((noinline)) void op_nop(void)
{
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void op_hvc(void)
{
	(void)hvc0(HV_CALL_VERSION, 0, 0);
}

static __attribute__((noinline)) void op_pl011(void)
{
	(void)mmio_ldr32(GUEST_UART_BASE + 0x18); /* UARTFR */
}

static __attribute__((noinline)) void op_gicd(void)
{
	(void)mmio_ldr32(GICD_BASE + GICD_TYPER_OFF);
}

static __attribute__((noinline)) void op_gicr(void)
{
	(void)mmio_ldr32(rd0 + GICR_SGI_OFF + GICR_ISENABLER0);
}

static __attribute__((noinline)) void op_sgi_self(void)
{
	gic_send_sgi(SGI_SELF, 0); /* the IRQ is taken at its ISB */
}

/* One ping to vCPU 1 and wait (WFI) for its pong. */
static __attribute__((noinline)) void op_ping(void)
{
	uint32_t want = shared.pongs + 1;

	gic_send_sgi(SGI_PING, 1);
	for (unsigned i = 0; i < WAIT_MAX; i++) {
		irq_mask();
		if (shared_read(&shared.pongs) == want) {
			irq_unmask();
			return;
		}
		wfi();
		irq_unmask();
	}
}

static __attribute__((noinline)) uint32_t run(void (*op)(void), unsigned n)
{
	uint32_t c0 = pmu_read();

	for (unsigned i = 0; i < n; i++)
		op();
	return pmu_read() - c0;
}

static void report(const char *name, void (*op)(void), unsigned n)
{
	uint32_t c = run(op, n);

	guest_printf("bench: %s iters=%u insns=%u\n", name, n, c);
}

static bool cpu_setup(void)
{
	uint64_t rd = gic_redist_find(NULL);

	if (rd == 0 || !gic_redist_init(rd, PRIO))
		return false;
	gic_enable(rd, SGI_SELF);
	gic_enable(rd, SGI_PING);
	gic_enable(rd, SGI_PONG);
	gic_enable(rd, SGI_WAKE);
	gic_cpu_init();
	if (guest_cpu_id() == 0)
		rd0 = rd;
	return true;
}

void secondary_main(uint64_t context)
{
	(void)context;
	if (guest_cpu_id() != 1)
		return;
	shared_write(&shared.ready, cpu_setup() ? 1 : 2);
	gic_send_sgi(SGI_WAKE, 0); /* vCPU 0 waits for this in WFI */
	/* Serve pings until the cell ends. */
	for (;;) {
		irq_mask();
		wfi();
		irq_unmask();
	}
}

int main(void)
{
	bool hv = guest_hv_present();
	unsigned fails = 0;

	guest_printf("bench_el2: %s, %u iterations per loop\n",
		     hv ? "in a Cellvisor cell" : "no hypervisor", ITERS);
	if (!gic_dist_init() || !cpu_setup()) {
		guest_puts("FAIL: GIC set-up\n");
		return 1;
	}
	pmu_init();
	/* Warm up: the first calls fill QEMU's translation caches (no effect
	 * on the count, but it keeps the loops below identical). */
	(void)run(op_hvc, 4);

	report("nop", op_nop, ITERS);
	report("hvc", op_hvc, ITERS);
	report("pl011", op_pl011, ITERS);
	report("gicd", op_gicd, ITERS);
	report("gicr", op_gicr, ITERS);
	irq_unmask();
	report("sgi-self", op_sgi_self, ITERS);
	irq_mask();
	if (shared.selfs != ITERS) {
		guest_printf("FAIL: %u of %u self SGIs taken\n", shared.selfs,
			     ITERS);
		fails++;
	}

	/*
	 * Wait in WFI, not by polling: under -icount QEMU runs the CPUs round
	 * robin in one thread and only switches when the running one halts,
	 * so a polling vCPU 0 would keep vCPU 1 from ever running. vCPU 1
	 * sends SGI_WAKE once it is ready.
	 */
	int64_t on = psci_call(PSCI_CPU_ON_64, 1, (uint64_t)_secondary_entry,
			       1);

	irq_unmask();
	for (unsigned i = 0; on == PSCI_RET_SUCCESS && i < WAIT_MAX; i++) {
		irq_mask();
		if (shared_read(&shared.ready)) {
			irq_unmask();
			break;
		}
		wfi();
		irq_unmask();
	}
	irq_mask();
	if (shared_read(&shared.ready) != 1) {
		guest_printf("FAIL: vCPU 1 did not start (CPU_ON: %d)\n",
			     (int)on);
		return 1;
	}
	irq_unmask();
	report("ping-pong", op_ping, ITERS);
	irq_mask();
	if (shared_read(&shared.pings) != ITERS ||
	    shared_read(&shared.pongs) != ITERS) {
		guest_printf("FAIL: %u pings, %u pongs of %u\n",
			     shared_read(&shared.pings),
			     shared_read(&shared.pongs), ITERS);
		fails++;
	}
	/* vCPU 1 is left as it is: the test exit ends the cell (on bare QEMU
	 * SYSTEM_OFF powers both CPUs off). Waiting for it by polling would
	 * starve it under icount (see above). */
	if (shared.bad[0] || shared_read(&shared.bad[1])) {
		guest_printf("FAIL: unexpected IRQs %u/%u\n", shared.bad[0],
			     shared_read(&shared.bad[1]));
		fails++;
	}
	guest_printf("bench_el2: %s\n", fails ? "FAILED" : "done");
	return fails ? 1 : 0;
}
