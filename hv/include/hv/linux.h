/* SPDX-License-Identifier: MIT */
/*
 * Booting an unmodified arm64 Linux kernel in a cell: parsing the Image
 * header and planning where kernel, devicetree and initrd go in the cell's
 * RAM, with the register state the kernel expects on entry.
 *
 * Reference: Linux Documentation/arch/arm64/booting.rst ("Booting AArch64
 * Linux", section 4 "Call the kernel image"); the rules as implemented are
 * written down in docs/linux.md.
 */
#ifndef HV_LINUX_H
#define HV_LINUX_H

#include "config.h"
#include "types.h"

#define LINUX_IMAGE_HEADER_SIZE 64u
#define LINUX_IMAGE_MAGIC UINT32_C(0x644d5241) /* "ARM\x64", LE, at 0x38 */
#define LINUX_IMAGE_MAGIC_OFFSET 0x38u

/* Header flags (booting.rst, introduced in v3.17). */
#define LINUX_FLAG_BE (UINT64_C(1) << 0)
#define LINUX_FLAG_PAGE_SIZE_SHIFT 1
#define LINUX_FLAG_PAGE_SIZE_MASK (UINT64_C(3) << LINUX_FLAG_PAGE_SIZE_SHIFT)
#define LINUX_FLAG_PHYS_ANYWHERE (UINT64_C(1) << 3)

/* Kernels before v3.17 have image_size 0; text_offset is then 0x80000. */
#define LINUX_LEGACY_TEXT_OFFSET UINT64_C(0x80000)

#define LINUX_SZ_2M UINT64_C(0x200000)
#define LINUX_KERNEL_ALIGN LINUX_SZ_2M /* base of text_offset */
#define LINUX_DTB_ALIGN UINT64_C(8)
#define LINUX_DTB_MAX_SIZE LINUX_SZ_2M
/* Before v4.2 the DTB must lie in the 512 MiB from the 2 MiB base. */
#define LINUX_DTB_WINDOW (UINT64_C(512) << 20)
/* The initrd and the kernel share a 1 GiB aligned window of <= 32 GiB. */
#define LINUX_INITRD_WINDOW_ALIGN (UINT64_C(1) << 30)
#define LINUX_INITRD_WINDOW_MAX (UINT64_C(32) << 30)
/* Kernels keep the whole image below 2^48 (flags bit 3 description). */
#define LINUX_PA_LIMIT (UINT64_C(1) << 48)

enum linux_page_size {
	LINUX_PAGE_UNSPECIFIED = 0,
	LINUX_PAGE_4K = 1,
	LINUX_PAGE_16K = 2,
	LINUX_PAGE_64K = 3,
};

/* What a valid Image header tells the loader. */
struct linux_image {
	uint64_t text_offset; /* load offset from a 2 MiB aligned base */
	uint64_t image_size;  /* bytes from the load address the kernel owns
			       * (BSS included); the file size if legacy */
	uint64_t copy_size; /* bytes of the file to copy to the load address */
	uint64_t flags;	    /* raw header flags; 0 if legacy */
	enum linux_page_size page_size;
	bool legacy;	    /* header image_size was 0 (pre-v3.17) */
	bool phys_anywhere; /* flags bit 3: base need not be near RAM start */
};

/*
 * The register state booting.rst requires of the primary CPU: x0 = DTB,
 * x1..x3 = 0, EL1h with D, A, I, F masked, MMU and D-cache off. Other
 * registers are the reset state hal_vcpu_reset() gives.
 */
struct linux_entry {
	ipa_t pc;
	uint64_t x[4];
	uint64_t pstate;    /* SPSR_EL2 to enter with */
	uint64_t sctlr_el1; /* M = C = I = 0 */
};

/* Where everything goes in the cell. All IPAs lie in regions[region]. */
struct linux_layout {
	unsigned region;   /* index into the regions given */
	ipa_t kernel_base; /* 2 MiB aligned */
	ipa_t kernel;	   /* kernel_base + text_offset: load and entry */
	uint64_t kernel_copy_size;
	uint64_t kernel_span; /* image_size: must stay free for the kernel */
	ipa_t dtb;	      /* 8-byte aligned, not crossing a 2 MiB line */
	uint64_t dtb_max_size;
	bool has_initrd;
	ipa_t initrd;
	uint64_t initrd_size;
	struct linux_entry entry;
};

/*
 * Parses the arm64 Image header at the start of [buf, buf+size), `size`
 * being the whole file. Reads no byte at or beyond buf+size. Returns
 * HV_ERR_INVAL for a truncated file, a bad magic (a gzip-compressed Image
 * is named as such), a big-endian kernel, text_offset not 4 KiB aligned or
 * not below 2 MiB, or text_offset + image_size beyond 2^48. On error
 * *out is zeroed and *why (if why is non-NULL) points at a constant
 * one-line reason. Pure: no locking, input untrusted.
 */
HV_MUST_CHECK enum hv_err linux_image_parse(const void *buf, size_t size,
					    struct linux_image *out,
					    const char **why);

/*
 * Plans the boot of `img` in a cell with `region_count` memory regions
 * (only those with HV_MEM_RWX are used), an initrd of `initrd_size` bytes
 * (0: none) and a devicetree of at most `dtb_max_size` bytes (1..2 MiB;
 * generate it afterwards, since /chosen needs the initrd address). The
 * kernel goes at the lowest 2 MiB aligned base that fits, in the lowest
 * region that holds the whole plan; DTB and initrd follow as described in
 * docs/linux.md. Fills out->entry too.
 *
 * Returns HV_ERR_INVAL for bad arguments (NULLs, dtb_max_size 0 or over
 * 2 MiB, too many regions) and HV_ERR_RANGE when no region holds kernel,
 * DTB and initrd. On error *out is zeroed and *why (if non-NULL) names the
 * part that did not fit. Pure: no locking.
 */
HV_MUST_CHECK enum hv_err linux_plan_layout(
	const struct linux_image *img, const struct hv_mem_region *regions,
	unsigned region_count, uint64_t initrd_size, uint64_t dtb_max_size,
	struct linux_layout *out, const char **why);

#endif /* HV_LINUX_H */
