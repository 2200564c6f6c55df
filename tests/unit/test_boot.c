/* SPDX-License-Identifier: MIT */
/* Cell boot (boot.c): raw images and Linux kernels with a generated DT. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hv/boot.h>
#include <hv/hv.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fixture.h"

static uint8_t kernel[256 * 1024];
static uint8_t initrd[8192];

/* A minimal arm64 Image: header fields per booting.rst, LE, 4K pages. */
static void make_kernel(uint64_t image_size)
{
	memset(kernel, 0, sizeof(kernel));
	for (size_t i = 64; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7);
	uint64_t text_offset = 0, flags = 1u << 1; /* 4K pages */
	memcpy(kernel + 8, &text_offset, 8);
	memcpy(kernel + 16, &image_size, 8);
	memcpy(kernel + 24, &flags, 8);
	memcpy(kernel + 56, "ARM\x64", 4);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(0x5a ^ i);
}

static void linux_config(struct hv_config *cfg, bool with_initrd)
{
	fixture_config(cfg, 1);
	struct hv_cell_config *c = &cfg->cells[0];
	c->image[0] = '\0';
	strcpy(c->kernel, "Image");
	if (with_initrd)
		strcpy(c->initrd, "initrd.cpio");
	strcpy(c->bootargs, "console=ttyAMA0 quiet");
	c->has_gic = true;
	c->gicd_ipa = ipa_init(0x08000000);
	c->gicr_ipa = ipa_init(0x080a0000);
	c->regions[0].size = UINT64_C(0x1000000); /* 16 MiB */
}

static void *cell_ram(uint64_t ipa, uint64_t size)
{
	return hal_phys_map(pa_init(FIX_CELL_PA(0) + (ipa - FIX_RAM_IPA)),
			    size);
}

static void teardown(void)
{
	fixture_teardown();
}

START_TEST(linux_cell_boots_with_generated_dt)
{
	/* A Linux cell gets its kernel at the planned 2 MiB-aligned address,
	 * its initrd, and a valid DTB whose address is in X0 of vCPU 0,
	 * describing its memory, initrd and bootargs. */
	struct hv_config cfg;
	make_kernel(0x80000);
	linux_config(&cfg, true);
	fake_hal_teardown();
	fake_hal_add_image("Image", kernel, sizeof(kernel));
	fake_hal_add_image("initrd.cpio", initrd, sizeof(initrd));
	struct hv *hv = fixture_boot_config(&cfg);
	struct hv_vcpu *v = &hv->cells[0].vcpus[0];
	uint64_t pc = fx_reg(v, HV_REG_PC), x0 = fx_reg(v, HV_REG_X0);
	ck_assert_uint_eq(pc, FIX_RAM_IPA);
	ck_assert_int_eq(memcmp(cell_ram(pc, sizeof(kernel)), kernel,
				sizeof(kernel)),
			 0);
	const void *dtb = cell_ram(x0, BOOT_DTB_MAX);
	ck_assert_int_eq(fdt_check_header(dtb), 0);
	int chosen = fdt_path_offset(dtb, "/chosen");
	ck_assert_int_ge(chosen, 0);
	ck_assert_str_eq(fdt_getprop(dtb, chosen, "bootargs", NULL),
			 "console=ttyAMA0 quiet");
	const fdt64_t *start = fdt_getprop(dtb, chosen, "linux,initrd-start",
					   NULL);
	ck_assert_ptr_nonnull(start);
	uint64_t initrd_ipa = fdt64_ld(start);
	ck_assert_int_eq(memcmp(cell_ram(initrd_ipa, sizeof(initrd)), initrd,
				sizeof(initrd)),
			 0);
	ck_assert_int_ge(fdt_path_offset(dtb, "/cpus/cpu@0"), 0);
	ck_assert_ptr_nonnull(strstr(fake_hal_console(),
				     "cellvisor: cell 'cell0' started: vcpu 0 "
				     "on CPU 0, entry 0x40000000\n"));
}
END_TEST

START_TEST(linux_config_errors)
{
	/* Linux cells whose kernel is missing, is not an Image, or does not
	 * fit are refused before anything is built, naming the property. */
	static struct hv h;
	struct hv_config cfg;
	struct hv_config_error err;

	make_kernel(0x80000);
	linux_config(&cfg, true);
	fake_hal_teardown();
	fake_hal_add_image("Image", kernel, sizeof(kernel));
	ck_assert_int_eq(hv_init_config(&h, &cfg, &err), HV_ERR_NOENT);
	ck_assert_str_eq(err.msg,
			 "/cells/cell0: initrd: 'initrd.cpio' not found");

	fake_hal_teardown();
	memcpy(kernel + 56, "NOPE", 4);
	fake_hal_add_image("Image", kernel, sizeof(kernel));
	fake_hal_add_image("initrd.cpio", initrd, sizeof(initrd));
	ck_assert_int_ne(hv_init_config(&h, &cfg, &err), HV_OK);
	ck_assert_ptr_nonnull(
		strstr(err.msg,
		       "/cells/cell0: kernel: 'Image' is not an arm64 Image"));

	fake_hal_teardown();
	make_kernel(0x4000000); /* image_size 64 MiB > 16 MiB of RAM */
	fake_hal_add_image("Image", kernel, sizeof(kernel));
	fake_hal_add_image("initrd.cpio", initrd, sizeof(initrd));
	ck_assert_int_eq(hv_init_config(&h, &cfg, &err), HV_ERR_RANGE);
	ck_assert_ptr_nonnull(strstr(
		err.msg,
		"/cells/cell0: kernel: does not fit in the cell's memory"));
	ck_assert_uint_eq(h.cell_count, 0);
	fake_hal_teardown();
}
END_TEST

START_TEST(raw_image_boot)
{
	/* A raw image is copied to its load address and vCPU 0 starts at the
	 * entry with X0 = 0. */
	struct hv *hv = fixture_boot(1);
	struct hv_vcpu *v = &hv->cells[0].vcpus[0];
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), FIX_RAM_IPA);
	ck_assert_uint_eq(fx_reg(v, HV_REG_X0), 0);
	ck_assert_int_eq(memcmp(cell_ram(FIX_RAM_IPA, FIX_IMAGE_SIZE),
				fixture_image(), FIX_IMAGE_SIZE),
			 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("boot");
	TCase *tc = tcase_create("boot");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, linux_cell_boots_with_generated_dt);
	tcase_add_test(tc, linux_config_errors);
	tcase_add_test(tc, raw_image_boot);
	suite_add_tcase(s, tc);
	return check_run(s);
}
