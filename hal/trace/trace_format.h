/* SPDX-License-Identifier: MIT */
/*
 * Cellvisor trace files (docs/trace-format.md): what crosses the HAL
 * boundary, recorded by either HAL and replayed on the host.
 *
 * File = header, then blocks. All integers little-endian.
 *
 * Header (TRACE_HEADER_SIZE bytes before the variable part):
 *   magic "CVTRACE\0" (8) | u16 format version (TRACE_VERSION) |
 *   u16 hv version (major << 8 | minor) | u16 HAL (enum trace_hal) |
 *   u16 flags | u64 quantum (sim instructions per turn, 0 on bare metal) |
 *   u64 config hash | u32 config size | u32 image count |
 *   u32 header crc32 (of everything before it)
 * then the config blob (config size bytes, padded to 8) and, per image:
 *   char name[128] | u64 size | u64 hash | u8 data[size] padded to 8
 *   (size 0 with a hash: the image is not embedded; hvtrace replay then
 *   needs --images DIR).
 *
 * Block: u32 magic "TBLK" | u32 payload bytes | u32 event count |
 *   u32 crc32 of the payload | payload. A block holds whole events.
 * Event: u8 type | u8 pcpu | u16 arg count n | u64 seq | n x u64 args.
 *   (pcpu 0xff: not tied to a pCPU.) The args of each type are listed
 *   with enum trace_event. Events whose data is bytes (console, memory)
 *   carry: arg0 = byte count, then the bytes packed 8 per u64.
 *
 * Hash: FNV-1a 64. CRC: CRC-32 (IEEE 802.3, reflected, as zlib).
 */
#ifndef TRACE_FORMAT_H
#define TRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC "CVTRACE"
/* The version this code writes; readers accept TRACE_VERSION_MIN up to
 * it (version 2 added TRACE_LOCK and TRACE_FLAG_LOCKS; a version-1 file
 * cannot hold them). */
#define TRACE_VERSION 2u
#define TRACE_VERSION_MIN 1u
#define TRACE_BLOCK_MAGIC 0x4b4c4254u /* "TBLK" */
#define TRACE_MAX_ARGS 64u	      /* incl. packed bytes (<= 504 bytes) */
#define TRACE_PCPU_NONE 0xffu

enum trace_hal {
	TRACE_HAL_SIM = 1,
	TRACE_HAL_BAREMETAL = 2,
	TRACE_HAL_REPLAY = 3,
};

enum trace_event {
	/* Boundaries of one hv_pcpu_run() call on a pCPU: args none. */
	TRACE_RUN = 1,
	/* hal_vcpu_run() returned: kind, esr, far, hpfar, intid, action,
	 * guest instructions retired by the vCPU so far. */
	TRACE_RUN_EXIT = 2,
	/* An exit handed to hv_exit_handle() (either by the core after
	 * TRACE_RUN_EXIT or by a HAL fast path): kind, esr, far, hpfar,
	 * intid, instructions. */
	TRACE_EXIT = 3,
	/* hal_vcpu_idle() returned: kind, intid. */
	TRACE_IDLE = 4,
	/* Register traffic: reg (enum hv_reg), value. */
	TRACE_REG_READ = 5,
	TRACE_REG_WRITE = 6,
	/* hal_vcpu_reset(): entry IPA, x0. */
	TRACE_RESET = 7,
	/* List registers: n, value. */
	TRACE_LR_READ = 8,
	TRACE_LR_WRITE = 9,
	/* hal_vgic_set_underflow(): on. */
	TRACE_UNDERFLOW = 10,
	/* hal_vgic_hw_deactivate(): pINTID. */
	TRACE_HW_DEACTIVATE = 11,
	/* hal_tlb_flush_vmid(): vmid. hal_tlb_flush_range(): vmid, ipa,
	 * size (the core's map/unmap decisions). */
	TRACE_TLB_VMID = 12,
	TRACE_TLB_RANGE = 13,
	/* hal_irq_route(): intid, cpu, on. */
	TRACE_IRQ_ROUTE = 14,
	/* hal_cpu_kick(): target pCPU. */
	TRACE_KICK = 15,
	/* hal_console_write(): bytes. */
	TRACE_CONSOLE = 16,
	/* Guest memory the core mapped to read (hal_phys_map of at most
	 * TRACE_MEM_MAX bytes outside hypervisor memory): pa, then bytes. */
	TRACE_MEM = 17,
	/* hal_mem_scrub(): pa, size. */
	TRACE_SCRUB = 18,
	/* hal_vcpu_insn_count() read: value. */
	TRACE_INSNS = 19,
	/* A management or host action recorded by the front end (hvsim
	 * command): op, cell id. */
	TRACE_HOST_OP = 20,
	/* End of the run: hv_status(), state hash (FNV-1a of the console
	 * output and every cell's state). */
	TRACE_END = 21,
	/* First event of a recording: the recording HAL's list registers
	 * per vCPU, PA bits, page-pool base and size (a replay HAL must
	 * offer the same so the core decides the same). */
	TRACE_PLATFORM = 22,
	/* hal_trace_snapshot() answered: printed (1) or not supported (0). */
	TRACE_SNAPSHOT = 23,
	/* The core took a lock (hv_spin_lock returned): the lock's id, the
	 * index of the cell that owns it (TRACE_LOCK_OTHER: no cell lock).
	 * Recorded only by recorders that set TRACE_FLAG_LOCKS, right after
	 * the acquisition and before the lock is released, so the events of
	 * one lock are in the order the pCPUs took it. Version 2. */
	TRACE_LOCK = 24,
	TRACE_EVENT_MAX,
};

