/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for mmio.c: syndrome decoding, load-value extension, the
 * device bus and end-to-end emulation against a fake vCPU and a tiny
 * register-file device.
 */
#include <check.h>
#include <stdlib.h>

#include <hal/vcpu.h>
#include <hv/arm64/esr.h>
#include <hv/mmio.h>
#include <hv/vcpu.h>

#include "fake_hal.h"
#include "check_run.h"

/* Builds an ISV = 1 data-abort ISS; s = SAS (log2 bytes). */
static uint32_t iss_make(unsigned s, bool sse, unsigned srt, bool sf, bool ar,
			 bool wnr)
{
	uint32_t iss = ESR_ISS_DABT_ISV;

	iss |= (uint32_t)s << ESR_ISS_DABT_SAS_SHIFT;
	iss |= (uint32_t)srt << ESR_ISS_DABT_SRT_SHIFT;
	if (sse)
		iss |= ESR_ISS_DABT_SSE;
	if (sf)
		iss |= ESR_ISS_DABT_SF;
	if (ar)
		iss |= ESR_ISS_DABT_AR;
	if (wnr)
		iss |= ESR_ISS_DABT_WNR;
	return iss | ESR_FSC_TRANS_L(3);
}

/* --- decode ------------------------------------------------------------ */

/* SAS 0..3 decode to access sizes 1, 2, 4 and 8 bytes. */
START_TEST(test_decode_sizes)
{
	static const unsigned want[4] = {1, 2, 4, 8};
	struct mmio_access a;

	for (unsigned s = 0; s < 4; s++) {
		ck_assert_int_eq(mmio_decode(iss_make(s, false, 0, false, false,
						      false),
					     0, 0, &a),
				 HV_OK);
		ck_assert_uint_eq(a.size, want[s]);
	}
}
END_TEST

/* Each of SSE, SF, AR, WnR maps to its own field and SRT to reg, including
 * 31 (XZR). */
START_TEST(test_decode_fields)
{
	struct mmio_access a;

	ck_assert_int_eq(mmio_decode(iss_make(2, true, 31, true, true, true), 0,
				     0, &a),
			 HV_OK);
	ck_assert_uint_eq(a.reg, 31);
	ck_assert(a.sign_extend && a.sf && a.acq_rel && a.write);

	ck_assert_int_eq(mmio_decode(iss_make(2, false, 7, false, false, false),
				     0, 0, &a),
			 HV_OK);
	ck_assert_uint_eq(a.reg, 7);
	ck_assert(!a.sign_extend && !a.sf && !a.acq_rel && !a.write);

	ck_assert_int_eq(mmio_decode(iss_make(0, true, 0, false, false, false),
				     0, 0, &a),
			 HV_OK);
	ck_assert(a.sign_extend && !a.sf && !a.acq_rel && !a.write);
	ck_assert_int_eq(mmio_decode(iss_make(0, false, 0, true, false, false),
				     0, 0, &a),
			 HV_OK);
	ck_assert(!a.sign_extend && a.sf && !a.acq_rel && !a.write);
	ck_assert_int_eq(mmio_decode(iss_make(0, false, 0, false, true, false),
				     0, 0, &a),
			 HV_OK);
	ck_assert(!a.sign_extend && !a.sf && a.acq_rel && !a.write);
	ck_assert_int_eq(mmio_decode(iss_make(0, false, 0, false, false, true),
				     0, 0, &a),
			 HV_OK);
	ck_assert(!a.sign_extend && !a.sf && !a.acq_rel && a.write);
}
END_TEST

/* The IPA is HPFAR's page number with FAR's page offset; FAR's upper bits
 * (a guest VA) do not leak in. */
