/* SPDX-License-Identifier: MIT */
/*
 * Management: a cell granted the "management" class (HV_CAP_MGMT) lists
 * the other cells and stops, starts, restarts and destroys them by
 * hypercall; hvsim offers the same operations to its user. ABI in
 * docs/hypercalls.md ("Management"), lifecycle in docs/cells.md.
 *
 * Stop and destroy release everything the target held: its vCPUs leave
 * their pCPUs, its SPIs are unrouted, its vGIC (list registers included),
 * stage-2 tables and VMID are freed and its memory is scrubbed. Start
 * rebuilds the cell from its config and boots the pristine image again;
 * restart is stop then start. A destroyed cell is gone for good.
 *
 * This header is also the guest-side ABI (guests/ include it): plain
 * C11, fixed-size fields, no pointers.
 */
#ifndef HV_MGMT_H
#define HV_MGMT_H

#include "types.h"

/* Function IDs (SMCCC fast calls, vendor hypervisor range). */
#define HV_CALL_MGMT_INFO UINT32_C(0xc6000005)	  /* see below */
#define HV_CALL_MGMT_STOP UINT32_C(0xc6000006)	  /* x1 = cell id */
#define HV_CALL_MGMT_START UINT32_C(0xc6000007)	  /* x1 = cell id */
#define HV_CALL_MGMT_RESTART UINT32_C(0xc6000008) /* x1 = cell id */
#define HV_CALL_MGMT_DESTROY UINT32_C(0xc6000009) /* x1 = cell id */
#define HV_CALL_MGMT_STATS UINT32_C(0xc600000a)	  /* see below */
/* Prints the hypervisor's trace so far on its console (the recording
 * image, docs/replay.md) -> x0 = 0, or -1 when this hypervisor does not
 * record. */
#define HV_CALL_MGMT_TRACE UINT32_C(0xc600000b)

/* x0 results besides 0 (PSCI-style negative codes). */
#define HV_MGMT_RET_INVALID \
	(-2) /* no such cell, the caller itself, bad buffer */
#define HV_MGMT_RET_DENIED (-3)	  /* the caller does not hold "management" */
#define HV_MGMT_RET_INTERNAL (-6) /* the cell could not be rebuilt */
#define HV_MGMT_RET_STATE (-10)	  /* wrong state (start a running cell, ...) */

/* hv_mgmt_info.state */
enum hv_mgmt_state {
	HV_MGMT_DESTROYED = 0,
	HV_MGMT_READY = 1,
	HV_MGMT_RUNNING = 2,
	HV_MGMT_EXITED = 3,	/* ended by its guest (SYSTEM_OFF, test exit) */
	HV_MGMT_TERMINATED = 4, /* ended by the hypervisor after a fault */
	HV_MGMT_STOPPED = 5,	/* stopped by management; can be started */
};

/*
 * HV_CALL_MGMT_INFO: x1 = cell id, x2 = IPA of a buffer in the caller's
 * RAM, x3 = its size (>= sizeof(struct hv_mgmt_info)) -> x0 = 0 and the
 * buffer filled, x1 = number of cells (ids 0 .. x1-1).
 */
struct hv_mgmt_info {
	uint32_t id;
	uint32_t state;	    /* enum hv_mgmt_state */
	uint64_t cpus;	    /* bit n: physical CPU n is the cell's */
	uint64_t mem_bytes; /* RAM of all its regions */
	uint32_t caps;	    /* HV_CAP_* it holds now (pledges shrink it) */
	uint32_t vcpu_count;
	uint64_t boot_count; /* boots since the hypervisor started */
	int32_t exit_status; /* HV_MGMT_EXITED: the guest's status */
	uint32_t reserved;
	char name[32];	  /* NUL-terminated */
	char reason[128]; /* last exit reason, "" while it runs */
};

/*
 * HV_CALL_MGMT_STATS -> x0 = 0, x1 = page-pool pages in use, x2 = VMIDs
 * in use, x3 = physical SPIs routed to cells, x4 = virtual interrupts
 * held in list registers, x5 = vCPUs that exist. Leak checks compare them
 * before and after a cycle of operations.
 */
struct hv_mgmt_stats {
	uint64_t pool_pages_used;
	uint64_t vmids_used;
	uint64_t irqs_routed;
	uint64_t lrs_used;
	uint64_t vcpus;
};

#ifndef HV_MGMT_GUEST_ONLY
#include "exit.h"

struct hv;
struct hv_cell;
struct hv_vcpu;

/* Handles HV_CALL_MGMT_* for `vcpu` (every argument guest-controlled). */
enum hv_action mgmt_call(struct hv_vcpu *vcpu, uint32_t fid);

/*
 * The operations, for the hypercalls and for hvsim's command interface.
 * `self` is the cell asking (NULL for the host user); it may not act on
 * itself. HV_OK, HV_ERR_STATE (wrong state), HV_ERR_INVAL (self), or the
 * error that stopped a rebuild (the cell is then left stopped).
 */
HV_MUST_CHECK enum hv_err mgmt_stop(struct hv_cell *target,
				    const struct hv_cell *self);
HV_MUST_CHECK enum hv_err mgmt_start(struct hv_cell *target,
				     const struct hv_cell *self);
HV_MUST_CHECK enum hv_err mgmt_restart(struct hv_cell *target,
				       const struct hv_cell *self);
HV_MUST_CHECK enum hv_err mgmt_destroy(struct hv_cell *target,
				       const struct hv_cell *self);

/* Fills *out for cell `id` (< hv->cell_count). */
void mgmt_info(const struct hv *hv, unsigned id, struct hv_mgmt_info *out);
void mgmt_stats(const struct hv *hv, struct hv_mgmt_stats *out);
/* Lower-case name of a state ("running", "stopped", ...). */
const char *mgmt_state_name(enum hv_mgmt_state s);
#endif

#endif /* HV_MGMT_H */
