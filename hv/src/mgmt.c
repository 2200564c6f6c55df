/* SPDX-License-Identifier: MIT */
/* Management of cells by cells and by hvsim (see mgmt.h; docs/management.md). */
#include <hal/platform.h>
#include <hv/cell.h>
#include <hv/hv.h>
#include <hv/isolation.h>
#include <hv/lib.h>
#include <hv/mgmt.h>
#include <hv/pledge.h>
#include <hv/print.h>
#include <hv/smccc.h>
#include <hv/vcpu.h>

const char *mgmt_state_name(enum hv_mgmt_state s)
{
	static const char *const names[] = {
		"destroyed", "ready",	   "running",
		"exited",    "terminated", "stopped",
	};
	return (unsigned)s < HV_ARRAY_SIZE(names) ? names[s] : "?";
}

static enum hv_mgmt_state state_of(const struct hv_cell *cell)
{
	switch (__atomic_load_n(&cell->state, __ATOMIC_ACQUIRE)) {
	case HV_CELL_READY:
		return HV_MGMT_READY;
	case HV_CELL_RUNNING:
		return HV_MGMT_RUNNING;
	case HV_CELL_EXITED:
		return HV_MGMT_EXITED;
	case HV_CELL_TERMINATED:
		return HV_MGMT_TERMINATED;
	case HV_CELL_STOPPED:
		return HV_MGMT_STOPPED;
	case HV_CELL_FREE:
	default:
		return HV_MGMT_DESTROYED;
	}
}

/* Debug builds and tests: the invariant must hold after every operation;
 * a violation is a hypervisor bug. */
static void check_isolation(const struct hv *hv)
{
	char why[160];
	if (isolation_check(hv, why, sizeof(why)) != HV_OK)
		hal_panic(why);
}

/* Stops whatever still runs or holds resources: vCPUs off their pCPUs,
 * then everything released. */
static void stop(struct hv_cell *target, const char *why)
{
	hv_spin_lock(&target->lock);
	for (unsigned i = 0; i < target->vcpu_count; i++)
		__atomic_store_n(&target->vcpus[i].state, HV_VCPU_STOPPED,
				 __ATOMIC_RELEASE);
	__atomic_store_n(&target->state, HV_CELL_STOPPED, __ATOMIC_RELEASE);
	hv_spin_unlock(&target->lock);
	hv_pcpu_detach(target->hv, target);
	cell_stop(target, why);
}

static enum hv_err check_target(const struct hv_cell *target,
				const struct hv_cell *self)
{
	return target == self ? HV_ERR_INVAL : HV_OK;
}

enum hv_err mgmt_stop(struct hv_cell *target, const struct hv_cell *self)
{
	enum hv_err e = check_target(target, self);
	if (e != HV_OK)
		return e;
	enum hv_mgmt_state s = state_of(target);
	if (s == HV_MGMT_DESTROYED || s == HV_MGMT_STOPPED)
		return HV_ERR_STATE;
	stop(target, "stopped by management");
	hv_printf("cellvisor: cell '%s' stopped by %s\n", target->cfg->name,
		  self ? self->cfg->name : "the host");
	check_isolation(target->hv);
	hv_kick_if_done(target->hv);
	return HV_OK;
}

enum hv_err mgmt_start(struct hv_cell *target, const struct hv_cell *self)
{
	enum hv_err e = check_target(target, self);
	if (e != HV_OK)
		return e;
	if (state_of(target) != HV_MGMT_STOPPED)
		return HV_ERR_STATE;
	e = cell_rebuild(target);
	if (e == HV_OK)
		e = cell_start(target);
	if (e != HV_OK) {
		if (target->state != HV_CELL_STOPPED)
			stop(target, "could not be started");
		return e;
	}
	check_isolation(target->hv);
	return HV_OK;
}

/* The common start of restart and destroy: any cell but a destroyed one
 * (or the caller) is taken to STOPPED first. */
static enum hv_err stop_unless_stopped(struct hv_cell *target,
				       const struct hv_cell *self,
				       const char *why)
{
	enum hv_err e = check_target(target, self);
	if (e != HV_OK)
		return e;
	enum hv_mgmt_state s = state_of(target);
	if (s == HV_MGMT_DESTROYED)
		return HV_ERR_STATE;
	if (s != HV_MGMT_STOPPED)
		stop(target, why);
	return HV_OK;
}

enum hv_err mgmt_restart(struct hv_cell *target, const struct hv_cell *self)
{
	enum hv_err e = stop_unless_stopped(target, self,
					    "restarted by management");
	return e == HV_OK ? mgmt_start(target, self) : e;
}

enum hv_err mgmt_destroy(struct hv_cell *target, const struct hv_cell *self)
{
	enum hv_err e = stop_unless_stopped(target, self,
					    "destroyed by management");
	if (e != HV_OK)
		return e;
	struct hv *hv = target->hv;
	hv_printf("cellvisor: cell '%s' destroyed by %s\n", target->cfg->name,
		  self ? self->cfg->name : "the host");
	cell_destroy(target); /* STOPPED: nothing left to release */
	check_isolation(hv);
	hv_kick_if_done(hv);
	return HV_OK;
}

