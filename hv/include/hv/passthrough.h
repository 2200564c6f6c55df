/* SPDX-License-Identifier: MIT */
/*
 * Passthrough devices: physical MMIO pages and SPIs given to one cell
 * (config: /cells/<name>/devices, docs/devices.md). The cell reaches the
 * registers directly through its stage-2 (Device-nGnRE, never executable,
 * at the physical address) and receives the SPIs hardware-linked (HW = 1)
 * with the same INTID, so its EOI deactivates the physical interrupt.
 * Each device belongs to a capability class (block, network, devices):
 * pledging the class away unmaps the pages and unroutes the SPIs.
 */
#ifndef HV_PASSTHROUGH_H
#define HV_PASSTHROUGH_H

#include "types.h"

struct hv_cell;

/* Links every device SPI in the cell's vGIC (cell creation). */
HV_MUST_CHECK enum hv_err passthrough_link(struct hv_cell *cell);

/*
 * Maps the registers of the cell's devices whose class is in `caps` and
 * that are not mapped yet. HV_ERR_DENIED when the HAL refuses a range (a
 * simulator has no devices); HV_ERR_NOMEM when table pages run out.
 */
HV_MUST_CHECK enum hv_err passthrough_map(struct hv_cell *cell, uint32_t caps);

/* Unmaps the devices of classes in `caps` (TLB invalidated on return). */
void passthrough_unmap(struct hv_cell *cell, uint32_t caps);

/*
 * Routes (on) the SPIs of the devices of classes in `caps` to the pCPU of
 * the cell's vCPU 0, or takes them away (off). Idempotent per device.
 */
void passthrough_irqs(struct hv_cell *cell, uint32_t caps, bool on);

/*
 * The device of `cell` whose pages hold physical address `pa`, or NULL.
 * Used by the isolation invariant and for reports.
 */
const struct hv_device_config *passthrough_find(const struct hv_cell *cell,
						uint64_t pa);

#endif /* HV_PASSTHROUGH_H */