START_TEST(test_decode_ipa)
{
	struct mmio_access a;

	ck_assert_int_eq(mmio_decode(iss_make(2, false, 0, false, false, false),
				     UINT64_C(0xffff800012345018),
				     HPFAR_EL2_FROM_IPA(0x09000000), &a),
			 HV_OK);
	ck_assert_uint_eq(ipa_addr(a.ipa), 0x09000018);

	ck_assert_int_eq(mmio_decode(iss_make(2, false, 0, false, false, false),
				     0xfff, HPFAR_EL2_FROM_IPA(0x8000001000),
				     &a),
			 HV_OK);
	ck_assert_uint_eq(ipa_addr(a.ipa), UINT64_C(0x8000001fff));
}
END_TEST

/* ISV = 0 is refused with HV_ERR_INVAL and *out fully zeroed. */
START_TEST(test_decode_no_isv)
{
	struct mmio_access a;

	__builtin_memset(&a, 0xa5, sizeof(a));
	ck_assert_int_eq(mmio_decode(ESR_ISS_DABT_WNR | ESR_FSC_TRANS_L(3),
				     0x18, HPFAR_EL2_FROM_IPA(0x09000000), &a),
			 HV_ERR_INVAL);
	ck_assert_uint_eq(ipa_addr(a.ipa), 0);
	ck_assert_uint_eq(a.size, 0);
	ck_assert_uint_eq(a.reg, 0);
	ck_assert(!a.write && !a.sign_extend && !a.sf && !a.acq_rel);
}
END_TEST

/* --- load value -------------------------------------------------------- */

static uint64_t load(unsigned size, bool sse, bool sf, uint64_t raw)
{
	struct mmio_access a = {
		.size = size,
		.sign_extend = sse,
		.sf = sf,
	};

	return mmio_load_value(&a, raw);
}

/* Sign extension per SSE: 8/16-bit into W stops at bit 31, into X fills
 * all 64 bits; 32-bit into X (LDRSW) fills the upper half. */
START_TEST(test_load_sign_extend)
{
	ck_assert_uint_eq(load(1, true, false, 0x80), 0xffffff80u);
	ck_assert_uint_eq(load(1, true, true, 0x80),
			  UINT64_C(0xffffffffffffff80));
	ck_assert_uint_eq(load(1, true, true, 0x7f), 0x7f);
	ck_assert_uint_eq(load(2, true, false, 0x8001), 0xffff8001u);
	ck_assert_uint_eq(load(2, true, true, 0x8001),
			  UINT64_C(0xffffffffffff8001));
	ck_assert_uint_eq(load(2, true, true, 0x7001), 0x7001);
	ck_assert_uint_eq(load(4, true, true, 0x80000000),
			  UINT64_C(0xffffffff80000000));
	ck_assert_uint_eq(load(4, true, true, 0x7fffffff), 0x7fffffff);
}
END_TEST

/* Without SSE values zero-extend; W destinations keep only 32 bits and
 * stray bits above the access size are dropped. */
START_TEST(test_load_zero_extend)
{
	ck_assert_uint_eq(load(1, false, false, 0x80), 0x80);
	ck_assert_uint_eq(load(1, false, true, 0xff80), 0x80);
	ck_assert_uint_eq(load(2, false, true, 0x8001), 0x8001);
	ck_assert_uint_eq(load(4, false, false, 0x80000000), 0x80000000);
	ck_assert_uint_eq(load(8, false, true, UINT64_C(0x8000000000000001)),
			  UINT64_C(0x8000000000000001));
	ck_assert_uint_eq(load(8, false, false, UINT64_C(0x1234567890abcdef)),
			  0x90abcdef);
}
END_TEST

/* --- bus --------------------------------------------------------------- */

static bool dummy_read(void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	(void)dev;
	(void)offset;
	(void)size;
	(void)val;
	return true;
}

static bool dummy_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	(void)dev;
	(void)offset;
	(void)size;
	(void)val;
	return true;
}

static const struct mmio_ops dummy_ops = {dummy_read, dummy_write};

/* Added regions are found by any access wholly inside them, not by ones
 * that straddle an edge or fall outside. */