void mgmt_info(const struct hv *hv, unsigned id, struct hv_mgmt_info *out)
{
	const struct hv_cell_config *cfg = &hv->config.cells[id];
	const struct hv_cell *cell = &hv->cells[id];

	memset(out, 0, sizeof(*out));
	out->id = id;
	out->state = state_of(cell);
	for (unsigned i = 0; i < cfg->cpu_count; i++)
		if (cfg->cpus[i] < 64)
			out->cpus |= UINT64_C(1) << cfg->cpus[i];
	for (unsigned r = 0; r < cfg->region_count; r++)
		out->mem_bytes += cfg->regions[r].size;
	out->vcpu_count = cfg->cpu_count;
	hv_snprintf(out->name, sizeof(out->name), "%s", cfg->name);
	if (out->state == HV_MGMT_DESTROYED)
		return;
	out->caps = cell->caps;
	out->boot_count = cell->boot_count;
	out->exit_status = cell->exit_status;
	hv_snprintf(out->reason, sizeof(out->reason), "%s", cell->reason);
}

void mgmt_stats(const struct hv *hv, struct hv_mgmt_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->pool_pages_used = hv->pool.used_count;
	for (unsigned v = 0; v <= HV_MAX_VMID; v++)
		if (hv->vmid_used[v / 64] & (UINT64_C(1) << (v % 64)))
			out->vmids_used++;
	out->irqs_routed = hv->irqs_routed;
	for (unsigned i = 0; i < hv->cell_count; i++) {
		const struct hv_cell *c = &hv->cells[i];
		if (c->state == HV_CELL_FREE || c->state == HV_CELL_STOPPED)
			continue;
		out->vcpus += c->vcpu_count;
		if (!c->cfg->has_gic)
			continue;
		for (unsigned v = 0; v < c->vcpu_count; v++)
			out->lrs_used += (unsigned)__builtin_popcount(
				c->vgic.cpu[v].lr_used);
	}
}

/* ---- hypercalls ------------------------------------------------------- */

static int64_t ret_of(enum hv_err e)
{
	switch (e) {
	case HV_OK:
		return 0;
	case HV_ERR_INVAL:
		return HV_MGMT_RET_INVALID;
	case HV_ERR_STATE:
		return HV_MGMT_RET_STATE;
	default:
		return HV_MGMT_RET_INTERNAL;
	}
}

static enum hv_action info_call(struct hv_vcpu *vcpu, unsigned id)
{
	struct hv_cell *cell = vcpu->cell;
	uint64_t size = vcpu_gpr_read(vcpu, 3);
	struct hv_mgmt_info info;

	if (size < sizeof(info)) {
		vcpu_gpr_write(vcpu, 0, (uint64_t)HV_MGMT_RET_INVALID);
		return HV_ACTION_RESUME;
	}
	void *dst = cell_guest_ptr(cell, ipa_init(vcpu_gpr_read(vcpu, 2)),
				   sizeof(info), S2_WRITE);
	if (dst == NULL) {
		vcpu_gpr_write(vcpu, 0, (uint64_t)HV_MGMT_RET_INVALID);
		return HV_ACTION_RESUME;
	}
	mgmt_info(cell->hv, id, &info);
	memcpy(dst, &info, sizeof(info));
	vcpu_gpr_write(vcpu, 0, 0);
	vcpu_gpr_write(vcpu, 1, cell->hv->cell_count);
	return HV_ACTION_RESUME;
}

enum hv_action mgmt_call(struct hv_vcpu *vcpu, uint32_t fid)
{
	struct hv_cell *cell = vcpu->cell;
	struct hv *hv = cell->hv;
	uint64_t id = vcpu_gpr_read(vcpu, 1);
	enum hv_err e;

	if (!(cell->caps & HV_CAP_MGMT)) {
		vcpu_gpr_write(vcpu, 0, (uint64_t)HV_MGMT_RET_DENIED);
		return HV_ACTION_RESUME;
	}
	if (fid == HV_CALL_MGMT_TRACE) {
		vcpu_gpr_write(vcpu, 0,
			       hal_trace_snapshot()
				       ? 0
				       : (uint64_t)SMCCC_RET_NOT_SUPPORTED);
		return HV_ACTION_RESUME;
	}
	if (fid == HV_CALL_MGMT_STATS) {
		struct hv_mgmt_stats st;
		mgmt_stats(hv, &st);
		vcpu_gpr_write(vcpu, 0, 0);
		vcpu_gpr_write(vcpu, 1, st.pool_pages_used);
		vcpu_gpr_write(vcpu, 2, st.vmids_used);
		vcpu_gpr_write(vcpu, 3, st.irqs_routed);
		vcpu_gpr_write(vcpu, 4, st.lrs_used);
		vcpu_gpr_write(vcpu, 5, st.vcpus);
		return HV_ACTION_RESUME;
	}
	if (id >= hv->cell_count) {
		vcpu_gpr_write(vcpu, 0, (uint64_t)HV_MGMT_RET_INVALID);
		return HV_ACTION_RESUME;
	}
	struct hv_cell *target = &hv->cells[id];
	switch (fid) {
	case HV_CALL_MGMT_INFO:
		return info_call(vcpu, (unsigned)id);
	case HV_CALL_MGMT_STOP:
		e = mgmt_stop(target, cell);
		break;
	case HV_CALL_MGMT_START:
		e = mgmt_start(target, cell);
		break;
	case HV_CALL_MGMT_RESTART:
		e = mgmt_restart(target, cell);
		break;
	case HV_CALL_MGMT_DESTROY:
		e = mgmt_destroy(target, cell);
		break;
	default:
		vcpu_gpr_write(vcpu, 0, (uint64_t)SMCCC_RET_NOT_SUPPORTED);
		return HV_ACTION_RESUME;
	}
	vcpu_gpr_write(vcpu, 0, (uint64_t)ret_of(e));
	return HV_ACTION_RESUME;
}
