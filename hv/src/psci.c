/* SPDX-License-Identifier: MIT */
/*
 * PSCI for guests (Arm DEN 0022 PSCI 1.1). A cell's PSCI acts on the cell
 * only: SYSTEM_OFF ends the cell, SYSTEM_RESET restarts it from its image;
 * the machine and other cells never notice.
 */
#include <hal/vcpu.h>
#include <hv/cell.h>
#include <hv/hv.h>
#include <hv/psci.h>
#include <hv/smccc.h>
#include <hv/vcpu.h>

/* MIGRATE_INFO_TYPE: "Trusted OS is not present or does not require
 * migration" (DEN 0022 5.8.2). */
#define PSCI_MIGRATE_INFO_NONE 2

bool psci_implemented(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_FEATURES:
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		return true;
	default:
		return false;
	}
}

/* PSCI_FEATURES (DEN 0022 5.15): 0 for implemented PSCI functions and for
 * SMCCC_VERSION (so guests know SMCCC 1.1 is there), NOT_SUPPORTED else.
 * For CPU_SUSPEND, 0 also says: original power_state format, no OS-initiated
 * mode. */
static int64_t psci_features(uint32_t queried)
{
	if (psci_implemented(queried) || queried == SMCCC_VERSION)
		return PSCI_RET_SUCCESS;
	return PSCI_RET_NOT_SUPPORTED;
}

/* AFFINITY_INFO results (DEN 0022 5.7). */
#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1
#define PSCI_AFFINITY_ON_PENDING 2

/* CPU_SUSPEND power_state, original format: StateType bit 16 = powerdown. */
#define PSCI_POWER_STATE_TYPE_POWERDOWN (UINT64_C(1) << 16)

/* MPIDR affinity fields a target_cpu may carry (Aff3 [39:32], Aff2-0 [23:0]). */
#define MPIDR_AFF_MASK UINT64_C(0xff00ffffff)

/* The cell's vCPU whose MPIDR affinity is `mpidr`, or NULL. Guest input:
 * any value is possible. */
static struct hv_vcpu *vcpu_by_mpidr(struct hv_cell *cell, uint64_t mpidr)
{
	for (unsigned i = 0; i < cell->vcpu_count; i++)
		if ((vcpu_mpidr(&cell->vcpus[i]) & MPIDR_AFF_MASK) ==
		    (mpidr & MPIDR_AFF_MASK))
			return &cell->vcpus[i];
	return NULL;
}

/* A PSCI entry point must be 4-byte aligned code the cell may execute. */
static bool entry_ok(struct hv_cell *cell, uint64_t entry)
{
	return (entry & 3) == 0 &&
	       cell_guest_ptr(cell, ipa_init(entry), 4, S2_EXEC) != NULL;
}

/*
 * CPU_ON (DEN 0022 5.6): validate, then hand the start to the target's own
 * physical CPU (hv_pcpu_run resets it there), so EL1 state is only ever
 * written by the CPU that owns it.
 */
static int64_t cpu_on(struct hv_vcpu *vcpu, uint32_t fid)
{
	struct hv_cell *cell = vcpu->cell;
	uint64_t target = vcpu_gpr_read(vcpu, 1);
	uint64_t entry = vcpu_gpr_read(vcpu, 2);
	uint64_t context = vcpu_gpr_read(vcpu, 3);

	if (fid == PSCI_CPU_ON_32) {
		/* SMC32 convention: only the low halves are arguments. */
		target &= UINT32_MAX;
		entry &= UINT32_MAX;
		context &= UINT32_MAX;
	}
	struct hv_vcpu *t = vcpu_by_mpidr(cell, target);
	if (t == NULL)
		return PSCI_RET_INVALID_PARAMETERS;
	int64_t ret = PSCI_RET_SUCCESS;
	/* Two vCPUs may CPU_ON the same target at once: one wins. */
	hv_spin_lock(&cell->lock);
	switch (t->state) {
	case HV_VCPU_ON_PENDING:
		ret = PSCI_RET_ON_PENDING;
		break;
	case HV_VCPU_RUNNING:
	case HV_VCPU_WAITING:
		ret = PSCI_RET_ALREADY_ON;
		break;
	case HV_VCPU_OFF:
		if (!entry_ok(cell, entry))
			ret = PSCI_RET_INVALID_ADDRESS;
		break;
	case HV_VCPU_STOPPED:
	default:
		ret = PSCI_RET_DENIED;
		break;
	}
	if (ret == PSCI_RET_SUCCESS) {
		t->on_entry = ipa_init(entry);
		t->on_context = context;
		/* Entry and context are visible before the state says so. */
		if (!vcpu_state_move(t, HV_VCPU_OFF, HV_VCPU_ON_PENDING))
			ret = PSCI_RET_DENIED; /* the cell ended meanwhile */
	}
	hv_spin_unlock(&cell->lock);
	if (ret == PSCI_RET_SUCCESS)
		hal_cpu_kick(t->pcpu);
	return ret;
}

/* CPU_OFF (DEN 0022 5.5): the caller stops until a CPU_ON. When no vCPU of
 * the cell is left on, the cell can never run again: it has ended. */
