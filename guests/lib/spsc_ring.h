/* SPDX-License-Identifier: MIT */
/*
 * A lock-free, zero-copy single-producer/single-consumer ring over memory
 * shared by two cells (the guest half of inter-cell channels,
 * docs/channels.md).
 *
 * Header-only, freestanding C11: it builds for the aarch64 test guests
 * (-ffreestanding -mgeneral-regs-only -mstrict-align) and for host tests.
 *
 * Why only loads, stores and barriers: the test guests run with the MMU
 * off, so every data access is Device-nGnRnE, where exclusives (LDXR/STXR)
 * and LSE atomics are not guaranteed to work (Arm ARM B2.9.5; an LSE atomic
 * to Device memory may take a data abort). Each shared index therefore has
 * exactly one writer and is only ever loaded and stored: load-acquire
 * (LDAR), store-release (STLR) and, for the doorbell handshake, a full
 * barrier (DMB ISH). No read-modify-write and no compare-and-swap anywhere.
 *
 * The peer cell is not trusted: the geometry is read once by
 * spsc_ring_attach(), validated and kept in the private handle, and the
 * peer's index is only used masked or clamped, so a hostile peer can
 * corrupt the messages or stall the channel but never make this side touch
 * memory outside the region.
 */
#ifndef SPSC_RING_H
#define SPSC_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "CRNG" in little-endian byte order; stored last by spsc_ring_init(). */
#define SPSC_RING_MAGIC UINT32_C(0x474e5243)
#define SPSC_RING_VERSION UINT32_C(1)

/* Cache-line size the layout separates writers by (Neoverse, Cortex-A). */
#define SPSC_RING_LINE_SIZE 64u
/* Stage-2 granule: the split layout puts each writer on its own page. */
#define SPSC_RING_PAGE_SIZE 4096u
/* Free-running 32-bit indexes tell full from empty up to 2^31 slots. */
#define SPSC_RING_MAX_SLOTS (UINT32_C(1) << 31)

/* Byte offsets in the region of the two fixed header lines. */
#define SPSC_RING_CTRL_OFFSET 0u
#define SPSC_RING_PROD_OFFSET 64u

#define SPSC_RING_MUST_CHECK __attribute__((warn_unused_result))

enum spsc_ring_err {
	SPSC_RING_OK = 0,
	SPSC_RING_EINVAL,   /* geometry, alignment, size or role unusable */
	SPSC_RING_EAGAIN,   /* attach: magic not (yet) there, try again */
	SPSC_RING_EVERSION, /* attach: written by another layout version */
};

enum spsc_ring_role {
	SPSC_RING_PRODUCER,
	SPSC_RING_CONSUMER,
};

/*
 * Where the consumer index line and the slots go. COMPACT packs the three
 * header lines into 192 bytes. SPLIT puts the consumer line alone on the
 * second 4 KiB page and the slots from the third, so a channel can map the
 * producer's pages read-only into the consumer (and the consumer's page
 * read-only into the producer); only the producer may initialise it.
 */
enum spsc_ring_layout {
	SPSC_RING_COMPACT,
	SPSC_RING_SPLIT,
};

/* Line 0 of the region: written by the initialising side, magic last. */
struct spsc_ring_ctrl {
	uint32_t magic;
	uint32_t version;
	uint32_t slot_count;  /* power of two, 1..SPSC_RING_MAX_SLOTS */
	uint32_t slot_size;   /* bytes, a non-zero multiple of 8 */
	uint32_t cons_offset; /* byte offset of the consumer index line */
	uint32_t slot_offset; /* byte offset of slot 0 */
	uint32_t reserved[10];
};

/* One index on its own line: its only writer never shares the line. */
struct spsc_ring_index {
	uint32_t value;
	uint32_t reserved[15];
};

_Static_assert(sizeof(struct spsc_ring_ctrl) == SPSC_RING_LINE_SIZE,
	       "control block is one cache line");
_Static_assert(sizeof(struct spsc_ring_index) == SPSC_RING_LINE_SIZE,
	       "an index owns a whole cache line");

/*
 * One side's private view of a ring (in the cell's own memory, never in
 * the shared region). Fields are private to this header.
 */
