/* SPDX-License-Identifier: MIT */
/*
 * Basic core types: typed addresses, the error enum and a few attributes.
 *
 * Addresses are one-member structs so that a guest address (ipa_t), a
 * physical address (paddr_t) and a hypervisor virtual address (vaddr_t)
 * cannot be mixed by accident: passing one where another is expected is a
 * compile error, and every conversion is spelled out.
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_MUST_CHECK __attribute__((warn_unused_result))
#define HV_NORETURN _Noreturn
#define HV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define HV_UNUSED(x) ((void)(x))
#define HV_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Physical address in the machine's (or the simulated machine's) space. */
typedef struct {
	uint64_t pa;
} paddr_t;

/* Intermediate physical address: what a cell believes is physical. */
typedef struct {
	uint64_t ipa;
} ipa_t;

/* Virtual address as seen by a guest's stage-1 translation. */
typedef struct {
	uint64_t va;
} vaddr_t;

static inline paddr_t pa_init(uint64_t a)
{
	return (paddr_t){a};
}
static inline uint64_t pa_addr(paddr_t a)
{
	return a.pa;
}
static inline paddr_t pa_add(paddr_t a, uint64_t off)
{
	return (paddr_t){a.pa + off};
}

static inline ipa_t ipa_init(uint64_t a)
{
	return (ipa_t){a};
}
static inline uint64_t ipa_addr(ipa_t a)
{
	return a.ipa;
}
static inline ipa_t ipa_add(ipa_t a, uint64_t off)
{
	return (ipa_t){a.ipa + off};
}

static inline vaddr_t va_init(uint64_t a)
{
	return (vaddr_t){a};
}
static inline uint64_t va_addr(vaddr_t a)
{
	return a.va;
}

/*
 * Errors returned by fallible core functions. Functions returning this enum
 * are marked HV_MUST_CHECK; HV_OK is zero so `if (err)` reads naturally.
 */
enum hv_err {
	HV_OK = 0,
	HV_ERR_INVAL,	/* malformed argument or input */
	HV_ERR_NOMEM,	/* a fixed pool (pages, VMIDs, slots) is exhausted */
	HV_ERR_OVERLAP, /* a range collides with one already in use */
	HV_ERR_RANGE,	/* an address or size lies outside what is allowed */
	HV_ERR_EXISTS,	/* already mapped / already present */
	HV_ERR_NOENT,	/* not found / not mapped */
	HV_ERR_DENIED,	/* the caller is not allowed to do this */
	HV_ERR_STATE,	/* the object is in the wrong state for this */
};

/* Short constant name of an error, for reports ("HV_ERR_OVERLAP"). */
const char *hv_err_str(enum hv_err err);

#define HV_PAGE_SHIFT 12
#define HV_PAGE_SIZE (UINT64_C(1) << HV_PAGE_SHIFT)
#define HV_PAGE_MASK (HV_PAGE_SIZE - 1)

static inline bool hv_is_aligned(uint64_t v, uint64_t align)
{
	return (v & (align - 1)) == 0;
}

/* True when [base, base+size) wraps past 2^64 (size 0 never wraps). */
static inline bool hv_range_wraps(uint64_t base, uint64_t size)
{
	return size != 0 && base + (size - 1) < base;
}

/* True when [a, a+asize) and [b, b+bsize) share at least one byte. */
static inline bool hv_ranges_overlap(uint64_t a, uint64_t asize, uint64_t b,
				     uint64_t bsize)
{
	if (asize == 0 || bsize == 0)
		return false;
	return a <= b + (bsize - 1) && b <= a + (asize - 1);
}

/* True when [inner, inner+isize) lies wholly within [outer, outer+osize). */
static inline bool hv_range_contains(uint64_t outer, uint64_t osize,
				     uint64_t inner, uint64_t isize)
{
	if (isize == 0)
		return inner >= outer && inner - outer <= osize;
	return inner >= outer && isize <= osize &&
	       inner - outer <= osize - isize;
}

#endif /* HV_TYPES_H */
