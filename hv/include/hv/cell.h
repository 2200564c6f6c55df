/* SPDX-License-Identifier: MIT */
/*
 * A cell: an isolated partition with its own stage-2 tables, VMID, vCPUs
 * pinned to physical CPUs, emulated devices and console.
 */
#ifndef HV_CELL_H
#define HV_CELL_H

#include "config.h"
#include "console.h"
#include "exit.h"
#include "mmio.h"
#include "pl011.h"
#include "spinlock.h"
#include "stage2.h"
#include "vcpu.h"
#include "vgic.h"

struct hv;

enum hv_cell_state {
	HV_CELL_FREE,  /* slot unused */
	HV_CELL_READY, /* created, not started */
	HV_CELL_RUNNING,
	HV_CELL_EXITED,	    /* ended by the guest (test exit, SYSTEM_OFF) */
	HV_CELL_TERMINATED, /* stopped by the hypervisor after a fault */
	HV_CELL_STOPPED, /* stopped by management: holds nothing, can start */
};

struct hv_cell {
	struct hv *hv;
	unsigned id;
	const struct hv_cell_config *cfg;
	/* Serialises what the cell's vCPUs share across physical CPUs: the
	 * vGIC, the emulated devices, the console line and vCPU states. */
	struct hv_spinlock lock;
	enum hv_cell_state state;
	struct stage2 s2;
	struct mmio_bus bus;
	struct pl011 uart;
	struct console_line con;
	struct vgic vgic; /* in use when cfg->has_gic */
	unsigned vcpu_count;
	struct hv_vcpu vcpus[HV_MAX_VCPUS];
	uint64_t boot_count; /* starts so far: 1 after the first boot */
	uint32_t caps;	     /* HV_CAP_* it still holds (pledges shrink it) */
	uint32_t dev_routed; /* bit d: the SPIs of device d are routed here */
	int exit_status;     /* HV_CELL_EXITED: the guest's status */
	char reason[128];    /* why it ended, for reports and management */
};

/*
 * Builds cell `cell` from `cfg`: allocates a VMID, builds its stage-2 from
 * the configured memory regions, registers its emulated devices and creates
 * its vCPUs with the HAL. All or nothing: on failure everything taken so
 * far is released and the slot is left FREE.
 */
HV_MUST_CHECK enum hv_err cell_create(struct hv *hv, struct hv_cell *cell,
				      unsigned id,
				      const struct hv_cell_config *cfg);

/*
 * Scrubs the cell's memory, loads its image, resets its devices and vGIC
 * and makes vCPU 0 ON_PENDING at the entry point (its own pCPU resets and
 * starts it in hv_pcpu_run); other vCPUs go OFF and every pCPU of the cell
 * is kicked. Used for the first boot and SYSTEM_RESET. A caller running on
 * one of the cell's vCPUs must leave the guest afterwards.
 */
HV_MUST_CHECK enum hv_err cell_start(struct hv_cell *cell);

/* Ends the cell at the guest's request with `status`; stops its vCPUs. */
void cell_exit(struct hv_cell *cell, int status, const char *why);

/*
 * Stops the cell because `vcpu` did something the hypervisor will not
 * allow or cannot handle; prints one report line naming cell, vCPU, PC,
 * ESR, FAR and `reason`. Other cells are unaffected.
 */
void cell_terminate(struct hv_vcpu *vcpu, const struct hv_exit *exit,
		    const char *reason);

/* Releases everything the cell holds (stage-2 pages, VMID, HAL vCPU
 * state) and returns the slot to FREE. */
void cell_destroy(struct hv_cell *cell);
/*
 * Management stop: releases everything like cell_destroy() (memory
 * scrubbed) but keeps the cell's identity and config, in state STOPPED
 * with `why` as its reason. The caller has detached its vCPUs from their
 * pCPUs first (hv_pcpu_detach; it may have marked the cell STOPPED
 * already, to keep doorbells out). Once per stop: it releases.
 */
void cell_stop(struct hv_cell *cell, const char *why);
/*
 * Rebuilds a STOPPED cell from its config (as cell_create) so that
 * cell_start() can boot it again. On failure it stays STOPPED with the
 * reason set, holding nothing.
 */
HV_MUST_CHECK enum hv_err cell_rebuild(struct hv_cell *cell);

/*
 * Translates a guest buffer [ipa, ipa+size) for the hypervisor to read,
 * page by page through the cell's stage-2. Returns a pointer only when the
 * whole range is mapped RAM with `flags` allowed and physically contiguous
 * in the hypervisor's view; NULL otherwise. Guest-supplied: never trusted.
 */
void *cell_guest_ptr(struct hv_cell *cell, ipa_t ipa, uint64_t size,
		     unsigned flags);

/* True when the cell has ended (EXITED or TERMINATED). */
bool cell_ended(const struct hv_cell *cell);

/*
 * Makes the physical CPUs of the cell's vCPUs in `mask` (bit n = vCPU n)
 * re-evaluate their vCPU, except the caller's own (`self`). For the kick
 * mask the vGIC returns after queueing interrupts, and for stopping.
 */
void cell_kick(struct hv_cell *cell, uint64_t mask, const struct hv_vcpu *self);

/*
 * True when `vcpu` has a reason to run rather than wait: its vGIC has an
 * interrupt for it. A cell without a vGIC has nothing to wait for, so its
 * waits end at once (WFI may complete at any time, Arm ARM D1.6.2). Takes
 * the cell lock.
 */
bool cell_vcpu_wakeable(struct hv_vcpu *vcpu);

/* Takes and clears the vGIC's kick mask and kicks those vCPUs. */
void cell_kick_pending(struct hv_cell *cell, const struct hv_vcpu *self);

#endif /* HV_CELL_H */
