/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation tables, 4 KiB granule (Arm ARM D8.2 "Translation
 * process", D8.3 "Translation table descriptor formats").
 *
 * Every update (map, unmap, protect) is one walk over the range, run twice
 * by s2_run(): a count pass that reads the tree, decides everything and
 * counts the table pages the update will need (and refuses it if it must be
 * refused), then, once those pages are allocated, a commit pass that takes
 * the very same decisions and writes descriptors. The count pass never
 * writes, so a refusal or HV_ERR_NOMEM leaves the tree untouched; the commit
 * pass never allocates, so it cannot fail half way.
 *
 * Tables are reached only through hal_phys_map(), one page at a time, and
 * descriptors are written with single 64-bit stores so a hardware walker on
 * another CPU never sees a torn descriptor (Arm ARM B2.2, single-copy
 * atomicity of aligned doubleword accesses). Barriers before TLB
 * maintenance are the HAL's job (hal/mem.h).
 */
#include <hv/arm64/pte.h>
#include <hv/arm64/vtcr.h>
#include <hv/check.h>
#include <hv/stage2.h>

#include <hal/mem.h>

#define S2_LEVEL_BITS 9u /* 512 descriptors per 4 KiB table */
#define S2_ENTRIES (1u << S2_LEVEL_BITS)
#define S2_MAX_CONCAT_BITS 4u /* at most 16 concatenated roots */
#define S2_LAST_LEVEL 3u
#define S2_IPA_BITS_MIN 32u
#define S2_IPA_BITS_MAX 48u
/* Descriptors hold OA[47:12] (pte.h); 52-bit OAs need FEAT_LPA2. */
#define S2_OA_BITS_MAX 48u
/*
 * VTCR_EL2.VS stays 0: VMIDs are 8 bits (VTTBR_EL2.VMID[7:0] at [55:48]),
 * which every Armv8 CPU supports and matches HV_MAX_VMID in hv.h.
 */
#define S2_VMID_MAX 0xffu

/* VTCR_EL2.PS encodings (Arm ARM D24.2 VTCR_EL2): index = PS value. */
static const unsigned ps_bits[] = {32, 36, 40, 42, 44, 48, 52};

/* Lowest IPA bit a descriptor at `level` translates (4 KiB granule). */
static unsigned level_shift(unsigned level)
{
	return HV_PAGE_SHIFT + S2_LEVEL_BITS * (S2_LAST_LEVEL - level);
}

static uint64_t level_size(unsigned level)
{
	return UINT64_C(1) << level_shift(level);
}

enum hv_err stage2_geometry(unsigned ipa_bits, unsigned pa_bits,
			    struct stage2_geometry *out)
{
	unsigned ps = (unsigned)HV_ARRAY_SIZE(ps_bits);
	unsigned level, extra;

	for (unsigned i = 0; i < HV_ARRAY_SIZE(ps_bits); i++) {
		if (ps_bits[i] == pa_bits)
			ps = i;
	}
	if (ps == HV_ARRAY_SIZE(ps_bits) || ipa_bits < S2_IPA_BITS_MIN ||
	    ipa_bits > S2_IPA_BITS_MAX || ipa_bits > pa_bits)
		return HV_ERR_RANGE;
	/*
	 * With a 4 KiB granule and no FEAT_LPA2 a PS of 52 bits is treated
	 * as 48 (Arm ARM D8.2, output address size), and our descriptors
	 * cannot hold more: say 48 so that the value is the one in effect.
	 */
	while (ps_bits[ps] > S2_OA_BITS_MAX)
		ps--;

	/*
	 * Deepest initial lookup level whose table, concatenated at most 16
	 * times, resolves all IPA bits above its own (Arm ARM D8.2.4,
	 * "Concatenated translation tables for the initial stage-2 lookup").
	 * A deeper start saves one walk step per TLB miss. Level 0 always
	 * fits: ipa_bits <= 48 = level_shift(0) + 9.
	 */
	level = 2;
	while (ipa_bits >
	       level_shift(level) + S2_LEVEL_BITS + S2_MAX_CONCAT_BITS)
		level--;
	extra = ipa_bits > level_shift(level) + S2_LEVEL_BITS
			? ipa_bits - level_shift(level) - S2_LEVEL_BITS
			: 0;

	out->ipa_bits = ipa_bits;
	out->start_level = level;
	out->root_pages = 1u << extra;
	out->vtcr =
		((uint64_t)(64 - ipa_bits) << VTCR_EL2_T0SZ_SHIFT) |
		/* SL0 with TG0 = 4 KiB: 0 = level 2, 1 = level 1, 2 = level 0 */
		((uint64_t)(2 - level) << VTCR_EL2_SL0_SHIFT) |
		(VTCR_EL2_RGN_WBWA << VTCR_EL2_IRGN0_SHIFT) |
		(VTCR_EL2_RGN_WBWA << VTCR_EL2_ORGN0_SHIFT) |
		(VTCR_EL2_SH_INNER << VTCR_EL2_SH0_SHIFT) |
		(VTCR_EL2_TG0_4K << VTCR_EL2_TG0_SHIFT) |
		((uint64_t)ps << VTCR_EL2_PS_SHIFT) | VTCR_EL2_RES1;
	return HV_OK;
}

/* Output-address bits the geometry's VTCR_EL2.PS allows. */
static unsigned geo_pa_bits(const struct stage2_geometry *geo)
{
	uint64_t ps = (geo->vtcr & VTCR_EL2_PS_MASK) >> VTCR_EL2_PS_SHIFT;

	CHECK(ps < HV_ARRAY_SIZE(ps_bits));
	return ps_bits[ps];
}

/* ---- descriptors ---------------------------------------------------------- */

/*
 * Descriptor `index` of the table at `table`; index may run past 512 for
 * concatenated root tables, which are contiguous pages.
 */
/*
 * The 512 descriptors of the table page that holds descriptor `index` of the
 * table at `table`. Loops over a whole table map each page once, not each
 * descriptor: an isolation check or a release reads thousands of them.
 */
static volatile uint64_t *table_map(paddr_t table, unsigned index)
{
	paddr_t page = pa_add(table, (uint64_t)(index / S2_ENTRIES)
					     << HV_PAGE_SHIFT);
	uint64_t *p = hal_phys_map(page, HV_PAGE_SIZE);

	/* Table pages come from the pool, which the HAL placed in RAM. */
	CHECK(p != NULL);
	return p;
}

static volatile uint64_t *pte_ptr(paddr_t table, unsigned index)
{
	return &table_map(table, index)[index % S2_ENTRIES];
}

static uint64_t pte_read(paddr_t table, unsigned index)
{
	return *pte_ptr(table, index);
}

static void pte_write(paddr_t table, unsigned index, uint64_t desc)
{
	*pte_ptr(table, index) = desc;
}

static bool desc_valid(uint64_t d)
{
	return (d & PTE_VALID) != 0;
}

/* Levels 0-2 use type 0b11 for tables; at level 3 it means a page. */
static bool desc_is_table(uint64_t d, unsigned level)
{
	return level < S2_LAST_LEVEL && (d & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

static paddr_t desc_table(uint64_t d)
{
	return pa_init(d & PTE_ADDR_MASK);
}

/* Output address of a block or page descriptor at `level`. */
static uint64_t desc_oa(uint64_t d, unsigned level)
{
	return d & PTE_ADDR_MASK & ~(level_size(level) - 1);
}

static uint64_t leaf_type(unsigned level)
{
	return level == S2_LAST_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK;
}

/* Stage-2 leaf attributes (Arm ARM D8.3 attribute fields, D8.4 S2AP, D8.6
 * MemAttr) for S2_* flags. */
static uint64_t attrs_from_flags(unsigned flags)
{
	uint64_t a = PTE_S2_AF; /* no Access flag faults: we do not age pages */

	if (flags & S2_DEVICE) {
		/*
		 * Always execute-never: nothing but XN stops speculative
		 * instruction fetches from Device memory (Arm ARM B2, "Device
		 * memory").
		 * Shareability does not apply to Device memory.
		 */
		a |= PTE_S2_MEMATTR_DEVICE_nGnRE | PTE_S2_XN;
	} else {
		a |= PTE_S2_MEMATTR_NORMAL_WB | PTE_S2_SH_INNER;
		if (!(flags & S2_EXEC))
			a |= PTE_S2_XN;
	}
	if (flags & S2_READ)
		a |= PTE_S2_S2AP_R;
	if (flags & S2_WRITE)
		a |= PTE_S2_S2AP_W;
	return a;
}

static unsigned flags_from_desc(uint64_t d)
{
	unsigned flags = 0;

	if (d & PTE_S2_S2AP_R)
		flags |= S2_READ;
	if (d & PTE_S2_S2AP_W)
		flags |= S2_WRITE;
	if ((d & PTE_S2_XN_MASK) == 0)
		flags |= S2_EXEC;
	/* MemAttr[3:2] == 0b00 is Device memory (Arm ARM D8, stage 2
	 * memory type and Cacheability attributes). */
	if ((d & (UINT64_C(0xc) << PTE_S2_MEMATTR_SHIFT)) == 0)
		flags |= S2_DEVICE;
	return flags;
}

/* Descriptor `index` of the table that splitting `block` (a block at
 * child_level - 1) yields: same attributes, a slice of its output range. */
static uint64_t split_child(uint64_t block, unsigned child_level,
			    unsigned index)
{
	uint64_t oa = desc_oa(block, child_level - 1) +
		      (uint64_t)index * level_size(child_level);

	return oa | (block & PTE_S2_ATTR_MASK) | leaf_type(child_level);
}

/* ---- the two-pass update walk --------------------------------------------- */

enum s2_kind {
	S2_OP_MAP,
	S2_OP_UNMAP,
	S2_OP_PROTECT,
};

/*
 * A table as one pass sees it. In the count pass a table the commit pass
 * would create is not present: it reads as empty (map) or as the slices of
 * the block it would split (`split`), so both passes decide the same.
 */
struct s2_table {
	paddr_t pa; /* first page, when present */
	bool present;
	uint64_t split; /* !present: block descriptor it splits, 0: empty */
	unsigned level;
	unsigned entries; /* 512, or 512 * root_pages at the root */
	uint64_t base;	  /* first IPA it translates */
};

struct s2_op {
	struct stage2 *s2;
	enum s2_kind kind;
	bool commit;
	uint64_t start, end; /* IPA range [start, end) */
	uint64_t pa_start;   /* map: PA for `start` */
	uint64_t attrs;	     /* map, protect: leaf attributes */
	enum hv_err err;     /* count pass: why the update is refused */
	uint64_t need;	     /* count pass: table pages the commit will take */
	/*
	 * Page lists linked through the pages' first word. The reserve holds
	 * zeroed preallocated pages; `freed` holds tables that unmap emptied
	 * and unlinked, given back only after the TLB invalidation because
	 * walk caches may still point at them. A link is a page address, so
	 * bit 0 is clear and a walker still reading such a page sees an
	 * invalid descriptor.
	 */
	paddr_t reserve;
	uint64_t reserve_count;
	paddr_t freed;
	uint64_t freed_count;
};

static void list_push(paddr_t *head, uint64_t *count, paddr_t page)
{
	pte_write(page, 0, pa_addr(*head));
	*head = page;
	(*count)++;
}

static paddr_t list_pop(paddr_t *head, uint64_t *count)
{
	paddr_t page = *head;

	CHECK(*count > 0);
	*head = pa_init(pte_read(page, 0));
	pte_write(page, 0, 0);
	(*count)--;
	return page;
}

static void list_free(struct page_pool *pool, paddr_t *head, uint64_t *count)
{
	while (*count > 0)
		page_pool_free(pool, list_pop(head, count), 1);
}

static uint64_t table_entry(const struct s2_table *t, unsigned index)
{
	if (t->present)
		return pte_read(t->pa, index);
	if (t->split != 0)
		return split_child(t->split, t->level, index);
	return 0;
}

static struct s2_table table_of(uint64_t d, unsigned level, uint64_t base)
{
	return (struct s2_table){.pa = desc_table(d),
				 .present = true,
				 .level = level,
				 .entries = S2_ENTRIES,
				 .base = base};
}

/*
 * Puts a new table below entry `index` of `t`: empty, or holding the pieces
 * of the block `split` so that nothing outside the update range changes.
 * The count pass only counts it.
 */
static struct s2_table table_add(struct s2_op *op, const struct s2_table *t,
				 unsigned index, uint64_t base, uint64_t split)
{
	struct s2_table c = {.split = split,
			     .level = t->level + 1,
			     .entries = S2_ENTRIES,
			     .base = base};

	if (!op->commit) {
		op->need++;
		return c;
	}
	CHECK(t->present);
	c.pa = list_pop(&op->reserve, &op->reserve_count);
	c.present = true;
	op->s2->table_pages++;
	if (split != 0) {
		volatile uint64_t *p = table_map(c.pa, 0);
		for (unsigned i = 0; i < S2_ENTRIES; i++)
			p[i] = split_child(split, c.level, i);
		/*
		 * Replacing a block by a table is a change of block size, which
		 * needs break-before-make: invalid descriptor, TLB
		 * invalidation, then the new descriptor (Arm ARM D8, "Using
		 * break-before-make when updating translation table
		 * entries"). A vCPU touching the block meanwhile takes a
		 * stage-2 fault on a now-mapped IPA and must be resumed.
		 */
		pte_write(t->pa, index, 0);
		hal_tlb_flush_range(op->s2->vmid, ipa_init(base),
				    level_size(t->level));
	}
	pte_write(t->pa, index, pa_addr(c.pa) | PTE_TYPE_TABLE);
	return c;
}

static bool table_empty(paddr_t table)
{
	const volatile uint64_t *p = table_map(table, 0);

	for (unsigned i = 0; i < S2_ENTRIES; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

static void s2_visit(struct s2_op *op, const struct s2_table *t);

/* Unmap at one entry of `t`: [lo, hi) is the part of the range it covers. */
/* Recursive: one call per translation level, levels 0..S2_LAST_LEVEL. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void visit_unmap(struct s2_op *op, const struct s2_table *t,
			unsigned index, uint64_t ebase, bool full)
{
	uint64_t d = table_entry(t, index);
	struct s2_table c;

	if (!desc_valid(d))
		return; /* unmapping nothing is fine */
	if (desc_is_table(d, t->level)) {
		c = table_of(d, t->level + 1, ebase);
		s2_visit(op, &c);
		/*
		 * A table left empty is unlinked and freed, so a cell that maps
		 * and unmaps in a loop does not slowly eat the pool.
		 */
		if (op->commit && table_empty(c.pa)) {
			pte_write(t->pa, index, 0);
			list_push(&op->freed, &op->freed_count, c.pa);
		}
		return;
	}
	if (full) {
		if (op->commit)
			pte_write(t->pa, index, 0);
		return;
	}
	c = table_add(op, t, index, ebase, d);
	s2_visit(op, &c);
}

/* Recursive: one call per translation level, levels 0..S2_LAST_LEVEL. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void visit_protect(struct s2_op *op, const struct s2_table *t,
			  unsigned index, uint64_t ebase, bool full)
{
	uint64_t d = table_entry(t, index);
	struct s2_table c;

	if (!desc_valid(d)) {
		/* The count pass refuses before the commit pass can see it. */
		CHECK(!op->commit);
		op->err = HV_ERR_NOENT;
		return;
	}
	if (desc_is_table(d, t->level)) {
		c = table_of(d, t->level + 1, ebase);
		s2_visit(op, &c);
		return;
	}
	if (full) {
		/* Permission changes need no break-before-make; the TLB
		 * invalidation after the walk makes them take effect. */
		if (op->commit)
			pte_write(t->pa, index,
				  desc_oa(d, t->level) | op->attrs |
					  leaf_type(t->level));
		return;
	}
	c = table_add(op, t, index, ebase, d);
	s2_visit(op, &c);
}

/* Recursive: one call per translation level, levels 0..S2_LAST_LEVEL. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void visit_map(struct s2_op *op, const struct s2_table *t,
		      unsigned index, uint64_t ebase, uint64_t lo, bool full)
{
	uint64_t d = table_entry(t, index);
	uint64_t pa = op->pa_start + (lo - op->start);
	struct s2_table c;

	if (desc_is_table(d, t->level)) {
		c = table_of(d, t->level + 1, ebase);
		s2_visit(op, &c);
		return;
	}
	if (desc_valid(d)) {
		CHECK(!op->commit);
		op->err = HV_ERR_EXISTS;
		return;
	}
	/*
	 * Policy: 2 MiB blocks whenever the entry is wholly inside the range
	 * and the PA is aligned, 4 KiB pages otherwise; no 1 GiB blocks, so
	 * a cell's memory never needs a level-1 split when a pledge unmaps
	 * part of it. Invalid-to-valid needs no TLB maintenance: entries
	 * that fault are never cached (Arm ARM D8, "Translation
	 * Lookaside Buffers").
	 */
	if (full && t->level >= 2 && hv_is_aligned(pa, level_size(t->level))) {
		if (op->commit)
			pte_write(t->pa, index,
				  pa | op->attrs | leaf_type(t->level));
		return;
	}
	c = table_add(op, t, index, ebase, 0);
	s2_visit(op, &c);
}

/* Applies op to every entry of `t` that overlaps [op->start, op->end). */
/* Recursive: one call per translation level, levels 0..S2_LAST_LEVEL. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void s2_visit(struct s2_op *op, const struct s2_table *t)
{
	unsigned shift = level_shift(t->level);
	uint64_t esize = level_size(t->level);
	uint64_t from = op->start > t->base ? op->start : t->base;

	for (unsigned i = (unsigned)((from - t->base) >> shift); i < t->entries;
	     i++) {
		uint64_t ebase = t->base + ((uint64_t)i << shift);
		uint64_t lo = op->start > ebase ? op->start : ebase;
		uint64_t hi = op->end < ebase + esize ? op->end : ebase + esize;
		bool full = lo == ebase && hi == ebase + esize;

		if (ebase >= op->end)
			break;
		switch (op->kind) {
		case S2_OP_MAP:
			visit_map(op, t, i, ebase, lo, full);
			break;
		case S2_OP_UNMAP:
			visit_unmap(op, t, i, ebase, full);
			break;
		case S2_OP_PROTECT:
			visit_protect(op, t, i, ebase, full);
			break;
		}
		if (op->err != HV_OK)
			return;
	}
}

static struct s2_table root_table(const struct stage2 *s2)
{
	return (struct s2_table){.pa = s2->root,
				 .present = true,
				 .level = s2->geo.start_level,
				 .entries = S2_ENTRIES * s2->geo.root_pages,
				 .base = 0};
}

/* Count, allocate, commit. On error nothing has changed. */
static enum hv_err s2_run(struct s2_op *op)
{
	struct s2_table root = root_table(op->s2);

	op->commit = false;
	s2_visit(op, &root);
	if (op->err != HV_OK)
		return op->err;

	while (op->reserve_count < op->need) {
		paddr_t page;

		if (page_pool_alloc(op->s2->pool, 1, 1, &page) != HV_OK) {
			list_free(op->s2->pool, &op->reserve,
				  &op->reserve_count);
			return HV_ERR_NOMEM;
		}
		list_push(&op->reserve, &op->reserve_count, page);
	}

	op->commit = true;
	s2_visit(op, &root);
	/* Both passes took the same decisions. */
	CHECK(op->err == HV_OK && op->reserve_count == 0);
	return HV_OK;
}

/* Invalidates the range, then returns the tables the update emptied. */
static void s2_finish(struct s2_op *op)
{
	hal_tlb_flush_range(op->s2->vmid, ipa_init(op->start),
			    op->end - op->start);
	op->s2->table_pages -= op->freed_count;
	list_free(op->s2->pool, &op->freed, &op->freed_count);
}

/* Shared argument checks: alignment, then the IPA space. */
static enum hv_err check_range(const struct stage2 *s2, uint64_t ipa,
			       uint64_t size)
{
	if (!hv_is_aligned(ipa, HV_PAGE_SIZE) ||
	    !hv_is_aligned(size, HV_PAGE_SIZE))
		return HV_ERR_INVAL;
	if (!hv_range_contains(0, UINT64_C(1) << s2->geo.ipa_bits, ipa, size))
		return HV_ERR_RANGE;
	return HV_OK;
}

/* ---- public API ----------------------------------------------------------- */

enum hv_err stage2_init(struct stage2 *s2, struct page_pool *pool,
			const struct stage2_geometry *geo, uint16_t vmid)
{
	paddr_t root;
	enum hv_err err;

	/* VMIDs and geometries come from the core, never from a guest. */
	CHECK(vmid <= S2_VMID_MAX);
	CHECK(geo->start_level <= 2 && geo->root_pages >= 1 &&
	      geo->root_pages <= (1u << S2_MAX_CONCAT_BITS) &&
	      (geo->root_pages & (geo->root_pages - 1)) == 0);

	/* VTTBR_EL2.BADDR must be aligned to the concatenated size. */
	err = page_pool_alloc(pool, geo->root_pages, geo->root_pages, &root);
	if (err != HV_OK)
		return err;
	*s2 = (struct stage2){.pool = pool,
			      .geo = *geo,
			      .root = root,
			      .vmid = vmid,
			      .table_pages = geo->root_pages};
	return HV_OK;
}

/* Frees every table below entry range of `table` (not `table` itself). */
/* Recursive: one call per translation level, levels 0..S2_LAST_LEVEL. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void free_subtables(struct stage2 *s2, paddr_t table, unsigned level,
			   unsigned entries)
{
	/* Level-3 descriptors are pages, never tables: nothing to read. */
	if (level >= S2_LAST_LEVEL)
		return;
	for (unsigned i = 0; i < entries; i += S2_ENTRIES) {
		const volatile uint64_t *p = table_map(table, i);

		for (unsigned j = 0; j < S2_ENTRIES; j++) {
			uint64_t d = p[j];

			/* Type 0b11 below level 3: a table (valid). */
			if ((d & PTE_TYPE_MASK) != PTE_TYPE_TABLE)
				continue;
			free_subtables(s2, desc_table(d), level + 1,
				       S2_ENTRIES);
			page_pool_free(s2->pool, desc_table(d), 1);
			s2->table_pages--;
		}
	}
}

