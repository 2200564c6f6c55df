/* SPDX-License-Identifier: MIT */
/*
 * Cells: creation from a validated config, start, the two ways to end
 * (the guest's own exit or termination by the hypervisor) and release.
 * Creation is all-or-nothing; destruction returns every page, the VMID and
 * the HAL's vCPU state, so a cell can be rebuilt any number of times.
 */
#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hv/arm64/esr.h>
#include <hv/boot.h>
#include <hv/cell.h>
#include <hv/check.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/passthrough.h>
#include <hv/pledge.h>
#include <hv/print.h>
#include <hv/vtimer.h>

static bool vmid_alloc(struct hv *hv, uint16_t *out)
{
	/* VMID 0 stays unused so a stray VTTBR of 0 never matches a cell. */
	for (unsigned v = 1; v <= HV_MAX_VMID; v++) {
		uint64_t bit = UINT64_C(1) << (v % 64);
		if ((hv->vmid_used[v / 64] & bit) == 0) {
			hv->vmid_used[v / 64] |= bit;
			*out = (uint16_t)v;
			return true;
		}
	}
	return false;
}

static void vmid_free(struct hv *hv, uint16_t vmid)
{
	uint64_t bit = UINT64_C(1) << (vmid % 64);
	CHECK(vmid != 0 && (hv->vmid_used[vmid / 64] & bit) != 0);
	hv->vmid_used[vmid / 64] &= ~bit;
}

/* Config access flags are stage-2 flags: one namespace, no translation. */
_Static_assert(HV_MEM_READ == S2_READ && HV_MEM_WRITE == S2_WRITE &&
		       HV_MEM_EXEC == S2_EXEC,
	       "HV_MEM_* must equal S2_*");

/*
 * Maps one configured RAM region. Policy check in depth: config_parse()
 * already validated it, but the stage-2 of a cell must never receive a
 * page outside platform RAM or inside hypervisor memory, whoever asks.
 */
static enum hv_err map_region(struct hv_cell *cell,
			      const struct hv_mem_region *r)
{
	const struct hv_platform_config *p = &cell->hv->config.platform;
	uint64_t pa = pa_addr(r->pa);

	if (!hv_range_contains(pa_addr(p->ram_base), p->ram_size, pa,
			       r->size) ||
	    hv_ranges_overlap(pa_addr(p->hv_base), p->hv_size, pa, r->size))
		return HV_ERR_DENIED;
	return stage2_map(&cell->s2, r->ipa, r->pa, r->size,
			  r->flags & HV_MEM_RWX);
}

static void vcpus_destroy(struct hv_cell *cell)
{
	for (unsigned i = 0; i < cell->vcpu_count; i++) {
		struct hv_vcpu *v = &cell->vcpus[i];
		if (cell->hv->pcpu_vcpu[v->pcpu] == v)
			__atomic_store_n(&cell->hv->pcpu_vcpu[v->pcpu], NULL,
					 __ATOMIC_SEQ_CST);
		hal_vcpu_destroy(v);
	}
	cell->vcpu_count = 0;
}

/*
 * The cell's virtual GICv3: its two MMIO windows and the hardware links of
 * the timer PPIs, which the HALs deliver as physical PPIs 27 (virtual
 * timer) and 30 (EL1 physical timer) of the vCPU's pCPU.
 */
static enum hv_err gic_create(struct hv_cell *cell)
{
	const struct hv_cell_config *cfg = cell->cfg;
	enum hv_err err;

	err = vgic_init(&cell->vgic, cell->vcpus, cfg->cpu_count,
			VGIC_MAX_SPIS);
	if (err == HV_OK)
		err = mmio_bus_add(&cell->bus, cfg->gicd_ipa, HV_GICD_SIZE,
				   &vgic_dist_ops, &cell->vgic);
	if (err == HV_OK)
		err = mmio_bus_add(&cell->bus, cfg->gicr_ipa,
				   vgic_redist_size(&cell->vgic),
				   &vgic_redist_ops, &cell->vgic);
	for (unsigned i = 0; err == HV_OK && i < cfg->cpu_count; i++) {
		cell->vcpus[i].vgic = &cell->vgic.cpu[i];
		err = vgic_hw_link(&cell->vgic, i, VTIMER_PPI_VIRT,
				   VTIMER_PPI_VIRT);
		if (err == HV_OK)
			err = vgic_hw_link(&cell->vgic, i, VTIMER_PPI_PHYS,
					   VTIMER_PPI_PHYS);
	}
	if (err == HV_OK)
		err = passthrough_link(cell);
	return err;
}

