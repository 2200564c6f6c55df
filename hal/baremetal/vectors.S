/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors and the guest enter/exit pair.
 *
 * bm_guest_enter() is called like a function: it saves the hypervisor's
 * callee-saved registers (AAPCS64 x19-x29, LR) and the context pointer on
 * the EL2 stack, loads the guest's x0-x30, ELR_EL2 and SPSR_EL2 and ERETs.
 * The next exception from the guest lands in a lower-EL vector on the same
 * SP_EL2, which saves the whole guest context into that struct bm_vcpu,
 * restores the hypervisor frame and returns from bm_guest_enter() with the
 * BM_EXIT_* code of the vector. ESR_EL2/FAR_EL2/HPFAR_EL2 are left in the
 * CPU for the C caller (nothing at EL2 can fault in between).
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
 * way back into the guest). */
guest_load:
	ldp	x1, x2, [x0, #BM_CTX_ELR_EL2]	/* ELR_EL2, SPSR_EL2 adjacent */
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
	ldp	x18, x19, [x0, #(BM_CTX_X0 + 144)]
	ldp	x20, x21, [x0, #(BM_CTX_X0 + 160)]
	ldp	x22, x23, [x0, #(BM_CTX_X0 + 176)]
	ldp	x24, x25, [x0, #(BM_CTX_X0 + 192)]
	ldp	x26, x27, [x0, #(BM_CTX_X0 + 208)]
	ldp	x28, x29, [x0, #(BM_CTX_X0 + 224)]
	ldr	x30, [x0, #(BM_CTX_X0 + 240)]
	ldp	x0, x1, [x0, #BM_CTX_X0]
	eret
	/* Nothing executes past ERET; stop straight-line speculation
	 * (what Linux and KVM place after every ERET). */
	dsb	nsh
	isb
	.size	bm_guest_enter, . - bm_guest_enter

/* x0 = BM_EXIT_* code, [sp] = guest x0/x1, then the hypervisor frame.
 * BM_EXIT_SYNC must be 0 (the cbnz below). */
guest_exit:
	ldr	x1, [sp, #(16 + HOST_CTX)]
	stp	x2, x3, [x1, #(BM_CTX_X0 + 16)]
	stp	x4, x5, [x1, #(BM_CTX_X0 + 32)]
	stp	x6, x7, [x1, #(BM_CTX_X0 + 48)]
	stp	x8, x9, [x1, #(BM_CTX_X0 + 64)]
	stp	x10, x11, [x1, #(BM_CTX_X0 + 80)]
	stp	x12, x13, [x1, #(BM_CTX_X0 + 96)]
	stp	x14, x15, [x1, #(BM_CTX_X0 + 112)]
	stp	x16, x17, [x1, #(BM_CTX_X0 + 128)]
	stp	x18, x19, [x1, #(BM_CTX_X0 + 144)]
	stp	x20, x21, [x1, #(BM_CTX_X0 + 160)]
	stp	x22, x23, [x1, #(BM_CTX_X0 + 176)]
	stp	x24, x25, [x1, #(BM_CTX_X0 + 192)]
	stp	x26, x27, [x1, #(BM_CTX_X0 + 208)]
	stp	x28, x29, [x1, #(BM_CTX_X0 + 224)]
	str	x30, [x1, #(BM_CTX_X0 + 240)]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #BM_CTX_X0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #BM_CTX_ELR_EL2]

	/*
	 * Fast path for synchronous exits (docs/performance.md): the core
	 * decides the exit right here, on this stack below the hypervisor
	 * frame, and when it may the guest goes straight back in. The
	 * registers x19-x29 the C code preserves hold guest values, all of
	 * which are already in *ctx; the entry reloads everything from *ctx
	 * (the core may have changed any of it).
	 */
	cbnz	x0, 2f
	mov	x0, x1
	bl	bm_exit_fast
	mov	w1, w0
	ldr	x0, [sp, #HOST_CTX]
	cbnz	w1, guest_load
	mov	x0, #BM_EXIT_SYNC
2:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #HOST_FRAME
	ret
