/* SPDX-License-Identifier: MIT */
/*
 * The unit-test implementation of hal/vgic.h: list registers and the
 * underflow flag in arrays per vCPU, a configurable LR count and a log of
 * physical deactivations. Tests play the guest by editing LR State fields.
 */
#ifndef FAKE_VGIC_H
#define FAKE_VGIC_H

#include <hv/vcpu.h>

#define FAKE_VGIC_MAX_LRS 16u
#define FAKE_VGIC_MAX_DEACT 64u

/* Forgets every vCPU's LRs and the deactivation log; LR count back to 4. */
void fake_vgic_reset(void);

/* What hal_vgic_lr_count() reports from now on (0..16). */
void fake_vgic_set_lr_count(unsigned n);

/* The LR as the guest sees it, and a way to change it (acknowledge,
 * deactivate) as the guest's CPU interface would. */
uint64_t fake_vgic_lr(struct hv_vcpu *vcpu, unsigned n);
void fake_vgic_lr_set(struct hv_vcpu *vcpu, unsigned n, uint64_t val);

/* hal_vgic_lr_write() calls for `vcpu` since reset. */
unsigned fake_vgic_lr_writes(struct hv_vcpu *vcpu);

/* Last value given to hal_vgic_set_underflow() for `vcpu`. */
bool fake_vgic_underflow(struct hv_vcpu *vcpu);

/* hal_vgic_hw_deactivate() calls since reset and their pINTIDs. */
unsigned fake_vgic_deact_count(void);
uint32_t fake_vgic_deact(unsigned i);

#endif /* FAKE_VGIC_H */
