/* SPDX-License-Identifier: MIT */
/* Register helpers shared by the exit handlers. */
#include <hv/vcpu.h>

#include <hal/vcpu.h>
#include <hv/arm64/sysreg.h>

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
	hal_vcpu_reg_write(vcpu, HV_REG_PC,
			   hal_vcpu_reg_read(vcpu, HV_REG_PC) + 4);
}

uint64_t vcpu_mpidr(const struct hv_vcpu *vcpu)
{
	return (UINT64_C(1) << 31) | (uint64_t)vcpu->id;
}

/* Vector offsets from VBAR_EL1 (Arm ARM D1.10.2, "Vector offsets"). */
#define VECTOR_CUR_SP0 UINT64_C(0x000)
#define VECTOR_CUR_SPX UINT64_C(0x200)
#define VECTOR_LOWER_A64 UINT64_C(0x400)
#define VECTOR_TYPE_STRIDE UINT64_C(0x80)
#define PSR_MODE_EL1T UINT64_C(0x4)
#define PSR_MODE_EL0T UINT64_C(0x0)

void vcpu_take_exception(struct hv_vcpu *vcpu, enum vcpu_exception type,
			 uint64_t esr, uint64_t far)
{
	uint64_t pstate = hal_vcpu_reg_read(vcpu, HV_REG_PSTATE);
	uint64_t mode = pstate & PSR_MODE_MASK;
	uint64_t base;

	if (mode == PSR_MODE_EL0T)
		base = VECTOR_LOWER_A64;
	else if (mode == PSR_MODE_EL1T)
		base = VECTOR_CUR_SP0;
	else
		base = VECTOR_CUR_SPX;
	if (type == VCPU_EXC_SYNC) {
		hal_vcpu_reg_write(vcpu, HV_REG_ESR_EL1, esr);
		hal_vcpu_reg_write(vcpu, HV_REG_FAR_EL1, far);
	}
	hal_vcpu_reg_write(vcpu, HV_REG_ELR_EL1,
			   hal_vcpu_reg_read(vcpu, HV_REG_PC));
	hal_vcpu_reg_write(vcpu, HV_REG_SPSR_EL1, pstate);
	hal_vcpu_reg_write(vcpu, HV_REG_PSTATE, PSR_MODE_EL1H | PSR_DAIF);
	hal_vcpu_reg_write(vcpu, HV_REG_PC,
			   hal_vcpu_reg_read(vcpu, HV_REG_VBAR_EL1) + base +
				   VECTOR_TYPE_STRIDE * (uint64_t)type);
}

bool vcpu_state_move(struct hv_vcpu *vcpu, enum hv_vcpu_state from,
		     enum hv_vcpu_state to)
{
	enum hv_vcpu_state expected = from;
	return __atomic_compare_exchange_n(&vcpu->state, &expected, to, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
