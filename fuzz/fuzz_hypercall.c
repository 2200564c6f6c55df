/* SPDX-License-Identifier: MIT */
/*
 * Harness "hypercall": sequences of HVC and SMC exits with arbitrary
 * x0-x17 and immediates against the booted world (fuzz_world.h): SMCCC,
 * PSCI, Cellvisor calls, pledges (hvc #0x4E58), management, doorbells;
 * plus the events that make them interact (pending vCPU starts, WFI,
 * physical interrupts, management from the host).
 *
 * Input: one variant byte (FW_VAR_*), then events until the input ends:
 */
#include <stdbool.h>

#include <hv/arm64/esr.h>
#include <hv/mgmt.h>
#include <hv/smccc.h>

#include "fuzz.h"
#include "fuzz_world.h"

struct fuzz_hc_event {
	uint8_t op;    /* enum hc_op, modulo HC_OPS */
	uint8_t pcpu;  /* the pCPU whose vCPU exits, modulo 8 */
	uint16_t imm;  /* le16: HVC/SMC immediate (HC_*_IMM), IRQ INTID
			* (modulo 1024), host management op (low byte) and
			* cell (high byte), WFE when bit 0 (HC_WFX) */
	uint32_t regs; /* le32: bit n < 18 set = x_n is given: a tagged
			* value (fuzz_value) follows, for each n in order;
			* registers not given keep their value */
};

enum hc_op {
	HC_HVC0,    /* HVC #0: SMCCC (PSCI, Cellvisor calls, management) */
	HC_PLEDGE,  /* HVC #0x4E58 */
	HC_HVC_IMM, /* HVC #imm */
	HC_SMC0,    /* SMC #0 (trapped) */
	HC_SMC_IMM, /* SMC #imm */
	HC_RUN,	    /* a budget exit: completes CPU_ON, waits */
	HC_IRQ,	    /* a physical interrupt taken while the guest ran */
	HC_HOST,    /* management from the host (hvsim's commands) */
	HC_WFX,	    /* trapped WFI / WFE */
	HC_OPS,
};

#define HC_REGS 18u

struct hc_guest {
	uint32_t mask;
	uint64_t x[HC_REGS];
};

/* The guest's instructions before the trap: load the argument registers. */
static void set_regs(struct fuzz_vcpu *fv, void *arg)
{
	const struct hc_guest *g = arg;

	for (unsigned n = 0; n < HC_REGS; n++)
		if (g->mask & (1u << n))
			fuzz_guest_set_x(fv, n, g->x[n]);
}

static struct hv_exit sync_exit(unsigned ec, uint32_t iss)
{
	return (struct hv_exit){.kind = HV_EXIT_SYNC,
				.esr = ESR_EL2_MAKE(ec, 1, iss)};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	fuzz_world_boot(fuzz_u8(&in));
	while (fuzz_more(&in)) {
		struct fuzz_hc_event ev;
		struct hc_guest g = {0};
		struct hv_exit exit;

		ev.op = fuzz_u8(&in);
		ev.pcpu = fuzz_u8(&in);
		ev.imm = fuzz_u16(&in);
		ev.regs = fuzz_u32(&in);
		g.mask = ev.regs & ((1u << HC_REGS) - 1);
		for (unsigned n = 0; n < HC_REGS; n++)
			if (g.mask & (1u << n))
				g.x[n] = fuzz_value(&in);

		switch ((enum hc_op)(ev.op % HC_OPS)) {
		case HC_HVC0:
			exit = sync_exit(ESR_EC_HVC64, 0);
			break;
		case HC_PLEDGE:
			exit = sync_exit(ESR_EC_HVC64, HV_PLEDGE_HVC_IMM);
			break;
		case HC_HVC_IMM:
			exit = sync_exit(ESR_EC_HVC64, ev.imm);
			break;
		case HC_SMC0:
			exit = sync_exit(ESR_EC_SMC64, 0);
			break;
		case HC_SMC_IMM:
			exit = sync_exit(ESR_EC_SMC64, ev.imm);
			break;
		case HC_IRQ:
			exit = (struct hv_exit){.kind = HV_EXIT_IRQ,
						.intid = ev.imm % 1024u};
			break;
		case HC_HOST:
			fuzz_world_host_mgmt(ev.imm & 0xffu, ev.imm >> 8);
			continue;
		case HC_WFX:
			exit = sync_exit(ESR_EC_WFX, ev.imm & 1u);
			break;
		case HC_RUN:
		default:
			fuzz_world_event(ev.pcpu, NULL, set_regs, &g);
			continue;
		}
		fuzz_world_event(ev.pcpu, &exit, set_regs, &g);
	}
	fuzz_world_end();
	return 0;
}
