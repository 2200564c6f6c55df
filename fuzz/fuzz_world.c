/* SPDX-License-Identifier: MIT */
/* The world the exit harnesses share: see fuzz_world.h. */
#include "fuzz_world.h"

#include "fuzz.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hal/vcpu.h>
#include <hv/arm64/gic.h>
#include <hv/arm64/pte.h>
#include <hv/isolation.h>
#include <hv/mgmt.h>
#include <hv/passthrough.h>
#include <hv/pledge.h>
#include <hv/psci.h>
#include <hv/smccc.h>

struct fuzz_world fuzz_w;

static uint8_t guest_image[64];
static struct hv_config world_cfg; /* of fuzz_w.variant, for real boots */

/* ---- input ---------------------------------------------------------------- */

uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_u8(in);
	return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t lo = fuzz_u16(in);
	return lo | (uint32_t)fuzz_u16(in) << 16;
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t lo = fuzz_u32(in);
	return lo | (uint64_t)fuzz_u32(in) << 32;
}

const uint64_t fuzz_interesting[FUZZ_INTERESTING] = {
	/* 0x40: SMCCC and PSCI function IDs */
	SMCCC_VERSION,
	SMCCC_ARCH_FEATURES,
	PSCI_VERSION,
	PSCI_CPU_SUSPEND_32,
	PSCI_CPU_SUSPEND_64,
	PSCI_CPU_OFF,
	PSCI_CPU_ON_32,
	PSCI_CPU_ON_64,
	PSCI_AFFINITY_INFO_32,
	PSCI_AFFINITY_INFO_64,
	PSCI_MIGRATE_INFO_TYPE,
	PSCI_SYSTEM_OFF,
	PSCI_SYSTEM_RESET,
	PSCI_FEATURES,
	/* 0x4e: Cellvisor calls */
	HV_CALL_VERSION,
	HV_CALL_CELL_INFO,
	HV_CALL_CONSOLE_WRITE,
	HV_CALL_TEST_EXIT,
	HV_CALL_DOORBELL,
	HV_CALL_MGMT_INFO,
	HV_CALL_MGMT_STOP,
	HV_CALL_MGMT_START,
	HV_CALL_MGMT_RESTART,
	HV_CALL_MGMT_DESTROY,
	HV_CALL_MGMT_STATS,
	HV_CALL_BASE + 0xffffu,
	/* 0x5a: the world's addresses */
	FW_CELL_IPA,
	FW_CELL_IPA + FW_CELL_RAM - 0x100,
	FW_RO_IPA,
	FW_UART_IPA,
	FW_GICD_IPA,
	FW_GICR_IPA,
	FW_GICR_IPA + GICR_SGI_BASE,
	FW_GICR_IPA + GICR_SIZE,
	FW_GICR_IPA + 2 * GICR_SIZE,
	FW_GICR_IPA + 2 * GICR_SIZE + GICR_SGI_BASE,
	FW_GICD_IPA + GICD_IROUTER,
	FW_RING0_IPA,
	FW_RING1_IPA,
	FW_DISK_PA,
	FW_NIC_PA,
	FW_MISC_PA,
	FW_CELL_PA(0),
	FW_CELL_PA(1),
	FW_RAM_BASE + FW_RAM_SIZE,
	UINT64_C(1) << FW_IPA_BITS,
	/* 0x6e: MPIDRs, PSCI power states, masks */
	UINT64_C(0x80000000),
	UINT64_C(0x80000001),
	UINT64_C(0x80000002),
	UINT64_C(0x80000003),
	UINT64_C(1) << 16,
	HV_CAP_ALL,
	sizeof(struct hv_mgmt_info),
	UINT64_MAX,
	UINT64_C(0x8000000000000000),
	UINT64_C(0xffffffff),
	UINT64_C(0x7fffffff),
	UINT64_C(0x100000000),
	UINT64_C(0xff00ffffff),
	UINT64_C(1) << 40 | UINT64_C(0xffff), /* ICC_SGI1R: IRM, all */
	UINT64_C(0x1000),
	UINT64_C(0xfffffffffffff000),
	UINT64_C(0x10000),
	UINT64_C(0x20000),
};

uint64_t fuzz_value(struct fuzz_in *in)
{
	uint8_t t = fuzz_u8(in);

	if (t < 0x40)
		return t;
	if (t < 0x80)
		return fuzz_interesting[t - 0x40];
	if (t < 0xc0)
		return fuzz_interesting[t - 0x80] + fuzz_u16(in);
	if (t < 0xe0)
		return fuzz_u32(in);
	return fuzz_u64(in);
}

/* Coverage off while the harness does its own bookkeeping (fuzz.h);
 * nested: the outermost pair decides. */
static unsigned cov_depth;

static void cov_off(void)
{
	if (cov_depth++ == 0)
		FUZZ_COVERAGE_OFF();
}

static void cov_on(void)
{
	if (--cov_depth == 0)
		FUZZ_COVERAGE_ON();
}

/* ---- failures ------------------------------------------------------------- */

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz oracle violated (event %llu): ",
		(unsigned long long)fuzz_w.events);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- config --------------------------------------------------------------- */

static void gic(struct hv_cell_config *c)
{
	c->has_gic = true;
	c->gicd_ipa = ipa_init(FW_GICD_IPA);
	c->gicr_ipa = ipa_init(FW_GICR_IPA);
}

static void region(struct hv_cell_config *c, uint64_t ipa, uint64_t pa,
		   uint64_t size, unsigned flags)
{
	c->regions[c->region_count++] = (struct hv_mem_region){
		.ipa = ipa_init(ipa),
		.pa = pa_init(pa),
		.size = size,
		.flags = flags,
	};
}

static void device(struct hv_cell_config *c, const char *name, uint64_t pa,
		   uint64_t size, uint32_t spi, uint32_t cap)
{
	struct hv_device_config *d = &c->devices[c->device_count++];

	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->compatible, sizeof(d->compatible), "virtio,mmio");
	d->pa = pa_init(pa);
	d->size = size;
	d->irq_count = spi != 0;
	d->irqs[0] = spi;
	d->cap = cap;
}

static void channel(struct hv_config *cfg, const char *name, uint64_t ipa,
		    uint64_t pa, unsigned a, unsigned fa, unsigned b,
		    unsigned fb, uint32_t da, uint32_t db)
{
	struct hv_channel_config *ch = &cfg->channels[cfg->channel_count++];

	snprintf(ch->name, sizeof(ch->name), "%s", name);
	ch->pa = pa_init(pa);
	ch->size = FW_BLOCK;
	ch->ipa = ipa_init(ipa);
	ch->cell[0] = a;
	ch->cell[1] = b;
	ch->flags[0] = fa;
	ch->flags[1] = fb;
	ch->doorbell[0] = da;
	ch->doorbell[1] = db;
}

