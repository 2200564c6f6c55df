/* SPDX-License-Identifier: MIT */
/*
 * The EL2 stage-1 identity map.
 *
 * Why the MMU is on at all: with SCTLR_EL2.M == 0 every data access is
 * Device-nGnRnE (Arm ARM D8.2.10 "The effects of disabling an address
 * translation stage"), so unaligned accesses fault and nothing is cached;
 * libfdt and the core do unaligned reads of devicetree data and copy
 * images, so they need Normal memory.
 *
 * The map is one level-1 table of 1 GiB blocks (4 KiB granule, T0SZ = 25:
 * a 39-bit space, lookup starts at level 1; D8.2.7): RAM blocks Normal
 * write-back, everything else Device-nGnRE and execute-never. Before the
 * devicetree is read we only know the 1 GiB around the image (RAM, since
 * we run there) and that QEMU virt's devices sit in the first GiB;
 * bm_mmu_map_ram() fills in the rest once the /memory node is known.
 */
#include <hv/arm64/el2.h>
#include <hv/lib.h>

#include "bm.h"

#define BLOCK_SHIFT 30
#define BLOCK_SIZE (UINT64_C(1) << BLOCK_SHIFT)
#define L1_ENTRIES 512u
#define VA_BITS 39u

#define MAIR_IDX_DEVICE 0
#define MAIR_IDX_NORMAL 1

#define PTE_BLOCK_NORMAL                                        \
	(PTE_TYPE_BLOCK_S1 |                                    \
	 (UINT64_C(MAIR_IDX_NORMAL) << PTE_S1_ATTRINDX_SHIFT) | \
	 PTE_S1_AP1_RES1 | PTE_S1_SH_INNER | PTE_S1_AF)
#define PTE_BLOCK_DEVICE                                        \
	(PTE_TYPE_BLOCK_S1 |                                    \
	 (UINT64_C(MAIR_IDX_DEVICE) << PTE_S1_ATTRINDX_SHIFT) | \
	 PTE_S1_AP1_RES1 | PTE_S1_AF | PTE_S1_XN)
#define PTE_TYPE_BLOCK_S1 UINT64_C(0x1)

static uint64_t l1_table[L1_ENTRIES] __attribute__((aligned(4096)));

/* Register values computed once on the boot CPU, reused by secondaries
 * (which read them with the MMU off: bm_main cleans them to PoC). */
struct mmu_regs {
	uint64_t mair, tcr, ttbr, sctlr;
};
static struct mmu_regs mmu_regs;

/* TCR_EL2.PS from ID_AA64MMFR0_EL1.PARange, capped at 48 bits: the 4 KiB
 * granule descriptors we write hold 48-bit addresses (D24.2.175). */
static uint64_t tcr_ps(void)
{
	uint64_t mmfr0;

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	mmfr0 &= ID_AA64MMFR0_PARANGE_MASK;
	return mmfr0 > 5 ? 5 : mmfr0;
}

static uint64_t dcache_line(void)
{
	uint64_t ctr;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return UINT64_C(4) << ((ctr >> 16) & 0xf); /* CTR_EL0.DminLine */
}

/* Invalidates [p, p+size) in the data cache without writing back: stale
 * lines must not hide what was written with the MMU off. */
static void dcache_inval_poc(const void *p, size_t size)
{
	uint64_t line = dcache_line();
	uint64_t a = (uintptr_t)p & ~(line - 1);

	for (; a < (uintptr_t)p + size; a += line)
		__asm__ volatile("dc ivac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" : : : "memory");
}