struct spsc_ring {
	struct spsc_ring_ctrl *ctrl;
	uint32_t *own;	      /* this side's index: only this side stores it */
	const uint32_t *peer; /* the other side's index: only loaded */
	uint8_t *slots;
	uint32_t slot_count;
	uint32_t mask;
	uint32_t slot_size;
	uint32_t local;	     /* own index: next slot to fill / to read */
	uint32_t peer_cache; /* last value loaded from *peer */
	uint32_t kicked;     /* local at the last spsc_ring_needs_doorbell() */
	bool producer;
};

/* Lets the copy helpers move 8 bytes at a time through any object type. */
typedef uint64_t __attribute__((may_alias)) spsc_ring_word;

static inline bool spsc_ring_geometry_ok(uint32_t slot_count,
					 uint32_t slot_size)
{
	return slot_count != 0 && slot_count <= SPSC_RING_MAX_SLOTS &&
	       (slot_count & (slot_count - 1)) == 0 && slot_size != 0 &&
	       slot_size % 8 == 0;
}

static inline uint32_t spsc_ring_cons_offset(enum spsc_ring_layout layout)
{
	return layout == SPSC_RING_SPLIT ? SPSC_RING_PAGE_SIZE
					 : 2 * SPSC_RING_LINE_SIZE;
}

static inline uint32_t spsc_ring_slot_offset(enum spsc_ring_layout layout)
{
	return layout == SPSC_RING_SPLIT ? 2 * SPSC_RING_PAGE_SIZE
					 : 3 * SPSC_RING_LINE_SIZE;
}

/*
 * Bytes a region needs for this geometry (header and slots), or 0 when the
 * geometry is invalid. What a channel's config must provide at least.
 */
static inline uint64_t spsc_ring_region_size(enum spsc_ring_layout layout,
					     uint32_t slot_count,
					     uint32_t slot_size)
{
	if (!spsc_ring_geometry_ok(slot_count, slot_size))
		return 0;
	return spsc_ring_slot_offset(layout) + (uint64_t)slot_count * slot_size;
}

/* Fills the private handle once the shared geometry is known valid. */
static inline void spsc_ring_bind(struct spsc_ring *r, void *mem,
				  enum spsc_ring_role role, uint32_t slot_count,
				  uint32_t slot_size, uint32_t cons_offset,
				  uint32_t slot_offset)
{
	uint8_t *base = mem;
	uint32_t *prod =
		&((struct spsc_ring_index *)(void *)(base +
						     SPSC_RING_PROD_OFFSET))
			 ->value;
	uint32_t *cons =
		&((struct spsc_ring_index *)(void *)(base + cons_offset))->value;

	r->ctrl = mem;
	r->producer = role == SPSC_RING_PRODUCER;
	r->own = r->producer ? prod : cons;
	r->peer = r->producer ? cons : prod;
	r->slots = base + slot_offset;
	r->slot_count = slot_count;
	r->mask = slot_count - 1;
	r->slot_size = slot_size;
}

/*
 * Formats `mem` (mem_size bytes, 64-byte aligned, shared with the peer) as
 * an empty ring and attaches `r` to it as `role`. Called by exactly one of
 * the two sides, before the other calls spsc_ring_attach(); the layout
 * SPLIT may only be initialised by the producer. The initialising side
 * never writes the peer's index: it sets its own index equal to the peer's
 * (whatever the region held), which makes the ring empty. The magic is
 * stored last with release, so a peer that sees it sees the rest.
 * Re-initialising a ring the peer is attached to is not supported.
 */