static struct hv_cell_config *cell(struct hv_config *cfg, const char *name,
				   uint64_t ipa, unsigned i, uint32_t caps)
{
	struct hv_cell_config *c = &cfg->cells[cfg->cell_count++];

	snprintf(c->name, sizeof(c->name), "%s", name);
	region(c, ipa, FW_CELL_PA(i), FW_CELL_RAM, HV_MEM_RWX);
	snprintf(c->image, sizeof(c->image), "guest.bin");
	c->image_load = ipa_init(ipa);
	c->entry = ipa_init(ipa);
	c->has_console = true;
	c->console_ipa = ipa_init(FW_UART_IPA);
	c->caps = caps;
	return c;
}

static void world_config(struct hv_config *cfg, unsigned variant)
{
	struct hv_cell_config *c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->platform.cpu_count = FW_CPUS;
	cfg->platform.ram_base = pa_init(FW_RAM_BASE);
	cfg->platform.ram_size = FW_RAM_SIZE;
	cfg->platform.hv_base = pa_init(FW_RAM_BASE);
	cfg->platform.hv_size = FW_HV_SIZE;
	cfg->platform.uart_base = pa_init(0x09000000);
	cfg->platform.ipa_bits = FW_IPA_BITS;

	c = cell(cfg, "mgr", FW_CELL_IPA, 0, HV_CAP_ALL);
	region(c, FW_RO_IPA, FW_RO_PA, FW_RO_SIZE, HV_MEM_READ);
	c->cpu_count = 2;
	c->cpus[0] = 0;
	c->cpus[1] = 1;
	gic(c);
	c->fault_policy = (variant & FW_VAR_MGR_INJECT) ? HV_FAULT_INJECT
							: HV_FAULT_TERMINATE;

	c = cell(cfg, "peer", FW_CELL_IPA, 1,
		 (HV_CAP_ALL & ~HV_CAP_MGMT) |
			 ((variant & FW_VAR_PEER_MGMT) ? HV_CAP_MGMT : 0));
	c->cpu_count = 3;
	c->cpus[0] = 2;
	c->cpus[1] = 3;
	c->cpus[2] = 5;
	gic(c);
	device(c, "disk", FW_DISK_PA, 0x200, 79, HV_CAP_BLOCK);
	device(c, "nic", FW_NIC_PA, 0x200, 78, HV_CAP_NET);
	device(c, "misc", FW_MISC_PA, 0x1000, 0, HV_CAP_DEVICES);
	c->fault_policy = HV_FAULT_INJECT;
	c->wfi = (variant & FW_VAR_PEER_WFI) ? HV_WFI_PASSTHROUGH : HV_WFI_TRAP;

	c = cell(cfg, "solo", FW_CELL_IPA, 2, HV_CAP_CONSOLE | HV_CAP_MGMT);
	c->cpu_count = 1;
	c->cpus[0] = 4;
	c->wfi = HV_WFI_PASSTHROUGH;
	c->fault_policy = (variant & FW_VAR_SOLO_INJECT) ? HV_FAULT_INJECT
							 : HV_FAULT_TERMINATE;

	channel(cfg, "ring0", FW_RING0_IPA, FW_RING0_PA, 0,
		HV_MEM_READ | HV_MEM_WRITE, 1, HV_MEM_READ | HV_MEM_WRITE, 40,
		41);
	channel(cfg, "ring1", FW_RING1_IPA, FW_RING1_PA, 1,
		HV_MEM_READ | HV_MEM_WRITE, 0, HV_MEM_READ, 42, 43);
}

/* ---- boot, snapshots and shutdown --------------------------------------- */

/* The booted world of one variant. */
struct fw_snapshot {
	struct hv_config config;
	unsigned cell_count;
	/* struct hv from `pool` to the end of cells[cell_count), and from
	 * `pcpu_vcpu` to the end: everything but the (constant) config and
	 * the unused cell slots. */
	uint8_t *core_a, *core_b;
	size_t core_a_size, core_b_size;
	unsigned table_count;
	uint32_t table_index[FW_POOL_PAGES];
	uint8_t *tables; /* table_count pages */
	struct fw_pos pos[FW_POOL_PAGES];
	bool pos_valid;
	struct fuzz_machine machine;
};

/* FUZZ_STATS=1: what the oracles cost, printed at exit. */
static void print_stats(void)
{
	fprintf(stderr,
		"fuzz stats: %llu inputs, %llu events, %llu checks by the "
		"core; isolation: %llu full walks, %llu answered "
		"incrementally (%llu of them also walked: every %u)\n",
		(unsigned long long)fuzz_w.inputs,
		(unsigned long long)fuzz_w.events,
		(unsigned long long)fuzz_w.core_checks,
		(unsigned long long)fuzz_w.isolation_checks,
		(unsigned long long)fuzz_w.proofs,
		(unsigned long long)(fuzz_w.verifies / fuzz_w.verify_period),
		fuzz_w.verify_period);
}

void fuzz_world_setup(void)
{
	static bool done;
	const char *v = getenv("FUZZ_VERBOSE");
	const char *st = getenv("FUZZ_STATS");

	if (done)
		return;
	done = true;

	if (st != NULL && st[0] == '1')
		atexit(print_stats);

	for (unsigned i = 0; i < sizeof(guest_image); i++)
		guest_image[i] = (uint8_t)(0xa0 + i);
	fuzz_hal_add_image("guest.bin", guest_image, sizeof(guest_image));
	fuzz_w.verbose = v != NULL ? (unsigned)atoi(v) : 0;
	fuzz_hal_verbose(fuzz_w.verbose > 0);
	const char *iv = getenv("FUZZ_ISO_VERIFY");
	fuzz_w.verify_period = iv != NULL && atoi(iv) > 0 ? (unsigned)atoi(iv)
							  : 64;
	fuzz_w.shadow_buf = calloc(FW_POOL_PAGES, HV_PAGE_SIZE);
	if (fuzz_w.shadow_buf == NULL)
		fuzz_fail("out of memory");
}

/* Completes pending starts as each pCPU's run loop would. */
static void settle(void)
{
	for (unsigned p = 0; p < FW_CPUS; p++) {
		struct hv_vcpu *v = fuzz_w.hv.pcpu_vcpu[p];
		if (v != NULL && v->state == HV_VCPU_ON_PENDING) {
			fuzz_hal_script_clear();
			(void)hv_pcpu_run(&fuzz_w.hv, p);
		}
	}
}

/* What a guest driver does first: distributor, redistributors and the
 * CPU interface of vCPU 0 enabled, every interrupt enabled in group 1. */
