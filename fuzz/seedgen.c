/* SPDX-License-Identifier: MIT */
/*
 * Writes the hand-made seed inputs of every harness into DIR/<harness>/
 * (fuzz/make-corpus.sh then adds the config blobs and minimises with
 * afl-cmin). Each seed is a small scenario in the harness's input layout
 * (see the struct at the top of fuzz_<harness>.c) that reaches one area
 * of the core, so that the fuzzer starts from there.
 *
 *   fuzz-seedgen DIR
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hv/arm64/esr.h>
#include <hv/arm64/gic.h>
#include <hv/arm64/sysreg.h>
#include <hv/mgmt.h>
#include <hv/pledge.h>
#include <hv/psci.h>
#include <hv/smccc.h>

#include "fuzz_world.h"
#include "trace_format.h"

struct buf {
	uint8_t b[8192];
	size_t n;
};

static const char *out_dir;

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->b)) {
		fprintf(stderr, "seedgen: seed too big\n");
		exit(1);
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void u8(struct buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	put(b, &x, 1);
}

static void u16(struct buf *b, unsigned v)
{
	u8(b, v & 0xff);
	u8(b, v >> 8);
}

static void u32(struct buf *b, uint32_t v)
{
	u16(b, v & 0xffff);
	u16(b, v >> 16);
}

static void u64(struct buf *b, uint64_t v)
{
	u32(b, (uint32_t)v);
	u32(b, (uint32_t)(v >> 32));
}

/* The shortest tagged encoding of v (fuzz_value in fuzz_world.h). */
static void val(struct buf *b, uint64_t v)
{
	if (v < 0x40) {
		u8(b, (unsigned)v);
		return;
	}
	for (unsigned i = 0; i < FUZZ_INTERESTING; i++) {
		if (fuzz_interesting[i] == v) {
			u8(b, 0x40 + i);
			return;
		}
	}
	for (unsigned i = 0; i < FUZZ_INTERESTING; i++) {
		if (v >= fuzz_interesting[i] &&
		    v - fuzz_interesting[i] <= 0xffff) {
			u8(b, 0x80 + i);
			u16(b, (unsigned)(v - fuzz_interesting[i]));
			return;
		}
	}
	if (v <= UINT32_MAX) {
		u8(b, 0xc0);
		u32(b, (uint32_t)v);
		return;
	}
	u8(b, 0xe0);
	u64(b, v);
}

static void save(const char *harness, const char *name, const struct buf *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, harness);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, harness, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(b->b, 1, b->n, f) != b->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- hypercall (struct fuzz_hc_event) ------------------------------------ */

enum {
	HC_HVC0,
	HC_PLEDGE,
	HC_HVC_IMM,
	HC_SMC0,
	HC_SMC_IMM,
	HC_RUN,
	HC_IRQ,
	HC_HOST,
	HC_WFX
};

/* One event; `nregs` values for x0.. follow. */
static void hc(struct buf *b, unsigned op, unsigned pcpu, unsigned imm,
	       unsigned nregs, ...)
{
	va_list ap;

	u8(b, op);
	u8(b, pcpu);
	u16(b, imm);
	u32(b, nregs ? (1u << nregs) - 1 : 0);
	va_start(ap, nregs);
	for (unsigned i = 0; i < nregs; i++)
		val(b, va_arg(ap, uint64_t));
	va_end(ap);
}

#define C(x) ((uint64_t)(x))
#define MPIDR(n) (UINT64_C(0x80000000) | (n))