enum hv_err cell_create(struct hv *hv, struct hv_cell *cell, unsigned id,
			const struct hv_cell_config *cfg)
{
	enum hv_err err;
	uint16_t vmid;

	CHECK(cell->state == HV_CELL_FREE);
	memset(cell, 0, sizeof(*cell));
	cell->hv = hv;
	cell->id = id;
	cell->cfg = cfg;
	console_line_init(&cell->con, cfg->name);
	pl011_init(&cell->uart, console_line_tx, &cell->con);

	if (!vmid_alloc(hv, &vmid))
		return HV_ERR_NOMEM;
	err = stage2_init(&cell->s2, &hv->pool, &hv->geo, vmid);
	if (err != HV_OK)
		goto fail_vmid;
	for (unsigned i = 0; i < cfg->region_count; i++) {
		err = map_region(cell, &cfg->regions[i]);
		if (err != HV_OK)
			goto fail_s2;
	}
	/* Channel windows this cell is on: the same physical pages as its
	 * peer's, with this side's rights, never executable. */
	for (unsigned i = 0; i < hv->config.channel_count; i++) {
		const struct hv_channel_config *ch = &hv->config.channels[i];
		unsigned side;
		if (!config_channel_side(ch, id, &side))
			continue;
		struct hv_mem_region w = {.ipa = ch->ipa,
					  .pa = ch->pa,
					  .size = ch->size,
					  .flags = ch->flags[side]};
		err = map_region(cell, &w);
		if (err != HV_OK)
			goto fail_s2;
	}
	/* Passthrough devices of the classes the cell starts with. */
	err = passthrough_map(cell, cfg->caps);
	if (err != HV_OK)
		goto fail_s2;
	if (cfg->has_console) {
		err = mmio_bus_add(&cell->bus, cfg->console_ipa,
				   PL011_MMIO_SIZE, &pl011_mmio_ops,
				   &cell->uart);
		if (err != HV_OK)
			goto fail_s2;
	}
	for (unsigned i = 0; i < cfg->cpu_count; i++) {
		struct hv_vcpu *v = &cell->vcpus[i];
		v->cell = cell;
		v->id = i;
		v->vgic = NULL;
		v->pcpu = cfg->cpus[i];
		v->state = HV_VCPU_OFF;
		/* config_parse() guarantees each pCPU is given once. */
		CHECK(v->pcpu < HV_MAX_CPUS && hv->pcpu_vcpu[v->pcpu] == NULL);
		err = hal_vcpu_create(v);
		if (err != HV_OK)
			goto fail_vcpus;
		cell->vcpu_count = i + 1;
	}
	if (cfg->has_gic) {
		err = gic_create(cell);
		if (err != HV_OK)
			goto fail_vcpus;
	}
	cell->state = HV_CELL_READY;
	/* Publish last: a pCPU that finds its vCPU here (hv_pcpu_run, on
	 * another CPU) sees a complete cell. */
	for (unsigned i = 0; i < cell->vcpu_count; i++)
		__atomic_store_n(&hv->pcpu_vcpu[cell->vcpus[i].pcpu],
				 &cell->vcpus[i], __ATOMIC_RELEASE);
	return HV_OK;

fail_vcpus:
	vcpus_destroy(cell);
fail_s2:
	stage2_destroy(&cell->s2);
fail_vmid:
	vmid_free(hv, vmid);
	memset(cell, 0, sizeof(*cell));
	return err;
}

enum hv_err cell_start(struct hv_cell *cell)
{
	const struct hv_cell_config *cfg = cell->cfg;

