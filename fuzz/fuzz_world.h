/* SPDX-License-Identifier: MIT */
/*
 * What the exit harnesses (hypercall, fault, sysreg) share: reading the
 * input, the booted multi-cell hypervisor they act on ("the world"), the
 * oracles checked after every event, and running one exit on a pCPU.
 *
 * The world (fuzz/README.md has the table):
 *   cell0 "mgr"  vCPUs on pCPUs 0,1   vGIC, PL011, all classes incl.
 *                                      management; RAM + a read-only region
 *   cell1 "peer" vCPUs on pCPUs 2,3,5 vGIC, PL011, passthrough block,
 *                                      network and "devices" devices,
 *                                      fault policy inject-abort
 *   cell2 "solo" vCPU on pCPU 4       PL011 only, no vGIC, WFI passthrough,
 *                                      console + management classes
 *   channels ring0 (mgr rw <-> peer rw, doorbells 40/41) and ring1
 *   (peer rw <-> mgr r, doorbells 42/43). pCPUs 6 and 7 have no vCPU.
 */
#ifndef FUZZ_WORLD_H
#define FUZZ_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <hv/hv.h>

#include "fuzz_hal.h"

/* ---- input ---------------------------------------------------------------- */

/* A cursor over the input; reads past the end give zeroes. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fuzz_more(const struct fuzz_in *in)
{
	return in->n > 0;
}
uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in); /* little-endian */
uint32_t fuzz_u32(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);

/*
 * A tagged 64-bit value (register contents, addresses), so that the values
 * that matter are a byte away from the fuzzer while any value stays
 * reachable. First byte t:
 *   0x00-0x3f  the small integer t
 *   0x40-0x7f  fuzz_interesting[t - 0x40]
 *   0x80-0xbf  fuzz_interesting[t - 0x80] + le16 (2 more bytes)
 *   0xc0-0xdf  le32, zero-extended (4 more bytes)
 *   0xe0-0xff  le64 (8 more bytes)
 */
uint64_t fuzz_value(struct fuzz_in *in);
#define FUZZ_INTERESTING 64u
extern const uint64_t fuzz_interesting[FUZZ_INTERESTING];

/* ---- the world ------------------------------------------------------------ */

/* Addresses of the world's config (also in fuzz_interesting). Laid out
 * for few stage-2 tables, which every isolation check walks: a 39-bit IPA
 * space has one root page, RAM, channels and the read-only region are
 * 2 MiB blocks in one level-2 table, and only the devices need a level-3
 * table: 7 table pages for the three cells. (Scrubbing 2 MiB is cheap: the
 * fuzz HAL clears only the pages that were written.) */
#define FW_RAM_BASE UINT64_C(0x40000000) /* platform RAM, 16 MiB */
#define FW_RAM_SIZE UINT64_C(0x1000000)
#define FW_HV_SIZE UINT64_C(0x100000) /* hypervisor memory = page pool */
#define FW_IPA_BITS 39u
#define FW_BLOCK UINT64_C(0x200000)
#define FW_CELL_IPA UINT64_C(0x40000000)
#define FW_CELL_PA(i) (UINT64_C(0x40200000) + (uint64_t)(i)*FW_BLOCK)
#define FW_CELL_RAM FW_BLOCK
#define FW_RING0_IPA UINT64_C(0x40400000)
#define FW_RING0_PA UINT64_C(0x40800000)
#define FW_RING1_IPA UINT64_C(0x40600000)
#define FW_RING1_PA UINT64_C(0x40a00000)
#define FW_RO_IPA UINT64_C(0x40800000) /* mgr's read-only region */
#define FW_RO_PA UINT64_C(0x40c00000)
#define FW_RO_SIZE FW_BLOCK
#define FW_UART_IPA UINT64_C(0x09000000)
#define FW_GICD_IPA UINT64_C(0x08000000)
#define FW_GICR_IPA UINT64_C(0x080a0000)
/* Passthrough devices (not RAM: the fuzz HAL assigns anything else). */
#define FW_MISC_PA UINT64_C(0x7f001000)
#define FW_NIC_PA UINT64_C(0x7f002000)
#define FW_DISK_PA UINT64_C(0x7f003e00)
#define FW_CPUS 8u
#define FW_CELLS 3u

/* Variant bits: the first input byte of each exit harness. */
#define FW_VAR_LRS_MASK 0x3u	 /* list registers: 4, 2, 8, 16 */
#define FW_VAR_MGR_INJECT 0x4u	 /* mgr's fault policy inject-abort */
#define FW_VAR_PEER_MGMT 0x8u	 /* peer holds "management" too */
#define FW_VAR_PEER_WFI 0x10u	 /* peer's WFI passthrough */
#define FW_VAR_GIC_ON 0x20u	 /* boot with the vGICs enabled (below) */
#define FW_VAR_SOLO_INJECT 0x40u /* solo's fault policy inject-abort */

#define FW_VARIANTS 0x80u /* variant byte modulo this */

struct fw_snapshot;

#define FW_POOL_PAGES (FW_HV_SIZE / HV_PAGE_SIZE)

/* Where a stage-2 table page sat in the tables last found isolated. */
struct fw_pos {
	bool known;
	uint8_t cell;
	uint8_t level;
	uint16_t parent_index; /* its descriptor in the parent page */
	uint32_t parent;       /* pool index of that page; FW_ROOT: a root */
	uint64_t base;	       /* first IPA it translates */
};
#define FW_ROOT UINT32_MAX