START_TEST(test_bus_add_find)
{
	struct mmio_bus bus = {0};
	int a, b;

	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x09000000), 0x1000,
				      &dummy_ops, &a),
			 HV_OK);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x0a000000), 0x200,
				      &dummy_ops, &b),
			 HV_OK);
	ck_assert_uint_eq(bus.region_count, 2);

	ck_assert_ptr_eq(mmio_bus_find(&bus, ipa_init(0x09000000), 4)->dev, &a);
	ck_assert_ptr_eq(mmio_bus_find(&bus, ipa_init(0x09000ffc), 4)->dev, &a);
	ck_assert_ptr_eq(mmio_bus_find(&bus, ipa_init(0x0a0001f8), 8)->dev, &b);
	ck_assert_ptr_null(mmio_bus_find(&bus, ipa_init(0x09000ffe), 4));
	ck_assert_ptr_null(mmio_bus_find(&bus, ipa_init(0x08fffffc), 8));
	ck_assert_ptr_null(mmio_bus_find(&bus, ipa_init(0x09001000), 1));
	ck_assert_ptr_null(mmio_bus_find(&bus, ipa_init(0x0a000200), 1));
	ck_assert_ptr_null(mmio_bus_find(&bus, ipa_init(0x09000000), 0));
}
END_TEST

/* Overlapping windows are refused (partial, containing and contained), and
 * touching ones are fine. */
START_TEST(test_bus_remove)
{
	/* Removing a window makes its addresses unowned, keeps the others,
	 * frees its slot, and removing it again is NOENT. */
	struct mmio_bus b = {0};
	ck_assert_int_eq(mmio_bus_add(&b, ipa_init(0x1000), 0x1000, &dummy_ops,
				      NULL),
			 HV_OK);
	ck_assert_int_eq(mmio_bus_add(&b, ipa_init(0x3000), 0x1000, &dummy_ops,
				      NULL),
			 HV_OK);
	ck_assert_int_eq(mmio_bus_remove(&b, ipa_init(0x1000)), HV_OK);
	ck_assert_ptr_null(mmio_bus_find(&b, ipa_init(0x1000), 4));
	ck_assert_ptr_nonnull(mmio_bus_find(&b, ipa_init(0x3000), 4));
	ck_assert_uint_eq(b.region_count, 1);
	ck_assert_int_eq(mmio_bus_remove(&b, ipa_init(0x1000)), HV_ERR_NOENT);
	ck_assert_int_eq(mmio_bus_add(&b, ipa_init(0x1000), 0x1000, &dummy_ops,
				      NULL),
			 HV_OK);
}
END_TEST

START_TEST(test_bus_overlap)
{
	struct mmio_bus bus = {0};

	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x1000), 0x1000,
				      &dummy_ops, NULL),
			 HV_OK);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x1fff), 0x10, &dummy_ops,
				      NULL),
			 HV_ERR_OVERLAP);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x0), 0x10000, &dummy_ops,
				      NULL),
			 HV_ERR_OVERLAP);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x1800), 0x4, &dummy_ops,
				      NULL),
			 HV_ERR_OVERLAP);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x800), 0x801, &dummy_ops,
				      NULL),
			 HV_ERR_OVERLAP);
	ck_assert_uint_eq(bus.region_count, 1);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x2000), 0x1000,
				      &dummy_ops, NULL),
			 HV_OK);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x0), 0x1000, &dummy_ops,
				      NULL),
			 HV_OK);
}
END_TEST

/* A full bus answers HV_ERR_NOMEM; malformed windows HV_ERR_INVAL. */
START_TEST(test_bus_full_and_invalid)
{
	struct mmio_bus bus = {0};
	static const struct mmio_ops half_ops = {dummy_read, NULL};

	for (unsigned i = 0; i < MMIO_MAX_REGIONS; i++)
		ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(i * 0x1000u),
					      0x1000, &dummy_ops, NULL),
				 HV_OK);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x100000), 0x1000,
				      &dummy_ops, NULL),
			 HV_ERR_NOMEM);
	ck_assert_uint_eq(bus.region_count, MMIO_MAX_REGIONS);

	bus = (struct mmio_bus){0};
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x1000), 0, &dummy_ops,
				      NULL),
			 HV_ERR_INVAL);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(~UINT64_C(0xfff)), 0x2000,
				      &dummy_ops, NULL),
			 HV_ERR_INVAL);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x1000), 0x1000, NULL,
				      NULL),
			 HV_ERR_INVAL);
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(0x1000), 0x1000, &half_ops,
				      NULL),
			 HV_ERR_INVAL);
	ck_assert_uint_eq(bus.region_count, 0);
}
END_TEST

