/* SPDX-License-Identifier: MIT */
/*
 * The fuzz HAL: the core linked with a machine that does no I/O and runs no
 * guest code, so one fuzz input (hundreds of exits) runs in microseconds.
 *
 * What it models, after the simulator HAL (hal/sim) but without Unicorn:
 *  - RAM: one host buffer reserved once (FUZZ_RAM_MAX, pages committed on
 *    first touch) standing for whatever RAM the config describes; the HAL
 *    remembers which pages it handed out (hal_phys_map outside the page
 *    pool), so hal_mem_scrub() clears only those: scrubbing a 2 MiB cell
 *    costs what was written in it;
 *  - vCPUs: registers in arrays, one slot per vCPU from a static table (no
 *    allocation per input);
 *  - the GICv3 virtual CPU interface of each vCPU (hv/vcpuif.h): the list
 *    registers the core writes are the ones the guest acknowledges and
 *    EOIs through ICC_* accesses, as in the simulator;
 *  - the two EL1 generic timers per vCPU (hv/vtimer.h) on a global virtual
 *    counter that only moves when a harness says so; a timer whose output
 *    rises becomes a physical PPI exit (27 or 30), active until the core
 *    or the guest deactivates it; the maintenance interrupt (PPI 25) is
 *    raised from ICH_HCR_EL2.UIE as hardware would;
 *  - scripted exits: a harness queues the exit the next hal_vcpu_run()
 *    reports and a "guest" callback standing for the instructions the
 *    guest executes before it (setting registers, ICC and timer accesses).
 *
 * Only the harness decides what happens; nothing depends on host time or
 * host addresses, so an input replays identically.
 */
#ifndef FUZZ_HAL_H
#define FUZZ_HAL_H

#include <hv/exit.h>
#include <hv/types.h>
#include <hv/vcpu.h>
#include <hv/vcpuif.h>
#include <hv/vtimer.h>

/* Largest RAM a config may describe (address space reserved once, pages
 * committed when touched). */
#define FUZZ_RAM_MAX (UINT64_C(4) << 30)
/* vCPU slots: a config has at most one vCPU per physical CPU. */
#define FUZZ_MAX_VCPUS 64u
#define FUZZ_MAX_INTID 1020u

enum { FUZZ_TIMER_VIRT, FUZZ_TIMER_PHYS, FUZZ_TIMERS };

/* The HAL's view of one vCPU (vcpu->hal points here). */
struct fuzz_vcpu {
	struct hv_vcpu *vcpu; /* owner; NULL: free slot */
	uint64_t regs[HV_REG_COUNT];
	struct vcpuif cpuif; /* ICH_LR<n>_EL2 and the guest's ICC_* view */
	struct vtimer timer[FUZZ_TIMERS];
	uint32_t hw_active; /* bit k: timer k's PPI active (taken, not EOId) */
	unsigned maint_streak; /* maintenance exits in a row without progress */
	uint64_t resets;
};

/*
 * The machine state a snapshot holds: everything the HAL changes while
 * the core runs (vCPU slots, clock, routed SPIs, kicks). The harnesses
 * restore it, with the core's own state, instead of booting again.
 */
struct fuzz_machine {
	unsigned live;	       /* slots in use */
	unsigned hwm;	       /* slots [hwm, FUZZ_MAX_VCPUS) never used */
	unsigned lr_count;     /* for vCPUs created from now on */
	struct fuzz_vcpu *cur; /* the vCPU the core acts for (last run) */
	uint64_t now;	       /* CNTPCT_EL0 */
	bool cntvoff_set[HV_MAX_CELLS];
	uint64_t cntvoff[HV_MAX_CELLS];
	uint8_t irq_cpu[FUZZ_MAX_INTID]; /* 0: off, else CPU + 1 */
	unsigned irqs_routed;
	uint64_t kicks;
	uint64_t tlb_flushes; /* hal_tlb_flush_* calls (stage-2 changes) */
	uint64_t irq_routes;  /* hal_irq_route calls */
	struct fuzz_vcpu slots[FUZZ_MAX_VCPUS];
};

/* Saves / restores the machine state (restore copies only the slots in
 * use then). */
