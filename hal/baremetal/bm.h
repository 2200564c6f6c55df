/* SPDX-License-Identifier: MIT */
/*
 * Internals of the bare-metal EL2 HAL, shared by its C files and (the
 * BM_CTX_* / BM_PCPU_* offsets and exit codes) by its assembly. Nothing in
 * hv/ includes this.
 */
#ifndef HAL_BAREMETAL_BM_H
#define HAL_BAREMETAL_BM_H

/* Exit codes bm_guest_enter() returns: which lower-EL vector was taken. */
#define BM_EXIT_SYNC 0
#define BM_EXIT_IRQ 1
#define BM_EXIT_FIQ 2
#define BM_EXIT_SERROR 3
/* ... and what bm_exit_fast() adds: the core decided a synchronous exit in
 * place but the guest must not be entered at once (hal_vcpu_run() returns
 * HV_EXIT_HANDLED with ctx->action). */
#define BM_EXIT_HANDLED 4
/* bm_exit_fast() results that stay inside vectors.S: enter the guest
 * again from *ctx; or save x19-x29 too and call again (full context). */
#define BM_FAST_ENTER 5
#define BM_FAST_SAVE_ALL 6

/* Offsets into struct bm_vcpu for vectors.S; checked in hal.c. */
#define BM_CTX_X0 0
#define BM_CTX_ELR_EL2 248
#define BM_CTX_SPSR_EL2 256
#define BM_CTX_EL1_RESET 314

/* Offsets into struct bm_pcpu for boot.S; checked in main.c. */
#define BM_PCPU_STACK_TOP 0
#define BM_PCPU_SIZE 32

/* The PL011 the image prints on: QEMU virt's UART0. Early output goes
 * there before any devicetree or config is read. */
#define BM_UART_BASE 0x09000000

/* Physical CPUs the image supports (stacks and per-CPU data). */
#define BM_MAX_PCPUS 8
/* Stack per physical CPU. hv_init() runs on CPU 0 with libfdt below it. */
#define BM_STACK_SIZE 32768

/*
 * The physical SGI hal_cpu_kick() sends: it makes the target pCPU leave
 * its guest (or its idle WFI) so the core re-evaluates its vCPU. SGIs
 * 0-7 are left to what Linux uses for its own IPIs, should a port ever
 * share the numbering; 8 is the first one nobody else here uses.
 */
#define BM_SGI_KICK 8

/* Priority of every physical interrupt the hypervisor enables, and the
 * mask that lets all of them through (higher value = lower priority). */
#define BM_GIC_PRIO 0xa0
#define BM_GIC_PMR 0xff

#ifndef __ASSEMBLER__

#include <hv/exit.h>
#include <hv/types.h>

struct hv_vcpu;

