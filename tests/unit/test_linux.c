/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for linux.c: arm64 Image headers built here byte by byte,
 * and boot layouts planned for various RAM shapes, each checked against
 * the placement rules of Linux's Documentation/arch/arm64/booting.rst.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <hv/arm64/el2.h>
#include <hv/arm64/sysreg.h>
#include <hv/linux.h>
#include "check_run.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define RAM UINT64_C(0x40000000)

static uint8_t hdr[LINUX_IMAGE_HEADER_SIZE];

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An Image header as arch/arm64/kernel/head.S lays it out. */
static void make_header(uint64_t text_offset, uint64_t image_size,
			uint64_t flags)
{
	memset(hdr, 0, sizeof(hdr));
	put_le32(hdr + 0, 0x91005a4d); /* "MZ" + add x13, x18, #0x16 */
	put_le32(hdr + 4, 0x14000000); /* b stext */
	put_le64(hdr + 8, text_offset);
	put_le64(hdr + 16, image_size);
	put_le64(hdr + 24, flags);
	put_le32(hdr + 0x38, LINUX_IMAGE_MAGIC);
	put_le32(hdr + 0x3c, 0x40);
}

static struct linux_image parse_ok(size_t file_size)
{
	struct linux_image img;
	const char *why = NULL;
	enum hv_err err = linux_image_parse(hdr, file_size, &img, &why);

	ck_assert_msg(err == HV_OK, "parse: %s (%s)", hv_err_str(err),
		      why ? why : "");
	return img;
}

/* Parses `hdr` as a file of `file_size` bytes and expects INVAL with a
 * reason containing `needle` and a zeroed result. */
static void parse_bad(size_t file_size, const char *needle)
{
	struct linux_image img, zero;
	const char *why = NULL;

	memset(&img, 0x5a, sizeof(img));
	memset(&zero, 0, sizeof(zero));
	ck_assert_int_eq(linux_image_parse(hdr, file_size, &img, &why),
			 HV_ERR_INVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, needle) != NULL, "reason '%s' lacks '%s'",
		      why, needle);
	ck_assert_int_eq(memcmp(&img, &zero, sizeof(img)), 0);
}

/* A modern 4 KiB-page header is read field by field. */
START_TEST(test_parse_valid)
{
	struct linux_image img;

	make_header(0, 0x2a10000,
		    LINUX_FLAG_PHYS_ANYWHERE |
			    (UINT64_C(1) << LINUX_FLAG_PAGE_SIZE_SHIFT));
	img = parse_ok(0x2000000);
	ck_assert_uint_eq(img.text_offset, 0);
	ck_assert_uint_eq(img.image_size, 0x2a10000);
	ck_assert_uint_eq(img.copy_size, 0x2000000);
	ck_assert_uint_eq(img.flags, 0xa);
	ck_assert_int_eq(img.page_size, LINUX_PAGE_4K);
	ck_assert(img.phys_anywhere);
	ck_assert(!img.legacy);
}
END_TEST

/* Flags bits 1-2 decode to the page size and bit 3 alone to placement;
 * reserved bits 4-63 do not make the header invalid. */
START_TEST(test_parse_page_sizes)
{
	struct linux_image img;
	uint64_t ps = (uint64_t)_i;

	make_header(0x80000, 0x1000000,
		    ps << LINUX_FLAG_PAGE_SIZE_SHIFT | UINT64_C(0xf0));
	img = parse_ok(0x800000);
	ck_assert_int_eq(img.page_size, (int)ps);
	ck_assert(!img.phys_anywhere);
}
END_TEST

/* Bytes past image_size (e.g. an appended signature) are not copied. */
START_TEST(test_parse_copy_size)
{
	struct linux_image img;

	make_header(0, 0x100000, 0);
	img = parse_ok(0x180000);
	ck_assert_uint_eq(img.copy_size, 0x100000);
	img = parse_ok(0x100000);
	ck_assert_uint_eq(img.copy_size, 0x100000);
}
END_TEST

/* A wrong magic is refused, and a gzip file is named as such. */
START_TEST(test_parse_bad_magic)
{
	make_header(0, 0x100000, 0);
	hdr[0x3b] = 0x65;
	parse_bad(sizeof(hdr), "magic");

	memset(hdr, 0, sizeof(hdr));
	hdr[0] = 0x1f;
	hdr[1] = 0x8b;
	hdr[2] = 8;
	parse_bad(sizeof(hdr), "gzip");
	parse_bad(2, "gzip");
}
END_TEST