static void seeds_hypercall(void)
{
	struct buf b;

	/* PSCI: versions, features, a secondary vCPU on and off. */
	b.n = 0;
	u8(&b, 0);
	hc(&b, HC_HVC0, 0, 0, 1, C(PSCI_VERSION));
	hc(&b, HC_HVC0, 0, 0, 2, C(PSCI_FEATURES), C(PSCI_CPU_ON_64));
	hc(&b, HC_HVC0, 0, 0, 1, C(PSCI_MIGRATE_INFO_TYPE));
	hc(&b, HC_HVC0, 0, 0, 1, C(SMCCC_VERSION));
	hc(&b, HC_HVC0, 0, 0, 2, C(SMCCC_ARCH_FEATURES), C(SMCCC_VERSION));
	hc(&b, HC_HVC0, 0, 0, 3, C(PSCI_AFFINITY_INFO_64), MPIDR(1), C(0));
	hc(&b, HC_HVC0, 0, 0, 4, C(PSCI_CPU_ON_64), MPIDR(1), FW_CELL_IPA,
	   C(7));
	hc(&b, HC_HVC0, 0, 0, 4, C(PSCI_CPU_ON_64), MPIDR(1), FW_CELL_IPA,
	   C(7));
	hc(&b, HC_RUN, 1, 0, 0);
	hc(&b, HC_HVC0, 0, 0, 3, C(PSCI_AFFINITY_INFO_32), MPIDR(1), C(0));
	hc(&b, HC_HVC0, 1, 0, 1, C(PSCI_CPU_OFF));
	hc(&b, HC_HVC0, 2, 0, 4, C(PSCI_CPU_ON_32), MPIDR(2), FW_CELL_IPA + 4,
	   C(1));
	hc(&b, HC_RUN, 5, 0, 0);
	hc(&b, HC_HVC0, 2, 0, 4, C(PSCI_CPU_ON_64), MPIDR(9), FW_CELL_IPA,
	   C(0));
	hc(&b, HC_HVC0, 2, 0, 4, C(PSCI_CPU_ON_64), MPIDR(1), FW_CELL_IPA + 2,
	   C(0));
	save("hypercall", "psci-cpu-on-off", &b);

	/* PSCI: suspend, off, reset. */
	b.n = 0;
	u8(&b, FW_VAR_GIC_ON);
	hc(&b, HC_HVC0, 0, 0, 2, C(PSCI_CPU_SUSPEND_64), C(0));
	hc(&b, HC_RUN, 0, 0, 0);
	hc(&b, HC_HVC0, 2, 0, 4, C(PSCI_CPU_SUSPEND_64), C(1) << 16,
	   FW_CELL_IPA + 0x100, C(3));
	hc(&b, HC_HVC0, 4, 0, 4, C(PSCI_CPU_SUSPEND_32), C(1) << 16, C(1),
	   C(3));
	hc(&b, HC_HVC0, 0, 0, 1, C(PSCI_SYSTEM_RESET));
	hc(&b, HC_RUN, 0, 0, 0);
	hc(&b, HC_HVC0, 4, 0, 1, C(PSCI_SYSTEM_OFF));
	hc(&b, HC_HVC0, 0, 0, 1, C(PSCI_CPU_OFF));
	hc(&b, HC_HVC0, 2, 0, 1, C(PSCI_SYSTEM_OFF));
	hc(&b, HC_HVC0, 0, 0, 1, C(PSCI_VERSION));
	save("hypercall", "psci-suspend-reset-off", &b);

	/* Cellvisor calls and doorbells. */
	b.n = 0;
	u8(&b, FW_VAR_GIC_ON);
	hc(&b, HC_HVC0, 0, 0, 1, C(HV_CALL_VERSION));
	hc(&b, HC_HVC0, 2, 0, 1, C(HV_CALL_CELL_INFO));
	hc(&b, HC_HVC0, 0, 0, 3, C(HV_CALL_CONSOLE_WRITE), FW_CELL_IPA, C(20));
	hc(&b, HC_HVC0, 0, 0, 3, C(HV_CALL_CONSOLE_WRITE),
	   FW_CELL_IPA + FW_CELL_RAM - 8, C(300));
	hc(&b, HC_HVC0, 0, 0, 3, C(HV_CALL_CONSOLE_WRITE), FW_UART_IPA, C(4));
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_DOORBELL), C(0));
	hc(&b, HC_HVC0, 2, 0, 2, C(HV_CALL_DOORBELL), C(1));
	hc(&b, HC_HVC0, 2, 0, 2, C(HV_CALL_DOORBELL), C(5));
	hc(&b, HC_HVC0, 4, 0, 2, C(HV_CALL_DOORBELL), C(0));
	hc(&b, HC_RUN, 2, 0, 0);
	hc(&b, HC_RUN, 0, 0, 0);
	hc(&b, HC_HVC0, 4, 0, 2, C(HV_CALL_TEST_EXIT), C(3));
	hc(&b, HC_HVC0, 0, 0, 1, C(HV_CALL_BASE + 0x20));
	save("hypercall", "cellvisor-calls", &b);

	/* Pledges: query, shrink, refused growth, use after pledge, reset. */
	b.n = 0;
	u8(&b, 0);
	hc(&b, HC_PLEDGE, 0, 0, 1, C(HV_PLEDGE_QUERY));
	hc(&b, HC_PLEDGE, 2, 0, 2, C(HV_PLEDGE_KEEP),
	   C(HV_CAP_ALL & ~(HV_CAP_IPC | HV_CAP_BLOCK | HV_CAP_MGMT)));
	hc(&b, HC_HVC0, 2, 0, 2, C(HV_CALL_DOORBELL), C(0));
	hc(&b, HC_PLEDGE, 2, 0, 2, C(HV_PLEDGE_KEEP), C(HV_CAP_ALL));
	hc(&b, HC_PLEDGE, 2, 0, 2, C(HV_PLEDGE_KEEP), C(0x40));
	hc(&b, HC_PLEDGE, 0, 0, 2, C(HV_PLEDGE_KEEP), C(HV_CAP_MGMT));
	hc(&b, HC_HVC0, 0, 0, 3, C(HV_CALL_CONSOLE_WRITE), FW_CELL_IPA, C(4));
	hc(&b, HC_PLEDGE, 0, 0, 1, C(7));
	hc(&b, HC_HVC0, 2, 0, 1, C(PSCI_SYSTEM_RESET));
	hc(&b, HC_RUN, 2, 0, 0);
	hc(&b, HC_PLEDGE, 2, 0, 1, C(HV_PLEDGE_QUERY));
	hc(&b, HC_PLEDGE, 2, 0, 2, C(HV_PLEDGE_KEEP), C(0));
	save("hypercall", "pledges", &b);

	/* Management by a cell. */
	b.n = 0;
	u8(&b, FW_VAR_PEER_MGMT);
	hc(&b, HC_HVC0, 0, 0, 4, C(HV_CALL_MGMT_INFO), C(1),
	   FW_CELL_IPA + 0x1000, C(sizeof(struct hv_mgmt_info)));
	hc(&b, HC_HVC0, 0, 0, 1, C(HV_CALL_MGMT_STATS));
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_MGMT_STOP), C(1));
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_MGMT_STOP), C(1));
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_MGMT_START), C(1));
	hc(&b, HC_RUN, 2, 0, 0);
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_MGMT_RESTART), C(2));
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_MGMT_DESTROY), C(2));
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_MGMT_START), C(2));
	hc(&b, HC_HVC0, 0, 0, 2, C(HV_CALL_MGMT_STOP), C(0));
	hc(&b, HC_HVC0, 2, 0, 2, C(HV_CALL_MGMT_STOP), C(0));
	hc(&b, HC_HVC0, 4, 0, 4, C(HV_CALL_MGMT_INFO), C(0), FW_RO_IPA,
	   C(sizeof(struct hv_mgmt_info)));
	hc(&b, HC_HVC0, 4, 0, 2, C(HV_CALL_MGMT_RESTART), C(0));
	hc(&b, HC_RUN, 0, 0, 0);
	save("hypercall", "management", &b);

	/* SMC, immediates, WFx, physical interrupts, host management. */
	b.n = 0;
	u8(&b, FW_VAR_GIC_ON | 1);
	hc(&b, HC_SMC0, 0, 0, 1, C(PSCI_VERSION));
	hc(&b, HC_SMC_IMM, 0, 1, 1, C(PSCI_VERSION));
	hc(&b, HC_HVC_IMM, 0, 0x1234, 1, C(PSCI_VERSION));
	hc(&b, HC_WFX, 0, 0, 0);
	hc(&b, HC_WFX, 0, 1, 0);
	hc(&b, HC_IRQ, 0, 27, 0);
	hc(&b, HC_IRQ, 0, 30, 0);
	hc(&b, HC_IRQ, 2, 79, 0);
	hc(&b, HC_IRQ, 2, 1023, 0);
	hc(&b, HC_IRQ, 4, 27, 0);
	hc(&b, HC_HOST, 0, 0x0001 | 4, 0); /* start mgr: wrong state */
	hc(&b, HC_HOST, 0, 0x0100, 0);	   /* stop peer */
	hc(&b, HC_HOST, 0, 0x0101, 0);	   /* start peer */
	hc(&b, HC_HOST, 0, 0x0206, 0);	   /* restart solo, info */
	hc(&b, HC_HOST, 0, 0x0203, 0);	   /* destroy solo */
	hc(&b, HC_HOST, 0, 0x0004, 0);	   /* stop mgr, info */
	save("hypercall", "smc-wfx-irq-host", &b);
}