static void gic_on(struct hv_cell *c)
{
	const struct mmio_ops *d = &vgic_dist_ops, *r = &vgic_redist_ops;
	bool ok = d->write(&c->vgic, GICD_CTLR, 4,
			   GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1 |
				   GICD_CTLR_ENABLE_GRP0);

	for (unsigned i = 1; i < 4; i++) {
		ok = ok &&
		     d->write(&c->vgic, GICD_IGROUPR + 4 * i, 4, 0xffffffffu);
		ok = ok &&
		     d->write(&c->vgic, GICD_ISENABLER + 4 * i, 4, 0xffffffffu);
	}
	for (unsigned v = 0; v < c->vcpu_count; v++) {
		uint64_t rd = v * GICR_SIZE;
		ok = ok && r->write(&c->vgic, rd + GICR_WAKER, 4, 0);
		ok = ok &&
		     r->write(&c->vgic, rd + GICR_SGI_BASE + GICR_IGROUPR0, 4,
			      0xffffffffu);
		ok = ok &&
		     r->write(&c->vgic, rd + GICR_SGI_BASE + GICR_ISENABLER0, 4,
			      0xffffffffu);
	}
	if (!ok)
		fuzz_fail("gic_on: the vGIC refused a reset-time write");
	struct fuzz_vcpu *fv = fuzz_hal_vcpu(&c->vcpus[0]);
	uint32_t deact;
	(void)vcpuif_write(&fv->cpuif, SYSREG_ICC_PMR_EL1, 0xff, &deact);
	(void)vcpuif_write(&fv->cpuif, SYSREG_ICC_IGRPEN1_EL1, 1, &deact);
	(void)vcpuif_write(&fv->cpuif, SYSREG_ICC_IGRPEN0_EL1, 1, &deact);
}

/* Page-pool page `index`, without noting it as touched by the core. */
static uint8_t *table_page(unsigned index)
{
	uint8_t *p = fuzz_hal_pool_page(index);
	if (p == NULL)
		fuzz_fail("page-pool page %u is not RAM", index);
	return p;
}

static bool pool_bit(unsigned i)
{
	return (fuzz_w.hv.pool.bitmap[i / 64] >> (i % 64)) & 1u;
}

/* The first page-pool page in use from page `i` on, or a number past the
 * pool's pages. */
static unsigned next_used(unsigned i)
{
	const struct page_pool *pool = &fuzz_w.hv.pool;

	while (i < pool->page_count && i < FW_POOL_PAGES) {
		uint64_t w = pool->bitmap[i / 64] >> (i % 64);
		if (w != 0)
			return i + (unsigned)__builtin_ctzll(w);
		i = (i | 63u) + 1;
	}
	return UINT32_MAX;
}

/* A cell's stage-2 tree as the walk starts it: root page and geometry. */
static uint64_t s2_key(const struct stage2 *s2)
{
	return pa_addr(s2->root) ^ (uint64_t)s2->geo.root_pages << 1 ^
	       (uint64_t)s2->geo.start_level << 8 ^ (s2->pool != NULL);
}

/* Copies what the isolation oracle compares against: the page-pool
 * bitmap and the in-use pages, as they were when last found isolated
 * (only those the core touched since the last copy unless `all`). */
static void remember_tables(bool all)
{
	struct hv *hv = &fuzz_w.hv;

	fuzz_w.flushes = fuzz_hal_tlb_flushes();
	for (unsigned i = 0; i < hv->cell_count; i++) {
		fuzz_w.live[i] = hv->cells[i].state != HV_CELL_FREE;
		fuzz_w.root[i] = s2_key(&hv->cells[i].s2);
	}
	memcpy(fuzz_w.pool_words, hv->pool.bitmap, sizeof(fuzz_w.pool_words));
	for (unsigned i = 0; i < hv->pool.page_count; i++) {
		if (!pool_bit(i)) {
			fuzz_w.shadow[i] = NULL;
			continue;
		}
		if (!all && fuzz_w.shadow[i] != NULL &&
		    !fuzz_hal_pool_touched(i))
			continue;
		/* Pages that did not change keep their copy (often the
		 * snapshot's own). */
		const uint8_t *now = table_page(i);
		if (fuzz_w.shadow[i] != NULL &&
		    memcmp(fuzz_w.shadow[i], now, HV_PAGE_SIZE) == 0)
			continue;
		uint8_t *copy = fuzz_w.shadow_buf + (size_t)i * HV_PAGE_SIZE;
		memcpy(copy, now, HV_PAGE_SIZE);
		fuzz_w.shadow[i] = copy;
	}
	fuzz_hal_pool_untouch();
}

/* Copies what the other oracles compare against (see fuzz_world_check);
 * the tables too when `tables` (they changed). */
static void remember(bool tables)
{
	struct hv *hv = &fuzz_w.hv;

	for (unsigned i = 0; i < hv->cell_count; i++) {
		fuzz_w.caps[i] = hv->cells[i].caps;
		fuzz_w.boots[i] = hv->cells[i].boot_count;
		fuzz_w.state[i] = hv->cells[i].state;
	}
	fuzz_w.flushes = fuzz_hal_tlb_flushes();
	fuzz_w.routes = fuzz_hal_irq_routes();
	fuzz_w.pool_used = hv->pool.used_count;
	memcpy(fuzz_w.vmids, hv->vmid_used, sizeof(fuzz_w.vmids));
	if (tables)
		remember_tables(true);
}

/* True when nothing the resource and pledge oracles look at can have
 * changed since the last check: no stage-2 update (TLB flush), no SPI
 * routed or unrouted, no page-pool page or VMID taken or given back, and
 * every cell in the same state with the same classes and boots. */
static bool resources_unchanged(void)
{
	const struct hv *hv = &fuzz_w.hv;

	if (fuzz_hal_tlb_flushes() != fuzz_w.flushes ||
	    fuzz_hal_irq_routes() != fuzz_w.routes ||
	    hv->pool.used_count != fuzz_w.pool_used ||
	    memcmp(hv->vmid_used, fuzz_w.vmids, sizeof(fuzz_w.vmids)) != 0)
		return false;
	for (unsigned i = 0; i < hv->cell_count; i++)
		if (hv->cells[i].caps != fuzz_w.caps[i] ||
		    hv->cells[i].boot_count != fuzz_w.boots[i] ||
		    hv->cells[i].state != fuzz_w.state[i])
			return false;
	return true;
}

/*
 * The core checks isolation itself after management operations and
 * before the first guest runs (a violation panics). The fuzz programs are
 * linked with --wrap=isolation_check so that such a check also counts as
 * ours: the tables it found isolated become the reference, and the
 * oracle walks them again only if they change afterwards.
 */
