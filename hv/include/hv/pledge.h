/* SPDX-License-Identifier: MIT */
/*
 * Pledges: a cell gives up capability classes for good (until it is
 * restarted from its pristine image). `hvc #0x4E58` is the entry point;
 * docs/hypercalls.md is the ABI. Dropping a class takes its resources out
 * of the cell's reach before the call returns: stage-2 windows unmapped and
 * their TLB entries invalidated, emulated devices removed, interrupts no
 * longer delivered. A later access to what was given up terminates the
 * cell, whatever its fault policy.
 */
#ifndef HV_PLEDGE_H
#define HV_PLEDGE_H

#include "exit.h"
#include "types.h"

#define HV_CAP_CONSOLE (1u << 0) /* emulated PL011, HV_CALL_CONSOLE_WRITE */
#define HV_CAP_BLOCK (1u << 1)	 /* passthrough devices of class block */
#define HV_CAP_NET (1u << 2)	 /* passthrough devices of class network */
#define HV_CAP_IPC (1u << 3)	 /* channels: windows and doorbells */
#define HV_CAP_MGMT (1u << 4)	 /* management of other cells (to come) */
#define HV_CAP_DEVICES (1u << 5) /* other passthrough devices */
#define HV_CAP_ALL 0x3fu

/* x0 of `hvc #0x4E58`. */
#define HV_PLEDGE_QUERY 0u /* -> x0 = 0, x1 = current mask */
#define HV_PLEDGE_KEEP 1u  /* x1 = classes to keep -> x0 = 0 / -2 / -3 */

struct hv_cell;
struct hv_vcpu;

/* Handles `hvc #0x4E58` for `vcpu` (all arguments guest-controlled). */
enum hv_action pledge_call(struct hv_vcpu *vcpu);

/*
 * Gives `cell` its configured capabilities again and everything they
 * reach (cell start and restart). Returns an error only if a stage-2
 * mapping cannot be rebuilt (out of table pages).
 */
HV_MUST_CHECK enum hv_err pledge_restore(struct hv_cell *cell);

/*
 * If `ipa` lies in a window the cell has pledged away, returns the class
 * name ("console", "ipc") for the termination report; NULL otherwise.
 */
const char *pledge_forfeited(const struct hv_cell *cell, ipa_t ipa);

/* Lower-case name of one capability bit, or "?". */
const char *pledge_class_name(uint32_t cap);

#endif /* HV_PLEDGE_H */