/* ---- fault (struct fuzz_fault_event) ------------------------------------- */

enum {
	FAULT_DABT,
	FAULT_IABT,
	FAULT_MMIO,
	FAULT_INSN,
	FAULT_ESR,
	FAULT_RUN,
	FAULT_IRQ,
	FAULT_PLEDGE
};
#define FAULT_F_HPFAR 0x01u
#define FAULT_F_XT 0x02u
#define FAULT_F_EL0 0x04u

/* MMIO access bits (FAULT_MMIO): SAS, WnR. */
#define A8 0u
#define A16 1u
#define A32 2u
#define A64 3u
#define AW 0x20u

static void fault(struct buf *b, unsigned op, unsigned pcpu, unsigned flags,
		  unsigned reg, uint32_t iss, uint64_t far, uint64_t xt)
{
	u8(b, op);
	u8(b, pcpu);
	u8(b, flags | FAULT_F_HPFAR);
	u8(b, reg);
	u32(b, iss);
	val(b, far);
	if (flags & FAULT_F_XT)
		val(b, xt);
}

static void rd(struct buf *b, unsigned pcpu, unsigned size, uint64_t ipa)
{
	fault(b, FAULT_MMIO, pcpu, 0, 1, size | 0x08u | 0xc0u, ipa, 0);
}

