/* SPDX-License-Identifier: MIT */
/*
 * GICv3 for the test guests (Arm IHI 0069): the distributor and
 * redistributor windows of a cell (as on QEMU virt) and the system-register
 * CPU interface. Header only (static inline), so guests that do not use it
 * pay nothing. Guests run with one Security state (GICD_CTLR.DS == 1, what
 * a VM and QEMU virt without EL3 both give): Group 1 interrupts, taken as
 * IRQs, acknowledged with ICC_IAR1_EL1.
 */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include "guest.h"

/* Where every test config (and QEMU virt) puts them. */
#define GICD_BASE UINT64_C(0x08000000)
#define GICR_BASE UINT64_C(0x080a0000)
#define GICR_STRIDE UINT64_C(0x20000) /* RD_base + SGI_base, 64 KiB each */
#define GICR_SGI_OFF UINT64_C(0x10000)

/* Distributor (offsets from GICD_BASE). */
#define GICD_CTLR 0x0000u
#define GICD_TYPER 0x0004u
#define GICD_PIDR2 0xffe8u
#define GICD_CTLR_ENABLE_GRP1 (1u << 1) /* DS == 1 view */
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define GICD_CTLR_RWP (1u << 31)

/* Redistributor RD_base frame. */
#define GICR_CTLR 0x0000u
#define GICR_TYPER 0x0008u /* 64-bit */
#define GICR_WAKER 0x0014u
#define GICR_PIDR2 0xffe8u
#define GICR_CTLR_RWP (1u << 3)
#define GICR_TYPER_LAST (UINT64_C(1) << 4)
#define GICR_TYPER_PROCNUM(v) ((unsigned)(((v) >> 8) & 0xffff))
#define GICR_TYPER_AFF(v) ((uint32_t)((v) >> 32)) /* Aff3.Aff2.Aff1.Aff0 */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* Redistributor SGI_base frame (SGIs and PPIs of that PE). */
#define GICR_IGROUPR0 0x0080u
#define GICR_ISENABLER0 0x0100u
#define GICR_ICENABLER0 0x0180u
#define GICR_ISPENDR0 0x0200u
#define GICR_ICPENDR0 0x0280u
#define GICR_ISACTIVER0 0x0300u
#define GICR_ICACTIVER0 0x0380u
#define GICR_IPRIORITYR0 0x0400u /* 8 bits per INTID, 8 registers */

#define GIC_PIDR2_ARCHREV(v) (((v) >> 4) & 0xf)
#define GIC_INTID_SPURIOUS 1023u
#define GIC_PPI_VTIMER 27u /* CNTV: PPI 11 */

/* ICC_CTLR_EL1 */
#define ICC_CTLR_EOIMODE (UINT64_C(1) << 1)
#define ICC_CTLR_PRIBITS(v) ((unsigned)(((v) >> 8) & 7)) /* bits - 1 */

/* Bounded polls: a register that never settles fails the check instead
 * of hanging the guest. */
#define GIC_POLL_MAX 1000000u

static inline uint32_t gic_read(uint64_t addr)
{
	return (uint32_t)mmio_ldr32(addr);
}

static inline void gic_write(uint64_t addr, uint32_t v)
{
	mmio_str32(addr, v);
}

/* Waits for a register's `bit` to read 0; false if it never does. */
static inline bool gic_wait_clear(uint64_t addr, uint32_t bit)
{
	for (unsigned i = 0; i < GIC_POLL_MAX; i++)
		if (!(gic_read(addr) & bit))
			return true;
	return false;
}

