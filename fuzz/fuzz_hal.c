/* SPDX-License-Identifier: MIT */
/* The fuzz HAL: see fuzz_hal.h. Host code, single-threaded. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "fuzz_hal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hal/vgic.h>
#include <hv/arm64/gic.h>
#include <hv/arm64/sysreg.h>
#include <hv/cell.h>

#define FUZZ_MAX_IMAGES 16u
#define FUZZ_CNTFRQ_HZ UINT64_C(62500000)
/* PSTATE on reset: EL1h, D, A, I and F masked. */
#define FUZZ_PSTATE_RESET UINT64_C(0x3c5)

static const uint32_t timer_ppi[FUZZ_TIMERS] = {VTIMER_PPI_VIRT,
						VTIMER_PPI_PHYS};

struct fuzz_image {
	const char *name;
	const void *data;
	size_t size;
};

#define FUZZ_RAM_PAGES (FUZZ_RAM_MAX / HV_PAGE_SIZE)

static struct {
	uint8_t *ram; /* FUZZ_RAM_MAX reserved */
	uint64_t ram_base, ram_size;
	uint64_t pool_base, pool_size;
	uint64_t pool_off; /* pool_base - ram_base */
	/* Bit n: RAM page n may be non-zero (it was mapped for the core
	 * outside the page pool), so a scrub has to clear it. */
	uint64_t dirty[FUZZ_RAM_PAGES / 64]; /* by offset in the buffer */
	/* Bit n: page-pool page n was handed out by hal_phys_map() since
	 * the last fuzz_hal_pool_untouch() (the core read or wrote it);
	 * pool_touch_all: one beyond FUZZ_POOL_TRACK was. */
	uint64_t pool_touched[FUZZ_POOL_TRACK / 64];
	bool pool_touch_all;
	unsigned pa_bits;
	bool any_image;
	bool verbose;
	struct fuzz_image images[FUZZ_MAX_IMAGES];
	unsigned image_count;
	uint64_t scrubs;

	struct fuzz_machine m;

	struct {
		bool have_exit;
		struct hv_exit exit;
		fuzz_guest_fn guest;
		void *arg;
	} script;
} fz = {.pa_bits = 40, .m.lr_count = 4};

static const uint8_t default_image[64] = {
	0x1f, 0x20, 0x03, 0xd5, /* nop */
	0x02, 0x00, 0x00, 0xd4, /* hvc #0 */
	0xff, 0xff, 0xff, 0x17, /* b . - 4 */
};

/* The 64-byte arm64 Image header (Linux booting.rst): text_offset 0,
 * image_size 64 KiB, flags: little-endian, 4 KiB pages, anywhere. */
static const uint8_t linux_image[64] = {
	[16] = 0x00, [17] = 0x00, [18] = 0x01, /* image_size 0x10000 */
	[24] = 0x0a,			       /* flags */
	[56] = 'A',  [57] = 'R',  [58] = 'M',  [59] = 0x64, /* magic */
};

/* ---- harness interface --------------------------------------------------- */

void fuzz_hal_reset(void)
{
	for (unsigned i = 0; i < fz.m.hwm; i++)
		memset(&fz.m.slots[i], 0, sizeof(fz.m.slots[i]));
	fz.m.hwm = 0;
	fz.m.live = 0;
	fz.m.cur = NULL;
	memset(fz.m.irq_cpu, 0, sizeof(fz.m.irq_cpu));
	fz.m.irqs_routed = 0;
	fz.m.kicks = 0;
	fz.m.now = 0;
	fz.m.tlb_flushes = 0;
	fz.m.irq_routes = 0;
	memset(fz.m.cntvoff_set, 0, sizeof(fz.m.cntvoff_set));
	memset(fz.m.cntvoff, 0, sizeof(fz.m.cntvoff));
	fuzz_hal_script_clear();
}

