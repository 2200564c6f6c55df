/* SPDX-License-Identifier: MIT */
/*
 * pledge: one-way capability drops through `hvc #0x4E58`
 * (docs/hypercalls.md). Queries the classes the config granted, drops IPC,
 * checks that asking for it back is refused and that unknown bits are
 * rejected, both with the mask unchanged, then drops the console and
 * writes to the UART once more: that access breaks the pledge and must
 * end this cell (status 100 for the run), while the neighbour cell in
 * configs/pledge.dts finishes normally.
 */
#include <hv/pledge.h>
#include <hv/smccc.h>

#include "guest.h"

static struct smccc_res pledge(uint64_t op, uint64_t keep)
{
	return smccc_hvc_pledge(op, keep, 0, 0, 0, 0, 0);
}

int main(void)
{
	struct smccc_res r;

	guest_puts("pledge: one-way capability drops\n");
	r = pledge(HV_PLEDGE_QUERY, 0);
	check_eq("query succeeds", r.x[0], 0);
	check_eq("granted: every class", r.x[1], HV_CAP_ALL);

	r = pledge(HV_PLEDGE_KEEP, HV_CAP_ALL & ~HV_CAP_IPC);
	check_eq("drop ipc", r.x[0], 0);
	check_eq("  ... mask now", r.x[1], HV_CAP_ALL & ~HV_CAP_IPC);

	r = pledge(HV_PLEDGE_KEEP, HV_CAP_ALL);
	check_eq("ask for ipc back: DENIED", r.x[0], (uint64_t)PSCI_RET_DENIED);
	check_eq("  ... mask unchanged", r.x[1], HV_CAP_ALL & ~HV_CAP_IPC);

	r = pledge(HV_PLEDGE_KEEP, 0x100 | HV_CAP_CONSOLE);
	check_eq("unknown bits: INVALID_PARAMETERS", r.x[0],
		 (uint64_t)PSCI_RET_INVALID_PARAMETERS);
	r = pledge(HV_PLEDGE_QUERY, 0);
	check_eq("  ... mask unchanged", r.x[1], HV_CAP_ALL & ~HV_CAP_IPC);

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("pledge: dropping the console; the next UART write must "
		   "end this cell\n");
	r = pledge(HV_PLEDGE_KEEP, HV_CAP_ALL & ~(HV_CAP_IPC | HV_CAP_CONSOLE));
	if (r.x[0] != 0)
		return 2; /* cannot print any more: the status says it */
	guest_puts("FAIL: still alive after writing to a pledged-away UART\n");
	return 1;
}