/* A big-endian kernel (flags bit 0) cannot run in a little-endian cell. */
START_TEST(test_parse_big_endian)
{
	make_header(0, 0x100000, LINUX_FLAG_BE);
	parse_bad(sizeof(hdr), "big-endian");
}
END_TEST

/* image_size 0 (pre-v3.17) means text_offset 0x80000 whatever the field
 * holds, flags ignored, and the file size as the kernel's extent. */
START_TEST(test_parse_legacy)
{
	struct linux_image img;

	/* text_offset in big-endian order, as a BE legacy kernel has it. */
	make_header(UINT64_C(0x0000080000000000), 0, LINUX_FLAG_BE);
	img = parse_ok(0x654321);
	ck_assert(img.legacy);
	ck_assert_uint_eq(img.text_offset, LINUX_LEGACY_TEXT_OFFSET);
	ck_assert_uint_eq(img.image_size, 0x654321);
	ck_assert_uint_eq(img.copy_size, 0x654321);
	ck_assert_uint_eq(img.flags, 0);
	ck_assert(!img.phys_anywhere);

	/* A legacy file that could not sit below 2^48. */
	parse_bad((size_t)(LINUX_PA_LIMIT - LINUX_LEGACY_TEXT_OFFSET + 1),
		  "too large");
}
END_TEST

static const struct {
	uint64_t text_offset;
	bool ok;
} text_offsets[] = {
	{0, true},	{0x80000, true},     {0x1ff000, true},
	{0x1000, true}, {0x200000, false},   {0x80001, false},
	{0x800, false}, {UINT64_MAX, false}, {UINT64_C(0x8000000000000), false},
};

/* text_offset must be a 4 KiB multiple below 2 MiB. */
START_TEST(test_parse_text_offset)
{
	uint64_t t = text_offsets[_i].text_offset;

	make_header(t, 0x400000, 0);
	if (text_offsets[_i].ok)
		ck_assert_uint_eq(parse_ok(0x400000).text_offset, t);
	else
		parse_bad(0x400000, "text_offset");
}
END_TEST

/* image_size smaller than a header or reaching past 2^48 is refused;
 * the largest size that stays below 2^48 is accepted. */
START_TEST(test_parse_image_size_limits)
{
	make_header(0x1000, 8, 0);
	parse_bad(sizeof(hdr), "smaller");
	make_header(0x1000, UINT64_MAX, 0);
	parse_bad(sizeof(hdr), "2^48");
	make_header(0x1000, LINUX_PA_LIMIT - 0x1000 + 1, 0);
	parse_bad(sizeof(hdr), "2^48");
	make_header(0x1000, LINUX_PA_LIMIT - 0x1000, 0);
	ck_assert_uint_eq(parse_ok(sizeof(hdr)).image_size,
			  LINUX_PA_LIMIT - 0x1000);
}
END_TEST

/* Every size below the 64-byte header is refused without reading past the
 * end (the copy ends exactly at the buffer's end, for sanitizers). */
START_TEST(test_parse_truncated)
{
	size_t n = (size_t)_i;
	uint8_t *b = malloc(n ? n : 1);
	struct linux_image img;
	const char *why = NULL;

	ck_assert_ptr_nonnull(b);
	make_header(0, 0x100000, 0);
	memcpy(b, hdr, n);
	ck_assert_int_eq(linux_image_parse(b, n, &img, &why), HV_ERR_INVAL);
	ck_assert_ptr_nonnull(strstr(why, "shorter"));
	free(b);
}
END_TEST

/* NULL buffer and NULL result are refused; NULL why is allowed. */
START_TEST(test_parse_null)
{
	struct linux_image img;

	make_header(0, 0x100000, 0);
	ck_assert_int_eq(linux_image_parse(NULL, 64, &img, NULL), HV_ERR_INVAL);
	ck_assert_int_eq(linux_image_parse(hdr, 64, NULL, NULL), HV_ERR_INVAL);
	ck_assert_int_eq(linux_image_parse(hdr, 64, &img, NULL), HV_OK);
	hdr[0x38] = 0;
	ck_assert_int_eq(linux_image_parse(hdr, 64, &img, NULL), HV_ERR_INVAL);
}
END_TEST