enum hv_err __real_isolation_check(const struct hv *hv, char *why,
				   size_t why_size);
enum hv_err __wrap_isolation_check(const struct hv *hv, char *why,
				   size_t why_size);

static enum hv_err iso_verify(bool all, char *why, size_t why_size);

enum hv_err __wrap_isolation_check(const struct hv *hv, char *why,
				   size_t why_size)
{
	if (hv != &fuzz_w.hv)
		return __real_isolation_check(hv, why, why_size);
	cov_off();
	fuzz_w.core_checks++;
	enum hv_err e = iso_verify(false, why, why_size);
	cov_on();
	return e;
}

/* hv_init_config + hv_start of the current variant's config. */
static void boot_real(void)
{
	struct hv_config_error err;
	enum hv_err e;

	fuzz_hal_reset();
	fuzz_w.pos_valid = false;
	e = hv_init_config(&fuzz_w.hv, &world_cfg, &err);
	if (e != HV_OK)
		fuzz_fail("world: hv_init_config: %s: %s", hv_err_str(e),
			  err.msg);
	/* The first boot of a cell does not scrub its RAM (nobody had it):
	 * start from zeroes whatever earlier inputs did. */
	for (unsigned i = 0; i < fuzz_w.hv.config.cell_count; i++) {
		const struct hv_cell_config *c = &fuzz_w.hv.config.cells[i];
		for (unsigned r = 0; r < c->region_count; r++)
			hal_mem_scrub(c->regions[r].pa, c->regions[r].size);
	}
	e = hv_start(&fuzz_w.hv, &err);
	if (e != HV_OK)
		fuzz_fail("world: hv_start: %s: %s", hv_err_str(e), err.msg);
	fuzz_w.booted = true;
	settle();
	if (fuzz_w.variant & FW_VAR_GIC_ON)
		for (unsigned i = 0; i < fuzz_w.hv.cell_count; i++)
			if (fuzz_w.hv.cells[i].cfg->has_gic)
				gic_on(&fuzz_w.hv.cells[i]);
}

#define CORE_A offsetof(struct hv, pool)
#define CORE_B offsetof(struct hv, pcpu_vcpu)

static void *copy_of(const void *src, size_t size)
{
	void *p = malloc(size ? size : 1);
	if (p == NULL)
		fuzz_fail("out of memory");
	memcpy(p, src, size);
	return p;
}

static struct fw_snapshot *snapshot_take(void)
{
	struct hv *hv = &fuzz_w.hv;
	struct fw_snapshot *s = calloc(1, sizeof(*s));

	if (s == NULL)
		fuzz_fail("out of memory");
	s->config = hv->config;
	s->cell_count = hv->cell_count;
	s->core_a_size = offsetof(struct hv, cells) - CORE_A +
			 hv->cell_count * sizeof(hv->cells[0]);
	s->core_a = copy_of((const uint8_t *)hv + CORE_A, s->core_a_size);
	s->core_b_size = sizeof(*hv) - CORE_B;
	s->core_b = copy_of((const uint8_t *)hv + CORE_B, s->core_b_size);
	if (hv->pool.page_count > FW_POOL_PAGES)
		fuzz_fail("page pool larger than the world's");
	for (unsigned i = 0; i < hv->pool.page_count; i++)
		if (pool_bit(i))
			s->table_index[s->table_count++] = i;
	s->tables = malloc((size_t)s->table_count * HV_PAGE_SIZE + 1);
	if (s->tables == NULL)
		fuzz_fail("out of memory");
	for (unsigned t = 0; t < s->table_count; t++)
		memcpy(s->tables + (size_t)t * HV_PAGE_SIZE,
		       table_page(s->table_index[t]), HV_PAGE_SIZE);
	memcpy(s->pos, fuzz_w.pos, sizeof(s->pos));
	s->pos_valid = fuzz_w.pos_valid;
	fuzz_hal_save(&s->machine);
	return s;
}

static void snapshot_restore(const struct fw_snapshot *s, bool config)
{
	struct hv *hv = &fuzz_w.hv;

	fuzz_hal_restore(&s->machine);
	/* Another variant's config: the cells' cfg pointers point into
	 * hv->config, so the bytes are what changes, not the pointers. */
	if (config)
		hv->config = s->config;
	memcpy((uint8_t *)hv + CORE_A, s->core_a, s->core_a_size);
	memcpy((uint8_t *)hv + CORE_B, s->core_b, s->core_b_size);
	/* Table pages: only those the input may have changed (every change
	 * seen by a check sets tables_touched, and the core touched any it
	 * changed since the last check); the shadow copies used by the next
	 * checks are then the snapshot's own. */
	for (unsigned t = 0; t < s->table_count; t++)
		if (config || fuzz_w.tables_touched ||
		    fuzz_hal_pool_touched(s->table_index[t]))
			memcpy(table_page(s->table_index[t]),
			       s->tables + (size_t)t * HV_PAGE_SIZE,
			       HV_PAGE_SIZE);
	fuzz_hal_pool_untouch();
	memcpy(fuzz_w.pos, s->pos, sizeof(fuzz_w.pos));
	fuzz_w.pos_valid = s->pos_valid;
	/* The snapshot's tables were found isolated at boot: they are the
	 * reference again. */
	memcpy(fuzz_w.pool_words, hv->pool.bitmap, sizeof(fuzz_w.pool_words));
	for (unsigned i = 0; i < hv->cell_count; i++) {
		fuzz_w.live[i] = hv->cells[i].state != HV_CELL_FREE;
		fuzz_w.root[i] = s2_key(&hv->cells[i].s2);
	}
	memset(fuzz_w.shadow, 0, sizeof(fuzz_w.shadow));
	for (unsigned t = 0; t < s->table_count; t++)
		fuzz_w.shadow[s->table_index[t]] = s->tables +
						   (size_t)t * HV_PAGE_SIZE;
	fuzz_w.tables_touched = false;
	/* Cell RAM and channels: back to zeroes and the image, as at boot
	 * (cheap: the fuzz HAL scrubs only pages that were written). */
	for (unsigned i = 0; i < hv->config.cell_count; i++) {
		const struct hv_cell_config *c = &hv->config.cells[i];
		for (unsigned r = 0; r < c->region_count; r++)
			hal_mem_scrub(c->regions[r].pa, c->regions[r].size);
		memcpy(hal_phys_map(c->regions[0].pa, sizeof(guest_image)),
		       guest_image, sizeof(guest_image));
	}
	for (unsigned i = 0; i < hv->config.channel_count; i++)
		hal_mem_scrub(hv->config.channels[i].pa,
			      hv->config.channels[i].size);
	fuzz_w.booted = true;
}

static void check(const char *after, bool full);

