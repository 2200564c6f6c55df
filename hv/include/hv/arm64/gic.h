/* SPDX-License-Identifier: MIT */
/*
 * GICv3 architectural constants: distributor (GICD_*) and redistributor
 * (GICR_*) register offsets and fields, the hypervisor control interface
 * (ICH_*_EL2) and the CPU interface system registers (ICC_*_EL1) as they
 * appear in a trapped MSR/MRS syndrome.
 * Arm IHI 0069 "GIC architecture specification, GICv3 and GICv4",
 * chapter 12 "Programmers' model" (register descriptions by name).
 */
#ifndef HV_ARM64_GIC_H
#define HV_ARM64_GIC_H

#include <stdint.h>

#include "esr.h"

/* --- INTID space (IHI 0069, 2.2 "INTIDs") ------------------------------- */

#define GIC_SGI_COUNT 16u     /* INTIDs 0..15: software generated */
#define GIC_PRIVATE_COUNT 32u /* INTIDs 0..31: SGIs and PPIs, per PE */
/* The virtual CPU interface's maintenance interrupt (Arm BSA recommends
 * PPI 9, INTID 25; QEMU virt uses it). Never forwarded to a guest. */
#define GIC_PPI_MAINTENANCE 25u
#define GIC_INTID_SPURIOUS 1023u /* IAR read with nothing pending */
#define GIC_SPI_FIRST 32u
#define GIC_SPI_LAST 1019u

/* --- Frame sizes -------------------------------------------------------- */

#define GICD_SIZE UINT64_C(0x10000)	  /* distributor: one 64 KiB frame */
#define GICR_FRAME_SIZE UINT64_C(0x10000) /* RD_base, SGI_base: 64 KiB each */
#define GICR_SIZE UINT64_C(0x20000)	  /* one GICv3 redistributor */
#define GICR_SGI_BASE UINT64_C(0x10000)	  /* SGI_base frame within it */

/* --- Distributor registers (offsets from GICD base) --------------------- */

#define GICD_CTLR UINT32_C(0x0000)
#define GICD_TYPER UINT32_C(0x0004)
#define GICD_IIDR UINT32_C(0x0008)
#define GICD_TYPER2 UINT32_C(0x000c)
#define GICD_STATUSR UINT32_C(0x0010)
#define GICD_SETSPI_NSR UINT32_C(0x0040)
#define GICD_CLRSPI_NSR UINT32_C(0x0048)
#define GICD_SETSPI_SR UINT32_C(0x0050)
#define GICD_CLRSPI_SR UINT32_C(0x0058)
#define GICD_IGROUPR UINT32_C(0x0080)	/* 1 bit per INTID */
#define GICD_ISENABLER UINT32_C(0x0100) /* 1 bit per INTID */
#define GICD_ICENABLER UINT32_C(0x0180)
#define GICD_ISPENDR UINT32_C(0x0200)
#define GICD_ICPENDR UINT32_C(0x0280)
#define GICD_ISACTIVER UINT32_C(0x0300)
#define GICD_ICACTIVER UINT32_C(0x0380)
#define GICD_IPRIORITYR UINT32_C(0x0400) /* 8 bits per INTID */
#define GICD_ITARGETSR UINT32_C(0x0800)	 /* 8 bits per INTID */
#define GICD_ICFGR UINT32_C(0x0c00)	 /* 2 bits per INTID */
#define GICD_IGRPMODR UINT32_C(0x0d00)
#define GICD_NSACR UINT32_C(0x0e00)
#define GICD_SGIR UINT32_C(0x0f00)
#define GICD_CPENDSGIR UINT32_C(0x0f10)
#define GICD_SPENDSGIR UINT32_C(0x0f20)
#define GICD_INMIR UINT32_C(0x0f80)
#define GICD_IROUTER UINT32_C(0x6000)	  /* 64 bits per INTID (SPIs only) */
#define GICD_IROUTER_END UINT32_C(0x7fe0) /* one past IROUTER1019 */