/* ---- layout ------------------------------------------------------------ */

static struct hv_mem_region region(uint64_t ipa, uint64_t size)
{
	struct hv_mem_region r = {
		.ipa = ipa_init(ipa),
		.pa = pa_init(ipa),
		.size = size,
		.flags = HV_MEM_RWX,
	};
	return r;
}

static struct linux_image modern(uint64_t text_offset, uint64_t image_size,
				 uint64_t file_size)
{
	make_header(text_offset, image_size, 0);
	return parse_ok((size_t)file_size);
}

static bool disjoint(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a + as <= b || b + bs <= a;
}

/* Every booting.rst rule that a successful plan must satisfy. */
static void check_rules(const struct linux_image *img,
			const struct hv_mem_region *regs,
			const struct linux_layout *l)
{
	const struct hv_mem_region *r = &regs[l->region];
	uint64_t rs = ipa_addr(r->ipa), re = rs + r->size;
	uint64_t base = ipa_addr(l->kernel_base), k = ipa_addr(l->kernel);
	uint64_t dtb = ipa_addr(l->dtb), ird = ipa_addr(l->initrd);
	uint64_t lo, hi;

	ck_assert_uint_eq(base % (2 * MiB), 0);
	ck_assert_uint_eq(k, base + img->text_offset);
	ck_assert_uint_eq(l->kernel_span, img->image_size);
	ck_assert_uint_eq(l->kernel_copy_size, img->copy_size);
	ck_assert(base >= rs && k + l->kernel_span <= re);
	ck_assert(k + l->kernel_span <= LINUX_PA_LIMIT);

	ck_assert_uint_eq(dtb % 8, 0);
	ck_assert_uint_le(l->dtb_max_size, 2 * MiB);
	ck_assert_uint_eq(dtb / (2 * MiB),
			  (dtb + l->dtb_max_size - 1) / (2 * MiB));
	ck_assert(dtb >= rs && dtb + l->dtb_max_size <= re);
	ck_assert_uint_le(dtb + l->dtb_max_size - base, 512 * MiB);
	ck_assert(disjoint(k, l->kernel_span, dtb, l->dtb_max_size));

	if (l->has_initrd) {
		ck_assert(ird >= rs && ird + l->initrd_size <= re);
		ck_assert_uint_eq(ird % 4096, 0);
		ck_assert(disjoint(k, l->kernel_span, ird, l->initrd_size));
		ck_assert(disjoint(dtb, l->dtb_max_size, ird, l->initrd_size));
		lo = (k < ird ? k : ird) & ~(GiB - 1);
		hi = k + l->kernel_span > ird + l->initrd_size
			     ? k + l->kernel_span
			     : ird + l->initrd_size;
		hi = (hi + GiB - 1) & ~(GiB - 1);
		ck_assert_uint_le(hi - lo, 32 * GiB);
	} else {
		ck_assert_uint_eq(ird, 0);
		ck_assert_uint_eq(l->initrd_size, 0);
	}

	/* booting.rst "Call the kernel image": x0 = DTB, x1..x3 = 0, EL1h
	 * with DAIF masked, MMU and caches off. */
	ck_assert_uint_eq(ipa_addr(l->entry.pc), k);
	ck_assert_uint_eq(l->entry.x[0], dtb);
	ck_assert_uint_eq(l->entry.x[1], 0);
	ck_assert_uint_eq(l->entry.x[2], 0);
	ck_assert_uint_eq(l->entry.x[3], 0);
	ck_assert_uint_eq(l->entry.pstate, 0x3c5);
	ck_assert_uint_eq(l->entry.pstate & PSR_MODE_MASK, PSR_MODE_EL1H);
	ck_assert_uint_eq(l->entry.pstate & PSR_DAIF, PSR_DAIF);
	ck_assert_uint_eq(l->entry.sctlr_el1 &
				  (SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I),
			  0);
	ck_assert_uint_eq(l->entry.sctlr_el1, SCTLR_EL1_RESET);
}

static struct linux_layout plan_ok(const struct linux_image *img,
				   const struct hv_mem_region *regs, unsigned n,
				   uint64_t initrd, uint64_t dtb)
{
	struct linux_layout l;
	const char *why = NULL;
	enum hv_err err = linux_plan_layout(img, regs, n, initrd, dtb, &l,
					    &why);

	ck_assert_msg(err == HV_OK, "plan: %s (%s)", hv_err_str(err),
		      why ? why : "");
	check_rules(img, regs, &l);
	return l;
}