static void wr(struct buf *b, unsigned pcpu, unsigned size, uint64_t ipa,
	       uint64_t v)
{
	fault(b, FAULT_MMIO, pcpu, FAULT_F_XT, 2, size | AW | 0xc0u, ipa, v);
}

static void seeds_fault(void)
{
	struct buf b;
	const uint64_t d = FW_GICD_IPA, r = FW_GICR_IPA, u = FW_UART_IPA;

	/* PL011: every register, good and refused widths. */
	b.n = 0;
	u8(&b, FW_VAR_GIC_ON);
	wr(&b, 0, A8, u, 'h');
	wr(&b, 0, A32, u, '\n');
	rd(&b, 0, A32, u + 0x18);
	rd(&b, 0, A16, u);
	wr(&b, 0, A32, u + 0x2c, 0x10);
	wr(&b, 0, A32, u + 0x30, 0x301);
	wr(&b, 0, A32, u + 0x38, 0x7ff);
	rd(&b, 0, A32, u + 0x3c);
	rd(&b, 0, A32, u + 0x40);
	wr(&b, 0, A32, u + 0x44, 0x7ff);
	wr(&b, 0, A32, u + 0x34, 0x3f);
	rd(&b, 0, A32, u + 0xfe0);
	rd(&b, 0, A8, u + 0xff0);
	wr(&b, 0, A32, u + 0x04, 0);
	rd(&b, 0, A64, u);
	rd(&b, 2, A32, u + 2);
	save("fault", "pl011", &b);

	/* Distributor. */
	b.n = 0;
	u8(&b, 0);
	rd(&b, 0, A32, d + GICD_CTLR);
	rd(&b, 0, A32, d + GICD_TYPER);
	rd(&b, 0, A32, d + GICD_IIDR);
	rd(&b, 0, A32, d + GICD_PIDR2);
	wr(&b, 0, A32, d + GICD_CTLR, 0x13);
	wr(&b, 0, A32, d + GICD_IGROUPR + 4, 0xffffffff);
	wr(&b, 0, A32, d + GICD_ISENABLER + 4, 0xffffffff);
	wr(&b, 0, A32, d + GICD_ISPENDR + 4, 0x100);
	wr(&b, 0, A8, d + GICD_IPRIORITYR + 40, 0xa0);
	wr(&b, 0, A32, d + GICD_ICFGR + 8, 0xaaaaaaaa);
	wr(&b, 0, A64, d + GICD_IROUTER + 8 * 40, 1);
	wr(&b, 0, A32, d + GICD_ISACTIVER + 4, 0x200);
	wr(&b, 0, A32, d + GICD_ICACTIVER + 4, 0x200);
	wr(&b, 0, A32, d + GICD_ICPENDR + 4, 0x100);
	wr(&b, 0, A32, d + GICD_SETSPI_NSR, 41);
	rd(&b, 0, A64, d + GICD_CTLR);
	rd(&b, 0, A32, d + 0x5000);
	wr(&b, 2, A32, d + GICD_ICENABLER + 8, 0xffffffff);
	fault(&b, FAULT_RUN, 0, 0, 0, 0, 0, 0);
	save("fault", "gicd", &b);

	/* Redistributors: RD and SGI frames of each vCPU. */
	b.n = 0;
	u8(&b, 0);
	rd(&b, 0, A64, r + GICR_TYPER);
	rd(&b, 0, A32, r + GICR_SIZE + GICR_TYPER + 4);
	rd(&b, 0, A32, r + GICR_WAKER);
	wr(&b, 0, A32, r + GICR_WAKER, 0);
	wr(&b, 0, A32, r + GICR_SIZE + GICR_WAKER, 2);
	wr(&b, 0, A32, r + GICR_SGI_BASE + GICR_ISENABLER0, 0xffffffff);
	wr(&b, 0, A32, r + GICR_SGI_BASE + GICR_ISPENDR0, 0x8000002);
	wr(&b, 0, A8, r + GICR_SGI_BASE + GICR_IPRIORITYR0 + 27, 0x80);
	wr(&b, 0, A32, r + GICR_SGI_BASE + GICR_ICFGR1, 0xffffffff);
	rd(&b, 0, A32, r + GICR_SGI_BASE + GICR_ICFGR0);
	wr(&b, 0, A32, r + GICR_SGI_BASE + GICR_IGROUPR0, 0);
	wr(&b, 0, A32, r + GICR_SGI_BASE + GICR_ICENABLER0, 1);
	rd(&b, 2, A32, r + 2 * GICR_SIZE + GICR_PIDR2);
	rd(&b, 2, A32, r + 3 * GICR_SIZE);
	fault(&b, FAULT_RUN, 0, 0, 0, 0, 0, 0);
	save("fault", "gicr", &b);

	/* Faults the policies handle: unowned, permission, no syndrome,
	 * instruction aborts, other classes, pledged-away windows. */
	b.n = 0;
	u8(&b, FW_VAR_MGR_INJECT);
	fault(&b, FAULT_DABT, 0, 0, 0,
	      ESR_ISS_DABT_ISV | ESR_ISS_DABT_WNR | ESR_FSC_PERM_L(2),
	      FW_RO_IPA, 0);
	fault(&b, FAULT_DABT, 0, FAULT_F_EL0, 0, ESR_FSC_TRANS_L(3),
	      UINT64_C(0x100000), 0);
	fault(&b, FAULT_DABT, 0, 0, 0, ESR_FSC_TRANS_L(3), FW_CELL_IPA, 0);
	fault(&b, FAULT_IABT, 0, 0, 0, ESR_FSC_TRANS_L(3), FW_UART_IPA, 0);
	fault(&b, FAULT_ESR, 0, 0, 0, ESR_EL2_MAKE(ESR_EC_BRK64, 1, 0), 0, 0);
	fault(&b, FAULT_PLEDGE, 2, 0, 0, HV_CAP_CONSOLE, 0, 0);
	fault(&b, FAULT_DABT, 2, 0, 0,
	      ESR_ISS_DABT_ISV | 2u << ESR_ISS_DABT_SAS_SHIFT |
		      ESR_FSC_TRANS_L(3),
	      FW_DISK_PA, 0);
	fault(&b, FAULT_PLEDGE, 2, 0, 0, 0, 0, 0);
	rd(&b, 2, A32, u);
	fault(&b, FAULT_MMIO, 4, 0, 0, A32 | 0x100, u, 0);
	fault(&b, FAULT_IRQ, 2, 0, 0, 79, 0, 0);
	save("fault", "policies", &b);

	/* Aborts as the simulator derives them from instruction words. */
	b.n = 0;
	u8(&b, 0);
	fault(&b, FAULT_INSN, 0, 0, 0, 0xb9400001, u + 0x18, 0); /* ldr w1 */
	fault(&b, FAULT_INSN, 0, FAULT_F_XT, 2, 0xb9000062, u, 'x'); /* str */
	fault(&b, FAULT_INSN, 0, 0, 0, 0x39000041, u, 0);	     /* strb */
	fault(&b, FAULT_INSN, 0, 0, 0, 0x79c00041, u + 0x18, 0);     /* ldrsh */
	fault(&b, FAULT_INSN, 0, 0, 0, 0x88dffc41, d, 0);	     /* ldar */
	fault(&b, FAULT_INSN, 0, 0, 0, 0xa9400400, d, 0);	     /* ldp */
	save("fault", "instructions", &b);
}