#define TRACE_MEM_MAX 4096u
#define TRACE_LOCK_OTHER 0xffffu /* TRACE_LOCK of a lock no cell owns */

/* Header flags. PARTIAL: the recording stopped before the run ended (a
 * bare-metal ring that filled up, or a snapshot taken when a cell was
 * terminated): a replay that reaches its end without TRACE_END passes. */
#define TRACE_FLAG_PARTIAL 0x1u
/* LOCKS: every lock acquisition the core made while recording is a
 * TRACE_LOCK event (the bare-metal recorder, whose pCPUs run at once); a
 * replay enforces their order. Without it the trace has no TRACE_LOCK
 * (the simulator: one pCPU at a time) and locks are not checked. */
#define TRACE_FLAG_LOCKS 0x2u

/* Sizes of the fixed parts (docs/trace-format.md). */
#define TRACE_HEADER_SIZE 44u	    /* fixed header, crc included */
#define TRACE_IMAGE_NAME_MAX 128u   /* name field of an image entry */
#define TRACE_IMAGE_ENTRY_SIZE 144u /* name, size, hash (data follows) */
#define TRACE_BLOCK_HDR_SIZE 16u    /* magic, payload bytes, count, crc */
#define TRACE_EVENT_HDR_SIZE 12u    /* type, pcpu, nargs, seq */
#define TRACE_EVENT_MAX_SIZE (TRACE_EVENT_HDR_SIZE + 8u * TRACE_MAX_ARGS)
/* A block's payload is at most this long (readers refuse longer ones). */
#define TRACE_BLOCK_MAX_PAYLOAD (1u << 20)
/* Smallest block buffer trace_writer_init() accepts: one largest event. */
#define TRACE_BLOCK_MIN (TRACE_BLOCK_HDR_SIZE + TRACE_EVENT_MAX_SIZE)

/* One decoded event. */
struct trace_ev {
	uint8_t type;
	uint8_t pcpu;
	uint16_t nargs;
	uint64_t seq;
	uint64_t args[TRACE_MAX_ARGS];
};

/* Name of an event type ("exit", "reg-read", ...), "?" if unknown. */
const char *trace_event_name(unsigned type);

uint32_t trace_crc32(uint32_t crc, const void *data, size_t len);
uint64_t trace_fnv1a(uint64_t h, const void *data, size_t len);
#define TRACE_FNV_INIT UINT64_C(0xcbf29ce484222325)

/* ----------------------------------------------------------------------
 * Event shapes. Every function below is freestanding (hal/trace/
 * trace_format.c: no libc beyond memcpy/memset, no allocation).
 */

/* Number of args of event `type`: a fixed count, or -1 for the byte
 * events (TRACE_CONSOLE, TRACE_MEM) and unknown types. */
int trace_event_nargs(unsigned type);

/* Byte events: lead args before the byte count (TRACE_MEM 1: pa,
 * TRACE_CONSOLE 0); -1 for every other type. */
int trace_event_bytes_lead(unsigned type);

/* Why `ev` is not a well-formed event of its type (unknown type, wrong
 * arg count, byte count not matching the args), or NULL if it is. */