static void plan_fails(const struct linux_image *img,
		       const struct hv_mem_region *regs, unsigned n,
		       uint64_t initrd, uint64_t dtb, enum hv_err want,
		       const char *prefix)
{
	struct linux_layout l, zero;
	const char *why = NULL;

	memset(&l, 0x77, sizeof(l));
	memset(&zero, 0, sizeof(zero));
	ck_assert_int_eq(linux_plan_layout(img, regs, n, initrd, dtb, &l, &why),
			 want);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strncmp(why, prefix, strlen(prefix)) == 0,
		      "reason '%s' does not start with '%s'", why, prefix);
	ck_assert_int_eq(memcmp(&l, &zero, sizeof(l)), 0);
}

/* A modern kernel at RAM start: DTB on the next 2 MiB line after
 * image_size, initrd on the next page after the DTB. */
START_TEST(test_layout_basic)
{
	struct linux_image img = modern(0, 0x2a10000, 0x2000000);
	struct hv_mem_region r = region(RAM, 256 * MiB);
	struct linux_layout l = plan_ok(&img, &r, 1, 10 * MiB + 5, 0x10000);

	ck_assert_uint_eq(l.region, 0);
	ck_assert_uint_eq(ipa_addr(l.kernel_base), RAM);
	ck_assert_uint_eq(ipa_addr(l.kernel), RAM);
	ck_assert_uint_eq(ipa_addr(l.dtb), RAM + 0x2c00000);
	ck_assert_uint_eq(l.dtb_max_size, 0x10000);
	ck_assert(l.has_initrd);
	ck_assert_uint_eq(ipa_addr(l.initrd), RAM + 0x2c10000);
	ck_assert_uint_eq(l.initrd_size, 10 * MiB + 5);
	ck_assert_uint_eq(l.entry.x[0], RAM + 0x2c00000);
}
END_TEST

/* Without initrd nothing is reserved for it; an odd DTB size is padded
 * to 8 bytes. */
START_TEST(test_layout_no_initrd)
{
	struct linux_image img = modern(0, 0x1000000, 0x1000000);
	struct hv_mem_region r = region(RAM, 32 * MiB);
	struct linux_layout l = plan_ok(&img, &r, 1, 0, 1001);

	ck_assert(!l.has_initrd);
	ck_assert_uint_eq(ipa_addr(l.dtb), RAM + 16 * MiB);
	ck_assert_uint_eq(l.dtb_max_size, 1008);
}
END_TEST

/* text_offset 0x80000 in RAM not starting on 2 MiB: the base rounds up. */
START_TEST(test_layout_text_offset_unaligned_ram)
{
	struct linux_image img = modern(0x80000, 0x1800000, 0x1200000);
	struct hv_mem_region r = region(RAM + 0x100000, 64 * MiB);
	struct linux_layout l = plan_ok(&img, &r, 1, 4 * MiB, 2 * MiB);

	ck_assert_uint_eq(ipa_addr(l.kernel_base), RAM + 0x200000);
	ck_assert_uint_eq(ipa_addr(l.kernel), RAM + 0x280000);
	/* 0x40280000 + 0x1800000 = 0x41a80000 -> next 2 MiB line. */
	ck_assert_uint_eq(ipa_addr(l.dtb), UINT64_C(0x41c00000));
	ck_assert_uint_eq(ipa_addr(l.initrd), UINT64_C(0x41e00000));
}
END_TEST

static const struct {
	uint64_t ram;
	bool ok;
	const char *why;
} ram_sizes[] = {
	/* kernel 32 MiB span, DTB 64 KiB, initrd 1 MiB: needs 33 MiB+64K */
	{16 * MiB, false, "kernel"},
	{32 * MiB - 4096, false, "kernel"},
	{32 * MiB, false, "dtb"},
	{32 * MiB + 0x8000, false, "dtb"},
	{32 * MiB + 0x10000, false, "initrd"},
	{33 * MiB + 0x10000 - 4096, false, "initrd"},
	{33 * MiB + 0x10000, true, ""},
	{64 * MiB, true, ""},
	{4 * GiB, true, ""},
};

/* The plan fits exactly when RAM holds kernel span + DTB + initrd, and
 * otherwise names the first part that did not fit. */