void stage2_destroy(struct stage2 *s2)
{
	if (s2->pool == NULL)
		return;
	/*
	 * Invalidate first: once a page is back in the pool another cell may
	 * get it, and no walk cache may still know it as ours. The caller has
	 * stopped every vCPU of this VMID, so nothing refills the TLB.
	 */
	hal_tlb_flush_vmid(s2->vmid);
	free_subtables(s2, s2->root, s2->geo.start_level,
		       S2_ENTRIES * s2->geo.root_pages);
	page_pool_free(s2->pool, s2->root, s2->geo.root_pages);
	s2->table_pages -= s2->geo.root_pages;
	CHECK(s2->table_pages == 0);
	s2->pool = NULL;
	s2->root = pa_init(0);
}

enum hv_err stage2_map(struct stage2 *s2, ipa_t ipa, paddr_t pa, uint64_t size,
		       unsigned flags)
{
	struct s2_op op = {.s2 = s2, .kind = S2_OP_MAP};
	enum hv_err err;

	if ((flags & ~(S2_RWX | S2_DEVICE)) != 0 ||
	    !hv_is_aligned(pa_addr(pa), HV_PAGE_SIZE))
		return HV_ERR_INVAL;
	err = check_range(s2, ipa_addr(ipa), size);
	if (err != HV_OK)
		return err;
	if (!hv_range_contains(0, UINT64_C(1) << geo_pa_bits(&s2->geo),
			       pa_addr(pa), size))
		return HV_ERR_RANGE;
	if (size == 0)
		return HV_OK;

	op.start = ipa_addr(ipa);
	op.end = op.start + size;
	op.pa_start = pa_addr(pa);
	op.attrs = attrs_from_flags(flags);
	return s2_run(&op);
}