/* ARE and Group 1 on; returns false if GICD_CTLR.RWP never cleared. */
static inline bool gic_dist_init(void)
{
	gic_write(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE);
	if (!gic_wait_clear(GICD_BASE + GICD_CTLR, GICD_CTLR_RWP))
		return false;
	gic_write(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	return gic_wait_clear(GICD_BASE + GICD_CTLR, GICD_CTLR_RWP);
}

/* MPIDR_EL1 affinity packed as in GICR_TYPER[63:32]. */
static inline uint32_t gic_mpidr_aff(void)
{
	uint64_t m = read_sysreg(mpidr_el1);

	return (uint32_t)((m & 0xffffff) | ((m >> 32 & 0xff) << 24));
}

/*
 * The redistributor (RD_base) of the running CPU, found by walking the
 * frames from GICR_BASE until GICR_TYPER.Last and matching the affinity;
 * 0 if none matches. *frames (if not NULL) gets the number of frames.
 */
static inline uint64_t gic_redist_find(unsigned *frames)
{
	uint32_t aff = gic_mpidr_aff();
	uint64_t found = 0;
	unsigned n;

	for (n = 0; n < 64; n++) {
		uint64_t rd = GICR_BASE + n * GICR_STRIDE;
		uint64_t typer = mmio_ldr64(rd + GICR_TYPER);

		if (GICR_TYPER_AFF(typer) == aff && !found)
			found = rd;
		if (typer & GICR_TYPER_LAST) {
			n++;
			break;
		}
	}
	if (frames)
		*frames = n;
	return found;
}

/*
 * Wakes redistributor `rd` (ProcessorSleep = 0, then ChildrenAsleep reads
 * 0) and puts its SGIs/PPIs in a known state: all Group 1, disabled,
 * neither pending nor active, priority `prio`. Returns false if a
 * handshake never completed.
 */
static inline bool gic_redist_init(uint64_t rd, uint8_t prio)
{
	uint64_t sgi = rd + GICR_SGI_OFF;
	uint32_t p4 = (uint32_t)prio * 0x01010101u;
	bool ok;

	gic_write(rd + GICR_WAKER,
		  gic_read(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	ok = gic_wait_clear(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP);
	gic_write(sgi + GICR_ICENABLER0, 0xffffffffu);
	ok = gic_wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP) && ok;
	gic_write(sgi + GICR_ICPENDR0, 0xffffffffu);
	gic_write(sgi + GICR_ICACTIVER0, 0xffffffffu);
	gic_write(sgi + GICR_IGROUPR0, 0xffffffffu);
	for (unsigned i = 0; i < 8; i++)
		gic_write(sgi + GICR_IPRIORITYR0 + 4 * i, p4);
	return ok;
}

/* Sets the priority byte of SGI/PPI `intid` (word access: the SGI frame
 * need not support byte accesses from every emulator). */
static inline void gic_set_prio(uint64_t rd, unsigned intid, uint8_t prio)
{
	uint64_t a = rd + GICR_SGI_OFF + GICR_IPRIORITYR0 + (intid & ~3u);
	unsigned sh = (intid & 3u) * 8;
	uint32_t v = gic_read(a);

	gic_write(a, (v & ~(0xffu << sh)) | ((uint32_t)prio << sh));
}

static inline void gic_enable(uint64_t rd, unsigned intid)
{
	gic_write(rd + GICR_SGI_OFF + GICR_ISENABLER0, 1u << intid);
}

/* Disables and waits for GICR_CTLR.RWP: afterwards it cannot be taken. */
static inline bool gic_disable(uint64_t rd, unsigned intid)
{
	gic_write(rd + GICR_SGI_OFF + GICR_ICENABLER0, 1u << intid);
	return gic_wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP);
}

/* Bit `intid` of an SGI-frame bit register (ISPENDR0, ISACTIVER0, ...). */
static inline bool gic_bit(uint64_t rd, uint32_t reg, unsigned intid)
{
	return (gic_read(rd + GICR_SGI_OFF + reg) >> intid) & 1;
}

/* CPU interface: system registers on, EOImode 0, all priorities
 * unmasked, no preemption grouping, Group 1 on. */
static inline void gic_cpu_init(void)
{
	write_sysreg(icc_sre_el1,
		     read_sysreg(icc_sre_el1) | 7); /* SRE|DFB|DIB */
	isb();
	write_sysreg(icc_ctlr_el1,
		     read_sysreg(icc_ctlr_el1) & ~ICC_CTLR_EOIMODE);
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

/* SGI `intid` to the CPU with MPIDR Aff0 `aff0` (Aff3-1 = 0). */
static inline void gic_send_sgi(unsigned intid, unsigned aff0)
{
	uint64_t v = ((uint64_t)(intid & 0xf) << 24) |
		     ((uint64_t)(aff0 >> 4) << 44) |
		     (UINT64_C(1) << (aff0 & 15));

	dsb_sy(); /* earlier shared-memory stores before the IPI */
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}

static inline uint32_t gic_ack(void)
{
	uint32_t iar = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;

	dsb_sy(); /* IAR before reads of data the interrupt announces */
	return iar;
}

static inline void gic_eoi(uint32_t intid)
{
	write_sysreg(icc_eoir1_el1, intid);
	isb();
}

static inline void gic_deactivate(uint32_t intid)
{
	write_sysreg(icc_dir_el1, intid);
	isb();
}

/* Acknowledges by polling with PSTATE.I set: the first INTID that is not
 * spurious within a bounded number of reads, else 1023. */
static inline uint32_t gic_ack_poll(void)
{
	for (unsigned i = 0; i < GIC_POLL_MAX; i++) {
		uint32_t id = gic_ack();

		if (id != GIC_INTID_SPURIOUS)
			return id;
	}
	return GIC_INTID_SPURIOUS;
}

#endif /* GUEST_GIC_H */