	CHECK(cell->state != HV_CELL_FREE);
	/* Nothing survives from a previous run of this cell: a restart
	 * scrubs. The first boot does not need to: no cell has held these
	 * pages since the hypervisor started, and every release (restart,
	 * destroy) scrubs before anyone else can get them (docs/cells.md). */
	if (cell->boot_count > 0)
		for (unsigned i = 0; i < cfg->region_count; i++)
			hal_mem_scrub(cfg->regions[i].pa, cfg->regions[i].size);
	hal_tlb_flush_vmid(cell->s2.vmid);
	ipa_t entry;
	uint64_t x0;
	enum hv_err err = boot_load(cell, &entry, &x0);
	if (err != HV_OK)
		return err;

	console_line_init(&cell->con, cfg->name);
	pl011_init(&cell->uart, console_line_tx, &cell->con);
	if (cfg->has_gic)
		vgic_reset(&cell->vgic);
	/* A new boot of the pristine image starts with the configured
	 * capabilities; it must pledge again (docs/hypercalls.md). */
	err = pledge_restore(cell);
	if (err != HV_OK)
		return err;
	/* Every vCPU is reset on its own pCPU (EL1 state lives there on bare
	 * metal): vCPU 0 starts like a PSCI CPU_ON, the others stay off. */
	for (unsigned i = 0; i < cell->vcpu_count; i++)
		__atomic_store_n(&cell->vcpus[i].state, HV_VCPU_OFF,
				 __ATOMIC_RELEASE);
	cell->vcpus[0].on_entry = entry;
	cell->vcpus[0].on_context = x0;
	__atomic_store_n(&cell->vcpus[0].state, HV_VCPU_ON_PENDING,
			 __ATOMIC_RELEASE);
	/* Exit statistics deliberately survive restarts. */
	cell->state = HV_CELL_RUNNING;
	cell->boot_count++;
	cell->exit_status = 0;
	cell->reason[0] = '\0';
	cell_kick(cell, ~UINT64_C(0), NULL);
	return HV_OK;
}

/* Stops every vCPU and makes the other pCPUs notice at once; a cell that
 * no longer runs takes no more device interrupts. */
static void stop_vcpus(struct hv_cell *cell, const struct hv_vcpu *self)
{
	passthrough_irqs(cell, HV_CAP_ALL, false);
	for (unsigned i = 0; i < cell->vcpu_count; i++)
		__atomic_store_n(&cell->vcpus[i].state, HV_VCPU_STOPPED,
				 __ATOMIC_RELEASE);
	cell_kick(cell, ~UINT64_C(0), self);
	/* The last running cell ended: idle pCPUs must notice. */
	hv_kick_if_done(cell->hv);
}

void cell_kick(struct hv_cell *cell, uint64_t mask, const struct hv_vcpu *self)
{
	for (unsigned i = 0; i < cell->vcpu_count && i < 64; i++)
		if ((mask & (UINT64_C(1) << i)) && &cell->vcpus[i] != self)
			hal_cpu_kick(cell->vcpus[i].pcpu);
}

bool cell_vcpu_wakeable(struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;
	if (!cell->cfg->has_gic)
		return true;
	hv_spin_lock(&cell->lock);
	bool pending = vgic_pending(&cell->vgic, vcpu->id);
	hv_spin_unlock(&cell->lock);
	return pending;
}

void cell_kick_pending(struct hv_cell *cell, const struct hv_vcpu *self)
{
	/* Nothing to take (the common case): skip the lock. A racing
	 * writer sets its bits under the lock and takes them itself in its
	 * own call, so a stale zero here loses nothing. */
	if (!cell->cfg->has_gic ||
	    __atomic_load_n(&cell->vgic.kicks, __ATOMIC_RELAXED) == 0)
		return;
	hv_spin_lock(&cell->lock);
	uint64_t mask = vgic_kicks_take(&cell->vgic);
	hv_spin_unlock(&cell->lock);
	cell_kick(cell, mask, self);
}

void cell_exit(struct hv_cell *cell, int status, const char *why)
{
	console_line_flush(&cell->con);
	cell->state = HV_CELL_EXITED;
	cell->exit_status = status;
	hv_snprintf(cell->reason, sizeof(cell->reason), "%s", why);
	stop_vcpus(cell, NULL);
	hv_printf("cellvisor: cell '%s' exited: %s, status %d\n",
		  cell->cfg->name, why, status);
}