/* Identification registers, shared layout with the redistributor. */
#define GICD_PIDR4 UINT32_C(0xffd0)
#define GICD_PIDR5 UINT32_C(0xffd4)
#define GICD_PIDR6 UINT32_C(0xffd8)
#define GICD_PIDR7 UINT32_C(0xffdc)
#define GICD_PIDR0 UINT32_C(0xffe0)
#define GICD_PIDR1 UINT32_C(0xffe4)
#define GICD_PIDR2 UINT32_C(0xffe8)
#define GICD_PIDR3 UINT32_C(0xffec)
#define GICD_CIDR0 UINT32_C(0xfff0)
#define GICD_CIDR1 UINT32_C(0xfff4)
#define GICD_CIDR2 UINT32_C(0xfff8)
#define GICD_CIDR3 UINT32_C(0xfffc)

/*
 * GICD_CTLR in a GIC with a single Security state (DS == 1), the view a
 * virtual machine gets (IHI 0069, GICD_CTLR "when access is Secure or the
 * GIC has one Security state"). Linux writes ARE_NS | EnableGrp1A |
 * EnableGrp1 = bits 4, 1, 0, which in this view are ARE, EnableGrp1,
 * EnableGrp0.
 */
#define GICD_CTLR_ENABLE_GRP0 (UINT32_C(1) << 0)
#define GICD_CTLR_ENABLE_GRP1 (UINT32_C(1) << 1)
#define GICD_CTLR_ARE (UINT32_C(1) << 4)
#define GICD_CTLR_DS (UINT32_C(1) << 6)
#define GICD_CTLR_E1NWF (UINT32_C(1) << 7)
#define GICD_CTLR_RWP (UINT32_C(1) << 31)

/* GICD_TYPER fields. */
#define GICD_TYPER_ITLINES_SHIFT 0
#define GICD_TYPER_ITLINES_MASK UINT32_C(0x1f)
#define GICD_TYPER_CPUNUMBER_SHIFT 5
#define GICD_TYPER_CPUNUMBER_MASK (UINT32_C(0x7) << GICD_TYPER_CPUNUMBER_SHIFT)
#define GICD_TYPER_ESPI (UINT32_C(1) << 8)
#define GICD_TYPER_SECURITYEXTN (UINT32_C(1) << 10)
#define GICD_TYPER_MBIS (UINT32_C(1) << 16)
#define GICD_TYPER_LPIS (UINT32_C(1) << 17)
#define GICD_TYPER_DVIS (UINT32_C(1) << 18)
#define GICD_TYPER_IDBITS_SHIFT 19
#define GICD_TYPER_IDBITS_MASK (UINT32_C(0x1f) << GICD_TYPER_IDBITS_SHIFT)
#define GICD_TYPER_A3V (UINT32_C(1) << 24)
#define GICD_TYPER_NO1N (UINT32_C(1) << 25)
#define GICD_TYPER_RSS (UINT32_C(1) << 26)

/* GICD_IROUTER<n>: Aff3 [39:32], Interrupt_Routing_Mode [31], Aff2..0. */
#define GICD_IROUTER_AFF0_SHIFT 0
#define GICD_IROUTER_AFF1_SHIFT 8
#define GICD_IROUTER_AFF2_SHIFT 16
#define GICD_IROUTER_IRM (UINT64_C(1) << 31)
#define GICD_IROUTER_AFF3_SHIFT 32
#define GICD_IROUTER_AFF_MASK UINT64_C(0xff00ffffff)
#define GICD_IROUTER_MASK (GICD_IROUTER_AFF_MASK | GICD_IROUTER_IRM)

/* GICD_ICFGR / GICR_ICFGR<n>: bit 1 of each 2-bit field = edge-triggered. */
#define GIC_ICFGR_EDGE UINT32_C(0x2)

/* PIDR2.ArchRev [7:4]: 3 = GICv3. */
#define GIC_PIDR2_ARCHREV_SHIFT 4
#define GIC_PIDR2_ARCHREV_MASK (UINT32_C(0xf) << GIC_PIDR2_ARCHREV_SHIFT)
#define GIC_PIDR2_ARCHREV_GICV3 UINT32_C(3)

/* --- Redistributor RD_base frame ---------------------------------------- */