const char *trace_ev_check(const struct trace_ev *ev);

/* Unpacks the bytes of a byte event into out[0..cap): *len = the byte
 * count. False if ev is not a well-formed byte event or cap is short. */
bool trace_ev_bytes(const struct trace_ev *ev, uint8_t *out, size_t cap,
		    size_t *len);

/* ----------------------------------------------------------------------
 * Header.
 */

/* One image of the header. */
struct trace_image_info {
	const char *name; /* up to TRACE_IMAGE_NAME_MAX - 1 bytes kept */
	const void *data; /* NULL: not embedded (written with size 0) */
	uint64_t size;	  /* bytes at data (0 when not embedded) */
	uint64_t hash;	  /* FNV-1a 64 of the image; the writer computes it
			   * itself when data is given */
};

/* What the header holds. Writer input / reader output. */
struct trace_header_info {
	uint16_t version;     /* the writer always writes TRACE_VERSION */
	uint16_t hv_version;  /* major << 8 | minor */
	uint16_t hal;	      /* enum trace_hal */
	uint16_t flags;	      /* TRACE_FLAG_* */
	uint64_t quantum;     /* sim instructions per turn, 0 on bare metal */
	uint64_t config_hash; /* the writer computes it from config */
	const void *config;   /* the config blob (DTB), config_size bytes */
	uint32_t config_size;
	uint32_t image_count;
	const struct trace_image_info *images; /* image_count entries */
};

/* Bytes the header of `h` takes in the file (variable part included). */
size_t trace_header_size(const struct trace_header_info *h);

/* Encodes the whole header (fixed part, config blob, images with their
 * data) into out[0..cap). Returns the bytes written, or 0 if cap is less
 * than trace_header_size(h). */
size_t trace_header_encode(uint8_t *out, size_t cap,
			   const struct trace_header_info *h);

/* Same, handed piece by piece to emit (in file order): no buffer the
 * size of the images needed. */
void trace_header_emit(const struct trace_header_info *h,
		       void (*emit)(void *ctx, const void *data, size_t len),
		       void *ctx);

/* ----------------------------------------------------------------------
 * Block writer. The caller provides the block buffer and a sink; events
 * are appended to the buffer and each full block is handed to emit in
 * one call ("TBLK" header + payload). Not locked: the caller serialises
 * the calls (one writer per recorder).
 */
struct trace_writer {
	uint8_t *buf;	  /* block buffer */
	size_t cap;	  /* usable bytes of buf (0: writer disabled) */
	size_t len;	  /* bytes used, block header included */
	uint32_t count;	  /* events in the current block */
	uint64_t seq;	  /* seq of the next event */
	uint64_t blocks;  /* blocks emitted so far */
	uint64_t dropped; /* events refused (bad type, pcpu or nargs) */
	void (*emit)(void *ctx, const void *data, size_t len);
	void *ctx;
};

/* cap below TRACE_BLOCK_MIN disables the writer (every event is counted
 * in dropped); above TRACE_BLOCK_HDR_SIZE + TRACE_BLOCK_MAX_PAYLOAD only
 * that much is used. */
void trace_writer_init(struct trace_writer *w, uint8_t *block_buf, size_t cap,
		       void (*emit)(void *ctx, const void *data, size_t len),
		       void *ctx);

/* Appends one event (seq = w->seq++), emitting the block first when the
 * event does not fit. nargs <= TRACE_MAX_ARGS, type 1..255, pcpu < 256. */
void trace_put(struct trace_writer *w, unsigned type, unsigned pcpu,
	       const uint64_t *args, unsigned nargs);

/* Appends a byte event: the nlead lead args, the byte count, then the
 * bytes packed 8 per u64 (little-endian, last one zero-padded). Data
 * longer than one event can carry (8 * (TRACE_MAX_ARGS - nlead - 1)
 * bytes) is split into several events; for TRACE_MEM, lead[0] (the pa)
 * of each piece is advanced to where the piece starts. len 0 records
 * one event with no bytes. */
void trace_put_bytes(struct trace_writer *w, unsigned type, unsigned pcpu,
		     const uint64_t *lead, unsigned nlead, const void *bytes,
		     size_t len);

/* Emits the current block if it holds any event. */
void trace_writer_flush(struct trace_writer *w);

#endif /* TRACE_FORMAT_H */
