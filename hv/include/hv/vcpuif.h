/* SPDX-License-Identifier: MIT */
/*
 * A model of the GICv3 virtual CPU interface as hardware builds it on top
 * of the list registers (Arm IHI 0069, "Virtual CPU interface", ICV_*_EL1
 * and ICH_*_EL2): what a guest's accesses to ICC_*_EL1 do when
 * ICH_HCR_EL2.En is set and HCR_EL2.IMO/FMO route them to the virtual
 * interface.
 *
 * On bare metal the GIC implements this; a HAL without one (the simulator)
 * serves the guest's ICC_* accesses from this model, so the architecture
 * knowledge stays in the core and is unit-tested. The model is pure: no
 * HAL calls, no hidden state. A HAL owns one struct vcpuif per vCPU,
 * reads and writes its list registers for hal_vgic_lr_read/write, asks
 * vcpuif_irq_pending() whether the virtual IRQ line is asserted and
 * vcpuif_maintenance() whether the underflow maintenance interrupt is.
 *
 * The interface implements 5 bits of priority and 5 preemption bits (the
 * architectural minimum; ICH_VTR_EL2.PRIbits = PREbits = 4), so one
 * active-priority register per group (ICH_AP0R0/AP1R0, 32 bits: bit n =
 * group priority n << 3) and the minimum binary points are BPR0 = 2,
 * BPR1 = 3. INTIDs are 16 bits (IDbits = 0). Not modelled: NMIs,
 * ICH_HCR_EL2 maintenance other than UIE (EOIcount is counted, but
 * LRENPIE, NPIE, VGrp*IE are not), the EOI bit of HW = 0 LRs (no
 * maintenance is raised for it), ICH_HCR_EL2.TC/TALL traps.
 */
#ifndef HV_VCPUIF_H
#define HV_VCPUIF_H

#include "arm64/gic.h"
#include "types.h"
#include "vgic.h"

/* "No physical interrupt was deactivated" (vcpuif_write's *deact). */
#define VCPUIF_NO_PINTID UINT32_MAX

/* Priority bits implemented: the top 5 (see above). */
#define VCPUIF_PRIO_MASK 0xf8u
#define VCPUIF_PRIO_SHIFT 3u   /* active-priority bit n = priority n << 3 */
#define VCPUIF_IDLE_PRIO 0xffu /* running priority with nothing active */
#define VCPUIF_MIN_BPR0 2u
#define VCPUIF_MIN_BPR1 3u

/* ICC_CTLR_EL1 fields as the guest sees them (IHI 0069, ICC_CTLR_EL1). */
#define ICC_CTLR_EL1_CBPR (UINT64_C(1) << 0)
#define ICC_CTLR_EL1_PRIBITS_SHIFT 8
#define ICC_CTLR_EL1_IDBITS_SHIFT 11
#define ICC_CTLR_EL1_A3V (UINT64_C(1) << 15)

/* ICC_SRE_EL1 as a guest of a GICv3 hypervisor reads it: SRE, DFB, DIB
 * all set (RAO/WI: system registers only, no bypass). */
#define VCPUIF_SRE_VALUE UINT64_C(0x7)

/* ICH_VMCR_EL2 fields not in arm64/gic.h (IHI 0069, ICH_VMCR_EL2). */
#define ICH_VMCR_EL2_VCBPR (UINT64_C(1) << 4)
#define ICH_VMCR_EL2_VBPR1_SHIFT 18
#define ICH_VMCR_EL2_VBPR0_SHIFT 21
#define ICH_VMCR_EL2_VBPR_MASK UINT64_C(0x7)
#define ICH_VMCR_EL2_VPMR_MASK (UINT64_C(0xff) << ICH_VMCR_EL2_VPMR_SHIFT)

/* The virtual CPU interface of one vCPU. Fields use the ICH_*_EL2
 * encodings so a HAL (or a debugger) reads them as hardware registers. */
struct vcpuif {
	uint64_t lr[VGIC_MAX_LRS]; /* ICH_LR<n>_EL2 */
	unsigned lr_count;	   /* LRs implemented, <= VGIC_MAX_LRS */
	uint64_t hcr;		   /* ICH_HCR_EL2: En, UIE, EOIcount */
	uint64_t vmcr;	/* ICH_VMCR_EL2: VPMR, VBPR0/1, VENG0/1, VEOIM, VCBPR */
	uint32_t ap0r0; /* ICH_AP0R0_EL2: active group-0 priorities */
	uint32_t ap1r0; /* ICH_AP1R0_EL2: active group-1 priorities */
};

/*
 * Puts *cpuif in the state of a freshly reset interface with `lr_count`
 * LRs (capped at VGIC_MAX_LRS): every LR 0, ICH_HCR_EL2 = En, VMCR with
 * PMR 0 (everything masked), minimum binary points, groups disabled,
 * EOImode 0, nothing active. What a hypervisor programs before a vCPU's
 * first entry.
 */
void vcpuif_reset(struct vcpuif *cpuif, unsigned lr_count);

/*
 * The guest reads ICC register `reg` (an ESR_ISS_SYS_REG identity,
 * SYSREG_ICC_*_EL1): returns true with *val as the virtual interface
 * answers, or false for a register the model does not serve (the SGI
 * generation registers, which trap to the hypervisor, write-only and
 * unknown registers; the caller decides, e.g. UNDEF). Reading IAR0/IAR1
 * acknowledges an interrupt (its LR becomes active and its priority
 * becomes the running priority). Guest input: never fails otherwise.
 */
bool vcpuif_read(struct vcpuif *cpuif, uint32_t reg, uint64_t *val);

/*
 * The guest writes `val` to ICC register `reg`: returns false for a
 * register the model does not serve (as above). *deact is set to the
 * pINTID of a hardware-linked LR (HW = 1) the write deactivated (EOIR
 * with EOImode 0, or DIR), which the HAL must deactivate in its model of
 * the physical GIC, else to VCPUIF_NO_PINTID.
 */
bool vcpuif_write(struct vcpuif *cpuif, uint32_t reg, uint64_t val,
		  uint32_t *deact);

/* The vINTID IAR1 would return now without acknowledging it (1023 when
 * none): the highest-priority pending Group-1 LR that can be signalled. */
uint32_t vcpuif_peek_iar(const struct vcpuif *cpuif, unsigned group);

/* The virtual IRQ line: a pending Group-1 LR whose priority is above PMR
 * and the running priority, with Group 1 and ICH_HCR_EL2.En enabled. */
bool vcpuif_irq_pending(const struct vcpuif *cpuif);

/* The virtual FIQ line: the same for Group 0 (VENG0). */
bool vcpuif_fiq_pending(const struct vcpuif *cpuif);

/* True when some LR is pending (even masked): WFI wakes up on it. */
bool vcpuif_any_pending(const struct vcpuif *cpuif);

/* The underflow condition (ICH_MISR_EL2.U without UIE): En set and at
 * most one LR holds a valid (pending and/or active) interrupt. */
bool vcpuif_underflow(const struct vcpuif *cpuif);

/* The maintenance interrupt: ICH_HCR_EL2.UIE set and underflow. */
bool vcpuif_maintenance(const struct vcpuif *cpuif);

/* The running priority (ICC_RPR_EL1): the group priority of the highest
 * active priority, VCPUIF_IDLE_PRIO when none. */
uint32_t vcpuif_running_prio(const struct vcpuif *cpuif);

#endif /* HV_VCPUIF_H */
