/* SPDX-License-Identifier: MIT */
/* Passthrough devices (passthrough.c): stage-2 mapping, SPI routing,
 * pledges, cell end and restart, and the isolation invariant. */
#include <check.h>
#include <string.h>

#include <hv/arm64/esr.h>
#include <hv/hv.h>
#include <hv/isolation.h>
#include <hv/passthrough.h>
#include <hv/pledge.h>
#include <hv/psci.h>
#include <hv/smccc.h>
#include <hv/vgic.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fake_vgic.h"
#include "fixture.h"

#define DISK_PA UINT64_C(0x0a003e00)
#define DISK_PAGE UINT64_C(0x0a003000)
#define DISK_SPI 79u
#define NIC_PA UINT64_C(0x0a002000)
#define NIC_SPI 78u

static struct hv *hv;

static void device(struct hv_cell_config *c, const char *name, uint64_t pa,
		   uint32_t spi, uint32_t cap)
{
	struct hv_device_config *d = &c->devices[c->device_count++];
	strcpy(d->name, name);
	strcpy(d->compatible, "virtio,mmio");
	d->pa = pa_init(pa);
	d->size = 0x200;
	d->irq_count = 1;
	d->irqs[0] = spi;
	d->cap = cap;
}

/* cell0 (pCPU 0) holds a block device, cell1 (pCPU 1) a network one. */
static void config(struct hv_config *cfg)
{
	fixture_config(cfg, 2);
	for (unsigned i = 0; i < 2; i++) {
		cfg->cells[i].has_gic = true;
		cfg->cells[i].gicd_ipa = ipa_init(0x08000000);
		cfg->cells[i].gicr_ipa = ipa_init(0x080a0000);
	}
	device(&cfg->cells[0], "disk", DISK_PA, DISK_SPI, HV_CAP_BLOCK);
	device(&cfg->cells[1], "nic", NIC_PA, NIC_SPI, HV_CAP_NET);
}

static void setup(void)
{
	struct hv_config cfg;
	config(&cfg);
	fake_vgic_reset();
	hv = fixture_boot_config(&cfg);
}

static void teardown(void)
{
	fixture_teardown();
}

static struct hv_vcpu *vc(unsigned cell)
{
	return &hv->cells[cell].vcpus[0];
}

static int64_t pledge_keep(unsigned cell, uint64_t keep)
{
	fx_set(vc(cell), HV_REG_X0, HV_PLEDGE_KEEP);
	fx_set(vc(cell), HV_REG_X0 + 1, keep);
	struct hv_exit e = fixture_hvc(HV_PLEDGE_HVC_IMM);
	ck_assert_int_eq(hv_exit_handle(vc(cell), &e), HV_ACTION_RESUME);
	return (int64_t)fx_reg(vc(cell), HV_REG_X0);
}

static void isolated(void)
{
	char why[160];
	ck_assert_msg(isolation_check(hv, why, sizeof(why)) == HV_OK, "%s",
		      why);
}

START_TEST(registers_mapped_as_device_memory)
{
	/* The device's page is in its cell's stage-2 at its physical address,
	 * Device-nGnRE, read-write, never executable; the other cell cannot
	 * reach it. */
	struct stage2_walk w;
	ck_assert(stage2_walk(&hv->cells[0].s2, ipa_init(DISK_PA + 0x70), &w));
	ck_assert_uint_eq(pa_addr(w.pa), DISK_PA + 0x70);
	ck_assert_uint_eq(w.flags & (S2_RWX | S2_DEVICE),
			  S2_READ | S2_WRITE | S2_DEVICE);
	ck_assert(stage2_walk(&hv->cells[0].s2, ipa_init(DISK_PAGE), &w));
	ck_assert(!stage2_walk(&hv->cells[0].s2, ipa_init(DISK_PAGE + 0x1000),
			       &w));
	ck_assert(!stage2_walk(&hv->cells[1].s2, ipa_init(DISK_PA), &w));
	ck_assert(stage2_walk(&hv->cells[1].s2, ipa_init(NIC_PA), &w));
	/* The hypervisor never hands out device pages as buffers. */
	ck_assert_ptr_null(
		cell_guest_ptr(&hv->cells[0], ipa_init(DISK_PA), 4, S2_READ));
	isolated();
}
END_TEST

START_TEST(spis_routed_to_the_owner)
{
	/* Each SPI goes to the pCPU of its cell's vCPU 0, linked in that
	 * cell's vGIC; a physical interrupt becomes the cell's virtual one. */
	ck_assert_int_eq(fake_hal_irq_cpu(DISK_SPI), 0);
	ck_assert_int_eq(fake_hal_irq_cpu(NIC_SPI), 1);
	ck_assert_uint_eq(hv->irqs_routed, 2);
	const struct vgic_irq *irq = vgic_irq_peek(&hv->cells[0].vgic, 0,
						   DISK_SPI);
	ck_assert(irq->flags & VGIC_IRQ_HW);
	ck_assert_uint_eq(irq->hw_intid, DISK_SPI);
	ck_assert(!(vgic_irq_peek(&hv->cells[1].vgic, 0, DISK_SPI)->flags &
		    VGIC_IRQ_HW));
	ck_assert_int_eq(exit_irq(vc(0), DISK_SPI), HV_ACTION_RESUME);
	ck_assert(vgic_irq_peek(&hv->cells[0].vgic, 0, DISK_SPI)->flags &
		  VGIC_IRQ_LATCH);
	ck_assert(!(vgic_irq_peek(&hv->cells[1].vgic, 0, DISK_SPI)->flags &
		    VGIC_IRQ_LATCH));
}
END_TEST

