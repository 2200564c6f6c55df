/* SPDX-License-Identifier: MIT */
/*
 * mmio: drives the cell's emulated PL011 with every access form a guest
 * can use on it (8/16/32-bit loads and stores at word-aligned offsets,
 * zero- and sign-extending loads into W and X registers, the zero register
 * as store source and load target) and checks each result against the
 * PL011 TRM (r1p5, section 3). 64-bit and unaligned accesses are refused
 * by the device and end the cell, so they are not tried here. At the end
 * it stores to an address the cell does not own, which must end the cell.
 */
#include "guest.h"

#define UART GUEST_UART_BASE

#define DR 0x000u
#define RSR_ECR 0x004u
#define FR 0x018u
#define ILPR 0x020u
#define IBRD 0x024u
#define FBRD 0x028u
#define LCR_H 0x02cu
#define CR 0x030u
#define IFLS 0x034u
#define IMSC 0x038u
#define RIS 0x03cu
#define MIS 0x040u
#define ICR 0x044u
#define DMACR 0x048u
#define PERIPHID0 0xfe0u
#define PCELLID0 0xff0u

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

/* Interrupts that need received data or line errors: none can be raised
 * here, since nothing is ever sent to the cell's UART. */
#define INT_RX_SIDE 0x7d0u

/* An address in no region of any test cell (QEMU virt's virtio-mmio). */
#define UNOWNED_IPA UINT64_C(0x0a000000)

static const char *const id_names[8] = {
	"PeriphID0", "PeriphID1", "PeriphID2", "PeriphID3",
	"PCellID0",  "PCellID1",  "PCellID2",  "PCellID3",
};

/* TRM 3.3.14-3.3.15 as emulated (the values QEMU's pl011 reports). */
static const uint8_t id_values[8] = {
	0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

static uint64_t reg(unsigned off)
{
	return UART + off;
}

/* Every ID register at 8, 16 and 32 bits: the register is one byte wide,
 * so all three must give exactly that byte, zero-extended to 64 bits. */
static void check_ids(void)
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		uint64_t a = reg(PERIPHID0 + 4 * i);
		uint64_t b = mmio_ldrb(a), h = mmio_ldrh(a), w = mmio_ldr32(a);

		if (b == id_values[i] && h == id_values[i] &&
		    w == id_values[i]) {
			guest_printf("PASS %s = 0x%02x at 8/16/32 bits\n",
				     id_names[i], id_values[i]);
		} else {
			guest_printf("FAIL: %s: ldrb 0x%lx ldrh 0x%lx ldr "
				     "0x%lx, want 0x%02x\n",
				     id_names[i], b, h, w, id_values[i]);
			guest_count_failure();
		}
	}
}

static void check_sign_extension(void)
{
	uint64_t pcell1 = reg(PCELLID0 + 4), pcell3 = reg(PCELLID0 + 12);
	uint64_t ibrd = reg(IBRD), orig, sh_w, sh_x;

	/* Writing a W register clears bits 63:32 (Arm ARM C1.2.5), so the
	 * W forms sign-extend to 32 bits only. */
	check_eq("ldrsb w PCellID1", mmio_ldrsb_w(pcell1), 0xfffffff0u);
	check_eq("ldrsb x PCellID1", mmio_ldrsb_x(pcell1),
		 (uint64_t)INT64_C(-16));
	guest_printf("ldrsb PCellID1: w %d x %ld\n",
		     (int32_t)mmio_ldrsb_w(pcell1), (long)mmio_ldrsb_x(pcell1));
	check_eq("ldrsb w PCellID3", mmio_ldrsb_w(pcell3), 0xffffffb1u);
	check_eq("ldrsb x PCellID3", mmio_ldrsb_x(pcell3),
		 (uint64_t)INT64_C(-79));
	check_eq("ldrsb x PeriphID0", mmio_ldrsb_x(reg(PERIPHID0)), 0x11);
	/* 16 bits of a one-byte register: bit 15 clear, stays positive. */
	check_eq("ldrsh w PCellID1", mmio_ldrsh_w(pcell1), 0xf0);
	check_eq("ldrsh x PCellID1", mmio_ldrsh_x(pcell1), 0xf0);
	check_eq("ldrsw PCellID3", mmio_ldrsw(pcell3), 0xb1);

	/* IBRD is 16 bits wide: the one register whose bit 15 can be set. */
	orig = mmio_ldr32(ibrd);
	mmio_str32(ibrd, 0x8001);
	sh_w = mmio_ldrsh_w(ibrd);
	sh_x = mmio_ldrsh_x(ibrd);
	mmio_str32(ibrd, orig);
	check_eq("ldrsh w IBRD=0x8001", sh_w, 0xffff8001u);
	check_eq("ldrsh x IBRD=0x8001", sh_x, (uint64_t)INT64_C(-32767));
}