void fuzz_hal_save(struct fuzz_machine *m);
void fuzz_hal_restore(const struct fuzz_machine *m);
/* TLB invalidations so far: every stage-2 update makes one. */
uint64_t fuzz_hal_tlb_flushes(void);
/* hal_irq_route() calls so far. */
uint64_t fuzz_hal_irq_routes(void);
/* hal_mem_scrub() calls since the process started (never restored). */
uint64_t fuzz_hal_scrubs(void);

/*
 * Page-pool pages (stage-2 tables) as the oracles see them. The core
 * reaches a table page only through hal_phys_map(), which notes it as
 * touched; a page not touched since fuzz_hal_pool_untouch() has not been
 * read or written through a pointer obtained meanwhile. (A pointer the
 * core kept from earlier would escape this, so the oracles still compare
 * every page at the end of each input.) fuzz_hal_pool_page() maps page
 * `index` of the pool without noting it; NULL beyond the pool.
 */
#define FUZZ_POOL_TRACK 4096u /* pages tracked one by one (16 MiB) */
uint8_t *fuzz_hal_pool_page(uint64_t index);
bool fuzz_hal_pool_touched(uint64_t index);
void fuzz_hal_pool_untouch(void);

/* Stands for the guest instructions before the scripted exit. */
typedef void (*fuzz_guest_fn)(struct fuzz_vcpu *fv, void *arg);

/* Forgets every vCPU slot, routed SPI, kick and queued exit and sets the
 * clock back to 0. RAM and images stay. */
void fuzz_hal_reset(void);

/* Images for hal_image_get(); data is not copied. With any_image on, an
 * unknown name gets a small built-in image instead of HV_ERR_NOENT: a
 * minimal arm64 Linux Image header for names containing "Image" or
 * "vmlinu", else 64 bytes of code. */
void fuzz_hal_add_image(const char *name, const void *data, size_t size);
void fuzz_hal_any_image(bool on);

/* List registers per vCPU (1..16) for vCPUs created from now on. */
void fuzz_hal_set_lr_count(unsigned n);
/* Physical address bits reported by hal_cpu_pa_bits() (default 40). */
void fuzz_hal_set_pa_bits(unsigned bits);

/*
 * Scripts the next hal_vcpu_run(): `guest` (may be NULL) runs first, once,
 * on the vCPU that runs; then `exit` is reported (NULL: a budget exit). A
 * physical interrupt due before or right after the guest code preempts the
 * exit, which then stays queued for the next run.
 */
void fuzz_hal_script(const struct hv_exit *exit, fuzz_guest_fn guest,
		     void *arg);
/* True while the scripted exit has not been reported. */
bool fuzz_hal_script_pending(void);
void fuzz_hal_script_clear(void);

/* The virtual counter (CNTPCT_EL0), and moving it forward. */
uint64_t fuzz_hal_now(void);
void fuzz_hal_advance(uint64_t ticks);

/* HAL state of a vCPU (NULL if it has none). */
struct fuzz_vcpu *fuzz_hal_vcpu(const struct hv_vcpu *vcpu);
/* Slots in use (vCPUs created and not destroyed). */
unsigned fuzz_hal_vcpus_live(void);

/* Passthrough SPI routing: the CPU `intid` is routed to, -1 when off. */
int fuzz_hal_irq_cpu(uint32_t intid);
unsigned fuzz_hal_irqs_routed(void);

/* Console text goes to stderr when verbose (FUZZ_VERBOSE=1), else nowhere. */
void fuzz_hal_verbose(bool on);

/*
 * Guest-side accesses as the simulator serves them without a trap:
 * ICC_*_EL1 through the virtual CPU interface model, the generic timer
 * registers through vtimer. `rt` is the general-purpose register (31 =
 * XZR). False for a register the model does not serve (the caller then
 * treats the access as trapping).
 */
bool fuzz_guest_icc(struct fuzz_vcpu *fv, uint32_t reg, bool read, unsigned rt);
bool fuzz_guest_timer(struct fuzz_vcpu *fv, uint32_t reg, bool read,
		      unsigned rt);

/* General-purpose register n of the guest (n == 31: XZR). */
uint64_t fuzz_guest_x(const struct fuzz_vcpu *fv, unsigned n);
void fuzz_guest_set_x(struct fuzz_vcpu *fv, unsigned n, uint64_t val);

#endif /* FUZZ_HAL_H */
