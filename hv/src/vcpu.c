/* SPDX-License-Identifier: MIT */
/* Register helpers shared by the exit handlers. */
#include <hv/vcpu.h>

#include <hal/vcpu.h>

uint64_t vcpu_gpr_read(struct hv_vcpu *vcpu, unsigned n)
{
	/* Register number 31 in an Rt/SRT field is XZR for these accesses. */
	if (n >= 31)
		return 0;
	return hal_vcpu_reg_read(vcpu, (enum hv_reg)(HV_REG_X0 + n));
}

void vcpu_gpr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	if (n >= 31)
		return;
	hal_vcpu_reg_write(vcpu, (enum hv_reg)(HV_REG_X0 + n), val);
}

void vcpu_skip_insn(struct hv_vcpu *vcpu)
{
	hal_vcpu_reg_write(vcpu, HV_REG_PC, hal_vcpu_reg_read(vcpu, HV_REG_PC) + 4);
}

uint64_t vcpu_mpidr(const struct hv_vcpu *vcpu)
{
	return (UINT64_C(1) << 31) | (uint64_t)vcpu->id;
}