#define GICR_CTLR UINT32_C(0x0000)
#define GICR_IIDR UINT32_C(0x0004)
#define GICR_TYPER UINT32_C(0x0008) /* 64-bit */
#define GICR_STATUSR UINT32_C(0x0010)
#define GICR_WAKER UINT32_C(0x0014)
#define GICR_MPAMIDR UINT32_C(0x0018)
#define GICR_PARTIDR UINT32_C(0x001c)
#define GICR_SETLPIR UINT32_C(0x0040)
#define GICR_CLRLPIR UINT32_C(0x0048)
#define GICR_PROPBASER UINT32_C(0x0070)
#define GICR_PENDBASER UINT32_C(0x0078)
#define GICR_INVLPIR UINT32_C(0x00a0)
#define GICR_INVALLR UINT32_C(0x00b0)
#define GICR_SYNCR UINT32_C(0x00c0)
#define GICR_PIDR2 GICD_PIDR2

#define GICR_CTLR_ENABLE_LPIS (UINT32_C(1) << 0)
#define GICR_CTLR_RWP (UINT32_C(1) << 3)

/* GICR_TYPER fields. */
#define GICR_TYPER_PLPIS (UINT64_C(1) << 0)
#define GICR_TYPER_VLPIS (UINT64_C(1) << 1)
#define GICR_TYPER_LAST (UINT64_C(1) << 4)
#define GICR_TYPER_PROCNUM_SHIFT 8
#define GICR_TYPER_PROCNUM_MASK (UINT64_C(0xffff) << GICR_TYPER_PROCNUM_SHIFT)
#define GICR_TYPER_AFF_SHIFT 32

/* GICR_WAKER: bit 0 is IMPLEMENTATION DEFINED (we make it RAZ/WI). */
#define GICR_WAKER_PROCESSOR_SLEEP (UINT32_C(1) << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (UINT32_C(1) << 2)

/* --- Redistributor SGI_base frame (offsets within that frame) ----------- */

#define GICR_IGROUPR0 UINT32_C(0x0080)
#define GICR_ISENABLER0 UINT32_C(0x0100)
#define GICR_ICENABLER0 UINT32_C(0x0180)
#define GICR_ISPENDR0 UINT32_C(0x0200)
#define GICR_ICPENDR0 UINT32_C(0x0280)
#define GICR_ISACTIVER0 UINT32_C(0x0300)
#define GICR_ICACTIVER0 UINT32_C(0x0380)
#define GICR_IPRIORITYR0 UINT32_C(0x0400) /* ..0x041c: 8 registers */
#define GICR_ICFGR0 UINT32_C(0x0c00)	  /* SGIs: read-only, all edge */
#define GICR_ICFGR1 UINT32_C(0x0c04)	  /* PPIs */
#define GICR_IGRPMODR0 UINT32_C(0x0d00)
#define GICR_NSACR UINT32_C(0x0e00)

/* --- ICH_LR<n>_EL2 (IHI 0069, ICH_LR<n>_EL2) ---------------------------- */

#define ICH_LR_VINTID_MASK UINT64_C(0xffffffff)
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_PINTID_MASK (UINT64_C(0x1fff) << ICH_LR_PINTID_SHIFT)
/* With HW == 0, bit 41 (inside the pINTID field) is EOI: a maintenance
 * interrupt when the guest deactivates the interrupt. */
#define ICH_LR_EOI (UINT64_C(1) << 41)
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_PRIORITY_MASK (UINT64_C(0xff) << ICH_LR_PRIORITY_SHIFT)
#define ICH_LR_NMI (UINT64_C(1) << 59)
#define ICH_LR_GROUP (UINT64_C(1) << 60)
#define ICH_LR_HW (UINT64_C(1) << 61)
#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_STATE_MASK (UINT64_C(3) << ICH_LR_STATE_SHIFT)
#define ICH_LR_STATE_INVALID UINT64_C(0)
#define ICH_LR_STATE_PENDING (UINT64_C(1) << ICH_LR_STATE_SHIFT)
#define ICH_LR_STATE_ACTIVE (UINT64_C(2) << ICH_LR_STATE_SHIFT)
#define ICH_LR_STATE_PENDING_ACTIVE (UINT64_C(3) << ICH_LR_STATE_SHIFT)