static void check_fr(void)
{
	uint64_t fr = mmio_ldr32(reg(FR));
	const unsigned mask = FR_BUSY | FR_RXFE | FR_TXFF | FR_RXFF | FR_TXFE;

	/* Transmission is instantaneous and nothing is ever received. */
	check_eq("FR TXFE|RXFE set, BUSY|TXFF|RXFF clear", fr & mask,
		 FR_TXFE | FR_RXFE);
	check_eq("FR ldrb = ldr", mmio_ldrb(reg(FR)), fr & 0xff);
	check_eq("FR ldrh = ldr", mmio_ldrh(reg(FR)), fr & 0xffff);
}

/*
 * Read/write register at `off`: a 32-bit write read back at 8/16/32 bits,
 * then 16- and 8-bit writes. The register is zeroed before a narrow write
 * so the result does not depend on whether the device merges a narrow
 * write into the old value or zero-extends it (APB has no byte strobes;
 * the TRM leaves it open). The original value is restored before anything
 * is printed, because the console is this very UART (CR, LCR_H).
 */
static void check_rw(const char *name, unsigned off, uint32_t v32, uint16_t v16,
		     uint8_t v8)
{
	uint64_t a = reg(off), orig = mmio_ldr32(a);
	uint64_t b32, h32, w32, w16, w8;

	mmio_str32(a, v32);
	b32 = mmio_ldrb(a);
	h32 = mmio_ldrh(a);
	w32 = mmio_ldr32(a);
	mmio_str32(a, 0);
	mmio_strh(a, v16);
	w16 = mmio_ldr32(a);
	mmio_str32(a, 0);
	mmio_strb(a, v8);
	w8 = mmio_ldr32(a);
	mmio_str32(a, orig);

	/* Short, fixed texts: the check line must fit a console line. */
	guest_printf("%s: str 0x%x, strh 0x%x, strb 0x%x\n", name, v32, v16,
		     v8);
	check_eq("  ldrb after str", b32, v32 & 0xff);
	check_eq("  ldrh after str", h32, v32 & 0xffff);
	check_eq("  ldr after str", w32, v32);
	check_eq("  ldr after strh", w16, v16);
	check_eq("  ldr after strb", w8, v8);
}

/* Bits above a register's width are reserved: writes to them are lost. */
static void check_width(const char *name, unsigned off, uint32_t mask)
{
	uint64_t a = reg(off), orig = mmio_ldr32(a), got;

	mmio_str32(a, 0xffffffffu);
	got = mmio_ldr32(a);
	mmio_str32(a, orig);
	guest_printf("%s: str 0xffffffff\n", name);
	check_eq("  ldr keeps only the register's bits", got, mask);
}

static void check_zero_register(void)
{
	uint64_t ibrd = reg(IBRD), fbrd = reg(FBRD), ilpr = reg(ILPR);
	uint64_t o_ibrd = mmio_ldr32(ibrd), o_fbrd = mmio_ldr32(fbrd);
	uint64_t o_ilpr = mmio_ldr32(ilpr);
	uint64_t r32, r16, r8;

	/* Rt = 31 is the zero register for loads and stores, never SP. */
	mmio_str32(ibrd, 0x1234);
	mmio_str32_wzr(ibrd);
	r32 = mmio_ldr32(ibrd);
	mmio_str32(fbrd, 0x3f);
	mmio_strh_wzr(fbrd);
	r16 = mmio_ldr32(fbrd);
	mmio_str32(ilpr, 0x5a);
	mmio_strb_wzr(ilpr);
	r8 = mmio_ldr32(ilpr);
	mmio_str32(ibrd, o_ibrd);
	mmio_str32(fbrd, o_fbrd);
	mmio_str32(ilpr, o_ilpr);
	check_eq("str wzr to IBRD, read back", r32, 0);
	check_eq("strh wzr to FBRD, read back", r16, 0);
	check_eq("strb wzr to ILPR, read back", r8, 0);

	check_eq("ldrb wzr PCellID0, SP change", mmio_ldrb_wzr(reg(PCELLID0)),
		 0);
	check_eq("ldrh wzr FR, SP change", mmio_ldrh_wzr(reg(FR)), 0);
	check_eq("ldr wzr PeriphID0, SP change", mmio_ldr32_wzr(reg(PERIPHID0)),
		 0);
	check_eq("ldrsb xzr PCellID1, SP change",
		 mmio_ldrsb_xzr(reg(PCELLID0 + 4)), 0);
	check_eq("ldrsw xzr PCellID3, SP change",
		 mmio_ldrsw_xzr(reg(PCELLID0 + 12)), 0);
}

