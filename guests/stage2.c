/* SPDX-License-Identifier: MIT */
/*
 * stage2: checks that the cell's RAM (memory region 0, as HV_CALL_CELL_INFO
 * reports it) is mapped from its first to its last byte, that IPA base
 * holds the loaded image, and that one byte past the end is not mapped:
 * reading it takes a stage-2 fault and the hypervisor ends the cell.
 */
#include "guest.h"

/* Write v at addr with the given width, read it back, restore the old
 * value; returns what was read back. Restoring keeps the image's own
 * bytes intact when addr lies in it. */
static uint64_t poke8(uint64_t addr, uint64_t v)
{
	uint64_t old = mmio_ldrb(addr), got;

	mmio_strb(addr, v);
	got = mmio_ldrb(addr);
	mmio_strb(addr, old);
	return got;
}

static uint64_t poke32(uint64_t addr, uint64_t v)
{
	uint64_t old = mmio_ldr32(addr), got;

	mmio_str32(addr, v);
	got = mmio_ldr32(addr);
	mmio_str32(addr, old);
	return got;
}

static uint64_t poke64(uint64_t addr, uint64_t v)
{
	uint64_t old = mmio_ldr64(addr), got;

	mmio_str64(addr, v);
	got = mmio_ldr64(addr);
	mmio_str64(addr, old);
	return got;
}

int main(void)
{
	struct guest_cell_info info;
	uint64_t base, end;

	guest_puts("stage2: memory region 0 edges\n");
	if (!check(guest_cell_info(&info), "HV_CALL_CELL_INFO returns 0"))
		return 1;
	base = info.mem_base;
	end = info.mem_base + info.mem_size;
	guest_printf("memory 0x%lx size 0x%lx\n", base, info.mem_size);
	/* The image runs at GUEST_LOAD_IPA, so that is where region 0 must
	 * start for the low-edge checks below to mean anything. */
	if (!check_eq("region 0 base", base, GUEST_LOAD_IPA) ||
	    !check(info.mem_size >= 0x100000 && (info.mem_size & 0xfff) == 0,
		   "region 0 size is page-aligned and at least 1 MiB"))
		return 1;

	/* Low edge: the first bytes are crt0's fixed header (guest.h). */
	check_eq("first byte", mmio_ldrb(base), GUEST_HEADER_INSN & 0xff);
	check_eq("first word", mmio_ldr32(base), GUEST_HEADER_INSN);
	check_eq("header magic", mmio_ldr64(base + 8), GUEST_HEADER_MAGIC);
	check_eq("first byte write/read", poke8(base, 0x5a), 0x5a);
	check_eq("first word write/read", poke32(base, 0xc0ffee11u),
		 0xc0ffee11u);
	check_eq("first byte restored", mmio_ldrb(base),
		 GUEST_HEADER_INSN & 0xff);

	/* High edge: nothing lives there (stack and .bss are near the
	 * image), so plain writes are fine. */
	mmio_strb(end - 1, 0xa7);
	check_eq("last byte write/read", mmio_ldrb(end - 1), 0xa7);
	mmio_str32(end - 4, 0x12345678u);
	check_eq("last word write/read", mmio_ldr32(end - 4), 0x12345678u);
	check_eq("last byte is the word's top byte", mmio_ldrb(end - 1), 0x12);
	check_eq("last doubleword write/read",
		 poke64(end - 8, UINT64_C(0x0123456789abcdef)),
		 UINT64_C(0x0123456789abcdef));
	mmio_str64(end - 8, UINT64_C(0xffffffffffffffff));
	mmio_str64_xzr(end - 8);
	check_eq("str xzr to last doubleword", mmio_ldr64(end - 8), 0);
	check_eq("ldrsb of last byte",
		 (mmio_strb(end - 1, 0x80), mmio_ldrsb_x(end - 1)),
		 (uint64_t)INT64_C(-128));

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("stage2: all checks passed\n");
	guest_puts("touching one byte past the end\n");
	mmio_ldrb(end);
	guest_puts("FAIL: still alive after reading past the end\n");
	return 1;
}