static enum hv_action cpu_off(struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;
	bool all_off = true;

	hv_spin_lock(&cell->lock);
	if (!vcpu_state_move(vcpu, HV_VCPU_RUNNING, HV_VCPU_OFF)) {
		hv_spin_unlock(&cell->lock);
		return HV_ACTION_STOP; /* the cell ended meanwhile */
	}
	for (unsigned i = 0; i < cell->vcpu_count; i++)
		if (cell->vcpus[i].state != HV_VCPU_OFF)
			all_off = false;
	hv_spin_unlock(&cell->lock);
	if (!all_off)
		return HV_ACTION_WAIT;
	cell_exit(cell, 0, "all vCPUs off");
	return HV_ACTION_STOP;
}

/* AFFINITY_INFO (DEN 0022 5.7): only affinity level 0 is meaningful, as
 * each vCPU is its own level-0 node. */
static int64_t affinity_info(struct hv_vcpu *vcpu, uint32_t fid)
{
	uint64_t target = vcpu_gpr_read(vcpu, 1);
	uint64_t level = vcpu_gpr_read(vcpu, 2);
	if (fid == PSCI_AFFINITY_INFO_32) {
		target &= UINT32_MAX;
		level &= UINT32_MAX;
	}
	if (level != 0)
		return PSCI_RET_INVALID_PARAMETERS;
	struct hv_vcpu *t = vcpu_by_mpidr(vcpu->cell, target);
	if (t == NULL)
		return PSCI_RET_INVALID_PARAMETERS;
	switch (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE)) {
	case HV_VCPU_ON_PENDING:
		return PSCI_AFFINITY_ON_PENDING;
	/* RUNNING and WAITING answer alike unless -Dinject_bug. */
	/* NOLINTNEXTLINE(bugprone-branch-clone) */
	case HV_VCPU_RUNNING:
		return PSCI_AFFINITY_ON;
	case HV_VCPU_WAITING:
#ifdef HV_INJECT_BUG
		/* Test-only (meson -Dinject_bug=true, docs/replay.md): a
		 * deliberate state-machine bug, a vCPU idling in WFI is
		 * reported off. */
		return PSCI_AFFINITY_OFF;
#else
		return PSCI_AFFINITY_ON;
#endif
	default:
		return PSCI_AFFINITY_OFF;
	}
}

/*
 * CPU_SUSPEND (DEN 0022 5.4) as a wait for a wake-up event. A standby state
 * returns SUCCESS after the wait; a powerdown state resumes at the given
 * entry point with the context id in X0, as a warm boot would.
 */
static enum hv_action cpu_suspend(struct hv_vcpu *vcpu, uint32_t fid)
{
	uint64_t state = vcpu_gpr_read(vcpu, 1);
	uint64_t entry = vcpu_gpr_read(vcpu, 2);
	uint64_t context = vcpu_gpr_read(vcpu, 3);
	if (fid == PSCI_CPU_SUSPEND_32) {
		entry &= UINT32_MAX;
		context &= UINT32_MAX;
	}
	if (state & PSCI_POWER_STATE_TYPE_POWERDOWN) {
		if (!entry_ok(vcpu->cell, entry)) {
			vcpu_gpr_write(vcpu, 0,
				       (uint64_t)PSCI_RET_INVALID_ADDRESS);
			return HV_ACTION_RESUME;
		}
		hal_vcpu_reset(vcpu, ipa_init(entry), context);
	} else {
		vcpu_gpr_write(vcpu, 0, (uint64_t)PSCI_RET_SUCCESS);
	}
	if (!vcpu_state_move(vcpu, HV_VCPU_RUNNING, HV_VCPU_WAITING))
		return HV_ACTION_STOP; /* the cell ended meanwhile */
	return HV_ACTION_WAIT;
}

static enum hv_action system_reset(struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;
	enum hv_err err = cell_start(cell);
	if (err != HV_OK) {
		/* The image was loadable at boot, so this is a HAL failure;
		 * still only this cell pays for it. */
		cell_exit(cell, HV_STATUS_RESET_FAILED, "system reset failed");
		return HV_ACTION_STOP;
	}
	/* The caller is now OFF or ON_PENDING: leave the guest so its pCPU
	 * picks up the new state. */
	return HV_ACTION_WAIT;
}

enum hv_action psci_call(struct hv_vcpu *vcpu, uint32_t fid)
{
	int64_t ret;

	switch (fid) {
	case PSCI_VERSION:
		ret = PSCI_VERSION_1_1;
		break;
	case PSCI_FEATURES:
		ret = psci_features((uint32_t)vcpu_gpr_read(vcpu, 1));
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = PSCI_MIGRATE_INFO_NONE;
		break;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		ret = cpu_on(vcpu, fid);
		break;
	case PSCI_CPU_OFF:
		return cpu_off(vcpu);
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		ret = affinity_info(vcpu, fid);
		break;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		return cpu_suspend(vcpu, fid);
	case PSCI_SYSTEM_OFF:
		cell_exit(vcpu->cell, 0, "system off");
		return HV_ACTION_STOP;
	case PSCI_SYSTEM_RESET:
		return system_reset(vcpu);
	default:
		ret = PSCI_RET_NOT_SUPPORTED;
		break;
	}
	vcpu_gpr_write(vcpu, 0, (uint64_t)ret);
	return HV_ACTION_RESUME;
}