void cell_terminate(struct hv_vcpu *vcpu, const struct hv_exit *exit,
		    const char *reason)
{
	struct hv_cell *cell = vcpu->cell;

	console_line_flush(&cell->con);
	cell->state = HV_CELL_TERMINATED;
	hv_snprintf(cell->reason, sizeof(cell->reason), "%s", reason);
	stop_vcpus(cell, vcpu);
	hv_printf("cellvisor: cell '%s' terminated: vcpu %u pc=0x%016llx "
		  "esr=0x%08llx far=0x%016llx: %s\n",
		  cell->cfg->name, vcpu->id,
		  (unsigned long long)hal_vcpu_reg_read(vcpu, HV_REG_PC),
		  (unsigned long long)exit->esr, (unsigned long long)exit->far,
		  reason);
}

/* Returns everything the cell holds: interrupts, vGIC (list registers
 * included), vCPUs, stage-2 tables and VMID; scrubs its memory. No vCPU
 * of the cell may be running (hv_pcpu_detach). Leaves the identity. */
static void release(struct hv_cell *cell)
{
	passthrough_irqs(cell, HV_CAP_ALL, false);
	if (cell->cfg->has_gic)
		vgic_destroy(&cell->vgic);
	vcpus_destroy(cell);
	uint16_t vmid = cell->s2.vmid;
	stage2_destroy(&cell->s2);
	vmid_free(cell->hv, vmid);
	for (unsigned i = 0; i < cell->cfg->region_count; i++)
		hal_mem_scrub(cell->cfg->regions[i].pa,
			      cell->cfg->regions[i].size);
}

void cell_destroy(struct hv_cell *cell)
{
	if (cell->state == HV_CELL_FREE)
		return;
	if (cell->state != HV_CELL_STOPPED)
		release(cell);
	memset(cell, 0, sizeof(*cell));
}

void cell_stop(struct hv_cell *cell, const char *why)
{
	CHECK(cell->state != HV_CELL_FREE);
	console_line_flush(&cell->con);
	release(cell);
	cell->state = HV_CELL_STOPPED;
	cell->caps = 0;
	cell->dev_routed = 0;
	hv_snprintf(cell->reason, sizeof(cell->reason), "%s", why);
}

enum hv_err cell_rebuild(struct hv_cell *cell)
{
	struct hv *hv = cell->hv;
	const struct hv_cell_config *cfg = cell->cfg;
	unsigned id = cell->id;
	uint64_t boots = cell->boot_count;

	CHECK(cell->state == HV_CELL_STOPPED);
	cell->state = HV_CELL_FREE;
	enum hv_err err = cell_create(hv, cell, id, cfg);
	if (err != HV_OK) {
		/* cell_create() left the slot zeroed: still a stopped cell. */
		cell->hv = hv;
		cell->id = id;
		cell->cfg = cfg;
		cell->state = HV_CELL_STOPPED;
		hv_snprintf(cell->reason, sizeof(cell->reason),
			    "could not be rebuilt (%s)", hv_err_str(err));
	}
	cell->boot_count = boots;
	return err;
}

void *cell_guest_ptr(struct hv_cell *cell, ipa_t ipa, uint64_t size,
		     unsigned flags)
{
	struct stage2_walk w;
	uint64_t start = ipa_addr(ipa);

	if (hv_range_wraps(start, size) || !stage2_walk(&cell->s2, ipa, &w))
		return NULL;
	paddr_t first = w.pa;
	/* Walk every page the buffer touches: each must be mapped with the
	 * needed rights and follow the previous one physically. */
	uint64_t page = start & ~HV_PAGE_MASK;
	uint64_t end = size == 0 ? start : start + size - 1;
	for (;;) {
		if (!stage2_walk(&cell->s2, ipa_init(page), &w) ||
		    (w.flags & flags) != flags || (w.flags & S2_DEVICE) ||
		    pa_addr(w.pa) != pa_addr(first) - (start & HV_PAGE_MASK) +
					     (page - (start & ~HV_PAGE_MASK)))
			return NULL;
		if (page >= (end & ~HV_PAGE_MASK))
			break;
		page += HV_PAGE_SIZE;
	}
	return hal_phys_map(first, size == 0 ? 1 : size);
}

bool cell_ended(const struct hv_cell *cell)
{
	return cell->state == HV_CELL_EXITED ||
	       cell->state == HV_CELL_TERMINATED;
}