SPSC_RING_MUST_CHECK static inline enum spsc_ring_err spsc_ring_init(
	struct spsc_ring *r, void *mem, size_t mem_size,
	enum spsc_ring_role role, enum spsc_ring_layout layout,
	uint32_t slot_count, uint32_t slot_size)
{
	uint64_t need = spsc_ring_region_size(layout, slot_count, slot_size);
	struct spsc_ring_ctrl *ctrl = mem;

	if (need == 0 || mem == NULL ||
	    (uintptr_t)mem % SPSC_RING_LINE_SIZE != 0 || need > mem_size ||
	    (layout == SPSC_RING_SPLIT && role != SPSC_RING_PRODUCER))
		return SPSC_RING_EINVAL;

	__atomic_store_n(&ctrl->magic, 0, __ATOMIC_RELAXED);
	ctrl->version = SPSC_RING_VERSION;
	ctrl->slot_count = slot_count;
	ctrl->slot_size = slot_size;
	ctrl->cons_offset = spsc_ring_cons_offset(layout);
	ctrl->slot_offset = spsc_ring_slot_offset(layout);
	for (size_t i = 0;
	     i < sizeof(ctrl->reserved) / sizeof(ctrl->reserved[0]); i++)
		ctrl->reserved[i] = 0;
	spsc_ring_bind(r, mem, role, slot_count, slot_size, ctrl->cons_offset,
		       ctrl->slot_offset);

	r->local = __atomic_load_n(r->peer, __ATOMIC_ACQUIRE);
	r->peer_cache = r->local;
	r->kicked = r->local;
	__atomic_store_n(r->own, r->local, __ATOMIC_RELEASE);
	/* Publishes everything above (release pairs with attach's acquire). */
	__atomic_store_n(&ctrl->magic, SPSC_RING_MAGIC, __ATOMIC_RELEASE);
	return SPSC_RING_OK;
}

/*
 * Attaches `r` as `role` to a ring the other side initialised in `mem`
 * (mem_size bytes as this cell maps them, 64-byte aligned). Never blocks:
 * SPSC_RING_EAGAIN means the magic is not there yet, and the caller retries
 * (polling, or after the peer's doorbell); EVERSION and EINVAL are final
 * (other layout version; geometry invalid or larger than this cell's view).
 * The geometry is read once here and only the validated copy is used.
 */
SPSC_RING_MUST_CHECK static inline enum spsc_ring_err spsc_ring_attach(
	struct spsc_ring *r, void *mem, size_t mem_size,
	enum spsc_ring_role role)
{
	struct spsc_ring_ctrl *ctrl = mem;
	uint32_t slot_count, slot_size, cons_offset, slot_offset;
	enum spsc_ring_layout layout;

	if (mem == NULL || (uintptr_t)mem % SPSC_RING_LINE_SIZE != 0 ||
	    mem_size < sizeof(*ctrl))
		return SPSC_RING_EINVAL;
	/* Acquire: pairs with init's release of the magic. */
	if (__atomic_load_n(&ctrl->magic, __ATOMIC_ACQUIRE) != SPSC_RING_MAGIC)
		return SPSC_RING_EAGAIN;
	if (__atomic_load_n(&ctrl->version, __ATOMIC_RELAXED) !=
	    SPSC_RING_VERSION)
		return SPSC_RING_EVERSION;
	slot_count = __atomic_load_n(&ctrl->slot_count, __ATOMIC_RELAXED);
	slot_size = __atomic_load_n(&ctrl->slot_size, __ATOMIC_RELAXED);
	cons_offset = __atomic_load_n(&ctrl->cons_offset, __ATOMIC_RELAXED);
	slot_offset = __atomic_load_n(&ctrl->slot_offset, __ATOMIC_RELAXED);

	/* Only the two known layouts: no peer-chosen offsets. */
	if (cons_offset == spsc_ring_cons_offset(SPSC_RING_COMPACT) &&
	    slot_offset == spsc_ring_slot_offset(SPSC_RING_COMPACT))
		layout = SPSC_RING_COMPACT;
	else if (cons_offset == spsc_ring_cons_offset(SPSC_RING_SPLIT) &&
		 slot_offset == spsc_ring_slot_offset(SPSC_RING_SPLIT))
		layout = SPSC_RING_SPLIT;
	else
		return SPSC_RING_EINVAL;
	uint64_t need = spsc_ring_region_size(layout, slot_count, slot_size);
	if (need == 0 || need > mem_size)
		return SPSC_RING_EINVAL;

	spsc_ring_bind(r, mem, role, slot_count, slot_size, cons_offset,
		       slot_offset);
	r->local = __atomic_load_n(r->own, __ATOMIC_RELAXED);
	r->peer_cache = __atomic_load_n(r->peer, __ATOMIC_ACQUIRE);
	r->kicked = r->local;
	return SPSC_RING_OK;
}

