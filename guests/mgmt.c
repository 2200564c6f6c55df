/* SPDX-License-Identifier: MIT */
/*
 * mgmt: a cell with the "management" class manages its neighbours
 * (configs/mgmt.dts, ABI in hv/include/hv/mgmt.h and docs/management.md).
 *
 * Cells: "manager" (this guest), "worker" (guests/mgmt_worker.c, runs
 * until stopped, holds only "console") and "hello" (a bystander that runs
 * to completion untouched). The manager
 *   a) waits until hello has exited and the worker is ready, then lists
 *      every cell with HV_CALL_MGMT_INFO;
 *   b) checks the errors: itself, a cell id that does not exist, bad
 *      buffers (-2), starting a running cell (-10);
 *   c) stops the worker (its VMID, vCPU and stage-2 pages come back) and
 *      starts it again (boot count + 1);
 *   d) restarts it MGMT_RESTARTS times and compares HV_CALL_MGMT_STATS
 *      before and after: any leaked page, VMID, SPI, list register or vCPU
 *      shows;
 *   e) destroys it (state destroyed, start then refused with -10);
 *   f) checks hello was not disturbed and powers off (SYSTEM_OFF).
 *
 * The output is the same on every HAL: the manager acts on the worker only
 * once the worker has signalled that it is ready (it drops its console
 * with a pledge, so its caps read 0) on the boots where the worker prints,
 * and prints only values that do not depend on timing.
 */
#define HV_MGMT_GUEST_ONLY
#include <hv/mgmt.h>
#include <hv/pledge.h>
#include <hv/smccc.h>

#include "guest.h"

#define MGMT_RESTARTS 100u
/* INFO polls before a wait gives up (a few seconds under QEMU TCG, a few
 * million instructions on hvsim). */
#define WAIT_POLLS 300000u
/* A buffer IPA outside the cell's RAM (its console is at 0x09000000). */
#define UNOWNED_IPA UINT64_C(0x0a000000)

static struct hv_mgmt_info info;

static int64_t mgmt_call(uint32_t fid, uint64_t id)
{
	return (int64_t)smccc_hvc(fid, id, 0, 0, 0, 0, 0).x[0];
}

/* HV_CALL_MGMT_INFO of `id` into *out: x0, and x1 (the cell count) in
 * *count when count is not NULL. */
static int64_t mgmt_info(uint64_t id, struct hv_mgmt_info *out, uint64_t *count)
{
	struct smccc_res r = smccc_hvc(HV_CALL_MGMT_INFO, id, (uint64_t)out,
				       sizeof(*out), 0, 0, 0);

	if (count != NULL)
		*count = r.x[1];
	out->name[sizeof(out->name) - 1] = '\0';
	out->reason[sizeof(out->reason) - 1] = '\0';
	return (int64_t)r.x[0];
}

static bool mgmt_stats(struct hv_mgmt_stats *s)
{
	struct smccc_res r = smccc_hvc(HV_CALL_MGMT_STATS, 0, 0, 0, 0, 0, 0);

	s->pool_pages_used = r.x[1];
	s->vmids_used = r.x[2];
	s->irqs_routed = r.x[3];
	s->lrs_used = r.x[4];
	s->vcpus = r.x[5];
	return r.x[0] == 0;
}

