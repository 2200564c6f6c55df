/* SPDX-License-Identifier: MIT */
/*
 * arm64 Linux Image header parsing and boot layout planning, after
 * Documentation/arch/arm64/booting.rst (section 2 for the DTB, section 4
 * for the header, the placement rules and the entry state).
 *
 * Placement, in one RAM region (docs/linux.md has pictures):
 *
 *  - the kernel at base + text_offset, base the lowest 2 MiB boundary of
 *    the region, owning image_size bytes (BSS included);
 *  - modern kernels (image_size != 0): the DTB at the next 2 MiB boundary
 *    after the kernel, the initrd at the next 4 KiB boundary after the
 *    DTB. A DTB starting on a 2 MiB boundary never crosses one, which the
 *    pre-v4.2 rules demanded, and sits within 512 MiB of the base;
 *  - legacy kernels (image_size 0, pre-v3.17): booting.rst asks to keep
 *    as much memory as possible free right after the image, so initrd and
 *    DTB go to the top of the region, clipped to the 512 MiB DTB window.
 *
 * All addresses stay below 2^48 (LINUX_PA_LIMIT), so no sum here can
 * overflow 64 bits.
 */
#include <hv/arm64/el2.h>
#include <hv/arm64/sysreg.h>
#include <hv/lib.h>
#include <hv/linux.h>

/* Header field offsets (booting.rst section 4). */
#define HDR_TEXT_OFFSET 0x08u
#define HDR_IMAGE_SIZE 0x10u
#define HDR_FLAGS 0x18u

/* gzip member header (RFC 1952, 2.3.1): an Image.gz, or a vmlinuz on
 * distributions that compress it. */
#define GZIP_ID1 0x1fu
#define GZIP_ID2 0x8bu

#define SZ_4K UINT64_C(0x1000)

/* How far planning got in a region, in the order parts are placed. */
enum plan_stage {
	STAGE_KERNEL, /* the kernel did not fit */
	STAGE_DTB,    /* the kernel fitted, the DTB did not */
	STAGE_INITRD, /* kernel and DTB fitted, the initrd did not */
	STAGE_DONE,
};