/* Geometry of an initialised or attached ring. */
static inline uint32_t spsc_ring_slot_count(const struct spsc_ring *r)
{
	return r->slot_count;
}

static inline uint32_t spsc_ring_slot_size(const struct spsc_ring *r)
{
	return r->slot_size;
}

/*
 * Messages published and not yet released, as this side sees them now
 * (either role; clamped to the slot count whatever the peer wrote).
 */
static inline uint32_t spsc_ring_used_count(const struct spsc_ring *r)
{
	uint32_t peer = __atomic_load_n(r->peer, __ATOMIC_ACQUIRE);
	uint32_t used = r->producer ? r->local - peer : peer - r->local;

	return used > r->slot_count ? r->slot_count : used;
}

/* Slots the producer could reserve now (either role). */
static inline uint32_t spsc_ring_free_count(const struct spsc_ring *r)
{
	return r->slot_count - spsc_ring_used_count(r);
}

/* Producer: is the ring full according to the cached consumer index? */
static inline bool spsc_ring_full_cached(const struct spsc_ring *r)
{
	return r->local - r->peer_cache >= r->slot_count;
}

/*
 * Producer only: the next free slot (slot_size bytes, 8-byte aligned) to
 * write the message into in place, or NULL when the ring is full (or `r`
 * is a consumer). Nothing is visible to the consumer until
 * spsc_ring_commit(); calling reserve again returns the same slot. The
 * consumer index is loaded (acquire) only when the cached copy says full,
 * so a producer that keeps up rarely touches the consumer's line.
 */
static inline void *spsc_ring_reserve(struct spsc_ring *r)
{
	if (!r->producer)
		return NULL;
	if (spsc_ring_full_cached(r)) {
		/* Acquire: the consumer's reads of the slot we are about to
		 * overwrite happen before our writes to it. */
		r->peer_cache = __atomic_load_n(r->peer, __ATOMIC_ACQUIRE);
		if (spsc_ring_full_cached(r))
			return NULL;
	}
	return r->slots + (size_t)(r->local & r->mask) * r->slot_size;
}

/*
 * Producer only: publishes the slot spsc_ring_reserve() returned. False
 * (and nothing published) when there is no reservable slot or `r` is a
 * consumer. Call spsc_ring_needs_doorbell() after one or more commits.
 */
static inline bool spsc_ring_commit(struct spsc_ring *r)
{
	if (!r->producer || spsc_ring_full_cached(r))
		return false;
	r->local++;
	/* Release: the slot's contents are visible before the new index. */
	__atomic_store_n(r->own, r->local, __ATOMIC_RELEASE);
	return true;
}

/*
 * Consumer only: the oldest unreleased message, read in place (slot_size
 * bytes, 8-byte aligned), or NULL when the ring is empty (or `r` is a
 * producer). The slot stays valid until spsc_ring_release(); peeking again
 * returns the same one. The producer index is loaded (acquire) only when
 * the cached copy says empty.
 */
static inline const void *spsc_ring_peek(struct spsc_ring *r)
{
	if (r->producer)
		return NULL;
	if (r->peer_cache == r->local) {
		/* Acquire: the producer's writes of the slot are visible to
		 * our reads of it. */
		r->peer_cache = __atomic_load_n(r->peer, __ATOMIC_ACQUIRE);
		if (r->peer_cache == r->local)
			return NULL;
	}
	return r->slots + (size_t)(r->local & r->mask) * r->slot_size;
}

/*
 * Consumer only: hands the slot spsc_ring_peek() returned back to the
 * producer. False (and nothing released) when the ring is empty or `r` is
 * a producer. The pointer from peek must not be used afterwards.
 */
static inline bool spsc_ring_release(struct spsc_ring *r)
{
	if (r->producer || r->peer_cache == r->local)
		return false;
	r->local++;
	/* Release: our reads of the slot complete before the producer can
	 * see it free and overwrite it. */
	__atomic_store_n(r->own, r->local, __ATOMIC_RELEASE);
	return true;
}

/*
 * Copies len bytes with accesses the compiler can neither merge nor turn
 * into a memcpy() call: Device memory needs aligned, exactly-sized
 * accesses, and guests have only a byte-at-a-time memcpy. 8 bytes at a
 * time when both ends and the length allow it.
 */