void fuzz_world_boot(unsigned variant)
{
	fuzz_world_setup();
	cov_off();
	fuzz_w.inputs++;
	variant %= FW_VARIANTS;
	if (fuzz_w.snap[variant] == NULL) {
		static const unsigned lrs[4] = {4, 2, 8, 16};
		if (fuzz_w.booted)
			fuzz_world_shutdown();
		fuzz_w.variant = variant;
		world_config(&world_cfg, variant);
		fuzz_hal_set_lr_count(lrs[variant & FW_VAR_LRS_MASK]);
		boot_real();
		remember(true);
		/* All the oracles, the full isolation walk included (pos[]
		 * for the snapshot). */
		fuzz_w.pos_valid = false;
		check("boot", true);
		fuzz_w.snap[variant] = snapshot_take();
		fuzz_w.tables_touched = false;
	} else {
		bool other = fuzz_w.variant != variant || !fuzz_w.booted;
		if (other)
			world_config(&world_cfg, variant);
		fuzz_w.variant = variant;
		snapshot_restore(fuzz_w.snap[variant], other);
	}
	remember(false);
	cov_on();
}

void fuzz_world_shutdown(void)
{
	struct hv *hv = &fuzz_w.hv;

	if (!fuzz_w.booted)
		return;
	fuzz_hal_script_clear();
	hv_shutdown(hv);
	fuzz_w.booted = false;
	/* Leak checks: a destroyed hypervisor holds nothing. */
	if (hv->pool.used_count != 0)
		fuzz_fail("shutdown leaked %llu page-pool pages",
			  (unsigned long long)hv->pool.used_count);
	for (unsigned i = 0; i < HV_ARRAY_SIZE(hv->vmid_used); i++)
		if (hv->vmid_used[i] != 0)
			fuzz_fail("shutdown leaked VMIDs (word %u: 0x%llx)", i,
				  (unsigned long long)hv->vmid_used[i]);
	if (fuzz_hal_vcpus_live() != 0)
		fuzz_fail("shutdown leaked %u HAL vCPUs",
			  fuzz_hal_vcpus_live());
	if (fuzz_hal_irqs_routed() != 0 || hv->irqs_routed != 0)
		fuzz_fail("shutdown left SPIs routed (HAL %u, core %u)",
			  fuzz_hal_irqs_routed(), hv->irqs_routed);
}

void fuzz_world_revive(void)
{
	if (hv_done(&fuzz_w.hv))
		fuzz_world_boot(fuzz_w.variant);
}

/* ---- oracles -------------------------------------------------------------- */

static bool cell_holds_resources(const struct hv_cell *c)
{
	return c->state != HV_CELL_FREE && c->state != HV_CELL_STOPPED;
}

/* What a cell pledged away must be out of its reach. */
static void check_pledged(const struct hv_cell *c, const char *after)
{
	const struct hv_cell_config *cfg = c->cfg;
	const struct hv_config *hc = &fuzz_w.hv.config;
	struct stage2_walk w;

	if (!(c->caps & HV_CAP_CONSOLE) && cfg->has_console &&
	    mmio_bus_find(&c->bus, cfg->console_ipa, 1) != NULL)
		fuzz_fail("%s: cell '%s' pledged the console away but its "
			  "PL011 is still emulated",
			  after, cfg->name);
	for (unsigned i = 0; i < hc->channel_count; i++) {
		unsigned side;
		if (!(c->caps & HV_CAP_IPC) &&
		    config_channel_side(&hc->channels[i], c->id, &side) &&
		    stage2_walk(&c->s2, hc->channels[i].ipa, &w))
			fuzz_fail("%s: cell '%s' pledged ipc away but channel "
				  "'%s' is still mapped",
				  after, cfg->name, hc->channels[i].name);
	}
	for (unsigned d = 0; d < cfg->device_count; d++) {
		const struct hv_device_config *dev = &cfg->devices[d];
		uint64_t base, len;
		config_device_pages(dev, &base, &len);
		bool held = (c->caps & dev->cap) != 0;
		if (!held && stage2_walk(&c->s2, ipa_init(base), &w))
			fuzz_fail("%s: cell '%s' pledged '%s' away but its "
				  "page is still mapped",
				  after, cfg->name, dev->name);
		for (unsigned k = 0; k < dev->irq_count; k++) {
			bool routed = fuzz_hal_irq_cpu(dev->irqs[k]) >= 0;
			bool want = held && c->state == HV_CELL_RUNNING;
			if (routed != want)
				fuzz_fail("%s: SPI %u of '%s' %s while cell "
					  "'%s' is %u and %s its class",
					  after, dev->irqs[k], dev->name,
					  routed ? "routed" : "not routed",
					  cfg->name, c->state,
					  held ? "holds" : "pledged away");
		}
	}
}

/* Resources balance against what the live cells hold. */
static void check_balance(const char *after)
{
	const struct hv *hv = &fuzz_w.hv;
	uint64_t pages = 0, vmids = 0, want_vmids = 0;
	unsigned vcpus = 0, spis = 0;

	for (unsigned i = 0; i < hv->cell_count; i++) {
		const struct hv_cell *c = &hv->cells[i];
		const struct hv_cell_config *cfg = &hv->config.cells[i];
		if (!cell_holds_resources(c))
			continue;
		pages += c->s2.table_pages;
		want_vmids++;
		vcpus += c->vcpu_count;
		if ((hv->vmid_used[c->s2.vmid / 64] >> (c->s2.vmid % 64) & 1) ==
		    0)
			fuzz_fail("%s: cell '%s' uses VMID %u, which is free",
				  after, cfg->name, c->s2.vmid);
		if (c->state != HV_CELL_RUNNING)
			continue;
		for (unsigned d = 0; d < cfg->device_count; d++)
			if (c->caps & cfg->devices[d].cap)
				spis += cfg->devices[d].irq_count;
	}
	for (unsigned w = 0; w < HV_ARRAY_SIZE(hv->vmid_used); w++)
		vmids += (unsigned)__builtin_popcountll(hv->vmid_used[w]);
	if (pages != hv->pool.used_count)
		fuzz_fail(
			"%s: page pool has %llu pages in use, the live cells' "
			"stage-2 tables %llu",
			after, (unsigned long long)hv->pool.used_count,
			(unsigned long long)pages);
	if (vmids != want_vmids)
		fuzz_fail("%s: %llu VMIDs in use for %llu live cells", after,
			  (unsigned long long)vmids,
			  (unsigned long long)want_vmids);
	if (vcpus != fuzz_hal_vcpus_live())
		fuzz_fail("%s: the HAL holds %u vCPUs, the live cells %u",
			  after, fuzz_hal_vcpus_live(), vcpus);
	if (spis != fuzz_hal_irqs_routed() || spis != hv->irqs_routed)
		fuzz_fail("%s: %u SPIs routed (core says %u), expected %u",
			  after, fuzz_hal_irqs_routed(), hv->irqs_routed, spis);
}

