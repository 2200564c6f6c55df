/* SPDX-License-Identifier: MIT */
/*
 * Harness "fault": sequences of stage-2 data and instruction aborts with
 * arbitrary ISS, FAR and HPFAR against the booted world (fuzz_world.h),
 * which reach the MMIO emulation of every emulated device (the vGIC
 * distributor and redistributors, the PL011), the fault policies
 * (terminate, inject-abort), pledged-away windows and permission faults;
 * plus aborts built from an instruction word as the simulator builds them
 * (insn_dabt_iss), exits with any other exception class, and the events
 * that make them interact (runs, physical interrupts).
 *
 * Input: one variant byte (FW_VAR_*), then events until the input ends:
 */
#include <stdbool.h>

#include <hv/arm64/esr.h>
#include <hv/insn.h>
#include <hv/pledge.h>
#include <hv/smccc.h>

#include "fuzz.h"
#include "fuzz_world.h"

struct fuzz_fault_event {
	uint8_t op;    /* enum fault_op, modulo FAULT_OPS */
	uint8_t pcpu;  /* the pCPU whose vCPU faults, modulo 8 */
	uint8_t flags; /* FAULT_F_* */
	uint8_t reg;   /* the transfer register (SRT) of FAULT_MMIO, 0-31 */
	uint32_t iss;  /* le32: the ISS (FAULT_DABT, FAULT_IABT), the access
			* (FAULT_MMIO, below), the instruction word
			* (FAULT_INSN) or the whole ESR (FAULT_ESR) */
	/* then FAR: a tagged value (fuzz_value); then HPFAR, a tagged value,
	 * unless FAULT_F_HPFAR (HPFAR from FAR as hardware sets it); then,
	 * with FAULT_F_XT, the value of the transfer register (tagged). */
};

enum fault_op {
	FAULT_DABT,   /* data abort from a lower EL, raw ISS */
	FAULT_IABT,   /* instruction abort from a lower EL, raw ISS */
	FAULT_MMIO,   /* a well-formed stage-2 translation fault (ISV = 1):
		     * iss bits 1:0 SAS, 2 SSE, 3 SF, 4 AR, 5 WnR, 7:6
		     * fault level, 8 S1PTW, 9 EA, 10 CM */
	FAULT_INSN,   /* data abort as a load/store instruction word faults */
	FAULT_ESR,    /* any ESR (any exception class) */
	FAULT_RUN,    /* a budget exit */
	FAULT_IRQ,    /* a physical interrupt; INTID = iss modulo 1024 */
	FAULT_PLEDGE, /* hvc #0x4E58: keep the classes iss & 0x3f, so that
		       * later accesses meet pledged-away windows */
	FAULT_OPS,
};

#define FAULT_F_HPFAR 0x01u /* HPFAR = FAR's page, as hardware sets it */
#define FAULT_F_XT 0x02u    /* a value for the transfer register follows */
#define FAULT_F_EL0 0x04u   /* the guest was at EL0 (PSTATE.M = 0) */

struct fault_guest {
	unsigned reg;
	bool set;
	uint64_t val;
	bool el0;
	bool pledge; /* x0 = HV_PLEDGE_KEEP, x1 = keep */
	uint32_t keep;
};

static void guest(struct fuzz_vcpu *fv, void *arg)
{
	const struct fault_guest *g = arg;

	if (g->set)
		fuzz_guest_set_x(fv, g->reg, g->val);
	if (g->pledge) {
		fuzz_guest_set_x(fv, 0, HV_PLEDGE_KEEP);
		fuzz_guest_set_x(fv, 1, g->keep);
	}
	/* EL0t or EL1h, interrupts masked as after reset. */
	fv->regs[HV_REG_PSTATE] = (fv->regs[HV_REG_PSTATE] & ~UINT64_C(0xf)) |
				  (g->el0 ? 0u : 5u);
}

