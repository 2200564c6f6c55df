/* SPDX-License-Identifier: MIT */
/*
 * Entry of the EL2 image: the arm64 Linux Image header a boot loader (QEMU
 * -kernel, U-Boot booti) recognises, the boot CPU's path to bm_main() and
 * the secondary CPUs' path to bm_secondary_main().
 *
 * Boot protocol (Linux Documentation/arm64/booting.rst, "Call the kernel
 * image"): x0 = physical address of the devicetree, x1-x3 = 0, MMU off,
 * D-cache off, at EL2 when the loader wants a hypervisor to be able to run.
 */
#include "bm.h"

/* CurrentEL value for EL2: EL in bits [3:2] (Arm ARM D24.1). */
#define CURRENTEL_EL2 (2 << 2)
#define UART_PL011_DR 0x09000000 /* QEMU virt PL011, before the DTB is read */
#define UART_PL011_FR_OFF 0x18
#define UART_PL011_FR_TXFF_BIT 5

	.section .text.head, "ax"
	.globl _start
_start:
	/* Image header (booting.rst, "The decompressed kernel image contains
	 * a 64-byte header"). code0 branches over the header. */
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	/* text_offset: QEMU and U-Boot place the image text_offset bytes
	 * above a 2 MiB aligned base; with flags bit 3 clear the base is the
	 * start of DRAM, which puts us at 0x40200000 on QEMU virt where the
	 * image is linked. A different place is caught below. */
	.quad	0x200000		/* text_offset */
	.quad	__image_size		/* image_size, including BSS */
	.quad	0x2			/* flags: LE, 4 KiB pages, base near DRAM start */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */

primary_entry:
	mov	x19, x0			/* devicetree PA, kept in a callee-saved reg */
	mrs	x1, CurrentEL
	cmp	x1, #CURRENTEL_EL2
	b.ne	not_el2
	/* The image is linked at one address and is not position
	 * independent: refuse to run anywhere else rather than crash. */
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	wrong_address

	msr	daifset, #0xf		/* EL2 runs with everything masked */
	msr	spsel, #1		/* use SP_EL2 */
	ldr	x1, =bm_stacks + BM_STACK_SIZE
	mov	sp, x1
	mov	x29, xzr

	/* Zero BSS with aligned stores only: the MMU is off, so data accesses
	 * are Device-nGnRnE and must be aligned (Arm ARM B2.5.2). The linker
	 * script aligns both ends to 16 bytes. */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	ldr	x1, =bm_pcpus		/* pCPU 0's per-CPU data */
	ldr	x2, =bm_stacks + BM_STACK_SIZE
	str	x2, [x1, #BM_PCPU_STACK_TOP]
	msr	tpidr_el2, x1
	ldr	x1, =bm_vectors
	msr	vbar_el2, x1
	isb

	bl	bm_mmu_init		/* identity map, MMU and caches on */
	mov	x0, x19
	bl	bm_main
3:	wfe
	b	3b

/*
 * Secondary CPUs arrive here from PSCI CPU_ON at EL2 with the MMU off and
 * x0 = the context id we passed: the address of their struct bm_pcpu,
 * which bm_main cleaned to the point of coherency beforehand so that this
 * non-cacheable read sees it.
 */
	.globl bm_secondary_entry
bm_secondary_entry:
	msr	daifset, #0xf
	msr	spsel, #1
	mov	x19, x0
	ldr	x1, [x0, #BM_PCPU_STACK_TOP]
	mov	sp, x1
	mov	x29, xzr
	msr	tpidr_el2, x0
	ldr	x1, =bm_vectors
	msr	vbar_el2, x1
	isb
	bl	bm_mmu_enable
	mov	x0, x19
	bl	bm_secondary_main
4:	wfe
	b	4b

/* Prints the NUL-terminated string at x0 on the QEMU virt PL011 without
 * a stack, then parks the CPU. Used before anything else is set up. */
early_fail:
	bl	early_puts
early_park:
	wfe
	b	early_park

/* Prints the string at x0 on the QEMU virt PL011; clobbers x0-x3. */
early_puts:
	ldr	x2, =UART_PL011_DR
5:	ldrb	w1, [x0], #1
	cbz	w1, 7f
6:	ldr	w3, [x2, #UART_PL011_FR_OFF]
	tbnz	w3, #UART_PL011_FR_TXFF_BIT, 6b	/* transmit FIFO full */
	str	w1, [x2]
	b	5b
7:	ret

	.balign	0x800
park_vectors:
	.rept	16
	.balign	0x80
	b	early_park
	.endr

/*
 * Entered at EL1 (QEMU without virtualization=on, or under another
 * hypervisor): say so, then ask for power-off with PSCI SYSTEM_OFF over
 * HVC, the conduit firmware offers to EL1 there, so a test run ends
 * instead of hanging. VBAR_EL1 first points at a table that parks the
 * CPU, in case HVC is undefined on this machine.
 */
not_el2:
	cmp	x1, #(1 << 2)
	b.ne	1f
	adr	x0, msg_not_el2
	bl	early_puts
	adr	x1, park_vectors
	msr	vbar_el1, x1
	isb
	mov	x0, #0x0008
	movk	x0, #0x8400, lsl #16	/* PSCI_SYSTEM_OFF */
	hvc	#0
	b	early_park
1:	adr	x0, msg_not_el2
	b	early_fail
wrong_address:
	adr	x0, msg_wrong_address
	b	early_fail

	.section .rodata.boot, "a"
msg_not_el2:
	.asciz	"cellvisor: not entered at EL2 (use -M virt,virtualization=on); halting\n"
msg_wrong_address:
	.asciz	"cellvisor: image not loaded at its link address 0x40200000; halting\n"

	.section .bss.stacks, "aw", %nobits
	.balign	16
	.globl	bm_stacks
bm_stacks:
	.skip	BM_STACK_SIZE * BM_MAX_PCPUS
