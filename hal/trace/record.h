/* SPDX-License-Identifier: MIT */
/*
 * The trace recorder: sits on the HAL boundary of either HAL and turns
 * every crossing into a trace event (hal/trace/trace_format.h,
 * docs/trace-format.md). It is linked in with `--wrap=<symbol>` for each
 * HAL entry point the core calls (and for hv_pcpu_run / hv_exit_handle),
 * so neither the core nor the HALs carry trace code.
 *
 * Only traffic caused by the core is recorded: calls made while a pCPU is
 * inside hv_pcpu_run() or a host operation (trace_host_op), not a front
 * end's own statistics reads. Events go to a sink: a file writer
 * (hvsim --record), a comparator (hvsim --replay) or the bare-metal ring.
 */
#ifndef TRACE_RECORD_H
#define TRACE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "trace_format.h"

/* Receives each event; returns false to stop recording (divergence). */
typedef bool (*trace_sink_fn)(void *ctx, const struct trace_ev *ev);

/* Starts sending events to `sink` (NULL: recording off). Not thread-safe
 * against running pCPUs: call before the run. */
void trace_rec_start(trace_sink_fn sink, void *ctx);

/* Events produced so far. */
uint64_t trace_rec_count(void);

/* True once a sink refused an event (replay divergence). */
bool trace_rec_failed(void);

/*
 * Brackets a host-initiated operation (an hvsim command acting on a
 * cell): records TRACE_HOST_OP(op, cell) and records the HAL traffic
 * until trace_host_op_end().
 */
void trace_host_op(unsigned op, unsigned cell);
void trace_host_op_end(void);

/* Stops (true) and resumes (false) recording on the calling CPU without
 * ending it: the bare-metal recorder pauses while it prints the ring.
 * Other CPUs keep recording (they wait for trace_rec_lock() meanwhile),
 * so a snapshot loses none of their events. */
void trace_rec_pause(bool on);

/* The lock that orders events: held, no event is being recorded. */
void trace_rec_lock(void);
void trace_rec_unlock(void);

/* Records TRACE_LOCK(id) for a lock the core just took, when the calling
 * CPU records (inside a run, not in the HAL). Called by a recorder that
 * interposes on hv_spin_lock (the bare-metal one) with the lock held. */
void trace_rec_lock_taken(unsigned id);

/* The calling physical CPU (weak default 0 for one-threaded HALs). */
unsigned trace_cpu(void);

/* Records TRACE_END(status, state hash) at the end of a run. */
void trace_rec_end(int status, uint64_t state_hash);

/* FNV-1a of the console output recorded so far. */
uint64_t trace_rec_console_hash(void);

struct hv;
/* The state hash of TRACE_END: the console hash folded with every cell's
 * state, exit status, boot count, capabilities and vCPU states. */
uint64_t trace_state_hash(const struct hv *hv, uint64_t console_hash);

/* Host operations (TRACE_HOST_OP arg 0). */
enum trace_host_op {
	TRACE_OP_STOP = 1,
	TRACE_OP_START = 2,
	TRACE_OP_RESTART = 3,
	TRACE_OP_DESTROY = 4,
};

#endif /* TRACE_RECORD_H */
