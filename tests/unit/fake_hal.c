/* SPDX-License-Identifier: MIT */
/* The unit-test HAL: see fake_hal.h. Host code, so it may use libc. */
#include "fake_hal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>

#define FAKE_MAX_IMAGES 16
#define FAKE_MAX_EXITS 256
#define FAKE_CONSOLE_MAX (64 * 1024)

struct fake_image {
	const char *name;
	const void *data;
	size_t size;
};

struct fake_vcpu_regs {
	uint64_t regs[HV_REG_COUNT];
	uint64_t resets;
};

struct fake_state {
	uint8_t *ram;
	uint64_t ram_base, ram_size;
	uint64_t pool_base, pool_size;
	unsigned pa_bits;
	unsigned tlb_flushes;
	char console[FAKE_CONSOLE_MAX];
	size_t console_len;
	struct fake_image images[FAKE_MAX_IMAGES];
	unsigned image_count;
	struct hv_exit exits[FAKE_MAX_EXITS];
	unsigned exit_head, exit_count;
	uint64_t kicks;		     /* bit n: hal_cpu_kick(n) was called */
	bool devices_refused;	     /* hal_device_assignable answers false */
	int irq_cpu[FAKE_MAX_INTID]; /* -1: SPI off, else its CPU */
};

static struct fake_state fake = {.pa_bits = 40};

/* (Re)allocates RAM only; images, console and queued exits stay. */
static void fake_ram(uint64_t ram_base, uint64_t ram_size, uint64_t pool_base,
		     uint64_t pool_size)
{
	free(fake.ram);
	fake.ram = calloc(1, (size_t)ram_size);
	if (fake.ram == NULL) {
		fprintf(stderr, "fake_hal: cannot allocate %llu bytes\n",
			(unsigned long long)ram_size);
		abort();
	}
	fake.ram_base = ram_base;
	fake.ram_size = ram_size;
	fake.pool_base = pool_base;
	fake.pool_size = pool_size;
}

void fake_hal_setup(uint64_t ram_base, uint64_t ram_size, uint64_t pool_base,
		    uint64_t pool_size)
{
	fake_hal_teardown();
	fake_ram(ram_base, ram_size, pool_base, pool_size);
}

void fake_hal_teardown(void)
{
	free(fake.ram);
	memset(&fake, 0, sizeof(fake));
	fake.pa_bits = 40;
	for (unsigned i = 0; i < FAKE_MAX_INTID; i++)
		fake.irq_cpu[i] = -1;
}

const char *fake_hal_console(void)
{
	fake.console[fake.console_len] = '\0';
	return fake.console;
}

void fake_hal_console_clear(void)
{
	fake.console_len = 0;
	fake.console[0] = '\0';
}

void fake_hal_add_image(const char *name, const void *data, size_t size)
{
	if (fake.image_count == FAKE_MAX_IMAGES)
		abort();
	fake.images[fake.image_count++] = (struct fake_image){.name = name,
							      .data = data,
							      .size = size};
}

void fake_hal_remove_images(void)
{
	fake.image_count = 0;
}

void fake_hal_push_exit(const struct hv_exit *exit)
{
	if (fake.exit_count == FAKE_MAX_EXITS)
		abort();
	fake.exits[(fake.exit_head + fake.exit_count) % FAKE_MAX_EXITS] = *exit;
	fake.exit_count++;
}

unsigned fake_hal_tlb_flushes(void)
{
	return fake.tlb_flushes;
}

void fake_hal_set_pa_bits(unsigned bits)
{
	fake.pa_bits = bits;
}

void fake_vcpu_init(struct hv_vcpu *vcpu)
{
	memset(vcpu, 0, sizeof(*vcpu));
	if (hal_vcpu_create(vcpu) != HV_OK)
		abort();
}

void fake_vcpu_free(struct hv_vcpu *vcpu)
{
	hal_vcpu_destroy(vcpu);
}

uint64_t fake_vcpu_reset_count(const struct hv_vcpu *vcpu)
{
	const struct fake_vcpu_regs *r = vcpu->hal;
	return r ? r->resets : 0;
}

/* ---- HAL contract -------------------------------------------------------- */

enum hv_err hal_platform_init(const struct hv_platform_config *p)
{
	fake_ram(pa_addr(p->ram_base), p->ram_size, pa_addr(p->hv_base),
		 p->hv_size);
	return HV_OK;
}

unsigned hal_cpu_pa_bits(void)
{
	return fake.pa_bits;
}

bool hal_trace_snapshot(void)
{
	return false;
}

