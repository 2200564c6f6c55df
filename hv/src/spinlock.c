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
	hv_spin_lock_raw(l);
}

void hv_spin_unlock(struct hv_spinlock *l)
{
	hv_spin_unlock_raw(l);
}