/* ---- the isolation oracle, incrementally ---------------------------------
 *
 * isolation_check() walks every descriptor of every live cell's tables
 * (3,584 for the world) to test each leaf. Its answer depends only on the
 * live cells (whose configured regions every leaf is tested against) and
 * on the leaves; so from a state found isolated, with no cell newly live,
 * it is enough to test the leaves that appeared: the descriptors that
 * differ from the copy of that state (shadow[]) and are valid now, and
 * all of a table newly linked. That needs to know where each table page
 * sits (pos[]: cell, level, first IPA, parent descriptor), recorded by the
 * walks below; a page whose chain of parent descriptors up to its cell's
 * root changed is not trusted where it was, and is reached again through
 * the changed descriptor. Whatever this cannot decide (a table outside the
 * pool, one page linked twice) falls back to the full walk, which also
 * runs periodically and on every violation found, and must agree.
 */

struct iso_run {
	char *why;
	size_t why_size;
	bool bad;		  /* a leaf failed (why says which) */
	bool unsure;		  /* a tree this cannot follow: walk all */
	bool whole[HV_MAX_CELLS]; /* cells walked whole this time */
	bool seen[FW_POOL_PAGES]; /* pages walked this time */
};

#define FW_NO_PAGE UINT32_MAX

static unsigned lvl_shift(unsigned level)
{
	return HV_PAGE_SHIFT + 9u * (3u - level);
}

static uint64_t desc_at(const uint8_t *page, unsigned index)
{
	uint64_t d;
	memcpy(&d, page + 8 * (size_t)index, 8);
	return d;
}

