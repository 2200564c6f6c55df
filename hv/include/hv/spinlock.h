/* SPDX-License-Identifier: MIT */
/*
 * A test-and-set spinlock for state shared between physical CPUs (a
 * cell's interrupt state, console and vCPU states). Built on C11-style
 * __atomic builtins, so it works freestanding at EL2 (exclusives on Normal
 * memory) and on the host. Critical sections are short and never sleep.
 *
 * Out of line (hv/src/spinlock.c) on purpose: the calls are the points
 * where the order in which pCPUs take a lock can be observed. The
 * recording image interposes on hv_spin_lock with --wrap to record each
 * acquisition, and the replay (hvtrace replay) on both functions to
 * enforce the recorded order (docs/replay.md, "Lock order"); the core
 * itself carries no trace code. Being out of line also costs less text
 * in the EL2 image than 31 inlined copies.
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include "types.h"

struct hv_spinlock {
	uint32_t locked;
};

/* The lock and unlock themselves, inline: what hv_spin_lock() and
 * hv_spin_unlock() do, for a lock that must not be observed through them
 * (the recorder's own, hal/trace/record.c, which would record itself). */
static inline void hv_spin_lock_raw(struct hv_spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE) != 0) {
		/* Spin on a plain load so waiting does not bounce the line. */
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0)
			;
	}
}

static inline void hv_spin_unlock_raw(struct hv_spinlock *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}

/* Takes `l`, spinning until it is free (acquire semantics). Any context;
 * not recursive: a pCPU must not take a lock it holds. */
void hv_spin_lock(struct hv_spinlock *l);

/* Releases `l`, which the caller holds (release semantics). */
void hv_spin_unlock(struct hv_spinlock *l);

#endif /* HV_SPINLOCK_H */