void bm_dcache_clean_inval_poc(const void *p, size_t size)
{
	uint64_t line = dcache_line();
	uint64_t a = (uintptr_t)p & ~(line - 1);

	for (; a < (uintptr_t)p + size; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" : : : "memory");
}

/*
 * Zeroes [p, p+size) with DC ZVA, one cache-line-sized block per
 * instruction (Arm ARM D7.5.x, DCZID_EL0 gives the block size and whether
 * DC ZVA is permitted), then cleans it to the point of coherency so a guest
 * running with caches off sees the zeroes. Falls back to memset where DC
 * ZVA is prohibited or for unaligned edges.
 */
void bm_zero_poc(void *p, size_t size)
{
	uint64_t dczid;
	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	uintptr_t a = (uintptr_t)p, end = a + size;

	if ((dczid & DCZID_EL0_DZP) == 0) {
		uint64_t block = UINT64_C(4) << (dczid & DCZID_EL0_BS_MASK);
		uintptr_t first = (a + block - 1) & ~(uintptr_t)(block - 1);
		uintptr_t last = end & ~(uintptr_t)(block - 1);
		if (first < last) {
			memset(p, 0, first - a);
			for (uintptr_t z = first; z < last; z += block)
				__asm__ volatile("dc zva, %0"
						 :
						 : "r"(z)
						 : "memory");
			memset((void *)last, 0, end - last);
			bm_dcache_clean_inval_poc(p, size);
			return;
		}
	}
	memset(p, 0, size);
	bm_dcache_clean_inval_poc(p, size);
}

void bm_mmu_init(void)
{
	uint64_t here = (uintptr_t)__image_start & ~(BLOCK_SIZE - 1);

	/* Loops written out with aligned 64-bit stores: the MMU is off. */
	for (unsigned i = 0; i < L1_ENTRIES; i++)
		l1_table[i] = 0;
	l1_table[0] = PTE_BLOCK_DEVICE;
	l1_table[here >> BLOCK_SHIFT] = here | PTE_BLOCK_NORMAL;

	mmu_regs.mair = (MAIR_ATTR_DEVICE_nGnRE
			 << MAIR_ATTR_SHIFT(MAIR_IDX_DEVICE)) |
			(MAIR_ATTR_NORMAL_WB
			 << MAIR_ATTR_SHIFT(MAIR_IDX_NORMAL));
	mmu_regs.tcr = TCR_EL2_RES1 | ((64 - VA_BITS) << TCR_EL2_T0SZ_SHIFT) |
		       (TCR_EL2_RGN_WBWA << TCR_EL2_IRGN0_SHIFT) |
		       (TCR_EL2_RGN_WBWA << TCR_EL2_ORGN0_SHIFT) |
		       (TCR_EL2_SH_INNER << TCR_EL2_SH0_SHIFT) |
		       TCR_EL2_TG0_4K | (tcr_ps() << TCR_EL2_PS_SHIFT);
	mmu_regs.ttbr = (uintptr_t)l1_table;
	/* A (alignment check) off on purpose; SA on catches a bad EL2 SP. */
	mmu_regs.sctlr = SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C |
			 SCTLR_EL2_SA | SCTLR_EL2_I;

	/* The table walker reads through the cache once the MMU is on. */
	dcache_inval_poc(l1_table, sizeof(l1_table));
	dcache_inval_poc(&mmu_regs, sizeof(mmu_regs));
	bm_mmu_enable();
}

void bm_mmu_enable(void)
{
	/* Whatever translations firmware left for EL2 are not ours. */
	__asm__ volatile("tlbi alle2\n\tdsb nsh\n\tisb" : : : "memory");
	__asm__ volatile("msr mair_el2, %0" : : "r"(mmu_regs.mair));
	__asm__ volatile("msr tcr_el2, %0" : : "r"(mmu_regs.tcr));
	__asm__ volatile("msr ttbr0_el2, %0" : : "r"(mmu_regs.ttbr));
	__asm__ volatile("isb\n\tic iallu\n\tdsb nsh\n\tisb" : : : "memory");
	__asm__ volatile("msr sctlr_el2, %0\n\tisb"
			 :
			 : "r"(mmu_regs.sctlr)
			 : "memory");
}

void bm_mmu_map_ram(uint64_t base, uint64_t size)
{
	for (unsigned i = 1; i < L1_ENTRIES; i++) {
		uint64_t block = (uint64_t)i << BLOCK_SHIFT;

		/* Entries that are already valid stay: changing a live
		 * entry's attributes needs break-before-make (D8.14.1), and
		 * the only live ones are the image's own block (Normal, in
		 * RAM) and block 0 (Device). Invalid -> valid needs no TLB
		 * maintenance, only the barrier below. */
		if (l1_table[i] != 0)
			continue;
		if (hv_ranges_overlap(block, BLOCK_SIZE, base, size))
			l1_table[i] = block | PTE_BLOCK_NORMAL;
		else
			l1_table[i] = block | PTE_BLOCK_DEVICE;
	}
	__asm__ volatile("dsb ishst\n\tisb" : : : "memory");
}

void bm_mmu_publish(void)
{
	bm_dcache_clean_inval_poc(l1_table, sizeof(l1_table));
	bm_dcache_clean_inval_poc(&mmu_regs, sizeof(mmu_regs));
}
