/* SPDX-License-Identifier: MIT */
/*
 * Cellvisor's public core API: what a HAL's main program calls. The core
 * keeps all of its state in one struct hv that the caller owns; nothing is
 * hidden in statics, so tests and fuzzers can build, run and reset it.
 *
 * A program does: hv_init() -> hv_start() -> on each physical CPU, call
 * hv_pcpu_run() until it returns HV_ACTION_STOP -> hv_status().
 */
#ifndef HV_HV_H
#define HV_HV_H

#include "cell.h"
#include "config.h"
#include "exit.h"
#include "page_pool.h"
#include "stage2.h"
#include "types.h"

/* Statuses reported by hv_status() besides a guest's own test status. */
#define HV_STATUS_OK 0
#define HV_STATUS_TERMINATED 100   /* a cell was terminated after a fault */
#define HV_STATUS_RESET_FAILED 101 /* SYSTEM_RESET could not reload the image */

#define HV_MAX_VMID 255u

struct hv {
	struct hv_config config;
	struct page_pool pool;
	struct stage2_geometry geo;
	uint64_t vmid_used[(HV_MAX_VMID + 1) / 64]; /* bit n: VMID n in use */
	unsigned cell_count;
	struct hv_cell cells[HV_MAX_CELLS];
	struct hv_vcpu *pcpu_vcpu[HV_MAX_CPUS]; /* vCPU pinned to each pCPU */
	unsigned irqs_routed; /* physical SPIs routed to cells (passthrough) */
	/* pcpu_in[n]: pCPU n is inside hv_pcpu_run()/hv_pcpu_idle() and may
	 * hold a pointer to its vCPU (hv_pcpu_detach waits for 0). */
	unsigned pcpu_in[HV_MAX_CPUS];
};

/*
 * Parses and validates the config blob, brings up the HAL platform and the
 * page pool, and creates every cell (stage-2, VMID, devices, vCPUs). All or
 * nothing: on error, err->msg says why (naming the node for config errors)
 * and *hv holds no resources. *hv need not be initialised beforehand.
 */
HV_MUST_CHECK enum hv_err hv_init(struct hv *hv, const void *blob, size_t size,
				  struct hv_config_error *err);

/*
 * Same as hv_init() for a config that is already parsed (tests, fuzzing):
 * copies *cfg, which must be consistent (as config_parse() guarantees:
 * this function does not re-validate it), and builds everything.
 */
HV_MUST_CHECK enum hv_err hv_init_config(struct hv *hv,
					 const struct hv_config *cfg,
					 struct hv_config_error *err);

/* Loads every cell's image and makes vCPU 0 of each cell runnable. */
HV_MUST_CHECK enum hv_err hv_start(struct hv *hv, struct hv_config_error *err);

/*
 * Runs the vCPU pinned to physical CPU `pcpu` until its next exit and
 * handles that exit. Returns HV_ACTION_STOP when no vCPU is (or remains)
 * runnable on this pCPU, HV_ACTION_WAIT when it idles in WFI.
 */
enum hv_action hv_pcpu_run(struct hv *hv, unsigned pcpu);

/*
 * THE exit handler: decides what an exit means for `vcpu`, updates the
 * vCPU through the HAL and returns what happens next. Called by
 * hv_pcpu_run(), or directly by a HAL's fast path. Never fails: whatever
 * the guest did ends in a register result, an injected abort or the
 * termination of that cell only.
 */
enum hv_action hv_exit_handle(struct hv_vcpu *vcpu, const struct hv_exit *exit);

/*
 * For a HAL that handles exits in place on the vCPU's own pCPU, inside
 * hal_vcpu_run() (the bare-metal exit fast path, docs/performance.md):
 * does for `exit` what hv_pcpu_run() does between two hal_vcpu_run()
 * calls of a running vCPU (vgic_sync, hv_exit_handle, kicks, vgic_flush).
 * Returns true when the guest may be entered again at once; false when
 * the HAL must return HV_EXIT_HANDLED with *action (RESUME included: the
 * vCPU's state changed, or the HAL has entry work to do), which
 * hv_pcpu_run() then acts on as usual.
 */
bool hv_exit_inplace(struct hv_vcpu *vcpu, const struct hv_exit *exit,
		     enum hv_action *action);

/*
 * For HAL run loops with one thread per pCPU (bare metal): called when
 * hv_pcpu_run() did not return RESUME. Sleeps (hal_vcpu_idle) while the
 * pCPU's vCPU is OFF or STOPPED or it has none, until a kick or an
 * interrupt; returns at once otherwise. Interrupts taken are handled.
 */
void hv_pcpu_idle(struct hv *hv, unsigned pcpu);
/*
 * Takes the vCPUs of `cell` (already STOPPED) off their pCPUs: clears
 * pcpu_vcpu[], kicks each pCPU and waits until none of them is inside
 * hv_pcpu_run()/hv_pcpu_idle() with the old pointer. After it returns no
 * pCPU touches the cell until it is rebuilt. Called by management.
 */
void hv_pcpu_detach(struct hv *hv, struct hv_cell *cell);
/* Kicks every pCPU when no cell runs any more, so idle ones notice. */
void hv_kick_if_done(struct hv *hv);
/* True when no cell is running (each has exited, been terminated,
 * stopped or destroyed): nothing can change any more. */
bool hv_done(const struct hv *hv);

/*
 * Overall status: 0 when every cell exited with status 0; otherwise the
 * first non-zero guest status in cell order, or HV_STATUS_TERMINATED for a
 * cell the hypervisor stopped.
 */
int hv_status(const struct hv *hv);

/*
 * Prints the end-of-run lines on the hypervisor console (one per cell that
 * did not exit cleanly, then "cellvisor: all cells ended, status N") and
 * returns hv_status(). Both HALs call this, so the output is identical.
 */
int hv_report_end(const struct hv *hv);

/* Destroys every cell and returns all resources; *hv can be reused. */
void hv_shutdown(struct hv *hv);

/* The cell with `name`, or NULL. */
struct hv_cell *hv_cell_by_name(struct hv *hv, const char *name);

#endif /* HV_HV_H */