/* ---- sysreg (struct fuzz_sys_event) -------------------------------------- */

enum {
	SYS_ACCESS,
	SYS_TRAP,
	SYS_SGI,
	SYS_TIME,
	SYS_WFX,
	SYS_GIC,
	SYS_RUN,
	SYS_IRQ
};
/* Indexes into fuzz_sysreg.c's sys_regs[]. */
enum {
	R_IAR1,
	R_EOIR1,
	R_DIR,
	R_PMR,
	R_IGRPEN1,
	R_CTLR,
	R_BPR1,
	R_HPPIR1,
	R_RPR,
	R_AP1R0,
	R_IAR0,
	R_EOIR0,
	R_HPPIR0,
	R_BPR0,
	R_AP0R0,
	R_IGRPEN0,
	R_SRE,
	R_SGI1R,
	R_ASGI1R,
	R_SGI0R,
	R_CNTV_CTL,
	R_CNTV_CVAL,
	R_CNTV_TVAL,
	R_CNTP_CTL,
	R_CNTP_CVAL,
	R_CNTP_TVAL,
	R_CNTVCT,
	R_CNTPCT,
	R_CNTFRQ
};
#define READ 0x80u

static void sys(struct buf *b, unsigned op, unsigned pcpu, unsigned reg,
		unsigned rt)
{
	u8(b, op);
	u8(b, pcpu);
	u8(b, reg);
	u8(b, rt);
}

