/* SPDX-License-Identifier: MIT */
/*
 * PSCI 1.1 for guests (Arm DEN 0022). Reached through smccc_call() for
 * function IDs in the standard secure service range.
 */
#ifndef HV_PSCI_H
#define HV_PSCI_H

#include "exit.h"
#include "types.h"

struct hv_vcpu;

/* Handles PSCI function `fid` for `vcpu`: arguments in x1.., result in x0.
 * Unknown or unimplemented functions return NOT_SUPPORTED. */
enum hv_action psci_call(struct hv_vcpu *vcpu, uint32_t fid);

/* True when `fid` is a PSCI function this hypervisor implements (the
 * answer PSCI_FEATURES gives). */
bool psci_implemented(uint32_t fid);

#endif /* HV_PSCI_H */