START_TEST(pledge_takes_the_device_away)
{
	/* Dropping "block" unroutes the SPI and unmaps the page before the
	 * call returns; the next access terminates the cell naming the
	 * class. The other cell keeps its device. */
	struct stage2_walk w;
	unsigned flushes = fake_hal_tlb_flushes();
	ck_assert_int_eq(pledge_keep(0, HV_CAP_ALL & ~HV_CAP_BLOCK), 0);
	ck_assert_int_eq(fake_hal_irq_cpu(DISK_SPI), -1);
	ck_assert_uint_eq(hv->irqs_routed, 1);
	ck_assert(!stage2_walk(&hv->cells[0].s2, ipa_init(DISK_PA), &w));
	ck_assert_uint_gt(fake_hal_tlb_flushes(), flushes);
	ck_assert_int_eq(fake_hal_irq_cpu(NIC_SPI), 1);
	isolated();
	/* Dropping an unrelated class changes nothing for the device. */
	ck_assert_int_eq(pledge_keep(1, HV_CAP_ALL & ~HV_CAP_BLOCK), 0);
	ck_assert(stage2_walk(&hv->cells[1].s2, ipa_init(NIC_PA), &w));

	fake_hal_console_clear();
	struct hv_exit e = fixture_dabt(DISK_PA + 0x70,
					ESR_ISS_DABT_ISV |
						(2u << ESR_ISS_DABT_SAS_SHIFT) |
						ESR_FSC_TRANS_L(3));
	ck_assert_int_eq(hv_exit_handle(vc(0), &e), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_TERMINATED);
	ck_assert_ptr_nonnull(strstr(hv->cells[0].reason, "block"));
	ck_assert_int_eq(hv->cells[1].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(cell_end_and_restart_balance)
{
	/* An ended cell takes no interrupts; a restart maps and routes again;
	 * counters return to where they were. */
	uint64_t used0 = hv->pool.used_count;
	fx_set(vc(0), HV_REG_X0, PSCI_SYSTEM_OFF);
	struct hv_exit e = fixture_hvc(0);
	ck_assert_int_eq(hv_exit_handle(vc(0), &e), HV_ACTION_STOP);
	ck_assert_int_eq(fake_hal_irq_cpu(DISK_SPI), -1);
	ck_assert_uint_eq(hv->irqs_routed, 1);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(cell_start(&hv->cells[0]), HV_OK);
		fixture_settle(hv);
		ck_assert_int_eq(fake_hal_irq_cpu(DISK_SPI), 0);
		ck_assert_uint_eq(hv->irqs_routed, 2);
		isolated();
	}
	ck_assert_uint_eq(hv->pool.used_count, used0);
	/* A pledged-away device comes back with a restart. */
	ck_assert_int_eq(pledge_keep(0, 0), 0);
	ck_assert_int_eq(fake_hal_irq_cpu(DISK_SPI), -1);
	ck_assert_int_eq(cell_start(&hv->cells[0]), HV_OK);
	struct stage2_walk w;
	ck_assert(stage2_walk(&hv->cells[0].s2, ipa_init(DISK_PA), &w));
	ck_assert_int_eq(fake_hal_irq_cpu(DISK_SPI), 0);
	hv_shutdown(hv);
	ck_assert_uint_eq(hv->irqs_routed, 0);
	ck_assert_int_eq(fake_hal_irq_cpu(NIC_SPI), -1);
}
END_TEST

START_TEST(refused_by_the_platform)
{
	/* A HAL without such a device (the simulator) refuses the config
	 * as a whole and nothing is left behind. */
	fixture_teardown();
	struct hv_config cfg;
	config(&cfg);
	fake_hal_setup(FIX_RAM_BASE, FIX_RAM_SIZE, FIX_RAM_BASE, FIX_HV_SIZE);
	fake_hal_add_image("guest.bin", fixture_image(), FIX_IMAGE_SIZE);
	fake_hal_refuse_devices(true);
	static struct hv h;
	struct hv_config_error err;
	ck_assert_int_eq(hv_init_config(&h, &cfg, &err), HV_ERR_DENIED);
	ck_assert_ptr_nonnull(strstr(err.msg, "passthrough"));
	ck_assert_uint_eq(h.cell_count, 0);
	ck_assert_int_eq(fake_hal_irq_cpu(DISK_SPI), -1);
	fake_hal_teardown();
}
END_TEST

START_TEST(forfeited_names_the_class)
{
	ck_assert_ptr_null(pledge_forfeited(&hv->cells[0], ipa_init(DISK_PA)));
	ck_assert_int_eq(pledge_keep(0, HV_CAP_CONSOLE), 0);
	ck_assert_str_eq(pledge_forfeited(&hv->cells[0], ipa_init(DISK_PA)),
			 "block");
	ck_assert_ptr_null(passthrough_find(&hv->cells[0], NIC_PA));
	ck_assert_ptr_nonnull(passthrough_find(&hv->cells[1], NIC_PA + 0xfff));
}
END_TEST

static Suite *passthrough_suite(void)
{
	Suite *s = suite_create("passthrough");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, registers_mapped_as_device_memory);
	tcase_add_test(tc, spis_routed_to_the_owner);
	tcase_add_test(tc, pledge_takes_the_device_away);
	tcase_add_test(tc, cell_end_and_restart_balance);
	tcase_add_test(tc, refused_by_the_platform);
	tcase_add_test(tc, forfeited_names_the_class);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(passthrough_suite());
}