static void msr(struct buf *b, unsigned pcpu, unsigned reg, uint64_t v)
{
	sys(b, SYS_ACCESS, pcpu, reg, 3);
	val(b, v);
}

static void mrs(struct buf *b, unsigned pcpu, unsigned reg)
{
	sys(b, SYS_ACCESS, pcpu, reg, 4 | READ);
}

static void seeds_sysreg(void)
{
	struct buf b;

	/* SGIs between the vCPUs of mgr, acknowledged and ended. */
	b.n = 0;
	u8(&b, FW_VAR_GIC_ON);
	sys(&b, SYS_SGI, 0, 0, 1);
	val(&b, UINT64_C(1) << 24 | 1); /* SGI 1 to vCPU 0 (self) */
	mrs(&b, 0, R_HPPIR1);
	mrs(&b, 0, R_IAR1);
	mrs(&b, 0, R_RPR);
	msr(&b, 0, R_EOIR1, 1);
	sys(&b, SYS_SGI, 0, 1, 1);
	val(&b, UINT64_C(1) << 40 | UINT64_C(2) << 24); /* IRM: the others */
	sys(&b, SYS_SGI, 0, 2, 1);
	val(&b, UINT64_C(3) << 24 | 3);
	sys(&b, SYS_SGI, 2, 0, 1);
	val(&b, UINT64_C(5) << 24 | 6); /* to vCPUs 1, 2 of peer */
	sys(&b, SYS_SGI, 0, 0, 1 | READ);
	msr(&b, 0, R_CTLR, 2); /* EOImode 1 */
	mrs(&b, 0, R_IAR1);
	msr(&b, 0, R_EOIR1, 3);
	msr(&b, 0, R_DIR, 3);
	msr(&b, 0, R_PMR, 0x80);
	msr(&b, 0, R_BPR1, 0);
	msr(&b, 0, R_AP1R0, 1);
	mrs(&b, 0, R_AP1R0);
	sys(&b, SYS_WFX, 0, 0, 0);
	sys(&b, SYS_RUN, 0, 0, 0);
	save("sysreg", "sgi", &b);

	/* The virtual timer: programmed, fires, forwarded, ended. */
	b.n = 0;
	u8(&b, FW_VAR_GIC_ON);
	mrs(&b, 0, R_CNTVCT);
	mrs(&b, 0, R_CNTFRQ);
	msr(&b, 0, R_CNTV_CVAL, 1000);
	msr(&b, 0, R_CNTV_CTL, 1);
	sys(&b, SYS_TIME, 0, 0, 0);
	val(&b, 2000);
	mrs(&b, 0, R_IAR1);
	mrs(&b, 0, R_CNTV_CTL);
	msr(&b, 0, R_CNTV_CTL, 3);
	msr(&b, 0, R_EOIR1, 27);
	msr(&b, 0, R_CNTP_TVAL, 500);
	msr(&b, 0, R_CNTP_CTL, 1);
	mrs(&b, 0, R_CNTP_TVAL);
	sys(&b, SYS_WFX, 0, 0, 0);
	mrs(&b, 0, R_IAR1);
	msr(&b, 0, R_EOIR1, 30);
	msr(&b, 4, R_CNTV_TVAL, 10);
	msr(&b, 4, R_CNTV_CTL, 1);
	sys(&b, SYS_TIME, 4, 0, 0);
	val(&b, 100);
	sys(&b, SYS_IRQ, 0, 25, 0);
	save("sysreg", "timers", &b);

	/* Group 0, binary points, priorities, traps of unknown registers. */
	b.n = 0;
	u8(&b, 0);
	sys(&b, SYS_GIC, 0, 0, 1);
	val(&b, FW_GICD_IPA + GICD_CTLR);
	val(&b, 0x13);
	sys(&b, SYS_GIC, 0, 0, 1);
	val(&b, FW_GICR_IPA + GICR_WAKER);
	val(&b, 0);
	sys(&b, SYS_GIC, 0, 0, 1);
	val(&b, FW_GICR_IPA + GICR_SGI_BASE + GICR_ISENABLER0);
	val(&b, 0xffff);
	msr(&b, 0, R_IGRPEN0, 1);
	msr(&b, 0, R_PMR, 0xff);
	sys(&b, SYS_SGI, 0, 2, 1);
	val(&b, UINT64_C(4) << 24 | 1);
	mrs(&b, 0, R_IAR0);
	mrs(&b, 0, R_HPPIR0);
	msr(&b, 0, R_BPR0, 7);
	mrs(&b, 0, R_BPR0);
	msr(&b, 0, R_EOIR0, 4);
	mrs(&b, 0, R_AP0R0);
	mrs(&b, 0, R_SRE);
	mrs(&b, 0, R_IGRPEN1);
	sys(&b, SYS_TRAP, 0, 0, 0);
	val(&b, ESR_ISS_SYS_REG(3, 0, 1, 0, 0) | ESR_ISS_SYS_READ);
	sys(&b, SYS_TRAP, 2, 0, 0);
	val(&b, SYSREG_ICC_SGI1R_EL1 | 5u << ESR_ISS_SYS_RT_SHIFT);
	save("sysreg", "group0-traps", &b);
}