#define READ_SYSREG(name)                                      \
	({                                                     \
		uint64_t v_;                                   \
		__asm__ volatile("mrs %0, " #name : "=r"(v_)); \
		v_;                                            \
	})
#define WRITE_SYSREG(name, val)                                               \
	do {                                                                  \
		uint64_t v_ = (val);                                          \
		__asm__ volatile("msr " #name ", %0" : : "r"(v_) : "memory"); \
	} while (0)

/*
 * The saved context of one vCPU. x[], elr_el2 and spsr_el2 are written by
 * the exit path of vectors.S on every exit and read by its entry path.
 * EL1 system registers stay live in the CPU while the vCPU is pinned
 * there; el1[] only holds values written from elsewhere (a reset done by
 * another pCPU, before the first run), applied at the next entry.
 */
enum bm_el1_reg {
	BM_EL1_SP,
	BM_EL1_ELR,
	BM_EL1_SPSR,
	BM_EL1_ESR,
	BM_EL1_FAR,
	BM_EL1_VBAR,
	BM_EL1_COUNT,
};

struct bm_vcpu {
	uint64_t x[31];
	uint64_t elr_el2;
	uint64_t spsr_el2;
	uint64_t el1[BM_EL1_COUNT];
	_Static_assert(BM_EL1_COUNT <= 16, "el1_dirty has 16 bits");
	/* Work hal_vcpu_run() does before the next entry. The exit fast path
	 * enters the guest again directly only while all of it is zero,
	 * which it tests with one load of entry_work. */
	union {
		struct {
			/* bit n: el1[n] must be loaded at entry */
			uint16_t el1_dirty;
			/* load the whole EL1 reset state at entry (also the
			 * only time `hcr` below changes) */
			bool el1_reset;
			/* The virtual CPU interface is reset (active
			 * priorities, VMCR, orphaned active timer PPIs; not
			 * the LRs, which the core owns) at the next touch on
			 * the vCPU's own pCPU: entry or an LR access. */
			bool gic_reset;
			/* List registers written from another pCPU, loaded
			 * at entry: bit n is lr[n]. */
			uint32_t lr_pending;
		};
		uint64_t entry_work;
	};
	struct hv_vcpu *vcpu;
	uint64_t hcr;	 /* HCR_EL2 while it runs (TWI per the cell's wfi) */
	uint64_t vmpidr; /* VMPIDR_EL2 = vcpu_mpidr() */
	/* CNTVOFF_EL2 of the cell. vCPU 0's copy is the cell's: chosen at
	 * its first reset (cntvoff_valid), inherited by the others. */
	uint64_t cntvoff;
	uint64_t lr[16];
	bool cntvoff_valid;
	bool in_use;
	/* What the core decided for an exit bm_exit_fast() returned
	 * BM_EXIT_HANDLED for. */
	enum hv_action action;
};

/* Per physical CPU data; TPIDR_EL2 points at the running CPU's entry. */
struct bm_pcpu {
	uint64_t stack_top; /* BM_PCPU_STACK_TOP */
	uint64_t index;	    /* pCPU number as the config counts them */
	uint64_t mpidr;	    /* affinity, for PSCI CPU_ON */
	uint64_t pad;
};

extern struct bm_pcpu bm_pcpus[BM_MAX_PCPUS];

/* --- boot.S / vectors.S ----------------------------------------------- */

/* Entry of secondary CPUs started by PSCI CPU_ON; context id = &bm_pcpus[n]. */
void bm_secondary_entry(void);

/* Enters the guest whose context is `ctx` on this CPU (VTTBR_EL2, HCR_EL2
 * and EL1 state already set) and returns at its next exit with the full
 * guest context saved in *ctx; the result is a BM_EXIT_* code (HANDLED:
 * bm_exit_fast() had the core decide it). */
unsigned bm_guest_enter(struct bm_vcpu *ctx);

/*
 * The exit fast path, called by vectors.S on a synchronous exit, still
 * inside bm_guest_enter(): hands the exit to the core in place
 * (hv_exit_inplace). With `partial`, only the registers a C call may
 * clobber (x0-x18, x30, ELR_EL2, SPSR_EL2) are saved in *ctx and x19-x29
 * still hold the guest's values; exits whose handling might touch those
 * get BM_FAST_SAVE_ALL, and vectors.S saves them and calls again without
 * `partial`. Otherwise: BM_FAST_ENTER (enter the guest again at once),
 * BM_EXIT_HANDLED (the core decided; *ctx is entered through
 * hal_vcpu_run()) or BM_EXIT_SYNC (the core has not seen the exit).
 */
unsigned bm_exit_fast(struct bm_vcpu *ctx, bool partial);

/* Linker-script symbols. */
extern char __image_start[], __image_end[], __text_end[];
extern char __bss_start[], __bss_end[];

/* --- main.c -------------------------------------------------------------- */

/* C entry of the boot CPU: MMU on, stack set, BSS zeroed. */
HV_NORETURN void bm_main(uint64_t dtb_pa);

/* C entry of a secondary CPU (MMU on, own stack, TPIDR_EL2 set). */
HV_NORETURN void bm_secondary_main(struct bm_pcpu *pcpu);

/* Called by vectors.S for an exception taken from EL2 itself: a
 * hypervisor bug. Prints the syndrome and stops the machine. */
HV_NORETURN void bm_el2_fault(uint64_t kind, const uint64_t *regs);

/* The pCPU number of the calling CPU. */
unsigned bm_this_pcpu(void);

/* Machine facts read from QEMU's (the firmware's) devicetree. */
struct bm_machine {
	uint64_t ram_base, ram_size; /* first /memory range */
	uint64_t initrd_start, initrd_end;
	uint64_t dtb_pa, dtb_size;
	unsigned cpu_count;
	bool psci_smc; /* PSCI conduit is SMC (the only one usable at EL2) */
};

extern struct bm_machine bm_machine;

/* --- hal.c --------------------------------------------------------------- */

/* Programs the per-CPU EL2 controls (HCR_EL2 without VM, CPTR, CNTHCTL,
 * MDCR, VPIDR). Called once on each CPU before it runs guests. */
void bm_el2_cpu_init(void);

/* --- gic.c --------------------------------------------------------------- */

/*
 * The physical GICv3 as found in the firmware devicetree (compatible
 * "arm,gic-v3"; QEMU virt's addresses when the node is missing).
 * `present` is false without a GICv3 system-register CPU interface (QEMU
 * gic-version=2): then no interrupt is used, lr_count is 0 (cells with a
 * virtual GIC are refused by the core) and idle vCPUs are polled.
 */
#define BM_GICR_REGIONS 4
struct bm_gic {
	bool present;
	uint64_t gicd;
	unsigned gicr_count;
	uint64_t gicr[BM_GICR_REGIONS], gicr_size[BM_GICR_REGIONS];
	unsigned maint_intid; /* maintenance PPI, from /intc interrupts */
	unsigned lr_count;    /* ICH_VTR_EL2.ListRegs + 1 */
	unsigned apr_count;   /* ICH_AP<g>R<n>_EL2 registers per group */
};
extern struct bm_gic bm_gic;

/* Reads the GIC node of the firmware devicetree; prints what it found. */
void bm_gic_probe(const void *fdt);

/* Boot CPU, once: every SPI disabled, Group 1, routed to the boot CPU;
 * affinity routing and Group 1 on. */
void bm_gic_dist_init(void);

/* Each CPU, before it runs a guest: wakes its redistributor, configures
 * its SGIs/PPIs (maintenance and kick SGI enabled) and the EL2 CPU
 * interface (SRE, EOImode = 1, PMR, Group 1 on, ICH_HCR_EL2.En). */
void bm_gic_cpu_init(void);

/* Acknowledges the highest pending physical interrupt after an IRQ
 * (fiq = false) or FIQ exit or an idle wake-up, and fills exit (kind
 * HV_EXIT_IRQ, intid). See gic.c for who deactivates what. */
void bm_gic_ack(struct hv_exit *exit, bool fiq);

/* On the vCPU's own pCPU: performs a pending virtual CPU interface reset
 * and loads list registers written from another pCPU. */
void bm_gic_vcpu_enter(struct bm_vcpu *ctx);

/* Enables (cell has a virtual GIC) or disables the timer PPIs 27 and 30
 * at this CPU's redistributor. */
void bm_gic_timer_ppis(bool on);

/* --- uart.c -------------------------------------------------------------- */

/* PL011 polled transmit at `base` (QEMU virt: 0x09000000). */
void bm_uart_init(uint64_t base);
void bm_uart_write(const char *s, size_t len);
/* Serialises whole writes once several CPUs print. */
void bm_console_lock(void);
void bm_console_unlock(void);

/* --- mmu.c --------------------------------------------------------------- */

/* Builds the boot identity map (the 1 GiB around the image Normal, the
 * first GiB Device) and turns the EL2 MMU and caches on. Runs with the
 * MMU off: aligned stores only. */
void bm_mmu_init(void);

/* Turns the MMU on with the tables bm_mmu_init() built (secondaries). */
void bm_mmu_enable(void);

/* Cleans and invalidates [p, p+size) to the point of coherency, for data
 * read by a CPU with its MMU off (secondary boot, guests entered with their
 * MMU off). */
void bm_dcache_clean_inval_poc(const void *p, size_t size);

/* Zeroes a range and cleans it to the point of coherency (DC ZVA where
 * permitted): scrubbing memory for a cell that starts with caches off. */
void bm_zero_poc(void *p, size_t size);

/* Cleans the tables and MMU register values to PoC before secondaries,
 * which read them with their MMU off, are started. */
void bm_mmu_publish(void);

/* Maps [base, base+size) Normal (RAM) and the rest of the first 512 GiB
 * Device, from the machine's devicetree, in 1 GiB blocks. */
void bm_mmu_map_ram(uint64_t base, uint64_t size);

/* --- bundle.c ------------------------------------------------------------ */

/* Sets the cpio "newc" archive to search. */
void bm_bundle_set(const void *data, size_t size);

/* Finds member `name`; HV_ERR_NOENT if absent, HV_ERR_INVAL if the
 * archive is malformed before it is found. */
HV_MUST_CHECK enum hv_err bm_bundle_find(const char *name, const void **data,
					 size_t *size);

/* --- PSCI from EL2 (main.c) ---------------------------------------------- */

/* Issues an SMC with the SMCCC register convention; returns x0. */
uint64_t bm_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

HV_NORETURN void bm_system_off(void);

/*
 * "#address-cells" / "#size-cells" of a devicetree node (2 and 1 when
 * absent, as the devicetree specification says; -1 when out of 1..4).
 * libfdt's fdt_address_cells() would pull its read-write half into the
 * image (fdt_addresses.o needs fdt_rw.o): 4 KiB for two lookups.
 */
int bm_fdt_cells(const void *fdt, int node, const char *name);

/* --- the recorder (trace_ring.c, only in cellvisor-rec.elf) ------------ */

struct hv;
/* After hv_start: starts recording with the config blob for the header. */
void bm_trace_start(const struct hv *hv, const void *config, size_t size);
/* After hv_report_end: prints the trace on the console. */
void bm_trace_finish(int status);
/* From hal_panic: prints what was recorded. */
void bm_trace_panic(void);
/* On request (hal_trace_snapshot): prints a snapshot; false without the
 * recorder. */
bool bm_trace_snapshot(void);
/*
 * Whether synchronous exits take the fast path (bm_exit_fast): true in the
 * plain image, false with the recorder, whose core-only replay expects
 * every exit the core sees as a run of its own (hal/replay replays
 * hv_exit_handle() fast-path exits, not hv_exit_inplace()).
 */
extern const bool bm_fast_exits;

#endif /* __ASSEMBLER__ */

#endif /* HAL_BAREMETAL_BM_H */