/* --- emulate ----------------------------------------------------------- */

#define DEV_BASE UINT64_C(0x09000000)
#define DEV_SIZE UINT64_C(0x100)
#define GUEST_PC UINT64_C(0x40001000)

/* A register file that records the last access; accesses at or above
 * offset 0x80 are refused. Reads return `rd` (or leave *val untouched when
 * `lazy` to show the core zeroed it). */
struct test_dev {
	uint64_t rd;
	bool lazy;
	uint64_t wr;
	uint64_t last_off;
	unsigned last_size;
	unsigned reads, writes;
	uint64_t val_on_entry;
};

static bool tdev_read(void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct test_dev *d = dev;

	d->val_on_entry = *val;
	d->last_off = offset;
	d->last_size = size;
	if (offset >= 0x80)
		return false;
	d->reads++;
	if (!d->lazy)
		*val = d->rd;
	return true;
}

static bool tdev_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct test_dev *d = dev;

	d->last_off = offset;
	d->last_size = size;
	if (offset >= 0x80)
		return false;
	d->writes++;
	d->wr = val;
	return true;
}

static const struct mmio_ops tdev_ops = {tdev_read, tdev_write};

static struct hv_vcpu vcpu;
static struct mmio_bus bus;
static struct test_dev tdev;

static void setup(void)
{
	fake_hal_setup(0x40000000, 0x100000, 0x40000000, 0x10000);
	fake_vcpu_init(&vcpu);
	hal_vcpu_reg_write(&vcpu, HV_REG_PC, GUEST_PC);
	bus = (struct mmio_bus){0};
	tdev = (struct test_dev){0};
	ck_assert_int_eq(mmio_bus_add(&bus, ipa_init(DEV_BASE), DEV_SIZE,
				      &tdev_ops, &tdev),
			 HV_OK);
}

static void teardown(void)
{
	fake_vcpu_free(&vcpu);
	fake_hal_teardown();
}

static struct hv_exit dabt(uint32_t iss, uint64_t ipa)
{
	struct hv_exit e = {
		.kind = HV_EXIT_SYNC,
		.esr = ESR_EL2_MAKE(ESR_EC_DABT_LOW, true, iss),
		/* a kernel VA whose page offset matches the IPA's */
		.far = UINT64_C(0xffff000000000000) | (ipa & 0xfff) | 0x5000,
		.hpfar = HPFAR_EL2_FROM_IPA(ipa),
	};
	return e;
}

static uint64_t pc(void)
{
	return hal_vcpu_reg_read(&vcpu, HV_REG_PC);
}

/* A 32-bit load into an X register lands zero-extended, routed with the
 * region-relative offset, and the PC moves past the instruction. */
START_TEST(test_emulate_read_x)
{
	struct hv_exit e = dabt(iss_make(2, false, 3, true, false, false),
				DEV_BASE + 0x10);

	hal_vcpu_reg_write(&vcpu, HV_REG_X0 + 3, ~UINT64_C(0));
	tdev.rd = 0x89abcdef;
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X0 + 3), 0x89abcdef);
	ck_assert_uint_eq(tdev.last_off, 0x10);
	ck_assert_uint_eq(tdev.last_size, 4);
	ck_assert_uint_eq(pc(), GUEST_PC + 4);
}
END_TEST

/* A 64-bit load fills the whole X register. */
START_TEST(test_emulate_read_64)
{
	struct hv_exit e = dabt(iss_make(3, false, 0, true, false, false),
				DEV_BASE + 0x8);

	tdev.rd = UINT64_C(0x0123456789abcdef);
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X0),
			  UINT64_C(0x0123456789abcdef));
	ck_assert_uint_eq(tdev.last_size, 8);
}
END_TEST