/* Everything but the slots, which are copied up to the high-water mark. */
#define MACHINE_HEAD offsetof(struct fuzz_machine, slots)

void fuzz_hal_save(struct fuzz_machine *m)
{
	memcpy(m, &fz.m, MACHINE_HEAD);
	memcpy(m->slots, fz.m.slots, fz.m.hwm * sizeof(fz.m.slots[0]));
}

void fuzz_hal_restore(const struct fuzz_machine *m)
{
	/* Slots used since the save but not then: free them. */
	for (unsigned i = m->hwm; i < fz.m.hwm; i++)
		memset(&fz.m.slots[i], 0, sizeof(fz.m.slots[i]));
	memcpy(&fz.m, m, MACHINE_HEAD);
	memcpy(fz.m.slots, m->slots, m->hwm * sizeof(fz.m.slots[0]));
	fuzz_hal_script_clear();
}

uint64_t fuzz_hal_tlb_flushes(void)
{
	return fz.m.tlb_flushes;
}

uint64_t fuzz_hal_irq_routes(void)
{
	return fz.m.irq_routes;
}

uint64_t fuzz_hal_scrubs(void)
{
	return fz.scrubs;
}

void fuzz_hal_add_image(const char *name, const void *data, size_t size)
{
	for (unsigned i = 0; i < fz.image_count; i++) {
		if (strcmp(fz.images[i].name, name) == 0) {
			fz.images[i].data = data;
			fz.images[i].size = size;
			return;
		}
	}
	if (fz.image_count == FUZZ_MAX_IMAGES) {
		fprintf(stderr, "fuzz_hal: too many images\n");
		abort();
	}
	fz.images[fz.image_count++] = (struct fuzz_image){.name = name,
							  .data = data,
							  .size = size};
}

void fuzz_hal_any_image(bool on)
{
	fz.any_image = on;
}

void fuzz_hal_set_lr_count(unsigned n)
{
	fz.m.lr_count = n < 1 ? 1 : n > VGIC_MAX_LRS ? VGIC_MAX_LRS : n;
}

void fuzz_hal_set_pa_bits(unsigned bits)
{
	fz.pa_bits = bits;
}

void fuzz_hal_script(const struct hv_exit *exit, fuzz_guest_fn guest, void *arg)
{
	fz.script.have_exit = exit != NULL;
	if (exit != NULL)
		fz.script.exit = *exit;
	fz.script.guest = guest;
	fz.script.arg = arg;
}

bool fuzz_hal_script_pending(void)
{
	return fz.script.have_exit;
}

void fuzz_hal_script_clear(void)
{
	fz.script.have_exit = false;
	fz.script.guest = NULL;
	fz.script.arg = NULL;
}

uint64_t fuzz_hal_now(void)
{
	return fz.m.now;
}

void fuzz_hal_advance(uint64_t ticks)
{
	fz.m.now = fz.m.now + ticks < fz.m.now ? UINT64_MAX : fz.m.now + ticks;
}

struct fuzz_vcpu *fuzz_hal_vcpu(const struct hv_vcpu *vcpu)
{
	return vcpu->hal;
}

unsigned fuzz_hal_vcpus_live(void)
{
	return fz.m.live;
}

int fuzz_hal_irq_cpu(uint32_t intid)
{
	return intid < FUZZ_MAX_INTID ? (int)fz.m.irq_cpu[intid] - 1 : -1;
}

unsigned fuzz_hal_irqs_routed(void)
{
	return fz.m.irqs_routed;
}

void fuzz_hal_verbose(bool on)
{
	fz.verbose = on;
}

/* ---- the modelled timers and physical GIC -------------------------------- */

static unsigned cell_index(const struct fuzz_vcpu *fv)
{
	const struct hv_cell *cell = fv->vcpu->cell;
	return cell != NULL ? cell->id % HV_MAX_CELLS : 0;
}

