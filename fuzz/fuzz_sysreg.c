/* SPDX-License-Identifier: MIT */
/*
 * Harness "sysreg": the guest's system-register accesses against the
 * booted world (fuzz_world.h). As on the simulator:
 *  - ICC_*_EL1 accesses are served by the virtual CPU interface model
 *    (hv/src/vcpuif.c) on the list registers the core programmed:
 *    acknowledging, EOI, deactivation, priority masks, binary points;
 *  - the generic timer registers by the timer model (hv/src/vtimer.c) on
 *    the fuzz HAL's virtual counter; a timer that fires becomes a physical
 *    PPI exit the core forwards (hardware-linked), ended by the guest's
 *    EOI or deactivation;
 *  - SGI generation (ICC_SGI1R/ASGI1R/SGI0R_EL1) and any other trapped
 *    MSR/MRS reach the core's exit handler (EC 0x18);
 * plus distributor/redistributor writes to enable and route interrupts,
 * time passing, WFI/WFE, and physical interrupts.
 *
 * Input: one variant byte (FW_VAR_*; FW_VAR_GIC_ON boots with the vGICs
 * enabled), then events until the input ends:
 */
#include <stdbool.h>
#include <stdio.h>

#include <hv/arm64/esr.h>
#include <hv/arm64/gic.h>
#include <hv/arm64/sysreg.h>

#include "fuzz.h"
#include "fuzz_world.h"

struct fuzz_sys_event {
	uint8_t op;   /* enum sys_op, modulo SYS_OPS */
	uint8_t pcpu; /* the pCPU whose vCPU acts, modulo 8 */
	uint8_t reg;  /* a register of sys_regs[] (modulo its size) */
	uint8_t rt;   /* bits 4:0 Rt (31: XZR), bit 7 read (MRS) */
	/* then, for writes and SYS_TRAP/SYS_TIME/SYS_GIC: a tagged value
	 * (fuzz_value); SYS_GIC has a second one (the data). */
};

enum sys_op {
	SYS_ACCESS, /* the guest's MRS/MSR of sys_regs[reg], then it runs
		     * on (a model serves it, or it traps as on hardware) */
	SYS_TRAP,   /* a trapped MSR/MRS with a raw ISS (the value) */
	SYS_SGI,    /* MSR ICC_SGI{1,0}R/ASGI1R_EL1 (reg % 3), value */
	SYS_TIME,   /* the counter advances by value ticks, then it runs */
	SYS_WFX,    /* trapped WFI (rt bit 0: WFE) */
	SYS_GIC,    /* a 32-bit store to the vGIC: offset, data */
	SYS_RUN,    /* a budget exit */
	SYS_IRQ,    /* a physical interrupt, INTID reg | rt << 8 */
	SYS_OPS,
};

/* The registers a guest reaches without leaving it (on the simulator)
 * or by a trap: the GICv3 CPU interface and the generic timer. */
static const uint32_t sys_regs[] = {
	SYSREG_ICC_IAR1_EL1,	SYSREG_ICC_EOIR1_EL1,	SYSREG_ICC_DIR_EL1,
	SYSREG_ICC_PMR_EL1,	SYSREG_ICC_IGRPEN1_EL1, SYSREG_ICC_CTLR_EL1,
	SYSREG_ICC_BPR1_EL1,	SYSREG_ICC_HPPIR1_EL1,	SYSREG_ICC_RPR_EL1,
	SYSREG_ICC_AP1R0_EL1,	SYSREG_ICC_IAR0_EL1,	SYSREG_ICC_EOIR0_EL1,
	SYSREG_ICC_HPPIR0_EL1,	SYSREG_ICC_BPR0_EL1,	SYSREG_ICC_AP0R0_EL1,
	SYSREG_ICC_IGRPEN0_EL1, SYSREG_ICC_SRE_EL1,	SYSREG_ICC_SGI1R_EL1,
	SYSREG_ICC_ASGI1R_EL1,	SYSREG_ICC_SGI0R_EL1,	SYSREG_CNTV_CTL_EL0,
	SYSREG_CNTV_CVAL_EL0,	SYSREG_CNTV_TVAL_EL0,	SYSREG_CNTP_CTL_EL0,
	SYSREG_CNTP_CVAL_EL0,	SYSREG_CNTP_TVAL_EL0,	SYSREG_CNTVCT_EL0,
	SYSREG_CNTPCT_EL0,	SYSREG_CNTFRQ_EL0,
};
#define SYS_REGS (sizeof(sys_regs) / sizeof(sys_regs[0]))

static const uint32_t sgi_regs[3] = {
	SYSREG_ICC_SGI1R_EL1,
	SYSREG_ICC_ASGI1R_EL1,
	SYSREG_ICC_SGI0R_EL1,
};