enum hv_err stage2_unmap(struct stage2 *s2, ipa_t ipa, uint64_t size)
{
	struct s2_op op = {.s2 = s2, .kind = S2_OP_UNMAP};
	enum hv_err err = check_range(s2, ipa_addr(ipa), size);

	if (err != HV_OK || size == 0)
		return err;
	op.start = ipa_addr(ipa);
	op.end = op.start + size;
	err = s2_run(&op);
	if (err == HV_OK)
		s2_finish(&op);
	return err;
}

enum hv_err stage2_protect(struct stage2 *s2, ipa_t ipa, uint64_t size,
			   unsigned flags)
{
	struct s2_op op = {.s2 = s2, .kind = S2_OP_PROTECT};
	enum hv_err err;

	if ((flags & ~(S2_RWX | S2_DEVICE)) != 0)
		return HV_ERR_INVAL;
	err = check_range(s2, ipa_addr(ipa), size);
	if (err != HV_OK || size == 0)
		return err;
	op.start = ipa_addr(ipa);
	op.end = op.start + size;
	op.attrs = attrs_from_flags(flags);
	err = s2_run(&op);
	if (err == HV_OK)
		s2_finish(&op);
	return err;
}

bool stage2_walk(const struct stage2 *s2, ipa_t ipa, struct stage2_walk *out)
{
	uint64_t a = ipa_addr(ipa);
	unsigned level = s2->geo.start_level;
	paddr_t table = s2->root;
	/* The root index may exceed 511: concatenated tables. */
	unsigned index;
	uint64_t d;

	if (s2->pool == NULL || (a >> s2->geo.ipa_bits) != 0)
		return false;
	index = (unsigned)(a >> level_shift(level));
	for (;;) {
		d = pte_read(table, index);
		if (!desc_valid(d))
			return false;
		if (!desc_is_table(d, level))
			break;
		table = desc_table(d);
		level++;
		index = (unsigned)((a >> level_shift(level)) &
				   (S2_ENTRIES - 1));
	}
	/*
	 * We never write level-0 blocks (not allowed with 4 KiB granules
	 * without FEAT_LPA2) nor type 0b01 at level 3 (reserved, Arm ARM
	 * D8.3): seeing one means the tree is corrupt.
	 */
	CHECK(level >= 1);
	CHECK(level < S2_LAST_LEVEL || (d & PTE_TYPE_MASK) == PTE_TYPE_PAGE);
	out->level = level;
	out->leaf_size = level_size(level);
	out->leaf_ipa = ipa_init(a & ~(out->leaf_size - 1));
	out->pa = pa_init(desc_oa(d, level) + (a & (out->leaf_size - 1)));
	out->flags = flags_from_desc(d);
	return true;
}