/* The counter timer k compares against: CNTVCT = CNTPCT - CNTVOFF. */
static uint64_t timer_count(const struct fuzz_vcpu *fv, unsigned k)
{
	return k == FUZZ_TIMER_VIRT ? fz.m.now - fz.m.cntvoff[cell_index(fv)]
				    : fz.m.now;
}

/* CNTPCT value at which timer k's output rises; UINT64_MAX: never. */
static uint64_t timer_fire_time(const struct fuzz_vcpu *fv, unsigned k)
{
	uint64_t d = vtimer_deadline(&fv->timer[k]);

	if ((fv->hw_active & (1u << k)) || d == UINT64_MAX)
		return UINT64_MAX;
	if (k == FUZZ_TIMER_VIRT) {
		uint64_t off = fz.m.cntvoff[cell_index(fv)];
		if (d > UINT64_MAX - off)
			return UINT64_MAX;
		d += off;
	}
	return d;
}

/* A timer whose output is high and whose PPI is not active: take it. */
static bool timer_take(struct fuzz_vcpu *fv, uint32_t *intid)
{
	for (unsigned k = 0; k < FUZZ_TIMERS; k++) {
		if (!(fv->hw_active & (1u << k)) &&
		    vtimer_irq_level(&fv->timer[k], timer_count(fv, k))) {
			fv->hw_active |= 1u << k;
			*intid = timer_ppi[k];
			return true;
		}
	}
	return false;
}

static void phys_deactivate(struct fuzz_vcpu *fv, uint32_t pintid)
{
	for (unsigned k = 0; k < FUZZ_TIMERS; k++)
		if (pintid == timer_ppi[k])
			fv->hw_active &= ~(1u << k);
}

/*
 * A physical interrupt the pCPU takes now, before the guest executes
 * anything more: a timer PPI or the maintenance interrupt. `entry`: the
 * vCPU is just being entered, so the core has handled every earlier exit;
 * a maintenance interrupt still asserted at entry right after the core
 * handled one would keep the guest from running a single instruction.
 */
static bool phys_irq(struct fuzz_vcpu *fv, struct hv_exit *exit, bool entry)
{
	uint32_t intid;

	if (timer_take(fv, &intid)) {
		exit->kind = HV_EXIT_IRQ;
		exit->intid = intid;
		return true;
	}
	if (vcpuif_maintenance(&fv->cpuif)) {
		if (entry && ++fv->maint_streak > 1) {
			fprintf(stderr,
				"fuzz_hal: maintenance interrupt storm: vCPU "
				"%u of cell %u entered with ICH_HCR_EL2.UIE "
				"and underflow still set after the core "
				"handled the previous one\n",
				fv->vcpu->id,
				fv->vcpu->cell ? fv->vcpu->cell->id : 0);
			abort();
		}
		exit->kind = HV_EXIT_IRQ;
		exit->intid = GIC_PPI_MAINTENANCE;
		return true;
	}
	if (entry)
		fv->maint_streak = 0;
	return false;
}

/* ---- guest-side accesses -------------------------------------------------- */

uint64_t fuzz_guest_x(const struct fuzz_vcpu *fv, unsigned n)
{
	return n < 31 ? fv->regs[HV_REG_X0 + n] : 0;
}

void fuzz_guest_set_x(struct fuzz_vcpu *fv, unsigned n, uint64_t val)
{
	if (n < 31)
		fv->regs[HV_REG_X0 + n] = val;
}

bool fuzz_guest_icc(struct fuzz_vcpu *fv, uint32_t reg, bool read, unsigned rt)
{
	uint32_t deact = VCPUIF_NO_PINTID;
	uint64_t v = 0;

	if (read) {
		if (!vcpuif_read(&fv->cpuif, reg, &v))
			return false;
		fuzz_guest_set_x(fv, rt, v);
		return true;
	}
	if (!vcpuif_write(&fv->cpuif, reg, fuzz_guest_x(fv, rt), &deact))
		return false;
	if (deact != VCPUIF_NO_PINTID)
		phys_deactivate(fv, deact);
	return true;
}