static void check_interrupt_regs(void)
{
	uint64_t o_imsc = mmio_ldr32(reg(IMSC)), ris, mis;

	/* ICR is write-only: clear everything at each width. */
	mmio_strb(reg(ICR), 0xff);
	mmio_strh(reg(ICR), 0x7ff);
	mmio_str32(reg(ICR), 0x7ff);
	mmio_str32(reg(IMSC), 0);
	ris = mmio_ldr32(reg(RIS));
	mis = mmio_ldr32(reg(MIS));
	mmio_str32(reg(IMSC), o_imsc);
	check_eq("RIS receive/error bits after ICR", ris & INT_RX_SIDE, 0);
	check_eq("MIS with IMSC=0", mis, 0);
	check_eq("RSR_ECR (no receive errors)", mmio_ldr32(reg(RSR_ECR)), 0);
	mmio_str32(reg(RSR_ECR), 0);
	check_eq("RSR_ECR after clear", mmio_ldrh(reg(RSR_ECR)), 0);
	mmio_str32(reg(DMACR), 0);
	check_eq("DMACR", mmio_ldrb(reg(DMACR)), 0);
}

/*
 * Transfer registers among x19-x29, and those registers across a
 * hypercall: the bare-metal exit fast path leaves x19-x29 in the CPU
 * while it decides an exit and saves them only for an exit that names
 * one (hal/baremetal/vectors.S, bm_exit_fast). A load into x23, a store
 * from x24, an HVC, then a load into x22: every value must be the
 * guest's.
 */
static void check_high_registers(void)
{
	uint64_t o_ilpr = mmio_ldr32(reg(ILPR));
	uint64_t out[6];
	static const uint64_t want[6] = {19, 20, 21, 24, 0x11, 24};
	static const char *const name[6] = {
		"x19", "x20", "x21", "x22 (ldr ILPR)", "x23 (ldr PeriphID0)",
		"x24"};

	__asm__ volatile("mov x19, #19\n\t"
			 "mov x20, #20\n\t"
			 "mov x21, #21\n\t"
			 "mov x22, #22\n\t"
			 "mov x23, #23\n\t"
			 "mov x24, #24\n\t"
			 "ldr w23, [%[uart], #0xfe0]\n\t"
			 "str w24, [%[uart], #0x20]\n\t"
			 "mov x0, %[fid]\n\t"
			 "hvc #0\n\t"
			 "ldr w22, [%[uart], #0x20]\n\t"
			 "stp x19, x20, [%[out]]\n\t"
			 "stp x21, x22, [%[out], #16]\n\t"
			 "stp x23, x24, [%[out], #32]"
			 :
			 : [uart] "r"(UART), [out] "r"(out),
			   [fid] "r"((uint64_t)HV_CALL_VERSION)
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8",
			   "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			   "x16", "x17", "x19", "x20", "x21", "x22", "x23",
			   "x24", "memory");
	mmio_str32(reg(ILPR), o_ilpr);
	for (unsigned i = 0; i < 6; i++)
		check_eq(name[i], out[i], want[i]);
}

static void check_dr_widths(void)
{
	guest_puts("DR stores at 8/16/32 bits: ");
	mmio_strb(reg(DR), 'b');
	mmio_strh(reg(DR), 'h');
	mmio_str32(reg(DR), 'w');
	guest_puts("\n");
}

int main(void)
{
	guest_puts("mmio: PL011 register access test\n");
	check_ids();
	check_sign_extension();
	check_fr();
	check_dr_widths();
	check_rw("IBRD", IBRD, 0xbeef, 0x1234, 0x5a);
	check_width("IBRD", IBRD, 0xffff);
	check_rw("FBRD", FBRD, 0x2a, 0x15, 0x3f);
	check_width("FBRD", FBRD, 0x3f);
	check_rw("LCR_H", LCR_H, 0x7e, 0x70, 0x6a);
	/* CR values leave LBE (bit 7) clear: a loopback UART could swallow
	 * the console output that follows. */
	check_rw("CR", CR, 0xcb01, 0x0f01, 0x01);
	check_rw("IFLS", IFLS, 0x21, 0x0a, 0x12);
	check_rw("IMSC", IMSC, 0x7ff, 0x2aa, 0x55);
	check_rw("ILPR", ILPR, 0xa5, 0x5a, 0x3c);
	check_zero_register();
	check_high_registers();
	check_interrupt_regs();

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("mmio: all checks passed\n");
	guest_puts("touching unowned address\n");
	mmio_str32(UNOWNED_IPA, 0);
	guest_puts("FAIL: still alive\n");
	return 1;
}