/* ---- trace (struct fuzz_trace_input) ------------------------------------- */

struct sink {
	struct buf *b;
};

static void emit(void *ctx, const void *data, size_t len)
{
	put(((struct sink *)ctx)->b, data, len);
}

static void seeds_trace(void)
{
	static const uint8_t config[24] = {0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3};
	static const uint8_t image[20] = "image bytes, twenty";
	struct trace_image_info imgs[2] = {
		{.name = "guest.bin", .data = image, .size = sizeof(image)},
		{.name = "Image", .data = NULL, .size = 0, .hash = 0x1234},
	};
	struct trace_header_info h = {
		.hv_version = 0x0001,
		.hal = TRACE_HAL_SIM,
		.quantum = 100000,
		.config = config,
		.config_size = sizeof(config),
		.image_count = 2,
		.images = imgs,
	};
	static uint8_t block[TRACE_BLOCK_MIN + 64];
	struct trace_writer w;
	struct buf b;
	struct sink s = {&b};
	uint64_t args[8] = {0, 0x5a000000, 0x09000000, 0x90000, 27, 0, 1234};

	/* Every event type, in blocks of a few events. */
	b.n = 0;
	u8(&b, 0);
	trace_header_emit(&h, emit, &s);
	trace_writer_init(&w, block, sizeof(block), emit, &s);
	for (unsigned t = 1; t <= 22; t++) {
		int n = trace_event_nargs(t);
		if (t == 16) {
			trace_put_bytes(&w, t, 0, NULL, 0, "hello\n", 6);
			continue;
		}
		if (t == 17) {
			uint64_t pa = 0x40000000;
			trace_put_bytes(&w, t, 1, &pa, 1, image, 13);
			continue;
		}
		trace_put(&w, t, t % 3, args, n < 0 ? 0 : (unsigned)n);
	}
	trace_writer_flush(&w);
	save("trace", "all-events", &b);

	/* Header only, no images; and the same not repaired (raw mode). */
	h.image_count = 0;
	b.n = 0;
	u8(&b, 0);
	trace_header_emit(&h, emit, &s);
	save("trace", "header-only", &b);
	b.b[0] = 1;
	save("trace", "header-only-raw", &b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
		perror(out_dir);
		return 1;
	}
	seeds_hypercall();
	seeds_fault();
	seeds_sysreg();
	seeds_trace();
	return 0;
}
