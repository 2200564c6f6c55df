/* SPDX-License-Identifier: MIT */
/*
 * Entry of every test guest: entered at EL1h, MMU off, at the load IPA
 * with x0 = 0. Sets up the stack and .bss, installs a vector table that
 * reports any exception (none is expected) and runs main().
 */

/* Kept equal to GUEST_HEADER_MAGIC in guest.h: "CVGUEST0" little-endian. */
#define GUEST_HEADER_MAGIC 0x3054534555475643

#define STACK_SIZE 0x4000
#define EXC_STACK_SIZE 0x1000

	.section .text.boot, "ax"
	.globl _start
_start:
	/* A fixed header (see GUEST_HEADER_INSN in guest.h): the stage2
	 * guest checks these bytes to prove IPA base maps to its image. */
	b	1f
	.word	0
	.quad	GUEST_HEADER_MAGIC
1:
	/* Nothing here uses interrupts: keep them masked so a stray one is
	 * not taken as a test failure. */
	msr	daifset, #0xf

	adrp	x9, stack_top
	add	x9, x9, :lo12:stack_top
	mov	sp, x9

	/* .bss bounds are 8-byte aligned by guest.ld. */
	adrp	x9, __bss_start
	add	x9, x9, :lo12:__bss_start
	adrp	x10, __bss_end
	add	x10, x10, :lo12:__bss_end
2:	cmp	x9, x10
	b.hs	3f
	str	xzr, [x9], #8
	b	2b
3:
	adrp	x9, vectors
	add	x9, x9, :lo12:vectors
	msr	vbar_el1, x9
	isb

	bl	main
	/* w0 holds main's return value: it is the test status. */
	bl	test_exit
	b	.

/*
 * All 16 vectors (Arm ARM D1.10.2: 4 sources x 4 types, 0x80 apart,
 * table 2 KiB aligned) lead to the same report. The handler switches to
 * its own stack so a fault caused by a bad SP can still be reported.
 */
	.section .text.vectors, "ax"
	.balign	0x800
vectors:
	.rept	16
	.balign	0x80
	b	exc_common
	.endr

exc_common:
	adrp	x9, exc_stack_top
	add	x9, x9, :lo12:exc_stack_top
	mov	sp, x9
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	mrs	x2, far_el1
	bl	guest_exception
	b	.

	.section .bss.stack, "aw", %nobits
	.balign	16
	.space	STACK_SIZE
stack_top:
	.space	EXC_STACK_SIZE
exc_stack_top:
