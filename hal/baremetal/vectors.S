/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors and the guest enter/exit pair.
 *
 * bm_guest_enter() is called like a function: it saves the hypervisor's
 * callee-saved registers (AAPCS64 x19-x29, LR) and the context pointer on
 * the EL2 stack, loads the guest's x0-x30, ELR_EL2 and SPSR_EL2 and ERETs.
 * The next exception from the guest lands in a lower-EL vector on the same
 * SP_EL2, which saves the guest context into that struct bm_vcpu,
 * restores the hypervisor frame and returns from bm_guest_enter() with the
 * BM_EXIT_* code of the vector. ESR_EL2/FAR_EL2/HPFAR_EL2 are left in the
 * CPU for the C caller (nothing at EL2 can fault in between). A
 * synchronous exit first tries the fast path (bm_exit_fast), which may
 * enter the guest again without ever saving x19-x29.
 *
 * Vector table layout: Arm ARM D1.10.2 "Exception vectors": 16 entries of
 * 0x80 bytes, the table 2 KiB aligned.
 */
#include "bm.h"

/* Hypervisor frame pushed by bm_guest_enter (bytes). */
#define HOST_FRAME 112
#define HOST_CTX 96		/* where the struct bm_vcpu pointer sits */

/* Current-EL fault kinds passed to bm_el2_fault: vector index 0..7. */

	.macro	ventry_fault kind
	.balign	0x80
	/* Save x0/x1 before using them; the rest is saved by the common
	 * code. A full 32-slot frame: x0-x30 and ELR at the end. */
	sub	sp, sp, #(32 * 8)
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	el2_fault_common
	.endm

	.macro	ventry_guest code
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\code
	b	guest_exit
	.endm

	.text
	.balign	0x800
	.globl	bm_vectors
bm_vectors:
	/* Current EL with SP_EL0: never used at EL2 (SPSel = 1). */
	ventry_fault 0
	ventry_fault 1
	ventry_fault 2
	ventry_fault 3
	/* Current EL with SP_ELx: a hypervisor bug (EL2 runs masked, so only
	 * synchronous exceptions and SErrors can arrive here). */
	ventry_fault 4
	ventry_fault 5
	ventry_fault 6
	ventry_fault 7
	/* Lower EL, AArch64: the guest. */
	ventry_guest BM_EXIT_SYNC
	ventry_guest BM_EXIT_IRQ
	ventry_guest BM_EXIT_FIQ
	ventry_guest BM_EXIT_SERROR
	/* Lower EL, AArch32 (only EL0 can be AArch32 with HCR_EL2.RW = 1):
	 * the same context layout, R0-R14 live in x0-x14. */
	ventry_guest BM_EXIT_SYNC
	ventry_guest BM_EXIT_IRQ
	ventry_guest BM_EXIT_FIQ
	ventry_guest BM_EXIT_SERROR

