/* SPDX-License-Identifier: MIT */
/*
 * HAL contract: the GICv3 virtual CPU interface's list registers.
 *
 * The core (hv/src/vgic.c) decides which virtual interrupts a vCPU sees;
 * the HAL only stores that decision where the guest's CPU interface reads
 * it. Bare metal: ICH_LR<n>_EL2 and ICH_HCR_EL2 of the physical CPU the
 * vCPU is pinned to (static partitioning: no save/restore between vCPUs).
 * Simulator: a software model of the same registers that the ICC_*_EL1
 * system-register hooks (IAR1, EOIR1, DIR, PMR, ...) act on.
 *
 * Values use the ICH_LR<n>_EL2 encoding of hv/arm64/gic.h (IHI 0069,
 * ICH_LR<n>_EL2): State, HW, Group, Priority, pINTID (or EOI), vINTID.
 *
 * Calls for a vCPU are made on the physical CPU that vCPU is pinned to,
 * while the vCPU is not in the guest (before hal_vcpu_run() or after it
 * returned, or from hv_exit_handle() for the vCPU that exited).
 */
#ifndef HAL_VGIC_H
#define HAL_VGIC_H

#include <hv/types.h>
#include <hv/vcpu.h>

/*
 * Number of list registers each vCPU has (ICH_VTR_EL2.ListRegs + 1 on
 * bare metal, at least 1). The same for every vCPU; the core reads it
 * once per cell and uses at most VGIC_MAX_LRS of them.
 */
unsigned hal_vgic_lr_count(void);

/*
 * Reads list register n (< hal_vgic_lr_count()) of `vcpu` as the guest
 * left it: the State field reflects acknowledgements (pending -> active)
 * and deactivations (-> invalid) done since the core wrote it.
 */
uint64_t hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n);

/*
 * Writes list register n of `vcpu`. The value is in force the next time
 * the vCPU enters the guest. Writing 0 (State invalid) frees the LR.
 * A HAL creating a vCPU (hal_vcpu_create) starts with every LR at 0.
 */
void hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val);

/*
 * Sets ICH_HCR_EL2.UIE for `vcpu`: when on, a maintenance interrupt
 * (physical PPI 25 on most platforms) is raised as soon as at most one LR
 * holds a valid interrupt. The HAL turns that interrupt into an exit
 * (HV_EXIT_IRQ) so the core can refill the LRs; the maintenance interrupt
 * itself is never injected into the guest.
 */
void hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on);

/*
 * Deactivates physical interrupt `pintid` (ICC_DIR_EL1 on bare metal,
 * after the HAL acknowledged it with EOImode = 1 and forwarded it to a
 * vCPU). Called by the core when a hardware-linked virtual interrupt ends
 * without the guest deactivating it through an LR (HW = 1): the guest
 * cleared its pending or active state through the distributor, or the
 * cell was reset or destroyed. Without it the physical interrupt would
 * stay active and never fire again. The simulator may do nothing.
 */
void hal_vgic_hw_deactivate(uint32_t pintid);

#endif /* HAL_VGIC_H */