struct fuzz_world {
	struct hv hv;
	unsigned variant;    /* of the config in hv.config */
	bool booted;	     /* hv holds a live hypervisor */
	bool tables_touched; /* stage-2 tables changed since the restore */
	struct fw_snapshot *snap[FW_VARIANTS]; /* the booted world, by variant */
	/* Oracle memory: the state after the last check. */
	uint32_t caps[HV_MAX_CELLS];
	uint64_t boots[HV_MAX_CELLS];
	enum hv_cell_state state[HV_MAX_CELLS];
	/* The last state found isolated: liveness, each cell's stage-2 root,
	 * the page-pool bitmap and the in-use pages (below). */
	bool live[HV_MAX_CELLS];
	uint64_t root[HV_MAX_CELLS];
	uint64_t flushes;			 /* HAL TLB flushes */
	uint64_t routes;			 /* HAL SPI routing calls */
	uint64_t pool_used;			 /* page-pool pages in use */
	uint64_t vmids[(HV_MAX_VMID + 1) / 64];	 /* VMID bitmap */
	uint64_t pool_words[FW_POOL_PAGES / 64]; /* page-pool bitmap */
	const uint8_t *shadow[FW_POOL_PAGES]; /* in-use pool pages, as checked */
	uint8_t *shadow_buf;		      /* FW_POOL_PAGES pages */
	/* The table pages the live cells reach in that state, and where;
	 * pos_valid: pos[] describes it (else the next check walks all). */
	struct fw_pos pos[FW_POOL_PAGES];
	bool pos_valid;
	unsigned verify_period; /* FUZZ_ISO_VERIFY: full walk every Nth */
	uint64_t events;
	uint64_t inputs;	   /* fuzz_world_boot calls */
	uint64_t isolation_checks; /* full walks (statistics) */
	uint64_t core_checks;	   /* isolation checks the core asked for */
	uint64_t proofs;	   /* checks answered incrementally */
	uint64_t verifies; /* of those, also walked by the core's check */
	unsigned verbose;  /* FUZZ_VERBOSE: 1 console, 2 also each event */
};

extern struct fuzz_world fuzz_w;

/* Once per process: images, verbosity. Idempotent; fuzz_world_boot()
 * calls it, so harnesses need not. */
void fuzz_world_setup(void);

/*
 * Puts the world in its booted state for `variant` (modulo FW_VARIANTS).
 * The first time a variant is asked for it is really booted (hv_init_config,
 * hv_start, the pending vCPU starts) and a snapshot is taken; afterwards
 * the snapshot is restored: the core's state, the in-use page-pool pages
 * (stage-2 tables) and the fuzz HAL's machine state, a few microseconds.
 */
void fuzz_world_boot(unsigned variant);

/* Destroys the hypervisor (hv_shutdown) and checks that nothing leaked. */
void fuzz_world_shutdown(void);

/*
 * Every oracle; aborts with a message on a violation:
 *  - isolation_check() == HV_OK, on the state after the event, decided
 *    incrementally (iso_verify() in fuzz_world.c): from the last state
 *    found isolated, only the descriptors that changed are checked, each
 *    new leaf with the core's own per-leaf test (isolation_check_leaf),
 *    each new table with everything below it; a cell whose tree is new is
 *    walked whole, and everything is walked when a cell became live (its
 *    regions constrain every other cell's leaves). The full walk of
 *    isolation_check() runs too every FUZZ_ISO_VERIFY-th check (default
 *    64; always under meson test) and whenever the incremental answer is
 *    a violation, and the two must agree. Table pages are compared with
 *    the copy when the core touched them (fuzz_hal_pool_touched) after an
 *    event that invalidated a TLB or changed the pool, in the core's own
 *    checks (after management operations, in hv_start;
 *    --wrap=isolation_check), and all of them at the end of the input
 *    (fuzz_world_end);
 *  - pledge masks never grow without a new boot of the cell, stay within
 *    the config, and what was pledged away is out of reach (console window
 *    not emulated, channel windows and device pages unmapped, SPIs not
 *    routed);
 *  - resources balance: page-pool pages = the live cells' table pages,
 *    VMIDs = live cells, HAL vCPUs = live vCPUs, routed SPIs = the ones of
 *    running cells that hold their class;
 *  - ended and stopped cells run nothing; pCPUs point only at live vCPUs.
 * (hal_panic and CHECK failures abort by themselves.)
 */
void fuzz_world_check(const char *after);

/* Restores the booted world when every cell has ended, so that the rest
 * of the input still exercises the core. */
void fuzz_world_revive(void);

/* The end of an input: the last oracle check, comparing every table page
 * (see fuzz_world_check). */
void fuzz_world_end(void);

/*
 * One event on pCPU `pcpu` (modulo FW_CPUS): the vCPU there runs `guest`
 * (may be NULL), then takes `exit` (NULL: a budget exit); it runs again
 * (a few times at most) while a physical interrupt preempted the exit.
 * Then the oracles, then revive.
 */
void fuzz_world_event(unsigned pcpu, const struct hv_exit *exit,
		      fuzz_guest_fn guest, void *arg);

/* Management from the host (hvsim's commands): op % 4 = stop, start,
 * restart, destroy of cell `cell` % FW_CELLS; op & 4 also reads info and
 * stats. */
void fuzz_world_host_mgmt(unsigned op, unsigned cell);

/* Reports an oracle violation and aborts. */
HV_NORETURN void fuzz_fail(const char *fmt, ...) HV_PRINTF(1, 2);

#endif /* FUZZ_WORLD_H */
