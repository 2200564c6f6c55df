/* SPDX-License-Identifier: MIT */
/*
 * rogue: a cell that tries to touch everything. Run with fault-policy =
 * "inject-abort", every access outside its own RAM and console must come
 * back as a synchronous external abort at its EL1 vector (EC 0x25, DFSC
 * 0x10, WnR as the access, FAR = the address), which guest_sync_hook()
 * records before resuming at the next instruction. It first tries a list
 * of labelled addresses (its own RAM and console, which must work; the GIC
 * it does not have, the other cells' physical RAM taken as IPAs, the
 * hypervisor's, the edges of its RAM and of the IPA space, which must
 * abort), then reads and writes every 2 MiB from IPA 0 to 4 GiB. It ends
 * with status 0 only if nothing that must abort succeeded, nothing that
 * must work aborted, and every abort had the expected syndrome.
 *
 * With the default policy ("terminate") the first access outside its RAM
 * (the GIC distributor read) ends the cell instead.
 *
 * The output holds constants and totals only, so it is the same on both
 * HALs.
 */
#include "guest.h"

#include <hv/arm64/esr.h>

/* Where the configs put what this cell does own. */
#define RAM_BASE GUEST_LOAD_IPA
#define RAM_SIZE UINT64_C(0x01000000)
#define UART_SIZE UINT64_C(0x1000)
#define UART_ILPR UINT64_C(0x20) /* a PL011 register writes cannot harm */

#define SCAN_STEP UINT64_C(0x200000)
#define SCAN_END (UINT64_C(1) << 32)

/* The end of everything this image occupies (code, data, .bss, stacks):
 * never written. */
extern char __bss_end[];

/* Written by guest_sync_hook(), read by the scanner. */
static volatile uint64_t abort_count;
static volatile uint64_t abort_esr, abort_far;

/* Totals. */
static unsigned n_addrs, n_accesses, n_aborts;
static unsigned n_leaks;	/* succeeded where an abort was due */
static unsigned n_spurious;	/* aborted where the access must work */
static unsigned n_bad_syndrome; /* abort with the wrong ESR or FAR */
static unsigned n_bad_data;	/* own memory did not read back */

uint64_t guest_sync_hook(uint64_t esr, uint64_t elr, uint64_t far)
{
	unsigned ec = (unsigned)ESR_EL2_EC(esr);

	if (ec != ESR_EC_DABT_CUR && ec != ESR_EC_DABT_LOW)
		guest_exception(esr, elr, far); /* does not return */
	abort_esr = esr;
	abort_far = far;
	abort_count = abort_count + 1;
	return elr + 4; /* skip the access */
}

static bool owned(uint64_t addr)
{
	return (addr >= RAM_BASE && addr - RAM_BASE < RAM_SIZE) ||
	       (addr >= GUEST_UART_BASE && addr - GUEST_UART_BASE < UART_SIZE);
}

static bool in_image(uint64_t addr)
{
	return addr >= RAM_BASE && addr < (uint64_t)__bss_end;
}

/* The injected abort's syndrome: EC 0x25 (from EL1), IL, DFSC 0x10
 * (synchronous external abort), WnR for a write (hv/src/exit.c). */
static uint64_t want_esr(bool write)
{
	return ESR_EL2_MAKE(ESR_EC_DABT_CUR, 1,
			    ESR_FSC_SYNC_EXT | (write ? ESR_ISS_DABT_WNR : 0));
}

/*
 * One access of `width` bytes (1 or 4; 1 for an unaligned address, which
 * would take an alignment fault with the MMU off). Returns true when it
 * aborted and checks that against what the address is. *val gets the
 * value read.
 */
static bool try_access(uint64_t addr, unsigned width, bool write, uint64_t wval,
		       uint64_t *val)
{
	uint64_t before = abort_count, v = 0;
	bool aborted;

	if (write) {
		if (width == 1)
			mmio_strb(addr, wval);
		else
			mmio_str32(addr, wval);
	} else {
		v = width == 1 ? mmio_ldrb(addr) : mmio_ldr32(addr);
	}
	aborted = abort_count != before;
	n_accesses++;
	if (aborted) {
		n_aborts++;
		if (abort_count != before + 1 || abort_esr != want_esr(write) ||
		    abort_far != addr) {
			if (!n_bad_syndrome)
				guest_printf("FAIL: %s of 0x%lx: %lu aborts, "
					     "ESR 0x%lx FAR 0x%lx\n",
					     write ? "write" : "read", addr,
					     abort_count - before, abort_esr,
					     abort_far);
			n_bad_syndrome++;
		}
	}
	if (aborted && owned(addr)) {
		if (!n_spurious)
			guest_printf("FAIL: %s of owned 0x%lx aborted\n",
				     write ? "write" : "read", addr);
		n_spurious++;
	} else if (!aborted && !owned(addr)) {
		if (!n_leaks)
			guest_printf("FAIL: %s of unowned 0x%lx succeeded\n",
				     write ? "write" : "read", addr);
		n_leaks++;
	}
	if (val)
		*val = v;
	return aborted;
}