el2_fault_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el2
	stp	x30, x1, [sp, #240]
	mov	x1, sp
	bl	bm_el2_fault		/* does not return */
1:	wfe
	b	1b

/*
 * unsigned bm_guest_enter(struct bm_vcpu *ctx)
 */
	.globl	bm_guest_enter
	.type	bm_guest_enter, %function
bm_guest_enter:
	stp	x29, x30, [sp, #-HOST_FRAME]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x0, [sp, #HOST_CTX]

/* x0 = ctx: load the guest context and enter it (also the fast path's
 * way back into the guest after it saved everything): x19-x29 here, the
 * rest below. */
guest_load:
	ldp	x19, x20, [x0, #(BM_CTX_X0 + 152)]
	ldp	x21, x22, [x0, #(BM_CTX_X0 + 168)]
	ldp	x23, x24, [x0, #(BM_CTX_X0 + 184)]
	ldp	x25, x26, [x0, #(BM_CTX_X0 + 200)]
	ldp	x27, x28, [x0, #(BM_CTX_X0 + 216)]
	ldr	x29, [x0, #(BM_CTX_X0 + 232)]
	b	1f

/* Back into the guest after a fast-path exit that left x19-x29 in the
 * CPU: only what guest_exit saved is loaded again. */
guest_load_partial:
	ldr	x0, [sp, #HOST_CTX]
1:	ldp	x1, x2, [x0, #BM_CTX_ELR_EL2]	/* ELR_EL2, SPSR_EL2 adjacent */
	msr	elr_el2, x1
	msr	spsr_el2, x2
	ldp	x2, x3, [x0, #(BM_CTX_X0 + 16)]
	ldp	x4, x5, [x0, #(BM_CTX_X0 + 32)]
	ldp	x6, x7, [x0, #(BM_CTX_X0 + 48)]
	ldp	x8, x9, [x0, #(BM_CTX_X0 + 64)]
	ldp	x10, x11, [x0, #(BM_CTX_X0 + 80)]
	ldp	x12, x13, [x0, #(BM_CTX_X0 + 96)]
	ldp	x14, x15, [x0, #(BM_CTX_X0 + 112)]
	ldp	x16, x17, [x0, #(BM_CTX_X0 + 128)]
	ldr	x18, [x0, #(BM_CTX_X0 + 144)]
	ldr	x30, [x0, #(BM_CTX_X0 + 240)]
	ldp	x0, x1, [x0, #BM_CTX_X0]
	eret
	/* Nothing executes past ERET; stop straight-line speculation
	 * (what Linux and KVM place after every ERET). */
	dsb	nsh
	isb
	.size	bm_guest_enter, . - bm_guest_enter

/* Stores the guest's x19-x29 (still in the CPU) into the context at x1. */
	.macro	save_callee_saved
	stp	x19, x20, [x1, #(BM_CTX_X0 + 152)]
	stp	x21, x22, [x1, #(BM_CTX_X0 + 168)]
	stp	x23, x24, [x1, #(BM_CTX_X0 + 184)]
	stp	x25, x26, [x1, #(BM_CTX_X0 + 200)]
	stp	x27, x28, [x1, #(BM_CTX_X0 + 216)]
	str	x29, [x1, #(BM_CTX_X0 + 232)]
	.endm

/* x0 = BM_EXIT_* code, [sp] = guest x0/x1, then the hypervisor frame.
 * BM_EXIT_SYNC must be 0 (the cbnz below). */
guest_exit:
	/* First the registers a C call may clobber: x0-x18, x30, ELR_EL2
	 * and SPSR_EL2. */
	ldr	x1, [sp, #(16 + HOST_CTX)]
	stp	x2, x3, [x1, #(BM_CTX_X0 + 16)]
	stp	x4, x5, [x1, #(BM_CTX_X0 + 32)]
	stp	x6, x7, [x1, #(BM_CTX_X0 + 48)]
	stp	x8, x9, [x1, #(BM_CTX_X0 + 64)]
	stp	x10, x11, [x1, #(BM_CTX_X0 + 80)]
	stp	x12, x13, [x1, #(BM_CTX_X0 + 96)]
	stp	x14, x15, [x1, #(BM_CTX_X0 + 112)]
	stp	x16, x17, [x1, #(BM_CTX_X0 + 128)]
	str	x18, [x1, #(BM_CTX_X0 + 144)]
	str	x30, [x1, #(BM_CTX_X0 + 240)]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #BM_CTX_X0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #BM_CTX_ELR_EL2]
	cbnz	x0, 3f

	/*
	 * Fast path for synchronous exits (docs/performance.md, "EL2"): the
	 * core decides the exit right here, on this stack below the
	 * hypervisor frame, and when it may the guest goes straight back in.
	 * The guest's x19-x29 stay in the CPU: the C code preserves them,
	 * and bm_exit_fast() asks for them (BM_FAST_SAVE_ALL) before the
	 * core could touch them.
	 */
	mov	x0, x1
	mov	w1, #1
	bl	bm_exit_fast
	cmp	w0, #BM_FAST_ENTER
	b.eq	guest_load_partial
	ldr	x1, [sp, #HOST_CTX]
	cmp	w0, #BM_FAST_SAVE_ALL
	b.eq	5f
	/* Leaving with the core's decision (or none): the context must be
	 * whole, unless a reset of the vCPU rewrote it. */
	ldrb	w2, [x1, #BM_CTX_EL1_RESET]
	cbnz	w2, 4f
	b	3f
	/* The core has not seen the exit yet: everything saved, again. */
5:	save_callee_saved
	mov	x0, x1
	mov	w1, #0
	bl	bm_exit_fast
	cmp	w0, #BM_FAST_ENTER
	b.ne	4f
	ldr	x0, [sp, #HOST_CTX]
	b	guest_load
3:	save_callee_saved
4:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #HOST_FRAME
	ret