bool stage2_fault_level(const struct stage2 *s2, ipa_t ipa, unsigned *level)
{
	uint64_t a = ipa_addr(ipa);
	unsigned l = s2->geo.start_level;
	paddr_t table = s2->root;

	/* An IPA beyond the configured input size faults at the initial
	 * lookup level: no descriptor is ever read for it. */
	if (s2->pool == NULL || (a >> s2->geo.ipa_bits) != 0) {
		*level = l;
		return true;
	}
	unsigned index = (unsigned)(a >> level_shift(l));
	for (;;) {
		uint64_t d = pte_read(table, index);
		if (!desc_valid(d)) {
			*level = l;
			return true;
		}
		if (!desc_is_table(d, l))
			return false;
		table = desc_table(d);
		l++;
		index = (unsigned)((a >> level_shift(l)) & (S2_ENTRIES - 1));
	}
}

uint64_t stage2_vttbr(const struct stage2 *s2)
{
	return ((uint64_t)s2->vmid << VTTBR_EL2_VMID_SHIFT) |
	       (pa_addr(s2->root) & VTTBR_EL2_BADDR_MASK);
}

typedef bool (*s2_leaf_fn)(void *arg, ipa_t ipa, paddr_t pa, uint64_t size,
			   unsigned flags);

/* Recursive: one call per translation level, levels 0..S2_LAST_LEVEL. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static bool for_each_in(const struct stage2 *s2, paddr_t table, unsigned level,
			unsigned entries, uint64_t base, s2_leaf_fn fn,
			void *arg)
{
	const volatile uint64_t *p = NULL;

	for (unsigned i = 0; i < entries; i++) {
		if (i % S2_ENTRIES == 0)
			p = table_map(table, i);
		uint64_t d = p[i % S2_ENTRIES];
		uint64_t ebase = base + ((uint64_t)i << level_shift(level));

		if (!desc_valid(d))
			continue;
		if (desc_is_table(d, level)) {
			if (!for_each_in(s2, desc_table(d), level + 1,
					 S2_ENTRIES, ebase, fn, arg))
				return false;
			continue;
		}
		if (!fn(arg, ipa_init(ebase), pa_init(desc_oa(d, level)),
			level_size(level), flags_from_desc(d)))
			return false;
	}
	return true;
}

bool stage2_for_each(const struct stage2 *s2,
		     bool (*fn)(void *arg, ipa_t ipa, paddr_t pa, uint64_t size,
				unsigned flags),
		     void *arg)
{
	if (s2->pool == NULL)
		return true;
	return for_each_in(s2, s2->root, s2->geo.start_level,
			   S2_ENTRIES * s2->geo.root_pages, 0, fn, arg);
}