bool fuzz_guest_timer(struct fuzz_vcpu *fv, uint32_t reg, bool read,
		      unsigned rt)
{
	uint64_t pct = fz.m.now, vct = timer_count(fv, FUZZ_TIMER_VIRT);
	struct vtimer *vt = &fv->timer[FUZZ_TIMER_VIRT];
	struct vtimer *pt = &fv->timer[FUZZ_TIMER_PHYS];
	uint64_t in = fuzz_guest_x(fv, rt), out = 0;

	switch (reg) {
	case SYSREG_CNTFRQ_EL0:
		out = FUZZ_CNTFRQ_HZ;
		break;
	case SYSREG_CNTVCT_EL0:
		out = vct;
		break;
	case SYSREG_CNTPCT_EL0:
		out = pct;
		break;
	case SYSREG_CNTV_CTL_EL0:
		if (read)
			out = vtimer_ctl_read(vt, vct);
		else
			vtimer_ctl_write(vt, in);
		break;
	case SYSREG_CNTV_CVAL_EL0:
		if (read)
			out = vt->cval;
		else
			vt->cval = in;
		break;
	case SYSREG_CNTV_TVAL_EL0:
		if (read)
			out = vtimer_tval_read(vt, vct);
		else
			vtimer_tval_write(vt, vct, in);
		break;
	case SYSREG_CNTP_CTL_EL0:
		if (read)
			out = vtimer_ctl_read(pt, pct);
		else
			vtimer_ctl_write(pt, in);
		break;
	case SYSREG_CNTP_CVAL_EL0:
		if (read)
			out = pt->cval;
		else
			pt->cval = in;
		break;
	case SYSREG_CNTP_TVAL_EL0:
		if (read)
			out = vtimer_tval_read(pt, pct);
		else
			vtimer_tval_write(pt, pct, in);
		break;
	default:
		return false;
	}
	if (read)
		fuzz_guest_set_x(fv, rt, out);
	return true;
}

/* ---- HAL contract: platform ---------------------------------------------- */

enum hv_err hal_platform_init(const struct hv_platform_config *p)
{
	uint64_t base = pa_addr(p->ram_base), size = p->ram_size;
	uint64_t hv = pa_addr(p->hv_base);

	if (size == 0 || size > FUZZ_RAM_MAX || hv_range_wraps(base, size) ||
	    !hv_is_aligned(base | size, HV_PAGE_SIZE) ||
	    !hv_range_contains(base, size, hv, p->hv_size) ||
	    !hv_is_aligned(hv | p->hv_size, HV_PAGE_SIZE))
		return HV_ERR_RANGE;
	if (fz.ram == NULL) {
		void *m = mmap(NULL, (size_t)FUZZ_RAM_MAX,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			       0);
		if (m == MAP_FAILED) {
			perror("fuzz_hal: mmap");
			abort();
		}
		fz.ram = m;
	}
	fz.ram_base = base;
	fz.ram_size = size;
	fz.pool_base = hv;
	fz.pool_size = p->hv_size;
	fz.pool_off = hv - base;
	return HV_OK;
}

unsigned hal_cpu_pa_bits(void)
{
	return fz.pa_bits;
}

void hal_console_write(const char *s, size_t len)
{
	if (fz.verbose)
		fwrite(s, 1, len, stderr);
}

enum hv_err hal_image_get(const char *name, const void **data, size_t *size)
{
	for (unsigned i = 0; i < fz.image_count; i++) {
		if (strcmp(fz.images[i].name, name) == 0) {
			*data = fz.images[i].data;
			*size = fz.images[i].size;
			return HV_OK;
		}
	}
	if (fz.any_image) {
		bool linux = strstr(name, "Image") || strstr(name, "vmlinu");
		*data = linux ? linux_image : default_image;
		*size = linux ? sizeof(linux_image) : sizeof(default_image);
		return HV_OK;
	}
	return HV_ERR_NOENT;
}