/*
 * Reads addr, then writes a pattern and reads it back, except where the
 * write would hit this image (read only) or the console's data register
 * (the write goes to its ILPR instead, so nothing is printed). Returns the
 * number of aborts.
 */
static unsigned probe(uint64_t addr, unsigned width)
{
	uint64_t pattern = width == 1 ? 0xa5 : 0x5aa5c33cu;
	uint64_t waddr = addr, got;
	unsigned aborts = 0;

	n_addrs++;
	aborts += try_access(addr, width, false, 0, NULL);
	if (in_image(addr))
		return aborts;
	if (addr >= GUEST_UART_BASE && addr - GUEST_UART_BASE < UART_SIZE) {
		waddr = GUEST_UART_BASE + UART_ILPR;
		pattern &= 0xff;
	}
	aborts += try_access(waddr, width, true, pattern, NULL);
	if (owned(waddr)) {
		try_access(waddr, width, false, 0, &got);
		if (got != pattern) {
			if (!n_bad_data)
				guest_printf("FAIL: 0x%lx read back 0x%lx, "
					     "wrote 0x%lx\n",
					     waddr, got, pattern);
			n_bad_data++;
		}
	}
	return aborts;
}

struct target {
	uint64_t addr;
	unsigned width;
	const char *what;
};

static const struct target targets[] = {
	{RAM_BASE, 1, "own RAM, first byte (image: read only)"},
	{RAM_BASE + RAM_SIZE - 1, 1, "own RAM, last byte"},
	{GUEST_UART_BASE, 4, "own console (PL011 DR read, ILPR write)"},
	{UINT64_C(0x08000000), 4, "GIC distributor (this cell has no GIC)"},
	{UINT64_C(0x080a0000), 4, "GIC redistributor (this cell has no GIC)"},
	{GUEST_UART_BASE + UART_SIZE, 4, "just past the console"},
	{UINT64_C(0x50000000), 4, "cell hello's RAM PA as an IPA"},
	{UINT64_C(0x51000000), 4, "cell world's RAM PA as an IPA"},
	{UINT64_C(0x52000000), 4, "this cell's own RAM PA as an IPA"},
	{UINT64_C(0x4ffffffc), 4, "hypervisor RAM PA (last word) as an IPA"},
	{RAM_BASE - 1, 1, "just below own RAM"},
	{RAM_BASE + RAM_SIZE, 1, "just past own RAM"},
	{UINT64_C(0), 4, "IPA 0"},
	{UINT64_C(0xfffffffc), 4, "last word below 4 GiB"},
	{(UINT64_C(1) << 40) - 1, 1, "last byte of the 40-bit IPA space"},
	{UINT64_C(1) << 40, 4, "first byte past the IPA space (2^40)"},
};

int main(void)
{
	struct guest_cell_info info;
	unsigned i, scan_aborts = 0, scan_addrs = 0;

	guest_puts("rogue: touching everything, expecting aborts\n");
	if (!check(guest_cell_info(&info), "HV_CALL_CELL_INFO returns 0"))
		return 1;
	if (!check_eq("own RAM base", info.mem_base, RAM_BASE) ||
	    !check_eq("own RAM size", info.mem_size, RAM_SIZE))
		return 1;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		const struct target *t = &targets[i];
		unsigned before = n_aborts;
		unsigned aborts = probe(t->addr, t->width);
		bool ok = owned(t->addr)
				  ? n_aborts == before
				  : aborts == (in_image(t->addr) ? 1 : 2);

		guest_printf("%s 0x%08lx %s: %s\n",
			     ok ? "PASS" : "FAIL:", t->addr, t->what,
			     owned(t->addr)
				     ? (aborts ? "aborted" : "works")
				     : (aborts ? "aborts" : "ACCESSIBLE"));
		if (!ok)
			guest_count_failure();
	}
	guest_printf("labelled: %u addresses, %u accesses, %u aborts\n",
		     n_addrs, n_accesses, n_aborts);

	for (uint64_t a = 0; a < SCAN_END; a += SCAN_STEP) {
		scan_aborts += probe(a, 4);
		scan_addrs++;
	}
	guest_printf("scan 0..4 GiB every 2 MiB: %u addresses, %u aborts\n",
		     scan_addrs, scan_aborts);

	guest_printf("total: %u addresses, %u accesses, %u aborts\n", n_addrs,
		     n_accesses, n_aborts);
	check_eq("aborts counted by the handler", abort_count, n_aborts);
	check_eq("unowned accesses that succeeded", n_leaks, 0);
	check_eq("owned accesses that aborted", n_spurious, 0);
	check_eq("aborts with a wrong ESR or FAR", n_bad_syndrome, 0);
	check_eq("own memory read-back mismatches", n_bad_data, 0);

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("rogue: all checks passed, the cell is contained\n");
	return 0;
}
