/* SPDX-License-Identifier: MIT */
/*
 * The replay HAL: the core, linked with no Unicorn and no hardware, driven
 * by a recorded trace (`hvtrace replay`, docs/replay.md). Every HAL call
 * the core makes is matched against the next recorded event: values the
 * hardware gave (exits, register and list-register reads, guest memory
 * the core read) come from the trace; decisions the core takes (register
 * and LR writes, resets, TLB maintenance, interrupt routing, kicks,
 * console output, scrubs) are compared with it. The first mismatch is a
 * divergence: reported with both sides, and the replay stops.
 *
 * Before replay_check(true) (hv_init / hv_start) the HAL acts like a
 * plain host HAL: RAM, images from the trace header, nothing checked.
 */
#ifndef HAL_REPLAY_H
#define HAL_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "../trace/trace_format.h"

/* Where events come from: next() consumes, peek() looks ahead; both
 * return false at the end of the trace (or on an error, already told). */
struct replay_source {
	bool (*next)(void *ctx, struct trace_ev *ev);
	bool (*peek)(void *ctx, struct trace_ev *ev);
	void *ctx;
};

struct replay_image {
	const char *name;
	const void *data;
	size_t size;
};

/* The recording HAL's answers that shape the core's decisions
 * (TRACE_PLATFORM). */
struct replay_platform {
	unsigned lr_count;
	unsigned pa_bits;
	uint64_t pool_base, pool_size;
};

/* Sets up the HAL: the event source, the images and the platform. */
void replay_init(const struct replay_source *src,
		 const struct replay_image *images, unsigned image_count,
		 const struct replay_platform *platform);

/* The pCPU the calling thread replays (per thread: the driver runs each
 * pCPU on a thread of its own, one at a time; set around hv_pcpu_run;
 * TRACE_PCPU_NONE for host operations). */
void replay_set_cpu(unsigned pcpu);

/* A partial trace (TRACE_FLAG_PARTIAL) may end in the middle of a run:
 * running out of events then ends the replay instead of diverging. */
void replay_set_partial(bool on);
bool replay_ran_out(void);

/* Frees the simulated RAM (at the end of a replay). */
void replay_release(void);

/* Turns checking on (after hv_start) or off; replay_checking() says
 * whether it is on (and no divergence or end of a partial trace has
 * stopped it). */
void replay_check(bool on);
bool replay_checking(void);

/*
 * The core took the lock of cell `id` (TRACE_LOCK_OTHER: a lock no cell
 * owns) on the calling thread's pCPU: matched with the next event, which
 * must be TRACE_LOCK with that id. For traces with TRACE_FLAG_LOCKS; the
 * driver calls it from its hv_spin_lock wrapper, before the lock is
 * taken (its event source decides when that may be).
 */
void replay_lock_taken(unsigned id);

/* True once a divergence was found; replay_report() describes it. */
bool replay_diverged(void);
const char *replay_report(void);

/* Records a divergence found by the driver itself. */
void replay_diverge(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Events consumed so far. */
uint64_t replay_events(void);

#endif /* HAL_REPLAY_H */
