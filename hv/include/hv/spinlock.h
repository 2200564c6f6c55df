/* SPDX-License-Identifier: MIT */
/*
 * A test-and-set spinlock for state shared between physical CPUs (a
 * cell's interrupt state, console and vCPU states). Built on C11-style
 * __atomic builtins, so it works freestanding at EL2 (exclusives on Normal
 * memory) and on the host. Critical sections are short and never sleep.
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include "types.h"

struct hv_spinlock {
	uint32_t locked;
};

static inline void hv_spin_lock(struct hv_spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE) != 0) {
		/* Spin on a plain load so waiting does not bounce the line. */
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0)
			;
	}
}

static inline void hv_spin_unlock(struct hv_spinlock *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}

#endif /* HV_SPINLOCK_H */
