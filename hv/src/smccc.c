/* SPDX-License-Identifier: MIT */
/*
 * SMCCC dispatch (Arm DEN 0028): routes a function ID to its service by
 * the Owning Entity Number. Reached by HVC #0 and by trapped SMC #0 alike.
 */
#include <hv/hypercall.h>
#include <hv/psci.h>
#include <hv/smccc.h>
#include <hv/vcpu.h>

/* SMCCC_ARCH_FEATURES: the only arch calls implemented are the two
 * discovery calls; no firmware workarounds are needed or advertised. */
static int64_t arch_features(uint32_t fid)
{
	if (fid == SMCCC_VERSION || fid == SMCCC_ARCH_FEATURES)
		return SMCCC_RET_SUCCESS;
	return SMCCC_RET_NOT_SUPPORTED;
}

enum hv_action smccc_call(struct hv_vcpu *vcpu)
{
	/* DEN 0028 2.6: the function ID is W0; the upper half of X0 is
	 * ignored. */
	uint32_t fid = (uint32_t)vcpu_gpr_read(vcpu, 0);
	unsigned oen = (fid & SMCCC_OEN_MASK) >> SMCCC_OEN_SHIFT;
	int64_t ret = SMCCC_RET_NOT_SUPPORTED;

	/* Cellvisor's own calls first: one compare covers the fast-call
	 * bit, the owner (vendor hypervisor) and the 32-bit convention. */
	if ((fid & ~SMCCC_FUNC_MASK) == HV_CALL_BASE)
		return hypercall_call(vcpu, fid);
	if ((fid & SMCCC_FAST_CALL) == 0) {
		/* Yielding calls are for Trusted OSes: none here. */
		vcpu_gpr_write(vcpu, 0, (uint64_t)ret);
		return HV_ACTION_RESUME;
	}
	switch (oen) {
	case SMCCC_OEN_ARCH:
		if (fid == SMCCC_VERSION)
			ret = SMCCC_VERSION_1_1;
		else if (fid == SMCCC_ARCH_FEATURES)
			ret = arch_features((uint32_t)vcpu_gpr_read(vcpu, 1));
		break;
	case SMCCC_OEN_STD:
		return psci_call(vcpu, fid);
	default:
		break;
	}
	vcpu_gpr_write(vcpu, 0, (uint64_t)ret);
	return HV_ACTION_RESUME;
}
