/* SPDX-License-Identifier: MIT */
/*
 * Cellvisor's own hypercalls in the vendor-specific hypervisor service
 * range (IDs in smccc.h, ABI in docs/hypercalls.md), and the pledge entry
 * point (HVC #0x4E58).
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "exit.h"
#include "types.h"

struct hv_vcpu;

/* Handles Cellvisor call `fid` (0xC6000000..0xC600FFFF) for `vcpu`. Every
 * argument is guest-controlled and validated here. */
enum hv_action hypercall_call(struct hv_vcpu *vcpu, uint32_t fid);

/* Handles `hvc #0x4E58`. Not implemented yet: x0 = NOT_SUPPORTED. */
enum hv_action hypercall_pledge(struct hv_vcpu *vcpu);

#endif /* HV_HYPERCALL_H */