static const char *const stage_why[] = {
	[STAGE_KERNEL] = "kernel: no RAM region holds text_offset + image_size "
			 "above a 2 MiB aligned base",
	[STAGE_DTB] = "dtb: no room for the devicetree within 512 MiB of the "
		      "kernel base",
	[STAGE_INITRD] = "initrd: no room for the initrd next to the kernel",
	[STAGE_DONE] = "",
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static bool is_gzip(const uint8_t *b, size_t size)
{
	return size >= 2 && b[0] == GZIP_ID1 && b[1] == GZIP_ID2;
}

static enum hv_err parse_fail(struct linux_image *out, const char **why,
			      const char *reason)
{
	memset(out, 0, sizeof(*out));
	if (why)
		*why = reason;
	return HV_ERR_INVAL;
}

enum hv_err linux_image_parse(const void *buf, size_t size,
			      struct linux_image *out, const char **why)
{
	const uint8_t *b = buf;
	uint64_t text_offset, image_size, flags;

	if (!out)
		return HV_ERR_INVAL;
	if (!buf)
		return parse_fail(out, why, "kernel: no image");
	if (size < LINUX_IMAGE_HEADER_SIZE ||
	    get_le32(b + LINUX_IMAGE_MAGIC_OFFSET) != LINUX_IMAGE_MAGIC) {
		if (is_gzip(b, size))
			return parse_fail(out, why,
					  "kernel: gzip-compressed Image "
					  "(Image.gz), decompress it first");
		if (size < LINUX_IMAGE_HEADER_SIZE)
			return parse_fail(out, why,
					  "kernel: shorter than the 64-byte "
					  "arm64 Image header");
		return parse_fail(out, why,
				  "kernel: no arm64 Image magic \"ARM\\x64\" "
				  "at offset 0x38");
	}

	text_offset = get_le64(b + HDR_TEXT_OFFSET);
	image_size = get_le64(b + HDR_IMAGE_SIZE);
	flags = get_le64(b + HDR_FLAGS);

	if (image_size == 0) {
		/*
		 * Before v3.17 text_offset was in the kernel's endianness
		 * and flags did not exist; booting.rst says to assume
		 * 0x80000. The kernel's real extent is unknown: the file
		 * is the best lower bound.
		 */
		if ((uint64_t)size > LINUX_PA_LIMIT - LINUX_LEGACY_TEXT_OFFSET)
			return parse_fail(out, why, "kernel: file too large");
		memset(out, 0, sizeof(*out));
		out->text_offset = LINUX_LEGACY_TEXT_OFFSET;
		out->image_size = size;
		out->copy_size = size;
		out->legacy = true;
		return HV_OK;
	}

	/* A cell's vCPUs run little-endian at EL1 (SCTLR_EL1.EE = 0). */
	if (flags & LINUX_FLAG_BE)
		return parse_fail(out, why, "kernel: big-endian Image");
	/*
	 * text_offset was 0x80000 or, with RANDOMIZE_TEXT_OFFSET, a 4 KiB
	 * multiple below 2 MiB; it is 0 since v5.8. Anything else is not a
	 * kernel we know how to place.
	 */
	if (text_offset >= LINUX_KERNEL_ALIGN ||
	    !hv_is_aligned(text_offset, SZ_4K))
		return parse_fail(out, why,
				  "kernel: text_offset not a 4 KiB multiple "
				  "below 2 MiB");
	if (image_size < LINUX_IMAGE_HEADER_SIZE)
		return parse_fail(out, why,
				  "kernel: image_size smaller than the header");
	if (image_size > LINUX_PA_LIMIT - text_offset)
		return parse_fail(out, why, "kernel: image_size beyond 2^48");

	memset(out, 0, sizeof(*out));
	out->text_offset = text_offset;
	out->image_size = image_size;
	/* Bytes past image_size (an appended signature, padding) are not
	 * part of the kernel: copying them would write into memory the
	 * kernel considers free. Reserved fields and flag bits 4-63 are
	 * ignored, as Linux's own kexec loader does. */
	out->copy_size = (uint64_t)size < image_size ? (uint64_t)size
						     : image_size;
	out->flags = flags;
	out->page_size = (enum linux_page_size)(
		(flags & LINUX_FLAG_PAGE_SIZE_MASK) >>
		LINUX_FLAG_PAGE_SIZE_SHIFT);
	out->phys_anywhere = (flags & LINUX_FLAG_PHYS_ANYWHERE) != 0;
	return HV_OK;
}

/* True when [lo, hi) fits in one 1 GiB aligned window of <= 32 GiB. */
static bool initrd_window_ok(uint64_t lo, uint64_t hi)
{
	return align_up(hi, LINUX_INITRD_WINDOW_ALIGN) -
		       align_down(lo, LINUX_INITRD_WINDOW_ALIGN) <=
	       LINUX_INITRD_WINDOW_MAX;
}

/* Modern kernels: DTB and initrd packed after the kernel's image_size. */
static enum plan_stage place_after(uint64_t end, uint64_t initrd_size,
				   uint64_t dtb_size, struct linux_layout *l)
{
	uint64_t base = ipa_addr(l->kernel_base);
	uint64_t dtb = align_up(ipa_addr(l->kernel) + l->kernel_span,
				LINUX_SZ_2M);
	uint64_t initrd;

	if (dtb + dtb_size > end || dtb + dtb_size > base + LINUX_DTB_WINDOW)
		return STAGE_DTB;
	l->dtb = ipa_init(dtb);
	if (initrd_size == 0)
		return STAGE_DONE;
	initrd = align_up(dtb + dtb_size, SZ_4K);
	if (initrd_size > end || initrd > end - initrd_size ||
	    !initrd_window_ok(ipa_addr(l->kernel), initrd + initrd_size))
		return STAGE_INITRD;
	l->initrd = ipa_init(initrd);
	return STAGE_DONE;
}

/* Legacy kernels: initrd at the top of the 512 MiB window, DTB below it,
 * the space right after the image left free. */
static enum plan_stage place_top(uint64_t end, uint64_t initrd_size,
				 uint64_t dtb_size, struct linux_layout *l)
{
	uint64_t kend = ipa_addr(l->kernel) + l->kernel_span;
	uint64_t top = ipa_addr(l->kernel_base) + LINUX_DTB_WINDOW;
	uint64_t dtb;

	if (top > end)
		top = end;
	if (top < kend)
		return STAGE_DTB; /* a kernel of more than 512 MiB */
	if (initrd_size) {
		if (initrd_size > top - kend)
			return STAGE_INITRD;
		top = align_down(top - initrd_size, SZ_4K);
		if (top < kend)
			return STAGE_INITRD;
		l->initrd = ipa_init(top);
	}
	if (dtb_size > top - kend)
		return STAGE_DTB;
	dtb = align_down(top - dtb_size, LINUX_DTB_ALIGN);
	/* Pre-v4.2 kernels map the DTB with one 2 MiB section. */
	if (align_down(dtb, LINUX_SZ_2M) !=
	    align_down(dtb + dtb_size - 1, LINUX_SZ_2M)) {
		/* The line crossed is a nonzero multiple of 2 MiB and at
		 * most top, so this cannot go below zero (dtb_size is at
		 * most 2 MiB). */
		dtb = align_down(align_down(top, LINUX_SZ_2M) - dtb_size,
				 LINUX_DTB_ALIGN);
	}
	if (dtb < kend)
		return STAGE_DTB;
	l->dtb = ipa_init(dtb);
	return STAGE_DONE;
}

/* Tries one region; fills *l as far as it gets. */
static enum plan_stage plan_region(const struct linux_image *img,
				   const struct hv_mem_region *r,
				   uint64_t initrd_size, uint64_t dtb_size,
				   struct linux_layout *l)
{
	uint64_t start = ipa_addr(r->ipa), end, base;

	/* Clip to 2^48: the kernel cannot use more (flags bit 3 text). */
	if (start >= LINUX_PA_LIMIT)
		return STAGE_KERNEL;
	end = r->size > LINUX_PA_LIMIT - start ? LINUX_PA_LIMIT
					       : start + r->size;
	base = align_up(start, LINUX_KERNEL_ALIGN);
	if (base >= end || img->text_offset + img->image_size > end - base)
		return STAGE_KERNEL;

	l->kernel_base = ipa_init(base);
	l->kernel = ipa_init(base + img->text_offset);
	l->kernel_copy_size = img->copy_size;
	l->kernel_span = img->image_size;
	l->dtb_max_size = dtb_size;
	l->has_initrd = initrd_size != 0;
	l->initrd_size = initrd_size;
	if (img->legacy)
		return place_top(end, initrd_size, dtb_size, l);
	return place_after(end, initrd_size, dtb_size, l);
}

enum hv_err linux_plan_layout(const struct linux_image *img,
			      const struct hv_mem_region *regions,
			      unsigned region_count, uint64_t initrd_size,
			      uint64_t dtb_max_size, struct linux_layout *out,
			      const char **why)
{
	enum plan_stage best = STAGE_KERNEL;
	uint64_t prev = 0;
	bool have_prev = false;
	unsigned visited;

	if (!out)
		return HV_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (why)
		*why = "";
	if (!img || (!regions && region_count) ||
	    region_count > HV_MAX_REGIONS || dtb_max_size == 0 ||
	    dtb_max_size > LINUX_DTB_MAX_SIZE || img->image_size == 0 ||
	    img->copy_size > img->image_size) {
		if (why)
			*why = "linux: invalid layout arguments";
		return HV_ERR_INVAL;
	}
	/* Whatever DTB is written later gets this much room; keep the
	 * initrd clear of its 8-byte padding. */
	dtb_max_size = align_up(dtb_max_size, LINUX_DTB_ALIGN);

	/*
	 * Regions in ascending IPA order without reordering the caller's
	 * array: booting.rst wants the base "as close as possible to the
	 * base of DRAM" unless flags bit 3 is set, and the lowest choice
	 * is right in both cases.
	 */
	for (visited = 0; visited < region_count; visited++) {
		const struct hv_mem_region *next = NULL;
		struct linux_layout l;
		enum plan_stage got;
		unsigned i, next_idx = 0;

		for (i = 0; i < region_count; i++) {
			uint64_t a = ipa_addr(regions[i].ipa);

			if (have_prev && a <= prev)
				continue;
			if (!next || a < ipa_addr(next->ipa)) {
				next = &regions[i];
				next_idx = i;
			}
		}
		if (!next)
			break; /* duplicates of a visited base: nothing new */
		prev = ipa_addr(next->ipa);
		have_prev = true;
		if ((next->flags & HV_MEM_RWX) != HV_MEM_RWX || next->size == 0)
			continue;

		memset(&l, 0, sizeof(l));
		got = plan_region(img, next, initrd_size, dtb_max_size, &l);
		if (got > best)
			best = got;
		if (got != STAGE_DONE)
			continue;

		l.region = next_idx;
		l.entry.pc = l.kernel;
		l.entry.x[0] = ipa_addr(l.dtb);
		l.entry.pstate = PSR_MODE_EL1H | PSR_DAIF;
		l.entry.sctlr_el1 = SCTLR_EL1_RESET;
		*out = l;
		return HV_OK;
	}
	if (why)
		*why = stage_why[best];
	return HV_ERR_RANGE;
}
