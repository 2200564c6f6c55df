/* SPDX-License-Identifier: MIT */
/*
 * Entry of every test guest: entered at EL1h, MMU off, at the load IPA
 * with x0 = 0. Sets up the stack and .bss, installs a vector table that
 * reports any exception (none is expected, unless the guest handles IRQs
 * with guest_irq() or synchronous exceptions with guest_sync_hook()) and
 * runs main().
 */

/* Kept equal to GUEST_HEADER_MAGIC in guest.h: "CVGUEST0" little-endian. */
#define GUEST_HEADER_MAGIC 0x3054534555475643

#define STACK_SIZE 0x4000
#define EXC_STACK_SIZE 0x1000
/* PSCI-started CPUs: one stack per MPIDR Aff0, kept equal to
 * GUEST_MAX_CPUS in guest.h. */
#define GUEST_MAX_CPUS 8
#define CPU_STACK_SIZE 0x2000

/*
 * Pushes what an AAPCS64 callee may clobber (x0-x18, x29) in a 24-slot
 * frame on the current SP (16-byte aligned); slots 20-22 are left for
 * x30, ELR_EL1 and SPSR_EL1. exc_restore pops the same frame.
 */
	.macro	save_caller_regs
	sub	sp, sp, #(24 * 8)
	stp	x0, x1, [sp, #(0 * 8)]
	stp	x2, x3, [sp, #(2 * 8)]
	stp	x4, x5, [sp, #(4 * 8)]
	stp	x6, x7, [sp, #(6 * 8)]
	stp	x8, x9, [sp, #(8 * 8)]
	stp	x10, x11, [sp, #(10 * 8)]
	stp	x12, x13, [sp, #(12 * 8)]
	stp	x14, x15, [sp, #(14 * 8)]
	stp	x16, x17, [sp, #(16 * 8)]
	stp	x18, x29, [sp, #(18 * 8)]
	.endm

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
	/* Current EL with SP_EL0: 0x000 sync, 0x080 IRQ, 0x100 FIQ, 0x180
	 * SError; current EL with SP_ELx: 0x200.. (0x280 = IRQ, the only
	 * exception the guests expect, and only those that unmask IRQs);
	 * then lower EL AArch64 and AArch32. */
	.rept	4
	.balign	0x80
	b	exc_common
	.endr
	.balign	0x80
	b	sync_entry
	.balign	0x80
	b	irq_entry
	.rept	10
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

/*
 * Synchronous exception from EL1h (VBAR_EL1 + 0x200). Without a
 * guest_sync_hook (a weak reference: 0 unless a guest defines it) this is
 * exc_common, unchanged. With one, the same registers as for an IRQ are
 * saved on the interrupted SP, guest_sync_hook(esr, elr, far) is called
 * and the exception returns to the address it returns (ELR_EL1 + 4 skips
 * the faulting instruction). x9 is parked in SP_EL0 (unused: guests run
 * at EL1h) while the hook is looked up, so no register is lost.
 */
	.section .text, "ax"
	.weak	guest_sync_hook
sync_entry:
	msr	sp_el0, x9
	ldr	x9, =guest_sync_hook
	cbz	x9, exc_common
	mrs	x9, sp_el0
	save_caller_regs
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x30, x1, [sp, #(20 * 8)]
	str	x2, [sp, #(22 * 8)]
	mrs	x0, esr_el1
	mrs	x2, far_el1
	bl	guest_sync_hook
	/* x0 = where to resume */
	ldr	x1, [sp, #(22 * 8)]
	ldr	x30, [sp, #(20 * 8)]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	b	exc_restore
	.ltorg

/*
 * IRQ from EL1h: everything the AAPCS64 lets guest_irq() clobber (x0-x18,
 * x29/x30) plus ELR_EL1/SPSR_EL1 is saved on the interrupted SP, which
 * stays 16-byte aligned (24 slots).
 */
	.section .text, "ax"
irq_entry:
	save_caller_regs
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x30, x0, [sp, #(20 * 8)]
	str	x1, [sp, #(22 * 8)]
	bl	guest_irq
	ldr	x1, [sp, #(22 * 8)]
	ldp	x30, x0, [sp, #(20 * 8)]
	msr	elr_el1, x0
	msr	spsr_el1, x1
exc_restore:
	ldp	x18, x29, [sp, #(18 * 8)]
	ldp	x16, x17, [sp, #(16 * 8)]
	ldp	x14, x15, [sp, #(14 * 8)]
	ldp	x12, x13, [sp, #(12 * 8)]
	ldp	x10, x11, [sp, #(10 * 8)]
	ldp	x8, x9, [sp, #(8 * 8)]
	ldp	x6, x7, [sp, #(6 * 8)]
	ldp	x4, x5, [sp, #(4 * 8)]
	ldp	x2, x3, [sp, #(2 * 8)]
	ldp	x0, x1, [sp, #(0 * 8)]
	add	sp, sp, #(24 * 8)
	eret

/*
 * PSCI CPU_ON entry (see guest.h): x0 = context id, EL1h, MMU off. Stack
 * by MPIDR_EL1.Aff0; a CPU without one (Aff0 >= GUEST_MAX_CPUS or any
 * higher affinity level set) turns off at once.
 */
	.globl	_secondary_entry
	.balign	4
_secondary_entry:
	msr	daifset, #0xf
	mrs	x9, mpidr_el1
	ubfx	x10, x9, #8, #16	/* Aff2.Aff1 */
	cbnz	x10, 2f
	ubfx	x10, x9, #32, #8	/* Aff3 */
	cbnz	x10, 2f
	and	x9, x9, #0xff
	cmp	x9, #GUEST_MAX_CPUS
	b.hs	2f
	add	x9, x9, #1
	adrp	x10, cpu_stacks
	add	x10, x10, :lo12:cpu_stacks
	mov	x11, #CPU_STACK_SIZE
	madd	x10, x9, x11, x10
	mov	sp, x10
	adrp	x9, vectors
	add	x9, x9, :lo12:vectors
	msr	vbar_el1, x9
	isb
	bl	secondary_main
2:	movz	w0, #0x0002
	movk	w0, #0x8400, lsl #16	/* PSCI CPU_OFF */
	hvc	#0
	b	2b

/*
 * guest_suspend_powerdown(fid, power_state, entry, context): see guest.h.
 * x19-x30 and SP go to suspend_save; the resume entry restores them.
 */
	.globl	guest_suspend_powerdown
	.balign	4
guest_suspend_powerdown:
	adrp	x9, suspend_save
	add	x9, x9, :lo12:suspend_save
	stp	x19, x20, [x9, #(0 * 8)]
	stp	x21, x22, [x9, #(2 * 8)]
	stp	x23, x24, [x9, #(4 * 8)]
	stp	x25, x26, [x9, #(6 * 8)]
	stp	x27, x28, [x9, #(8 * 8)]
	stp	x29, x30, [x9, #(10 * 8)]
	mov	x10, sp
	str	x10, [x9, #(12 * 8)]
	dsb	sy
	cbnz	x2, 1f
	adrp	x2, guest_suspend_resume
	add	x2, x2, :lo12:guest_suspend_resume
1:	hvc	#0
	/* Returned: SMCCC preserved x19-x30 and SP. */
	ret

	.globl	guest_suspend_resume
	.balign	4
guest_suspend_resume:
	msr	daifset, #0xf
	adrp	x9, guest_resume_x0
	add	x9, x9, :lo12:guest_resume_x0
	str	x0, [x9]
	adrp	x9, vectors
	add	x9, x9, :lo12:vectors
	msr	vbar_el1, x9
	isb
	adrp	x9, suspend_save
	add	x9, x9, :lo12:suspend_save
	ldp	x19, x20, [x9, #(0 * 8)]
	ldp	x21, x22, [x9, #(2 * 8)]
	ldp	x23, x24, [x9, #(4 * 8)]
	ldp	x25, x26, [x9, #(6 * 8)]
	ldp	x27, x28, [x9, #(8 * 8)]
	ldp	x29, x30, [x9, #(10 * 8)]
	ldr	x10, [x9, #(12 * 8)]
	mov	sp, x10
	mov	x0, #1			/* GUEST_SUSPEND_RESUMED */
	ret

	.section .bss, "aw", %nobits
	.balign	8
suspend_save:
	.space	13 * 8
	.globl	guest_resume_x0
guest_resume_x0:
	.space	8

	.section .bss.stack, "aw", %nobits
	.balign	16
	.space	STACK_SIZE
stack_top:
	.space	EXC_STACK_SIZE
exc_stack_top:
	.balign	16
cpu_stacks:
	.space	GUEST_MAX_CPUS * CPU_STACK_SIZE
