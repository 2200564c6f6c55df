/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation table descriptors, 4 KiB granule
 * (Arm ARM D8.3 "Translation table descriptor formats",
 *  D8.4 "Memory access control" for S2AP, D8.6 for MemAttr).
 */
#ifndef HV_ARM64_PTE_H
#define HV_ARM64_PTE_H

#include <stdint.h>

#define PTE_VALID (UINT64_C(1) << 0)
#define PTE_TABLE (UINT64_C(1) << 1) /* at levels 0-2: next-level table */
#define PTE_PAGE (UINT64_C(1) << 1)  /* at level 3: page (must be set) */
#define PTE_TYPE_MASK UINT64_C(0x3)
#define PTE_TYPE_BLOCK UINT64_C(0x1)
#define PTE_TYPE_TABLE UINT64_C(0x3)
#define PTE_TYPE_PAGE UINT64_C(0x3)

/* Output address bits [47:12] for tables/pages; blocks use the upper part. */
#define PTE_ADDR_MASK UINT64_C(0x0000fffffffff000)

/* Stage-2 lower attributes. */
#define PTE_S2_MEMATTR_SHIFT 2
#define PTE_S2_MEMATTR_MASK (UINT64_C(0xf) << PTE_S2_MEMATTR_SHIFT)
#define PTE_S2_MEMATTR_DEVICE_nGnRE (UINT64_C(0x1) << PTE_S2_MEMATTR_SHIFT)
#define PTE_S2_MEMATTR_NORMAL_WB (UINT64_C(0xf) << PTE_S2_MEMATTR_SHIFT)
#define PTE_S2_S2AP_SHIFT 6
#define PTE_S2_S2AP_R (UINT64_C(1) << 6)
#define PTE_S2_S2AP_W (UINT64_C(1) << 7)
#define PTE_S2_S2AP_MASK (UINT64_C(3) << 6)
#define PTE_S2_SH_SHIFT 8
#define PTE_S2_SH_INNER (UINT64_C(3) << 8)
#define PTE_S2_AF (UINT64_C(1) << 10)
/* Stage-2 upper attributes: XN[54:53] (XN[1:0] with FEAT_XNX). */
#define PTE_S2_XN (UINT64_C(2) << 53) /* execute-never at EL1 and EL0 */
#define PTE_S2_XN_MASK (UINT64_C(3) << 53)

#define PTE_S2_ATTR_MASK                          \
	(PTE_S2_MEMATTR_MASK | PTE_S2_S2AP_MASK | \
	 (UINT64_C(3) << PTE_S2_SH_SHIFT) | PTE_S2_AF | PTE_S2_XN_MASK)

#endif /* HV_ARM64_PTE_H */
