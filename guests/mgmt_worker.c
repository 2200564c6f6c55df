/* SPDX-License-Identifier: MIT */
/*
 * mgmt_worker: the cell the "mgmt" guest manages (configs/mgmt.dts,
 * configs/mgmt-sim.dts). It never ends by itself: it reads its boot count
 * (HV_CALL_CELL_INFO X7), tries one management call of its own, which must
 * be DENIED because its config grants only "console", then drops its last
 * class (console) with a pledge and waits in WFI until it is stopped,
 * restarted or destroyed.
 *
 * The pledge is also its "ready" signal: a manager polls HV_CALL_MGMT_INFO
 * until the worker's caps read 0, and then knows the boot got that far and
 * that nothing more will be printed. A restart boots the pristine image
 * with the configured classes again, so each boot gives the signal anew.
 *
 * It prints only on the boots whose output is deterministic on every HAL:
 * the boots after which the manager waits for the signal before acting
 * again (1, 2 and the one after its 100 restarts). On the others the
 * manager may stop it at any instruction, so it stays silent.
 */
#define HV_MGMT_GUEST_ONLY
#include <hv/mgmt.h>
#include <hv/pledge.h>
#include <hv/smccc.h>

#include "guest.h"

/* The boots mgmt.c waits on (1 + start + MGMT_RESTARTS there). */
#define WORKER_LAST_BOOT 102u

static bool verbose_boot(uint64_t boot)
{
	return boot == 1 || boot == 2 || boot == WORKER_LAST_BOOT;
}

int main(void)
{
	struct smccc_res info = smccc_hvc(HV_CALL_CELL_INFO, 0, 0, 0, 0, 0, 0);
	uint64_t boot = info.x[7];
	bool verbose = verbose_boot(boot);
	uint64_t stop, stats;

	if (verbose)
		guest_printf("worker: boot %lu, cell %lu\n", boot, info.x[1]);

	/* Cell 0 is whatever cell: the class check comes first. */
	stop = hvc0(HV_CALL_MGMT_STOP, 0, 0);
	stats = smccc_hvc(HV_CALL_MGMT_STATS, 0, 0, 0, 0, 0, 0).x[0];
	if (verbose) {
		check_eq("worker: MGMT_STOP without the management class: "
			 "DENIED",
			 stop, (uint64_t)HV_MGMT_RET_DENIED);
		check_eq("worker: MGMT_STATS: DENIED", stats,
			 (uint64_t)HV_MGMT_RET_DENIED);
	}
	/* On a silent boot a wrong answer ends the cell: the manager, which
	 * waits for the ready signal, sees it exited and reports that. */
	if (stop != (uint64_t)HV_MGMT_RET_DENIED ||
	    stats != (uint64_t)HV_MGMT_RET_DENIED)
		test_exit(3);
	if (verbose)
		guest_puts("worker: ready, dropping the console, waiting\n");

	/* Ready signal: caps 0. Nothing may be printed after this. */
	if (smccc_hvc_pledge(HV_PLEDGE_KEEP, 0, 0, 0, 0, 0, 0).x[0] != 0)
		test_exit(2); /* the manager times out and says so */
	for (;;)
		wfi();
}