/* ICH_HCR_EL2 */
#define ICH_HCR_EL2_EN (UINT64_C(1) << 0)
#define ICH_HCR_EL2_UIE (UINT64_C(1) << 1)
#define ICH_HCR_EL2_LRENPIE (UINT64_C(1) << 2)
#define ICH_HCR_EL2_NPIE (UINT64_C(1) << 3)
#define ICH_HCR_EL2_EOICOUNT_SHIFT 27
#define ICH_HCR_EL2_EOICOUNT_MASK (UINT64_C(0x1f) << ICH_HCR_EL2_EOICOUNT_SHIFT)

/* ICH_VTR_EL2: ListRegs [4:0] = number of list registers - 1. */
#define ICH_VTR_EL2_LISTREGS_MASK UINT64_C(0x1f)
#define ICH_VTR_EL2_PRIBITS_SHIFT 29
#define ICH_VTR_EL2_PRIBITS_MASK (UINT64_C(0x7) << ICH_VTR_EL2_PRIBITS_SHIFT)

/* ICH_MISR_EL2: why the maintenance interrupt fired. */
#define ICH_MISR_EL2_EOI (UINT64_C(1) << 0)
#define ICH_MISR_EL2_U (UINT64_C(1) << 1)
#define ICH_MISR_EL2_LRENP (UINT64_C(1) << 2)
#define ICH_MISR_EL2_NP (UINT64_C(1) << 3)

/* --- ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1 value --------------- */

#define ICC_SGI1R_TARGETLIST_MASK UINT64_C(0xffff)
#define ICC_SGI1R_AFF1_SHIFT 16
#define ICC_SGI1R_INTID_SHIFT 24
#define ICC_SGI1R_INTID_MASK (UINT64_C(0xf) << ICC_SGI1R_INTID_SHIFT)
#define ICC_SGI1R_AFF2_SHIFT 32
#define ICC_SGI1R_IRM (UINT64_C(1) << 40)
#define ICC_SGI1R_RS_SHIFT 44
#define ICC_SGI1R_RS_MASK (UINT64_C(0xf) << ICC_SGI1R_RS_SHIFT)
#define ICC_SGI1R_AFF3_SHIFT 48
#define ICC_SGI1R_AFF_MASK UINT64_C(0xff)

/* --- System register identities (ESR_EL2 ISS, EC 0x18) ------------------ */

#define SYSREG_ICC_PMR_EL1 ESR_ISS_SYS_REG(3, 0, 4, 6, 0)
#define SYSREG_ICC_IAR0_EL1 ESR_ISS_SYS_REG(3, 0, 12, 8, 0)
#define SYSREG_ICC_EOIR0_EL1 ESR_ISS_SYS_REG(3, 0, 12, 8, 1)
#define SYSREG_ICC_HPPIR0_EL1 ESR_ISS_SYS_REG(3, 0, 12, 8, 2)
#define SYSREG_ICC_BPR0_EL1 ESR_ISS_SYS_REG(3, 0, 12, 8, 3)
#define SYSREG_ICC_AP0R0_EL1 ESR_ISS_SYS_REG(3, 0, 12, 8, 4)
#define SYSREG_ICC_AP1R0_EL1 ESR_ISS_SYS_REG(3, 0, 12, 9, 0)
#define SYSREG_ICC_DIR_EL1 ESR_ISS_SYS_REG(3, 0, 12, 11, 1)
#define SYSREG_ICC_RPR_EL1 ESR_ISS_SYS_REG(3, 0, 12, 11, 3)
#define SYSREG_ICC_SGI1R_EL1 ESR_ISS_SYS_REG(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R_EL1 ESR_ISS_SYS_REG(3, 1, 12, 11, 6)
#define SYSREG_ICC_SGI0R_EL1 ESR_ISS_SYS_REG(3, 2, 12, 11, 7)
#define SYSREG_ICC_IAR1_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 0)
#define SYSREG_ICC_EOIR1_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 1)
#define SYSREG_ICC_HPPIR1_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 2)
#define SYSREG_ICC_BPR1_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 3)
#define SYSREG_ICC_CTLR_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 4)
#define SYSREG_ICC_SRE_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 5)
#define SYSREG_ICC_IGRPEN0_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 6)
#define SYSREG_ICC_IGRPEN1_EL1 ESR_ISS_SYS_REG(3, 0, 12, 12, 7)