static inline void spsc_ring_copy(void *dst, const void *src, size_t len)
{
	if (((uintptr_t)dst | (uintptr_t)src | len) % 8 == 0) {
		spsc_ring_word *d = dst;
		const spsc_ring_word *s = src;

		for (size_t i = 0; i < len / 8; i++)
			__atomic_store_n(&d[i],
					 __atomic_load_n(&s[i],
							 __ATOMIC_RELAXED),
					 __ATOMIC_RELAXED);
	} else {
		uint8_t *d = dst;
		const uint8_t *s = src;

		for (size_t i = 0; i < len; i++)
			__atomic_store_n(&d[i],
					 __atomic_load_n(&s[i],
							 __ATOMIC_RELAXED),
					 __ATOMIC_RELAXED);
	}
}

/*
 * Producer only: copies len <= slot_size bytes from src into the next slot
 * and commits it (the rest of the slot keeps whatever it held). False when
 * full, len is too large or `r` is a consumer.
 */
SPSC_RING_MUST_CHECK static inline bool spsc_ring_push(struct spsc_ring *r,
						       const void *src,
						       size_t len)
{
	void *slot;

	if (len > r->slot_size)
		return false;
	slot = spsc_ring_reserve(r);
	if (slot == NULL)
		return false;
	spsc_ring_copy(slot, src, len);
	return spsc_ring_commit(r);
}

/*
 * Consumer only: copies the first len <= slot_size bytes of the oldest
 * message to dst and releases it. False when empty, len is too large or
 * `r` is a producer.
 */
SPSC_RING_MUST_CHECK static inline bool spsc_ring_pop(struct spsc_ring *r,
						      void *dst, size_t len)
{
	const void *slot;

	if (len > r->slot_size)
		return false;
	slot = spsc_ring_peek(r);
	if (slot == NULL)
		return false;
	spsc_ring_copy(dst, slot, len);
	return spsc_ring_release(r);
}

/*
 * Either role, after one or more commits (producer) or releases (consumer):
 * true when the peer may be asleep waiting for what we just did, so the
 * caller must ring the doorbell. A consumer sleeps only after seeing the
 * ring empty at its index, and a producer only after seeing it full, so
 * the peer needs waking iff, after a full barrier, its index (for the
 * producer: its index minus the slot count) lies in the range this side
 * moved over since the previous call. For a single commit that is "the
 * ring went from empty to non-empty"; for a single release "from full to
 * not full". Pairs with spsc_ring_can_sleep() on the other side, see there.
 */
SPSC_RING_MUST_CHECK static inline bool spsc_ring_needs_doorbell(
	struct spsc_ring *r)
{
	uint32_t since = r->kicked;
	uint32_t seen;

	/* Full barrier (DMB ISH): our index store is ordered before the load
	 * of the peer's index (store->load, which acquire/release do not
	 * order). With the barrier in the peer's can_sleep, at least one of
	 * the two sees the other's store: no lost wakeup. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->peer_cache = __atomic_load_n(r->peer, __ATOMIC_ACQUIRE);
	r->kicked = r->local;
	seen = r->producer ? r->peer_cache : r->peer_cache - r->slot_count;
	return (uint32_t)(seen - since) < (uint32_t)(r->local - since);
}

/*
 * Either role, as the last step before sleeping (WFI) for the peer's
 * doorbell: true when the ring is still empty (consumer) or still full
 * (producer) after a full barrier, so sleeping is safe; false means work
 * arrived, do not sleep. Protocol: mask IRQs (or otherwise make the
 * doorbell latch as pending), call this, WFI if true, unmask. A doorbell
 * raised after this check stays pending and ends the WFI, and one raised
 * before it is matched by this re-check seeing the peer's store.
 */
SPSC_RING_MUST_CHECK static inline bool spsc_ring_can_sleep(struct spsc_ring *r)
{
	/* Full barrier: our last index store (what the peer's
	 * needs_doorbell looks at) is ordered before the re-check. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->peer_cache = __atomic_load_n(r->peer, __ATOMIC_ACQUIRE);
	if (r->producer)
		return spsc_ring_full_cached(r);
	return r->peer_cache == r->local;
}

#endif /* SPSC_RING_H */