struct sys_guest {
	uint32_t reg;
	unsigned rt;
	bool read;
	bool set;
	uint64_t val;
	struct hv_exit *trap; /* filled when the access traps */
};

static uint32_t sys_iss(uint32_t reg, unsigned rt, bool read)
{
	return reg | (uint32_t)rt << ESR_ISS_SYS_RT_SHIFT |
	       (read ? ESR_ISS_SYS_READ : 0);
}

/*
 * The guest executes one MRS/MSR. The models serve what the simulator
 * serves; anything else (SGI generation, unknown registers) is a trap the
 * core decides on, reported as the exit of this run.
 */
static void access(struct fuzz_vcpu *fv, void *arg)
{
	struct sys_guest *g = arg;

	if (g->set)
		fuzz_guest_set_x(fv, g->rt, g->val);
	if (fuzz_guest_icc(fv, g->reg, g->read, g->rt) ||
	    fuzz_guest_timer(fv, g->reg, g->read, g->rt)) {
		fv->regs[HV_REG_PC] += 4;
		if (fuzz_w.verbose > 1)
			fprintf(stderr, "  %s 0x%06x x%u = 0x%llx\n",
				g->read ? "mrs" : "msr", g->reg, g->rt,
				(unsigned long long)fuzz_guest_x(fv, g->rt));
		return;
	}
	*g->trap = (struct hv_exit){
		.kind = HV_EXIT_SYNC,
		.esr = ESR_EL2_MAKE(ESR_EC_SYS64, 1,
				    sys_iss(g->reg, g->rt, g->read)),
	};
	fuzz_hal_script(g->trap, NULL, NULL);
}

static void set_reg(struct fuzz_vcpu *fv, void *arg)
{
	const struct sys_guest *g = arg;

	if (g->set)
		fuzz_guest_set_x(fv, g->rt, g->val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	fuzz_world_boot(fuzz_u8(&in));
	while (fuzz_more(&in)) {
		struct fuzz_sys_event ev;
		struct hv_exit exit = {.kind = HV_EXIT_SYNC}, trap;
		struct sys_guest g = {.trap = &trap};
		uint64_t v;

		ev.op = fuzz_u8(&in);
		ev.pcpu = fuzz_u8(&in);
		ev.reg = fuzz_u8(&in);
		ev.rt = fuzz_u8(&in);
		g.rt = ev.rt & 31u;
		g.read = (ev.rt & 0x80u) != 0;

		switch ((enum sys_op)(ev.op % SYS_OPS)) {
		case SYS_ACCESS:
			g.reg = sys_regs[ev.reg % SYS_REGS];
			g.set = !g.read;
			if (g.set)
				g.val = fuzz_value(&in);
			fuzz_world_event(ev.pcpu, NULL, access, &g);
			continue;
		case SYS_TRAP:
			v = fuzz_value(&in);
			exit.esr = ESR_EL2_MAKE(ESR_EC_SYS64, 1, v);
			break;
		case SYS_SGI:
			g.set = true;
			g.val = fuzz_value(&in);
			exit.esr = ESR_EL2_MAKE(ESR_EC_SYS64, 1,
						sys_iss(sgi_regs[ev.reg % 3],
							g.rt, g.read));
			break;
		case SYS_TIME:
			fuzz_hal_advance(fuzz_value(&in));
			fuzz_world_event(ev.pcpu, NULL, NULL, NULL);
			continue;
		case SYS_WFX:
			exit.esr = ESR_EL2_MAKE(ESR_EC_WFX, 1, ev.rt & 1u);
			break;
		case SYS_GIC:
			/* A 32-bit store of Xrt: the address is the value. */
			exit.far = fuzz_value(&in);
			exit.hpfar = HPFAR_EL2_FROM_IPA(exit.far);
			g.set = true;
			g.val = fuzz_value(&in);
			exit.esr = ESR_EL2_MAKE(
				ESR_EC_DABT_LOW, 1,
				ESR_ISS_DABT_ISV |
					2u << ESR_ISS_DABT_SAS_SHIFT |
					(uint32_t)g.rt
						<< ESR_ISS_DABT_SRT_SHIFT |
					ESR_ISS_DABT_WNR | ESR_FSC_TRANS_L(3));
			break;
		case SYS_IRQ:
			exit = (struct hv_exit){
				.kind = HV_EXIT_IRQ,
				.intid = (ev.reg | (uint32_t)ev.rt << 8) %
					 1024u};
			break;
		case SYS_RUN:
		default:
			fuzz_world_event(ev.pcpu, NULL, NULL, NULL);
			continue;
		}
		fuzz_world_event(ev.pcpu, &exit, set_reg, &g);
	}
	fuzz_world_end();
	return 0;
}