START_TEST(test_layout_ram_sizes)
{
	struct linux_image img = modern(0, 32 * MiB, 20 * MiB);
	struct hv_mem_region r = region(RAM, ram_sizes[_i].ram);

	if (ram_sizes[_i].ok)
		plan_ok(&img, &r, 1, MiB, 0x10000);
	else
		plan_fails(&img, &r, 1, MiB, 0x10000, HV_ERR_RANGE,
			   ram_sizes[_i].why);
}
END_TEST

/* The lowest region that holds the whole plan wins, whatever the array
 * order; regions that are too small or not RWX are passed over. */
START_TEST(test_layout_regions)
{
	struct linux_image img = modern(0, 24 * MiB, 20 * MiB);
	struct hv_mem_region r[4] = {
		region(UINT64_C(0x100000000), GiB),
		region(RAM, 8 * MiB),		  /* too small for the kernel */
		region(RAM + 64 * MiB, 25 * MiB), /* kernel, DTB, no initrd */
		region(RAM + 512 * MiB, 256 * MiB), /* not executable */
	};
	struct linux_layout l;

	r[3].flags = HV_MEM_READ | HV_MEM_WRITE;
	l = plan_ok(&img, r, 4, 16 * MiB, 0x10000);
	ck_assert_uint_eq(l.region, 0);
	ck_assert_uint_eq(ipa_addr(l.kernel), UINT64_C(0x100000000));

	/* Without initrd the third region is enough and lower. */
	l = plan_ok(&img, r, 4, 0, 0x10000);
	ck_assert_uint_eq(l.region, 2);
	ck_assert_uint_eq(ipa_addr(l.kernel), RAM + 64 * MiB);

	/* Made RWX, the 256 MiB region is lower than the 4 GiB one. */
	r[3].flags = HV_MEM_RWX;
	l = plan_ok(&img, r, 4, 16 * MiB, 0x10000);
	ck_assert_uint_eq(l.region, 3);

	/* Only the small ones: the best failure is reported. */
	plan_fails(&img, &r[1], 2, 16 * MiB, 0x10000, HV_ERR_RANGE, "initrd");
	plan_fails(&img, &r[1], 1, 16 * MiB, 0x10000, HV_ERR_RANGE, "kernel");
	plan_fails(&img, r, 0, 0, 0x10000, HV_ERR_RANGE, "kernel");
}
END_TEST

/* A region whose first 2 MiB line lies past its end, an empty region and
 * a duplicated base are skipped without error. */
START_TEST(test_layout_degenerate_regions)
{
	struct linux_image img = modern(0, 0x100000, 0x100000);
	struct hv_mem_region r[3] = {
		region(RAM + 0x1000, 0x1ff000),
		region(RAM + 0x1000, 0),
		region(RAM + 0x1000, 0x1ff000),
	};

	plan_fails(&img, r, 3, 0, 4096, HV_ERR_RANGE, "kernel");
}
END_TEST

/* Before v4.2 the DTB had to lie within 512 MiB of the base: a kernel
 * spanning almost all of that leaves no room, even in a big region. */
START_TEST(test_layout_dtb_window)
{
	struct linux_image img = modern(0, 511 * MiB, 20 * MiB);
	struct hv_mem_region r = region(RAM, 2 * GiB);

	plan_fails(&img, &r, 1, 0, 0x10000, HV_ERR_RANGE, "dtb");
	img = modern(0, 509 * MiB, 20 * MiB);
	plan_ok(&img, &r, 1, 0, 2 * MiB);
}
END_TEST

/* Kernel and initrd must share a 1 GiB aligned window of at most 32 GiB. */
START_TEST(test_layout_initrd_window)
{
	struct linux_image img = modern(0, 32 * MiB, 20 * MiB);
	struct hv_mem_region r = region(RAM, 64 * GiB);

	/* Kernel at 1 GiB, initrd from 1 GiB + 34 MiB: 31 GiB still ends
	 * below 33 GiB, 32 GiB does not. */
	plan_fails(&img, &r, 1, 32 * GiB, 0x10000, HV_ERR_RANGE, "initrd");
	plan_ok(&img, &r, 1, 31 * GiB, 0x10000);
}
END_TEST