static uint32_t mmio_iss(uint32_t a, unsigned reg)
{
	uint32_t iss = ESR_ISS_DABT_ISV | (a & 3u) << ESR_ISS_DABT_SAS_SHIFT |
		       (reg & 31u) << ESR_ISS_DABT_SRT_SHIFT |
		       ESR_FSC_TRANS_L((a >> 6) & 3u);

	if (a & 0x04u)
		iss |= ESR_ISS_DABT_SSE;
	if (a & 0x08u)
		iss |= ESR_ISS_DABT_SF;
	if (a & 0x10u)
		iss |= ESR_ISS_DABT_AR;
	if (a & 0x20u)
		iss |= ESR_ISS_DABT_WNR;
	if (a & 0x100u)
		iss |= ESR_ISS_DABT_S1PTW;
	if (a & 0x200u)
		iss |= ESR_ISS_DABT_EA;
	if (a & 0x400u)
		iss |= ESR_ISS_DABT_CM;
	return iss;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	fuzz_world_boot(fuzz_u8(&in));
	while (fuzz_more(&in)) {
		struct fuzz_fault_event ev;
		struct fault_guest g;
		struct hv_exit exit = {.kind = HV_EXIT_SYNC};
		uint32_t iss;

		ev.op = fuzz_u8(&in);
		ev.pcpu = fuzz_u8(&in);
		ev.flags = fuzz_u8(&in);
		ev.reg = fuzz_u8(&in);
		ev.iss = fuzz_u32(&in);
		exit.far = fuzz_value(&in);
		exit.hpfar = (ev.flags & FAULT_F_HPFAR)
				     ? HPFAR_EL2_FROM_IPA(exit.far)
				     : fuzz_value(&in);
		g = (struct fault_guest){.reg = ev.reg & 31u,
					 .set = (ev.flags & FAULT_F_XT) != 0,
					 .el0 = (ev.flags & FAULT_F_EL0) != 0};
		if (g.set)
			g.val = fuzz_value(&in);

		switch ((enum fault_op)(ev.op % FAULT_OPS)) {
		case FAULT_DABT:
			exit.esr = ESR_EL2_MAKE(ESR_EC_DABT_LOW, 1, ev.iss);
			break;
		case FAULT_IABT:
			exit.esr = ESR_EL2_MAKE(ESR_EC_IABT_LOW, 1, ev.iss);
			break;
		case FAULT_MMIO:
			exit.esr = ESR_EL2_MAKE(ESR_EC_DABT_LOW, 1,
						mmio_iss(ev.iss, ev.reg));
			break;
		case FAULT_INSN:
			/* What the simulator reports for this instruction;
			 * not a load or store: a prefetch-like no-fault. */
			if (!insn_dabt_iss(ev.iss, &iss))
				iss = 0;
			if (iss & ESR_ISS_DABT_ISV)
				g.reg = (iss & ESR_ISS_DABT_SRT_MASK) >>
					ESR_ISS_DABT_SRT_SHIFT;
			exit.esr = ESR_EL2_MAKE(ESR_EC_DABT_LOW, 1,
						iss | ESR_FSC_TRANS_L(3));
			break;
		case FAULT_ESR:
			exit.esr = ev.iss;
			break;
		case FAULT_IRQ:
			exit = (struct hv_exit){.kind = HV_EXIT_IRQ,
						.intid = ev.iss % 1024u};
			break;
		case FAULT_PLEDGE:
			g.pledge = true;
			g.keep = ev.iss & HV_CAP_ALL;
			exit.esr = ESR_EL2_MAKE(ESR_EC_HVC64, 1,
						HV_PLEDGE_HVC_IMM);
			break;
		case FAULT_RUN:
		default:
			fuzz_world_event(ev.pcpu, NULL, guest, &g);
			continue;
		}
		fuzz_world_event(ev.pcpu, &exit, guest, &g);
	}
	fuzz_world_end();
	return 0;
}