bool hal_device_assignable(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);
	return !fake.devices_refused &&
	       !hv_ranges_overlap(fake.ram_base, fake.ram_size, a, size);
}

void hal_irq_route(uint32_t intid, unsigned cpu, bool on)
{
	if (intid < FAKE_MAX_INTID)
		fake.irq_cpu[intid] = on ? (int)cpu : -1;
}

int fake_hal_irq_cpu(uint32_t intid)
{
	return intid < FAKE_MAX_INTID ? fake.irq_cpu[intid] : -1;
}

void fake_hal_refuse_devices(bool refuse)
{
	fake.devices_refused = refuse;
}

void hal_console_write(const char *s, size_t len)
{
	size_t room = FAKE_CONSOLE_MAX - 1 - fake.console_len;
	if (len > room)
		len = room;
	memcpy(fake.console + fake.console_len, s, len);
	fake.console_len += len;
	fake.console[fake.console_len] = '\0';
}

enum hv_err hal_image_get(const char *name, const void **data, size_t *size)
{
	for (unsigned i = 0; i < fake.image_count; i++) {
		if (strcmp(fake.images[i].name, name) == 0) {
			*data = fake.images[i].data;
			*size = fake.images[i].size;
			return HV_OK;
		}
	}
	return HV_ERR_NOENT;
}

void hal_panic(const char *msg)
{
	fprintf(stderr, "hal_panic: %s\n", msg);
	abort();
}

void *hal_phys_map(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);
	if (fake.ram == NULL ||
	    !hv_range_contains(fake.ram_base, fake.ram_size, a, size))
		return NULL;
	return fake.ram + (a - fake.ram_base);
}

void hal_mem_scrub(paddr_t pa, uint64_t size)
{
	void *p = hal_phys_map(pa, size);
	if (p == NULL)
		hal_panic("scrub outside RAM");
	memset(p, 0, (size_t)size);
}

void hal_dcache_clean(paddr_t pa, uint64_t size)
{
	if (hal_phys_map(pa, size) == NULL)
		hal_panic("cache clean outside RAM");
}

void hal_mem_pool(paddr_t *base, uint64_t *size)
{
	*base = pa_init(fake.pool_base);
	*size = fake.pool_size;
}

void hal_tlb_flush_vmid(uint16_t vmid)
{
	(void)vmid;
	fake.tlb_flushes++;
}

void hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size)
{
	(void)vmid;
	(void)ipa;
	(void)size;
	fake.tlb_flushes++;
}

enum hv_err hal_vcpu_create(struct hv_vcpu *vcpu)
{
	vcpu->hal = calloc(1, sizeof(struct fake_vcpu_regs));
	return vcpu->hal ? HV_OK : HV_ERR_NOMEM;
}

void hal_vcpu_destroy(struct hv_vcpu *vcpu)
{
	free(vcpu->hal);
	vcpu->hal = NULL;
}

void hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0)
{
	struct fake_vcpu_regs *r = vcpu->hal;
	uint64_t resets = r->resets;
	memset(r, 0, sizeof(*r));
	r->resets = resets + 1;
	r->regs[HV_REG_PC] = ipa_addr(entry);
	r->regs[HV_REG_X0] = x0;
	r->regs[HV_REG_PSTATE] = 0x3c5; /* EL1h, DAIF masked */
}

void hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	(void)vcpu;
	if (fake.exit_count == 0) {
		*exit = (struct hv_exit){.kind = HV_EXIT_BUDGET};
		return;
	}
	*exit = fake.exits[fake.exit_head];
	fake.exit_head = (fake.exit_head + 1) % FAKE_MAX_EXITS;
	fake.exit_count--;
}

uint64_t hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg)
{
	struct fake_vcpu_regs *r = vcpu->hal;
	if ((unsigned)reg >= HV_REG_COUNT)
		hal_panic("bad register");
	return r->regs[reg];
}

void hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg, uint64_t val)
{
	struct fake_vcpu_regs *r = vcpu->hal;
	if ((unsigned)reg >= HV_REG_COUNT)
		hal_panic("bad register");
	r->regs[reg] = val;
}

void hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	/* Scripted like hal_vcpu_run: the next queued exit, else "nothing". */
	hal_vcpu_run(vcpu, exit);
}

void hal_cpu_kick(unsigned pcpu)
{
	if (pcpu < 64)
		fake.kicks |= UINT64_C(1) << pcpu;
}

uint64_t fake_hal_kicks_take(void)
{
	uint64_t k = fake.kicks;
	fake.kicks = 0;
	return k;
}

uint64_t hal_vcpu_insn_count(struct hv_vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}