bool hal_device_assignable(paddr_t pa, uint64_t size)
{
	return !hv_ranges_overlap(fz.ram_base, fz.ram_size, pa_addr(pa), size);
}

void hal_irq_route(uint32_t intid, unsigned cpu, bool on)
{
	if (intid < GIC_SPI_FIRST || intid >= FUZZ_MAX_INTID || cpu >= 64)
		hal_panic("hal_irq_route: not an SPI of this machine");
	fz.m.irq_routes++;
	if (on && fz.m.irq_cpu[intid] == 0)
		fz.m.irqs_routed++;
	if (!on && fz.m.irq_cpu[intid] != 0)
		fz.m.irqs_routed--;
	fz.m.irq_cpu[intid] = on ? (uint8_t)(cpu + 1) : 0;
}

void hal_panic(const char *msg)
{
	fprintf(stderr, "hal_panic: %s\n", msg);
	abort();
}

/* ---- HAL contract: memory ------------------------------------------------ */

static void mark_dirty(uint64_t off, uint64_t size)
{
	uint64_t first = off >> HV_PAGE_SHIFT;
	uint64_t last = (off + (size ? size : 1) - 1) >> HV_PAGE_SHIFT;

	for (uint64_t p = first; p <= last; p++)
		fz.dirty[p / 64] |= UINT64_C(1) << (p % 64);
}

void *hal_phys_map(paddr_t pa, uint64_t size)
{
	/* Every stage-2 descriptor the core reads or frees comes through
	 * here: the page pool (inside RAM, hal_platform_init checked) first,
	 * in two compares. ram_size and pool_size are 0 until the platform
	 * is set up. */
	uint64_t poff = pa_addr(pa) - fz.pool_base;
	if (poff < fz.pool_size && size <= fz.pool_size - poff) {
		uint64_t first = poff >> HV_PAGE_SHIFT;
		uint64_t last = (poff + (size ? size : 1) - 1) >> HV_PAGE_SHIFT;
		if (last >= FUZZ_POOL_TRACK)
			fz.pool_touch_all = true;
		for (uint64_t p = first; p <= last && p < FUZZ_POOL_TRACK; p++)
			fz.pool_touched[p / 64] |= UINT64_C(1) << (p % 64);
		return fz.ram + fz.pool_off + poff;
	}

	uint64_t off = pa_addr(pa) - fz.ram_base;
	if (off >= fz.ram_size || size > fz.ram_size - off)
		return NULL;
	mark_dirty(off, size);
	return fz.ram + off;
}

uint8_t *fuzz_hal_pool_page(uint64_t index)
{
	if (index >= fz.pool_size >> HV_PAGE_SHIFT)
		return NULL;
	return fz.ram + fz.pool_off + (index << HV_PAGE_SHIFT);
}

bool fuzz_hal_pool_touched(uint64_t index)
{
	return fz.pool_touch_all || index >= FUZZ_POOL_TRACK ||
	       ((fz.pool_touched[index / 64] >> (index % 64)) & 1u) != 0;
}

void fuzz_hal_pool_untouch(void)
{
	memset(fz.pool_touched, 0, sizeof(fz.pool_touched));
	fz.pool_touch_all = false;
}

/* Zeroes the pages of the range that may hold something; pages never
 * mapped since they were last scrubbed are zero already. */