/* A sign-extending byte load into a W register clears bits [63:32] and a
 * device answer wider than the access is cut to the access size. */
START_TEST(test_emulate_read_w_signed)
{
	struct hv_exit e = dabt(iss_make(0, true, 30, false, false, false),
				DEV_BASE + 0x4);

	hal_vcpu_reg_write(&vcpu, HV_REG_X30, ~UINT64_C(0));
	tdev.rd = 0x1280;
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X30), 0xffffff80u);
}
END_TEST

/* *val is zero when the read callback runs, so a device that does not set
 * it returns 0 rather than stale data. */
START_TEST(test_emulate_read_zeroed)
{
	struct hv_exit e = dabt(iss_make(2, false, 5, false, false, false),
				DEV_BASE);

	hal_vcpu_reg_write(&vcpu, HV_REG_X0 + 5, 0x5555);
	tdev.lazy = true;
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(tdev.val_on_entry, 0);
	ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X0 + 5), 0);
}
END_TEST

/* A load into XZR performs the read (side effects happen) but changes no
 * register; the PC still advances. */
START_TEST(test_emulate_read_xzr)
{
	struct hv_exit e = dabt(iss_make(2, false, 31, false, false, false),
				DEV_BASE);
	uint64_t before[31];

	for (unsigned i = 0; i < 31; i++) {
		before[i] = 0x1000u + i;
		hal_vcpu_reg_write(&vcpu, HV_REG_X0 + i, before[i]);
	}
	tdev.rd = 0xdead;
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(tdev.reads, 1);
	for (unsigned i = 0; i < 31; i++)
		ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X0 + i),
				  before[i]);
	ck_assert_uint_eq(pc(), GUEST_PC + 4);
}
END_TEST

/* A store sends the source register truncated to the access size. */
START_TEST(test_emulate_store_truncates)
{
	struct hv_exit e = dabt(iss_make(1, false, 9, false, false, true),
				DEV_BASE + 0x20);

	hal_vcpu_reg_write(&vcpu, HV_REG_X0 + 9, UINT64_C(0x1122334455667788));
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(tdev.writes, 1);
	ck_assert_uint_eq(tdev.wr, 0x7788);
	ck_assert_uint_eq(tdev.last_size, 2);
	ck_assert_uint_eq(tdev.last_off, 0x20);
	ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X0 + 9),
			  UINT64_C(0x1122334455667788));
	ck_assert_uint_eq(pc(), GUEST_PC + 4);

	e = dabt(iss_make(3, false, 9, true, true, true), DEV_BASE + 0x28);
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(tdev.wr, UINT64_C(0x1122334455667788));
}
END_TEST

/* A store of XZR (SRT = 31) writes 0, not X30 or anything else. */
START_TEST(test_emulate_store_xzr)
{
	struct hv_exit e = dabt(iss_make(2, false, 31, false, false, true),
				DEV_BASE);

	hal_vcpu_reg_write(&vcpu, HV_REG_X30, 0xffffffff);
	hal_vcpu_reg_write(&vcpu, HV_REG_PC, GUEST_PC);
	tdev.wr = 0x1234;
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_DONE);
	ck_assert_uint_eq(tdev.writes, 1);
	ck_assert_uint_eq(tdev.wr, 0);
}
END_TEST

/* ISV = 0 gives MMIO_NO_SYNDROME without calling the device or touching
 * PC or registers. */
START_TEST(test_emulate_no_syndrome)
{
	struct hv_exit e = dabt(ESR_ISS_DABT_WNR | ESR_FSC_TRANS_L(3),
				DEV_BASE);

	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_NO_SYNDROME);
	ck_assert_uint_eq(tdev.reads + tdev.writes, 0);
	ck_assert_uint_eq(pc(), GUEST_PC);
}
END_TEST

/* Exits that are not lower-EL data aborts, and stage-1 walk faults, are
 * not emulated. */