/* Levels 0-2 use type 0b11 for tables (Arm ARM D8.3). */
static bool desc_table(uint64_t d, unsigned level)
{
	return level < 3 && (d & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

/* The pool page at `pa`, or FW_NO_PAGE. */
static uint32_t pool_index(uint64_t pa)
{
	const struct hv *hv = &fuzz_w.hv;
	uint64_t off = pa - pa_addr(hv->pool.base);

	if (off >= hv->pool.page_count * HV_PAGE_SIZE ||
	    hv->pool.page_count > FW_POOL_PAGES)
		return FW_NO_PAGE;
	return (uint32_t)(off >> HV_PAGE_SHIFT);
}

/* S2_* flags of a leaf descriptor, as stage2_for_each() reports them. */
static unsigned desc_flags(uint64_t d)
{
	unsigned f = 0;

	if (d & PTE_S2_S2AP_R)
		f |= S2_READ;
	if (d & PTE_S2_S2AP_W)
		f |= S2_WRITE;
	if ((d & PTE_S2_XN_MASK) == 0)
		f |= S2_EXEC;
	if ((d & (UINT64_C(0xc) << PTE_S2_MEMATTR_SHIFT)) == 0)
		f |= S2_DEVICE;
	return f;
}

static void iso_leaf(struct iso_run *r, unsigned cell, uint64_t ipa, uint64_t d,
		     unsigned level)
{
	uint64_t size = UINT64_C(1) << lvl_shift(level);
	uint64_t pa = d & PTE_ADDR_MASK & ~(size - 1);

	if (isolation_check_leaf(&fuzz_w.hv, &fuzz_w.hv.cells[cell],
				 ipa_init(ipa), pa_init(pa), size,
				 desc_flags(d), r->why, r->why_size) != HV_OK)
		r->bad = true;
}

static bool pos_holds(const struct iso_run *r, uint32_t page);

/* Every leaf of the table at pool page `page` (and below), recording
 * where each table page sits. */
/* Recursive: one call per translation level. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void iso_table(struct iso_run *r, unsigned cell, uint32_t page,
		      unsigned level, uint64_t base, uint32_t parent,
		      unsigned parent_index)
{
	struct fw_pos at = {.known = true,
			    .cell = (uint8_t)cell,
			    .level = (uint8_t)level,
			    .parent_index = (uint16_t)parent_index,
			    .parent = parent,
			    .base = base};

	if (page == FW_NO_PAGE || level > 3 || !pool_bit(page) ||
	    r->seen[page]) {
		r->unsure = true;
		return;
	}
	/* Still linked where it was, and now here too? */
	const struct fw_pos *was = &fuzz_w.pos[page];
	if (was->known &&
	    (was->cell != cell || was->parent != parent ||
	     was->parent_index != parent_index || was->base != base ||
	     was->level != level) &&
	    pos_holds(r, page)) {
		r->unsure = true;
		return;
	}
	r->seen[page] = true;
	fuzz_w.pos[page] = at;
	const uint8_t *p = table_page(page);
	unsigned shift = lvl_shift(level);
	for (unsigned j = 0; j < 512; j++) {
		uint64_t d = desc_at(p, j);
		uint64_t ipa = base + ((uint64_t)j << shift);
		if (!(d & PTE_VALID))
			continue;
		if (desc_table(d, level))
			iso_table(r, cell, pool_index(d & PTE_ADDR_MASK),
				  level + 1, ipa, page, j);
		else
			iso_leaf(r, cell, ipa, d, level);
		if (r->bad || r->unsure)
			return;
	}
}

/* All of a live cell's tree. */
static void iso_cell(struct iso_run *r, unsigned i)
{
	const struct stage2 *s2 = &fuzz_w.hv.cells[i].s2;
	uint32_t root = pool_index(pa_addr(s2->root));

	if (s2->pool == NULL)
		return;
	if (root == FW_NO_PAGE) {
		r->unsure = true;
		return;
	}
	r->whole[i] = true;
	for (unsigned k = 0; k < s2->geo.root_pages && !r->bad && !r->unsure;
	     k++)
		iso_table(r, i, root + k, s2->geo.start_level,
			  (uint64_t)k * 512 << lvl_shift(s2->geo.start_level),
			  FW_ROOT, 0);
}

/* Every live cell's tree: isolation_check() with positions recorded. */
static void iso_all(struct iso_run *r)
{
	const struct hv *hv = &fuzz_w.hv;

	memset(fuzz_w.pos, 0, sizeof(fuzz_w.pos));
	memset(r->seen, 0, sizeof(r->seen));
	r->bad = r->unsure = false;
	for (unsigned i = 0; i < hv->cell_count && !r->bad && !r->unsure; i++)
		if (hv->cells[i].state != HV_CELL_FREE)
			iso_cell(r, i);
}

/*
 * True when table page `page` still sits where pos[] says: each
 * descriptor from its cell's root down to it is as in the state found
 * isolated (so it was reached that way then, and is now), and its cell
 * is live with the same root and not walked whole this time.
 */
static bool pos_holds(const struct iso_run *r, uint32_t page)
{
	const struct hv *hv = &fuzz_w.hv;

	for (unsigned depth = 0; depth < 5; depth++) {
		const struct fw_pos *q = &fuzz_w.pos[page];
		if (!q->known)
			return false;
		if (q->parent == FW_ROOT) {
			if (q->cell >= hv->cell_count)
				return false;
			const struct hv_cell *c = &hv->cells[q->cell];
			uint32_t root = pool_index(pa_addr(c->s2.root));
			return c->state != HV_CELL_FREE && c->s2.pool != NULL &&
			       fuzz_w.live[q->cell] && !r->whole[q->cell] &&
			       s2_key(&c->s2) == fuzz_w.root[q->cell] &&
			       root != FW_NO_PAGE && page >= root &&
			       page - root < c->s2.geo.root_pages;
		}
		uint32_t up = q->parent;
		if (up >= FW_POOL_PAGES || !pool_bit(up) ||
		    fuzz_w.shadow[up] == NULL)
			return false;
		uint64_t then = desc_at(fuzz_w.shadow[up], q->parent_index);
		if (desc_at(table_page(up), q->parent_index) != then ||
		    !(then & PTE_VALID) || q->level == 0 ||
		    !desc_table(then, q->level - 1u) ||
		    pool_index(then & PTE_ADDR_MASK) != page)
			return false;
		page = up;
	}
	return false;
}

/*
 * What isolation_check() answers for the current state (HV_OK, or
 * HV_ERR_DENIED and why), from the state last found isolated: see above.
 * Table pages are compared when the core touched them since then, or all
 * of them when `all`. On HV_OK the current state becomes the reference.
 */
static enum hv_err iso_verify(bool all, char *why, size_t why_size)
{
	struct hv *hv = &fuzz_w.hv;
	static struct iso_run run;
	struct iso_run *r = &run;
	bool changed = false, full = !fuzz_w.pos_valid;
	enum hv_err e = HV_OK;

	r->why = why;
	r->why_size = why_size;
	r->bad = r->unsure = false;
	memset(r->whole, 0, sizeof(r->whole));
	memset(r->seen, 0, sizeof(r->seen));
	if (why_size > 0)
		why[0] = '\0';
	if (hv->pool.page_count > FW_POOL_PAGES)
		fuzz_fail("page pool larger than the world's");
	if (memcmp(fuzz_w.pool_words, hv->pool.bitmap,
		   sizeof(fuzz_w.pool_words)) != 0)
		changed = true;
	/* A cell newly live: its regions constrain every leaf. A cell with
	 * another tree: walked whole. */
	for (unsigned i = 0; i < hv->cell_count && !full; i++) {
		const struct hv_cell *c = &hv->cells[i];
		if (c->state == HV_CELL_FREE) {
			changed |= fuzz_w.live[i];
			continue;
		}
		if (!fuzz_w.live[i]) {
			full = true;
		} else if (s2_key(&c->s2) != fuzz_w.root[i]) {
			/* Its old pages are not where pos[] says any more;
			 * the new ones get their place from the walk. */
			changed = true;
			for (unsigned k = 0; k < FW_POOL_PAGES; k++)
				if (fuzz_w.pos[k].cell == i)
					fuzz_w.pos[k].known = false;
			iso_cell(r, i);
		}
	}
	/* The descriptors that changed in pages still where they were (the
	 * pages in use: a pool page's bit is set). */
	for (unsigned i = next_used(0);
	     i < hv->pool.page_count && !full && !r->bad && !r->unsure;
	     i = next_used(i + 1)) {
		if (fuzz_w.shadow[i] == NULL ||
		    (!all && !fuzz_hal_pool_touched(i)))
			continue;
		const uint8_t *old = fuzz_w.shadow[i], *now = table_page(i);
		if (memcmp(old, now, HV_PAGE_SIZE) == 0)
			continue;
		changed = true;
		if (!pos_holds(r, i))
			continue; /* reached again through what changed */
		const struct fw_pos q = fuzz_w.pos[i];
		for (unsigned j = 0; j < 512 && !r->bad && !r->unsure; j++) {
			uint64_t d = desc_at(now, j);
			uint64_t ipa = q.base +
				       ((uint64_t)j << lvl_shift(q.level));
			if (d == desc_at(old, j) || !(d & PTE_VALID))
				continue; /* removals cannot break it */
			if (desc_table(d, q.level))
				iso_table(r, q.cell,
					  pool_index(d & PTE_ADDR_MASK),
					  q.level + 1u, ipa, i, j);
			else
				iso_leaf(r, q.cell, ipa, d, q.level);
		}
	}
	if (!full && !changed && !r->unsure) {
		fuzz_hal_pool_untouch();
		return HV_OK;
	}
	fuzz_w.tables_touched = true;
	if (full || r->unsure) {
		fuzz_w.isolation_checks++;
		iso_all(r);
	} else {
		fuzz_w.proofs++;
	}
	fuzz_w.pos_valid = !r->unsure;
	if (r->unsure) {
		/* Not a tree this follows: the core's walk decides. */
		e = __real_isolation_check(hv, why, why_size);
	} else if (r->bad) {
		char found[192];
		snprintf(found, sizeof(found), "%s", why);
		e = __real_isolation_check(hv, why, why_size);
		if (e == HV_OK)
			fuzz_fail("isolation oracles disagree: a leaf test "
				  "found \"%s\", the full walk nothing",
				  found);
	} else if (!full && ++fuzz_w.verifies % fuzz_w.verify_period == 0) {
		e = __real_isolation_check(hv, why, why_size);
		if (e != HV_OK)
			fuzz_fail("isolation: the incremental check missed: %s",
				  why);
	}
	if (e == HV_OK)
		remember_tables(all);
	return e;
}

/* Isolation after an event: table pages compared when `pages` (else only
 * the pool, liveness and roots), all of them when `all`. */
static void isolation(const char *after, bool pages, bool all)
{
	const struct hv *hv = &fuzz_w.hv;
	char why[192];

	if (!pages && fuzz_w.pos_valid) {
		bool moved = memcmp(fuzz_w.pool_words, hv->pool.bitmap,
				    sizeof(fuzz_w.pool_words)) != 0;
		for (unsigned i = 0; i < hv->cell_count && !moved; i++)
			moved = (hv->cells[i].state != HV_CELL_FREE) !=
					fuzz_w.live[i] ||
				s2_key(&hv->cells[i].s2) != fuzz_w.root[i];
		if (!moved)
			return;
	}
	if (iso_verify(all, why, sizeof(why)) != HV_OK)
		fuzz_fail("%s: isolation: %s", after, why);
}

static void check(const char *after, bool full);

void fuzz_world_end(void)
{
	cov_off();
	check("end of input", true);
	cov_on();
}

/* The oracles after an event (`full`: all of them, whatever changed). */
static void check(const char *after, bool full)
{
	struct hv *hv = &fuzz_w.hv;

	/* 1. Isolation, from the live tables, whenever they may differ. */
	isolation(after, full || fuzz_hal_tlb_flushes() != fuzz_w.flushes,
		  full);
	bool resources = full || !resources_unchanged();

	for (unsigned i = 0; i < hv->cell_count; i++) {
		const struct hv_cell *c = &hv->cells[i];
		uint32_t caps = c->caps;

		if (c->state == HV_CELL_FREE)
			continue;
		/* 2. Pledges only shrink, except that a new boot of the
		 * pristine image starts with the configured classes. */
		if (caps & ~c->cfg->caps)
			fuzz_fail("%s: cell '%s' holds classes 0x%x beyond its "
				  "config 0x%x",
				  after, c->cfg->name, caps, c->cfg->caps);
		if (c->boot_count == fuzz_w.boots[i] &&
		    (caps & ~fuzz_w.caps[i]) != 0)
			fuzz_fail("%s: cell '%s' pledge mask grew 0x%x -> 0x%x "
				  "without a new boot",
				  after, c->cfg->name, fuzz_w.caps[i], caps);
		if (c->boot_count < fuzz_w.boots[i])
			fuzz_fail("%s: cell '%s' boot count went back", after,
				  c->cfg->name);
		if (resources && cell_holds_resources(c))
			check_pledged(c, after);
		/* 3. A cell that ended runs nothing. */
		if (c->state != HV_CELL_RUNNING && c->state != HV_CELL_READY)
			for (unsigned v = 0; v < c->vcpu_count; v++)
				if (c->vcpus[v].state != HV_VCPU_STOPPED)
					fuzz_fail("%s: cell '%s' is %u but "
						  "vCPU %u is in state %u",
						  after, c->cfg->name, c->state,
						  v, c->vcpus[v].state);
	}
	/* 4. Resources balance. */
	if (resources)
		check_balance(after);
	/* 5. Every pCPU's vCPU belongs to a cell that holds resources (the
	 * pCPUs the platform has; all of them at the end of the input). */
	unsigned pcpus = full ? HV_MAX_CPUS : hv->config.platform.cpu_count;
	for (unsigned p = 0; p < pcpus && p < HV_MAX_CPUS; p++) {
		const struct hv_vcpu *v = hv->pcpu_vcpu[p];
		if (v == NULL)
			continue;
		if (v->pcpu != p || v->cell == NULL ||
		    !cell_holds_resources(v->cell) || v->hal == NULL)
			fuzz_fail("%s: pCPU %u points at a vCPU of a released "
				  "cell",
				  after, p);
	}
	remember(false);
}

void fuzz_world_check(const char *after)
{
	cov_off();
	check(after, false);
	cov_on();
}

/* ---- events --------------------------------------------------------------- */

/* FUZZ_VERBOSE=2: one line per event, to see what an input does. */
static void trace_event(unsigned p, const struct hv_exit *exit)
{
	const struct hv_vcpu *v = fuzz_w.hv.pcpu_vcpu[p];
	const struct fuzz_vcpu *fv = v ? fuzz_hal_vcpu(v) : NULL;

	fprintf(stderr, "event %llu: pCPU %u ",
		(unsigned long long)fuzz_w.events, p);
	if (exit == NULL)
		fprintf(stderr, "run");
	else if (exit->kind == HV_EXIT_IRQ)
		fprintf(stderr, "irq %u", exit->intid);
	else
		fprintf(stderr, "esr 0x%08llx far 0x%llx",
			(unsigned long long)exit->esr,
			(unsigned long long)exit->far);
	if (fv != NULL)
		fprintf(stderr, " -> vcpu %u state %u x0 0x%llx x1 0x%llx",
			v->id, v->state, (unsigned long long)fv->regs[0],
			(unsigned long long)fv->regs[1]);
	fprintf(stderr, " | cells");
	for (unsigned i = 0; i < fuzz_w.hv.cell_count; i++)
		fprintf(stderr, " %u/0x%x", fuzz_w.hv.cells[i].state,
			fuzz_w.hv.cells[i].caps);
	fputc('\n', stderr);
}

void fuzz_world_event(unsigned pcpu, const struct hv_exit *exit,
		      fuzz_guest_fn guest, void *arg)
{
	unsigned p = pcpu % FW_CPUS;

	fuzz_w.events++;
	fuzz_hal_script(exit, guest, arg);
	/* A physical interrupt may preempt the exit: the guest then takes
	 * it when it runs again (a few times at most: every one of them
	 * deactivates or masks its source). */
	for (unsigned i = 0; i < 4; i++) {
		(void)hv_pcpu_run(&fuzz_w.hv, p);
		if (!fuzz_hal_script_pending())
			break;
		struct hv_vcpu *v = fuzz_w.hv.pcpu_vcpu[p];
		if (v == NULL || v->state != HV_VCPU_RUNNING)
			break;
	}
	fuzz_hal_script_clear();
	if (fuzz_w.verbose > 1)
		trace_event(p, exit);
	fuzz_world_check("event");
	fuzz_world_revive();
}

void fuzz_world_host_mgmt(unsigned op, unsigned cell)
{
	struct hv *hv = &fuzz_w.hv;
	struct hv_cell *c = &hv->cells[cell % hv->cell_count];
	const char *name = hv->config.cells[cell % hv->cell_count].name;
	enum hv_err e;

	fuzz_w.events++;
	switch (op % 4) {
	case 0:
		e = mgmt_stop(c, NULL);
		break;
	case 1:
		e = mgmt_start(c, NULL);
		break;
	case 2:
		e = mgmt_restart(c, NULL);
		break;
	default:
		e = mgmt_destroy(c, NULL);
		break;
	}
	if (e != HV_OK && e != HV_ERR_STATE)
		fuzz_fail("host management op %u on '%s': %s", op % 4, name,
			  hv_err_str(e));
	if (op & 4) {
		struct hv_mgmt_info info;
		struct hv_mgmt_stats st;
		for (unsigned i = 0; i < hv->cell_count; i++)
			mgmt_info(hv, i, &info);
		mgmt_stats(hv, &st);
		if (st.pool_pages_used != hv->pool.used_count)
			fuzz_fail("management stats disagree with the pool");
	}
	/* A started cell's vCPU 0 starts on its own pCPU. */
	settle();
	fuzz_world_check("host management");
	fuzz_world_revive();
}