void hal_mem_scrub(paddr_t pa, uint64_t size)
{
	uint64_t off = pa_addr(pa) - fz.ram_base;

	if (off >= fz.ram_size || size > fz.ram_size - off)
		hal_panic("hal_mem_scrub: outside RAM");
	fz.scrubs++;
	if (size == 0)
		return;
	if (!hv_is_aligned(off | size, HV_PAGE_SIZE)) {
		memset(fz.ram + off, 0, (size_t)size);
		return;
	}
	for (uint64_t pg = off >> HV_PAGE_SHIFT,
		      end = (off + size) >> HV_PAGE_SHIFT;
	     pg < end; pg++) {
		uint64_t *w = &fz.dirty[pg / 64];
		if (*w == 0 && pg % 64 == 0 && end - pg >= 64) {
			pg += 63;
			continue;
		}
		if (*w & (UINT64_C(1) << (pg % 64))) {
			memset(fz.ram + (pg << HV_PAGE_SHIFT), 0, HV_PAGE_SIZE);
			*w &= ~(UINT64_C(1) << (pg % 64));
		}
	}
}

void hal_dcache_clean(paddr_t pa, uint64_t size)
{
	if (hal_phys_map(pa, size) == NULL)
		hal_panic("hal_dcache_clean: outside RAM");
}

void hal_mem_pool(paddr_t *base, uint64_t *size)
{
	*base = pa_init(fz.pool_base);
	*size = fz.pool_size;
}

void hal_tlb_flush_vmid(uint16_t vmid)
{
	(void)vmid;
	fz.m.tlb_flushes++;
}

void hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size)
{
	(void)vmid;
	(void)ipa;
	(void)size;
	fz.m.tlb_flushes++;
}

/* ---- HAL contract: vCPUs -------------------------------------------------- */

enum hv_err hal_vcpu_create(struct hv_vcpu *vcpu)
{
	for (unsigned i = 0; i < FUZZ_MAX_VCPUS; i++) {
		struct fuzz_vcpu *fv = &fz.m.slots[i];
		if (fv->vcpu != NULL)
			continue;
		memset(fv, 0, sizeof(*fv));
		fv->vcpu = vcpu;
		vcpuif_reset(&fv->cpuif, fz.m.lr_count);
		for (unsigned k = 0; k < FUZZ_TIMERS; k++)
			vtimer_reset(&fv->timer[k]);
		/* A new cell's virtual counter starts at 0 on its first reset. */
		if (vcpu->id == 0)
			fz.m.cntvoff_set[cell_index(fv)] = false;
		vcpu->hal = fv;
		fz.m.live++;
		if (i + 1 > fz.m.hwm)
			fz.m.hwm = i + 1;
		return HV_OK;
	}
	return HV_ERR_NOMEM;
}

void hal_vcpu_destroy(struct hv_vcpu *vcpu)
{
	struct fuzz_vcpu *fv = vcpu->hal;

	if (fv == NULL)
		return;
	if (fz.m.cur == fv)
		fz.m.cur = NULL;
	fv->vcpu = NULL;
	fz.m.live--;
	vcpu->hal = NULL;
}

void hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0)
{
	struct fuzz_vcpu *fv = vcpu->hal;
	struct vcpuif keep = fv->cpuif;

	memset(fv->regs, 0, sizeof(fv->regs));
	fv->regs[HV_REG_PC] = ipa_addr(entry);
	fv->regs[HV_REG_X0] = x0;
	fv->regs[HV_REG_PSTATE] = FUZZ_PSTATE_RESET;
	fv->resets++;
	fz.m.cur = fv;
	if (!fz.m.cntvoff_set[cell_index(fv)]) {
		fz.m.cntvoff[cell_index(fv)] = fz.m.now;
		fz.m.cntvoff_set[cell_index(fv)] = true;
	}
	/* Timers reset disabled, the pCPU's timer PPIs inactive. */
	for (unsigned k = 0; k < FUZZ_TIMERS; k++)
		vtimer_reset(&fv->timer[k]);
	fv->hw_active = 0;
	/* The guest's view of the CPU interface resets; the LRs and
	 * ICH_HCR_EL2 are the hypervisor's and stay. */
	vcpuif_reset(&fv->cpuif, keep.lr_count);
	memcpy(fv->cpuif.lr, keep.lr, sizeof(keep.lr));
	fv->cpuif.hcr = keep.hcr;
}

void hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct fuzz_vcpu *fv = vcpu->hal;

	memset(exit, 0, sizeof(*exit));
	fz.m.cur = fv;
	if (phys_irq(fv, exit, true))
		return;
	if (fz.script.guest != NULL) {
		fuzz_guest_fn fn = fz.script.guest;
		fz.script.guest = NULL;
		fn(fv, fz.script.arg);
		if (phys_irq(fv, exit, false))
			return;
	}
	if (fz.script.have_exit) {
		*exit = fz.script.exit;
		fz.script.have_exit = false;
		return;
	}
	exit->kind = HV_EXIT_BUDGET;
}

uint64_t hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg)
{
	struct fuzz_vcpu *fv = vcpu->hal;

	if (fv == NULL || (unsigned)reg >= HV_REG_COUNT)
		hal_panic("hal_vcpu_reg_read: bad vCPU or register");
	return fv->regs[reg];
}

void hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg, uint64_t val)
{
	struct fuzz_vcpu *fv = vcpu->hal;

	if (fv == NULL || (unsigned)reg >= HV_REG_COUNT)
		hal_panic("hal_vcpu_reg_write: bad vCPU or register");
	fv->regs[reg] = val;
}

/* Idles like the simulator: sleeps to the vCPU's next timer deadline (the
 * clock jumps there) and takes that PPI; a budget exit when none is set. */
void hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct fuzz_vcpu *fv;
	uint64_t t = UINT64_MAX;
	uint32_t intid;

	memset(exit, 0, sizeof(*exit));
	exit->kind = HV_EXIT_BUDGET;
	if (vcpu == NULL || (fv = vcpu->hal) == NULL)
		return;
	fz.m.cur = fv;
	for (unsigned k = 0; k < FUZZ_TIMERS; k++) {
		uint64_t d = timer_fire_time(fv, k);
		if (d < t)
			t = d;
	}
	if (t == UINT64_MAX)
		return;
	if (t > fz.m.now)
		fz.m.now = t;
	if (timer_take(fv, &intid)) {
		exit->kind = HV_EXIT_IRQ;
		exit->intid = intid;
	}
}

void hal_cpu_kick(unsigned pcpu)
{
	if (pcpu < 64)
		fz.m.kicks |= UINT64_C(1) << pcpu;
}

uint64_t hal_vcpu_insn_count(struct hv_vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

/* ---- HAL contract: list registers ---------------------------------------- */

unsigned hal_vgic_lr_count(void)
{
	return fz.m.lr_count;
}

uint64_t hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n)
{
	struct fuzz_vcpu *fv = vcpu->hal;

	if (fv == NULL || n >= fv->cpuif.lr_count)
		hal_panic("hal_vgic_lr_read: no such list register");
	return fv->cpuif.lr[n];
}

void hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	struct fuzz_vcpu *fv = vcpu->hal;

	if (fv == NULL || n >= fv->cpuif.lr_count)
		hal_panic("hal_vgic_lr_write: no such list register");
	fv->cpuif.lr[n] = val;
}

void hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on)
{
	struct fuzz_vcpu *fv = vcpu->hal;

	if (fv == NULL)
		hal_panic("hal_vgic_set_underflow: no vCPU");
	if (on)
		fv->cpuif.hcr |= ICH_HCR_EL2_UIE;
	else
		fv->cpuif.hcr &= ~ICH_HCR_EL2_UIE;
}

void hal_vgic_hw_deactivate(uint32_t pintid)
{
	/* PPIs are per pCPU: the one the core is acting on (as the
	 * simulator). There are no physical SPIs to deactivate. */
	if (fz.m.cur != NULL && pintid < GIC_SPI_FIRST)
		phys_deactivate(fz.m.cur, pintid);
}

/* The fuzz HAL records nothing (hal/platform.h). */
bool hal_trace_snapshot(void)
{
	return false;
}