/* RAM reaching past 2^48 is clipped there; RAM above 2^48 is unusable. */
START_TEST(test_layout_pa_limit)
{
	struct linux_image img = modern(0, 16 * MiB, 16 * MiB);
	struct hv_mem_region r = region(LINUX_PA_LIMIT - 32 * MiB, GiB);
	struct linux_layout l = plan_ok(&img, &r, 1, 8 * MiB, 0x10000);

	ck_assert_uint_eq(ipa_addr(l.kernel), LINUX_PA_LIMIT - 32 * MiB);
	plan_fails(&img, &r, 1, 16 * MiB, 0x10000, HV_ERR_RANGE, "initrd");

	r = region(LINUX_PA_LIMIT, GiB);
	plan_fails(&img, &r, 1, 0, 0x10000, HV_ERR_RANGE, "kernel");
	r = region(UINT64_C(0xffffffffc0000000), GiB);
	plan_fails(&img, &r, 1, 0, 0x10000, HV_ERR_RANGE, "kernel");
}
END_TEST

/* Legacy kernels keep the memory after the image free: initrd at the top
 * of the 512 MiB window, DTB right below it. */
START_TEST(test_layout_legacy_top)
{
	struct linux_image img;
	struct hv_mem_region r = region(RAM, GiB);
	struct linux_layout l;

	make_header(0, 0, 0);
	img = parse_ok(8 * MiB);
	l = plan_ok(&img, &r, 1, 3 * MiB, 0x10000);
	ck_assert_uint_eq(ipa_addr(l.kernel), RAM + 0x80000);
	ck_assert_uint_eq(ipa_addr(l.initrd), RAM + 509 * MiB);
	ck_assert_uint_eq(ipa_addr(l.dtb), RAM + 509 * MiB - 0x10000);

	/* Small RAM: the top of the region, page-aligned initrd. */
	r = region(RAM, 64 * MiB);
	l = plan_ok(&img, &r, 1, 3 * MiB + 10, 0x10000);
	ck_assert_uint_eq(ipa_addr(l.initrd), RAM + 61 * MiB - 4096);

	/* No initrd: the DTB ends at the top. */
	l = plan_ok(&img, &r, 1, 0, 0x10000);
	ck_assert_uint_eq(ipa_addr(l.dtb), RAM + 64 * MiB - 0x10000);
}
END_TEST

/* A legacy DTB that would straddle a 2 MiB line moves below the line. */
START_TEST(test_layout_legacy_dtb_line)
{
	struct linux_image img;
	struct hv_mem_region r = region(RAM, 64 * MiB);
	struct linux_layout l;

	make_header(0, 0, 0);
	img = parse_ok(8 * MiB);
	/* initrd at RAM + 63 MiB - 4K; a 2 MiB DTB below it would cross the
	 * 62 MiB line, so it goes to [60 MiB, 62 MiB). */
	l = plan_ok(&img, &r, 1, MiB + 1, 2 * MiB);
	ck_assert_uint_eq(ipa_addr(l.initrd), RAM + 63 * MiB - 4096);
	ck_assert_uint_eq(ipa_addr(l.dtb), RAM + 60 * MiB);
}
END_TEST

/* Legacy plans that cannot fit name the part that failed. */
START_TEST(test_layout_legacy_too_small)
{
	struct linux_image img;
	struct hv_mem_region r;

	make_header(0, 0, 0);
	img = parse_ok(8 * MiB);
	/* Kernel ends at 8.5 MiB. */
	r = region(RAM, 9 * MiB);
	plan_fails(&img, &r, 1, MiB, 0x10000, HV_ERR_RANGE, "initrd");
	r = region(RAM, 8 * MiB + 0x80000 + 0x8000);
	plan_fails(&img, &r, 1, 0x8000, 0x1000, HV_ERR_RANGE, "dtb");
	plan_fails(&img, &r, 1, 0, 0x10000, HV_ERR_RANGE, "dtb");
	/* The kernel ends mid-page; rounding the initrd down to a page
	 * would put it on the kernel's last bytes. */
	img = parse_ok(8 * MiB + 0x800);
	r = region(RAM, 0x881000);
	plan_fails(&img, &r, 1, 0x400, 0x8, HV_ERR_RANGE, "initrd");
	img = parse_ok(8 * MiB);
	/* Room for a DTB only if it may cross the 10 MiB line: it may not. */
	r = region(RAM, 10 * MiB + 0x100);
	plan_fails(&img, &r, 1, 0, MiB + 0x80000 + 0x100, HV_ERR_RANGE, "dtb");
	/* A 600 MiB legacy kernel leaves nothing in the 512 MiB window. */
	img = parse_ok(600 * MiB);
	r = region(RAM, 2 * GiB);
	plan_fails(&img, &r, 1, 0, 0x10000, HV_ERR_RANGE, "dtb");
}
END_TEST

