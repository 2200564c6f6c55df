/* SPDX-License-Identifier: MIT */
/*
 * PSCI for guests (Arm DEN 0022 PSCI 1.1). A cell's PSCI acts on the cell
 * only: SYSTEM_OFF ends the cell, SYSTEM_RESET restarts it from its image;
 * the machine and other cells never notice.
 */
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
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		return true;
	default:
		return false;
	}
}

/* PSCI_FEATURES (DEN 0022 5.15): 0 for implemented PSCI functions and for
 * SMCCC_VERSION (so guests know SMCCC 1.1 is there), NOT_SUPPORTED else. */
static int64_t psci_features(uint32_t queried)
{
	if (psci_implemented(queried) || queried == SMCCC_VERSION)
		return PSCI_RET_SUCCESS;
	return PSCI_RET_NOT_SUPPORTED;
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
	return HV_ACTION_RESUME;
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