START_TEST(test_emulate_not_dabt)
{
	uint32_t iss = iss_make(2, false, 1, false, false, false);
	struct hv_exit e = dabt(iss, DEV_BASE);

	e.esr = ESR_EL2_MAKE(ESR_EC_IABT_LOW, true, iss);
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_NO_SYNDROME);
	e = dabt(iss | ESR_ISS_DABT_S1PTW, DEV_BASE);
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_NO_SYNDROME);
	e = dabt(iss, DEV_BASE);
	e.kind = HV_EXIT_IRQ;
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_NO_SYNDROME);
	ck_assert_uint_eq(tdev.reads + tdev.writes, 0);
	ck_assert_uint_eq(pc(), GUEST_PC);
}
END_TEST

/* Addresses outside every window, or straddling a window's end, are
 * MMIO_UNOWNED and leave the vCPU untouched. */
START_TEST(test_emulate_unowned)
{
	struct hv_exit e = dabt(iss_make(2, false, 1, false, false, false),
				DEV_BASE + DEV_SIZE);

	hal_vcpu_reg_write(&vcpu, HV_REG_X0 + 1, 77);
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_UNOWNED);
	e = dabt(iss_make(3, false, 1, true, false, false),
		 DEV_BASE + DEV_SIZE - 4);
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_UNOWNED);
	ck_assert_uint_eq(tdev.reads + tdev.writes, 0);
	ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X0 + 1), 77);
	ck_assert_uint_eq(pc(), GUEST_PC);
}
END_TEST

/* A device refusal (read or write) is MMIO_REJECTED with the destination
 * register and PC unchanged. */
START_TEST(test_emulate_rejected)
{
	struct hv_exit e = dabt(iss_make(2, false, 2, false, false, false),
				DEV_BASE + 0x80);

	hal_vcpu_reg_write(&vcpu, HV_REG_X0 + 2, 0x4242);
	tdev.rd = 1;
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_REJECTED);
	ck_assert_uint_eq(hal_vcpu_reg_read(&vcpu, HV_REG_X0 + 2), 0x4242);
	ck_assert_uint_eq(pc(), GUEST_PC);

	e = dabt(iss_make(2, false, 2, false, false, true), DEV_BASE + 0x84);
	ck_assert_int_eq(mmio_emulate(&vcpu, &bus, &e), MMIO_REJECTED);
	ck_assert_uint_eq(tdev.last_off, 0x84);
	ck_assert_uint_eq(pc(), GUEST_PC);
}
END_TEST

static Suite *mmio_suite(void)
{
	Suite *s = suite_create("mmio");
	TCase *tc = tcase_create("decode");
	TCase *te = tcase_create("emulate");

	tcase_add_test(tc, test_decode_sizes);
	tcase_add_test(tc, test_bus_remove);
	tcase_add_test(tc, test_decode_fields);
	tcase_add_test(tc, test_decode_ipa);
	tcase_add_test(tc, test_decode_no_isv);
	tcase_add_test(tc, test_load_sign_extend);
	tcase_add_test(tc, test_load_zero_extend);
	tcase_add_test(tc, test_bus_add_find);
	tcase_add_test(tc, test_bus_overlap);
	tcase_add_test(tc, test_bus_full_and_invalid);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(te, setup, teardown);
	tcase_add_test(te, test_emulate_read_x);
	tcase_add_test(te, test_emulate_read_64);
	tcase_add_test(te, test_emulate_read_w_signed);
	tcase_add_test(te, test_emulate_read_zeroed);
	tcase_add_test(te, test_emulate_read_xzr);
	tcase_add_test(te, test_emulate_store_truncates);
	tcase_add_test(te, test_emulate_store_xzr);
	tcase_add_test(te, test_emulate_no_syndrome);
	tcase_add_test(te, test_emulate_not_dabt);
	tcase_add_test(te, test_emulate_unowned);
	tcase_add_test(te, test_emulate_rejected);
	suite_add_tcase(s, te);
	return s;
}

int main(void);

int main(void)
{
	return check_run(mmio_suite());
}
