/* SPDX-License-Identifier: MIT */
/*
 * The spinlock (hv/include/hv/spinlock.h). Kept in a file of its own so
 * that every call from another core file is a call to an external
 * symbol, which the linker's --wrap can redirect: the recording image
 * and the replay observe lock acquisitions there (docs/replay.md).
 */
#include <hv/spinlock.h>

void hv_spin_lock(struct hv_spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE) != 0) {
		/* Spin on a plain load so waiting does not bounce the line. */
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0)
			;
	}
}

void hv_spin_unlock(struct hv_spinlock *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}