static const char *state_name(uint32_t s)
{
	static const char *const names[] = {
		"destroyed", "ready",	   "running",
		"exited",    "terminated", "stopped",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static bool streq(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && memcmp(a, b, n) == 0;
}

/* "console+management", "none" for 0. */
static const char *caps_string(uint32_t caps, char *buf, size_t size)
{
	static const char *const names[] = {"console", "block",	     "network",
					    "ipc",     "management", "devices"};
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < sizeof(names) / sizeof(names[0]); b++) {
		size_t n = strlen(names[b]);

		if (!(caps & (1u << b)) || at + n + 2 > size)
			continue;
		if (at != 0)
			buf[at++] = '+';
		memcpy(buf + at, names[b], n + 1);
		at += n;
	}
	return at == 0 ? "none" : buf;
}

static void print_cell(uint64_t id)
{
	char caps[64];
	int64_t r = mgmt_info(id, &info, NULL);

	if (r != 0) {
		guest_printf("FAIL: MGMT_INFO of cell %lu: %ld\n", id, r);
		guest_count_failure();
		return;
	}
	guest_printf("cell %u %s: %s, cpus 0x%lx, %u vcpu, memory 0x%lx, "
		     "caps %s, boots %lu",
		     info.id, info.name, state_name(info.state), info.cpus,
		     info.vcpu_count, info.mem_bytes,
		     caps_string(info.caps, caps, sizeof(caps)),
		     info.boot_count);
	if (info.state == HV_MGMT_EXITED)
		guest_printf(", status %d", info.exit_status);
	if (info.reason[0] != '\0')
		guest_printf(", last exit: %s", info.reason);
	guest_puts("\n");
}

static void print_stats(const char *what, const struct hv_mgmt_stats *s)
{
	guest_printf("%s: pool pages %lu, vmids %lu, spis routed %lu, "
		     "lrs used %lu, vcpus %lu\n",
		     what, s->pool_pages_used, s->vmids_used, s->irqs_routed,
		     s->lrs_used, s->vcpus);
}

static bool stats_equal(const struct hv_mgmt_stats *a,
			const struct hv_mgmt_stats *b)
{
	return a->pool_pages_used == b->pool_pages_used &&
	       a->vmids_used == b->vmids_used &&
	       a->irqs_routed == b->irqs_routed && a->lrs_used == b->lrs_used &&
	       a->vcpus == b->vcpus;
}

/* The id of the cell called `name`; ends the test when there is none. */
static uint64_t find_cell(const char *name, uint64_t count)
{
	for (uint64_t id = 0; id < count; id++)
		if (mgmt_info(id, &info, NULL) == 0 && streq(info.name, name))
			return id;
	guest_printf("FAIL: no cell named %s\n", name);
	test_exit(1);
}

_Noreturn static void give_up(const char *what, uint64_t id)
{
	guest_printf("FAIL: %s: cell %lu is %s, boots %lu, caps 0x%x\n", what,
		     id, state_name(info.state), info.boot_count, info.caps);
	test_exit(1);
}

/* Waits until the worker runs boot `boot` and has dropped its last class:
 * it has printed all it will print on that boot. */
static void wait_worker_ready(uint64_t id, uint64_t boot)
{
	for (unsigned n = 0; n < WAIT_POLLS; n++) {
		if (mgmt_info(id, &info, NULL) != 0)
			give_up("MGMT_INFO failed while waiting", id);
		if (info.state != HV_MGMT_RUNNING)
			give_up("worker not running while waiting", id);
		if (info.boot_count == boot && info.caps == 0)
			return;
	}
	give_up("worker not ready in time", id);
}

static void wait_exited(uint64_t id)
{
	for (unsigned n = 0; n < WAIT_POLLS; n++) {
		if (mgmt_info(id, &info, NULL) != 0)
			give_up("MGMT_INFO failed while waiting", id);
		if (info.state == HV_MGMT_EXITED)
			return;
		if (info.state != HV_MGMT_RUNNING)
			give_up("bystander ended badly", id);
	}
	give_up("bystander did not exit in time", id);
}

static void check_ret(const char *what, int64_t got, int64_t want)
{
	check_eq(what, (uint64_t)got, (uint64_t)want);
}

int main(void)
{
	struct smccc_res self_info = smccc_hvc(HV_CALL_CELL_INFO, 0, 0, 0, 0, 0,
					       0);
	uint64_t self = self_info.x[1], count = 0, worker, hello, boots;
	struct hv_mgmt_stats s0, s1, before, after;
	unsigned failed;
	int64_t r;

	guest_puts("mgmt: managing the other cells\n");
	r = mgmt_info(self, &info, &count);
	check_ret("MGMT_INFO of itself", r, 0);
	check_eq("  ... cell count", count, 3);
	worker = find_cell("worker", count);
	hello = find_cell("hello", count);

	/* a) Everything settled, so the list is the same on every HAL. */
	wait_exited(hello);
	wait_worker_ready(worker, 1);
	guest_puts("mgmt: cells\n");
	for (uint64_t id = 0; id < count; id++)
		print_cell(id);

	/* b) Errors. */
	check_ret("stop itself: INVALID", mgmt_call(HV_CALL_MGMT_STOP, self),
		  HV_MGMT_RET_INVALID);
	check_ret("destroy itself: INVALID",
		  mgmt_call(HV_CALL_MGMT_DESTROY, self), HV_MGMT_RET_INVALID);
	check_ret("stop cell 99: INVALID", mgmt_call(HV_CALL_MGMT_STOP, 99),
		  HV_MGMT_RET_INVALID);
	check_ret("restart cell 99: INVALID",
		  mgmt_call(HV_CALL_MGMT_RESTART, 99), HV_MGMT_RET_INVALID);
	check_ret("info of cell 99: INVALID", mgmt_info(99, &info, NULL),
		  HV_MGMT_RET_INVALID);
	r = (int64_t)smccc_hvc(HV_CALL_MGMT_INFO, worker, UNOWNED_IPA,
			       sizeof(info), 0, 0, 0)
		    .x[0];
	check_ret("info into memory the cell does not own: INVALID", r,
		  HV_MGMT_RET_INVALID);
	r = (int64_t)smccc_hvc(HV_CALL_MGMT_INFO, worker, (uint64_t)&info,
			       sizeof(info) - 1, 0, 0, 0)
		    .x[0];
	check_ret("info into a buffer too small: INVALID", r,
		  HV_MGMT_RET_INVALID);
	r = (int64_t)smccc_hvc(HV_CALL_MGMT_INFO, worker,
			       self_info.x[5] + self_info.x[6] - 8,
			       sizeof(info), 0, 0, 0)
		    .x[0];
	check_ret("info into a buffer past the end of RAM: INVALID", r,
		  HV_MGMT_RET_INVALID);
	check_ret("start the running worker: STATE",
		  mgmt_call(HV_CALL_MGMT_START, worker), HV_MGMT_RET_STATE);

	/* c) Stop and start. */
	check(mgmt_stats(&s0), "MGMT_STATS returns 0");
	check_ret("stop worker", mgmt_call(HV_CALL_MGMT_STOP, worker), 0);
	print_cell(worker);
	check(info.state == HV_MGMT_STOPPED, "  ... state stopped");
	check(mgmt_stats(&s1), "MGMT_STATS returns 0");
	check_eq("  ... VMIDs in use after stop", s1.vmids_used,
		 s0.vmids_used - 1);
	check_eq("  ... vCPUs after stop", s1.vcpus, s0.vcpus - 1);
	check(s1.pool_pages_used < s0.pool_pages_used,
	      "  ... fewer pool pages in use after stop");
	check_ret("stop the stopped worker: STATE",
		  mgmt_call(HV_CALL_MGMT_STOP, worker), HV_MGMT_RET_STATE);
	check_ret("start worker", mgmt_call(HV_CALL_MGMT_START, worker), 0);
	wait_worker_ready(worker, 2);
	print_cell(worker);
	check(info.state == HV_MGMT_RUNNING, "  ... state running");
	check_eq("  ... boot count", info.boot_count, 2);

	/* d) Restart loop: nothing may leak. */
	check(mgmt_stats(&before), "MGMT_STATS returns 0");
	boots = info.boot_count;
	failed = 0;
	for (unsigned i = 0; i < MGMT_RESTARTS; i++)
		if (mgmt_call(HV_CALL_MGMT_RESTART, worker) != 0)
			failed++;
	check_eq("restarts that failed", failed, 0);
	wait_worker_ready(worker, boots + MGMT_RESTARTS);
	check(mgmt_stats(&after), "MGMT_STATS returns 0");
	print_stats("stats before restarts", &before);
	print_stats("stats after 100 restarts", &after);
	check(stats_equal(&before, &after),
	      "no pages, VMIDs, SPIs, LRs or vCPUs leaked");
	guest_printf("worker boots: %lu before restarts, %lu after\n", boots,
		     info.boot_count);
	check(info.boot_count - boots == MGMT_RESTARTS,
	      "worker boot count advanced by exactly 100");

	/* e) Destroy: for good. */
	check_ret("destroy worker", mgmt_call(HV_CALL_MGMT_DESTROY, worker), 0);
	r = mgmt_info(worker, &info, NULL);
	check_ret("  ... info", r, 0);
	check(info.state == HV_MGMT_DESTROYED, "  ... state destroyed");
	check_ret("  ... start: STATE", mgmt_call(HV_CALL_MGMT_START, worker),
		  HV_MGMT_RET_STATE);
	check(mgmt_stats(&s1), "MGMT_STATS returns 0");
	check_eq("  ... VMIDs in use", s1.vmids_used, s0.vmids_used - 1);
	check_eq("  ... vCPUs", s1.vcpus, s0.vcpus - 1);

	/* f) The bystander saw nothing of it. */
	r = mgmt_info(hello, &info, NULL);
	check(r == 0 && info.state == HV_MGMT_EXITED && info.exit_status == 0 &&
		      info.boot_count == 1,
	      "hello exited by itself, status 0, booted once");
	guest_puts("mgmt: cells\n");
	for (uint64_t id = 0; id < count; id++)
		print_cell(id);

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("mgmt: all checks passed, SYSTEM_OFF\n");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	guest_puts("FAIL: SYSTEM_OFF returned\n");
	return 1;
}