/* Bad arguments are INVAL with a reason and a zeroed result. */
START_TEST(test_layout_invalid_args)
{
	struct linux_image img = modern(0, 16 * MiB, 16 * MiB);
	struct linux_image unparsed;
	struct hv_mem_region r[HV_MAX_REGIONS + 1];
	struct linux_layout l;
	unsigned i;

	for (i = 0; i < HV_ARRAY_SIZE(r); i++)
		r[i] = region(RAM + i * GiB, GiB);
	memset(&unparsed, 0, sizeof(unparsed));
	plan_fails(NULL, r, 1, 0, 4096, HV_ERR_INVAL, "linux");
	plan_fails(&img, NULL, 1, 0, 4096, HV_ERR_INVAL, "linux");
	plan_fails(&img, r, 1, 0, 0, HV_ERR_INVAL, "linux");
	plan_fails(&img, r, 1, 0, 2 * MiB + 1, HV_ERR_INVAL, "linux");
	plan_fails(&img, r, HV_MAX_REGIONS + 1, 0, 4096, HV_ERR_INVAL, "linux");
	plan_fails(&unparsed, r, 1, 0, 4096, HV_ERR_INVAL, "linux");
	ck_assert_int_eq(linux_plan_layout(&img, r, 1, 0, 4096, NULL, NULL),
			 HV_ERR_INVAL);
	/* why may be NULL on success and on failure. */
	ck_assert_int_eq(linux_plan_layout(&img, r, 1, 0, 4096, &l, NULL),
			 HV_OK);
	ck_assert_int_eq(linux_plan_layout(&img, r, 1, 0, 0, &l, NULL),
			 HV_ERR_INVAL);
	ck_assert_int_eq(linux_plan_layout(&img, r, 0, 0, 4096, &l, NULL),
			 HV_ERR_RANGE);
	plan_ok(&img, r, HV_MAX_REGIONS, 0, 2 * MiB);
}
END_TEST

static Suite *linux_suite(void)
{
	Suite *s = suite_create("linux");
	TCase *tc = tcase_create("header");
	TCase *tl = tcase_create("layout");

	tcase_add_test(tc, test_parse_valid);
	tcase_add_loop_test(tc, test_parse_page_sizes, 0, 4);
	tcase_add_test(tc, test_parse_copy_size);
	tcase_add_test(tc, test_parse_bad_magic);
	tcase_add_test(tc, test_parse_big_endian);
	tcase_add_test(tc, test_parse_legacy);
	tcase_add_loop_test(tc, test_parse_text_offset, 0,
			    (int)(sizeof(text_offsets) /
				  sizeof(text_offsets[0])));
	tcase_add_test(tc, test_parse_image_size_limits);
	tcase_add_loop_test(tc, test_parse_truncated, 0,
			    LINUX_IMAGE_HEADER_SIZE);
	tcase_add_test(tc, test_parse_null);
	suite_add_tcase(s, tc);

	tcase_add_test(tl, test_layout_basic);
	tcase_add_test(tl, test_layout_no_initrd);
	tcase_add_test(tl, test_layout_text_offset_unaligned_ram);
	tcase_add_loop_test(tl, test_layout_ram_sizes, 0,
			    (int)(sizeof(ram_sizes) / sizeof(ram_sizes[0])));
	tcase_add_test(tl, test_layout_regions);
	tcase_add_test(tl, test_layout_degenerate_regions);
	tcase_add_test(tl, test_layout_dtb_window);
	tcase_add_test(tl, test_layout_initrd_window);
	tcase_add_test(tl, test_layout_pa_limit);
	tcase_add_test(tl, test_layout_legacy_top);
	tcase_add_test(tl, test_layout_legacy_dtb_line);
	tcase_add_test(tl, test_layout_legacy_too_small);
	tcase_add_test(tl, test_layout_invalid_args);
	suite_add_tcase(s, tl);
	return s;
}

int main(void);

int main(void)
{
	return check_run(linux_suite());
}
