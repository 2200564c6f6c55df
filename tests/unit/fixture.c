/* SPDX-License-Identifier: MIT */
#include "fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/vcpu.h>
#include <hv/arm64/esr.h>
#include <hv/pledge.h>

#include "fake_hal.h"

static struct hv fixture_hv;
static uint8_t image[FIX_IMAGE_SIZE];

const uint8_t *fixture_image(void)
{
	return image;
}

void fixture_config(struct hv_config *cfg, unsigned cells)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->platform.cpu_count = 4;
	cfg->platform.ram_base = pa_init(FIX_RAM_BASE);
	cfg->platform.ram_size = FIX_RAM_SIZE;
	cfg->platform.hv_base = pa_init(FIX_RAM_BASE);
	cfg->platform.hv_size = FIX_HV_SIZE;
	cfg->platform.uart_base = pa_init(0x09000000);
	cfg->platform.ipa_bits = 40;
	cfg->cell_count = cells;
	for (unsigned i = 0; i < cells; i++) {
		struct hv_cell_config *c = &cfg->cells[i];
		snprintf(c->name, sizeof(c->name), "cell%u", i);
		c->cpu_count = 1;
		c->cpus[0] = i;
		c->region_count = 1;
		c->regions[0] = (struct hv_mem_region){
			.ipa = ipa_init(FIX_RAM_IPA),
			.pa = pa_init(FIX_CELL_PA(i)),
			.size = FIX_CELL_RAM,
			.flags = HV_MEM_RWX,
		};
		strcpy(c->image, "guest.bin");
		c->image_load = ipa_init(FIX_RAM_IPA);
		c->entry = ipa_init(FIX_RAM_IPA);
		c->has_console = true;
		c->console_ipa = ipa_init(FIX_UART_IPA);
		c->fault_policy = HV_FAULT_TERMINATE;
		c->caps = HV_CAP_ALL;
	}
}

struct hv *fixture_boot_config(const struct hv_config *cfg)
{
	struct hv_config_error err;

	for (unsigned i = 0; i < FIX_IMAGE_SIZE; i++)
		image[i] = (uint8_t)(0xa0 + i);
	/* Images a test registered beforehand (a kernel, say) stay. */
	fake_hal_add_image("guest.bin", image, sizeof(image));
	enum hv_err e = hv_init_config(&fixture_hv, cfg, &err);
	ck_assert_msg(e == HV_OK, "hv_init_config: %s: %s", hv_err_str(e),
		      err.msg);
	e = hv_start(&fixture_hv, &err);
	ck_assert_msg(e == HV_OK, "hv_start: %s: %s", hv_err_str(e), err.msg);
	fixture_settle(&fixture_hv);
	return &fixture_hv;
}

void fixture_settle(struct hv *hv)
{
	/* Starts are completed by each vCPU's own pCPU: run each pCPU whose
	 * vCPU is ON_PENDING once (the fake HAL's run is a no-op budget exit
	 * when no exit is queued). */
	for (unsigned p = 0; p < HV_MAX_CPUS; p++) {
		struct hv_vcpu *v = hv->pcpu_vcpu[p];
		if (v != NULL && v->state == HV_VCPU_ON_PENDING)
			(void)hv_pcpu_run(hv, p);
	}
}

struct hv *fixture_boot(unsigned cells)
{
	struct hv_config cfg;
	fixture_config(&cfg, cells);
	return fixture_boot_config(&cfg);
}

void fixture_teardown(void)
{
	hv_shutdown(&fixture_hv);
	fake_hal_teardown();
}

struct hv_exit fixture_hvc(uint16_t imm)
{
	return (struct hv_exit){.kind = HV_EXIT_SYNC,
				.esr = ESR_EL2_MAKE(ESR_EC_HVC64, 1, imm)};
}

struct hv_exit fixture_smc(uint16_t imm)
{
	return (struct hv_exit){.kind = HV_EXIT_SYNC,
				.esr = ESR_EL2_MAKE(ESR_EC_SMC64, 1, imm)};
}

struct hv_exit fixture_dabt(uint64_t ipa, uint32_t iss)
{
	return (struct hv_exit){.kind = HV_EXIT_SYNC,
				.esr = ESR_EL2_MAKE(ESR_EC_DABT_LOW, 1, iss),
				.far = ipa,
				.hpfar = HPFAR_EL2_FROM_IPA(ipa)};
}

uint64_t fx_reg(struct hv_vcpu *v, enum hv_reg r)
{
	return hal_vcpu_reg_read(v, r);
}

void fx_set(struct hv_vcpu *v, enum hv_reg r, uint64_t val)
{
	hal_vcpu_reg_write(v, r, val);
}