/* EL2 registers, for HALs that reach the hardware interface. */
#define SYSREG_ICC_SRE_EL2 ESR_ISS_SYS_REG(3, 4, 12, 9, 5)
#define SYSREG_ICH_HCR_EL2 ESR_ISS_SYS_REG(3, 4, 12, 11, 0)
#define SYSREG_ICH_VTR_EL2 ESR_ISS_SYS_REG(3, 4, 12, 11, 1)
#define SYSREG_ICH_MISR_EL2 ESR_ISS_SYS_REG(3, 4, 12, 11, 2)
#define SYSREG_ICH_EISR_EL2 ESR_ISS_SYS_REG(3, 4, 12, 11, 3)
#define SYSREG_ICH_ELRSR_EL2 ESR_ISS_SYS_REG(3, 4, 12, 11, 5)
#define SYSREG_ICH_VMCR_EL2 ESR_ISS_SYS_REG(3, 4, 12, 11, 7)

/* --- Physical CPU interface, as the EL2 bare-metal HAL programs it ----- */

/* INTIDs 1020..1023 are special (IHI 0069, 2.2.1): an IAR read returning
 * one of them acknowledged nothing. */
#define GIC_INTID_SPECIAL_FIRST 1020u

/* ICC_IAR0_EL1 / ICC_IAR1_EL1: INTID [23:0]. */
#define ICC_IAR_INTID_MASK UINT64_C(0xffffff)

/* ICC_SRE_EL2: SRE (system registers), DFB/DIB (FIQ/IRQ bypass off),
 * Enable (lower ELs may access ICC_SRE_EL1 without trapping). */
#define ICC_SRE_EL2_SRE (UINT64_C(1) << 0)
#define ICC_SRE_EL2_DFB (UINT64_C(1) << 1)
#define ICC_SRE_EL2_DIB (UINT64_C(1) << 2)
#define ICC_SRE_EL2_ENABLE (UINT64_C(1) << 3)
#define ICC_SRE_EL1_SRE (UINT64_C(1) << 0)

/* ICC_CTLR_EL1.EOImode: 1 = ICC_EOIR*_EL1 only drops the running
 * priority; ICC_DIR_EL1 deactivates. */
#define ICC_CTLR_EL1_EOIMODE (UINT64_C(1) << 1)

/* ICC_IGRPEN1_EL1.Enable. */
#define ICC_IGRPEN_ENABLE UINT64_C(1)

/* ICH_VTR_EL2.PREbits [28:26]: preemption bits - 1; the number of
 * ICH_AP<g>R<n>_EL2 registers is 1 << (PREbits + 1 - 5). */
#define ICH_VTR_EL2_PREBITS_SHIFT 26
#define ICH_VTR_EL2_PREBITS_MASK (UINT64_C(0x7) << ICH_VTR_EL2_PREBITS_SHIFT)

/* ICH_VMCR_EL2: the guest's view of its virtual CPU interface. */
#define ICH_VMCR_EL2_VENG0 (UINT64_C(1) << 0)
#define ICH_VMCR_EL2_VENG1 (UINT64_C(1) << 1)
#define ICH_VMCR_EL2_VEOIM (UINT64_C(1) << 9)
#define ICH_VMCR_EL2_VPMR_SHIFT 24

/* GICR_TYPER.Affinity [63:32] is Aff3.Aff2.Aff1.Aff0 of the PE, one byte
 * each; MPIDR_EL1 keeps Aff3 at [39:32] and Aff2..0 at [23:0]. */
#define GICR_TYPER_AFF_MASK (UINT64_C(0xffffffff) << GICR_TYPER_AFF_SHIFT)
#define GICR_STRIDE_VLPI UINT64_C(0x40000) /* RD, SGI, VLPI, reserved */

#endif /* HV_ARM64_GIC_H */
