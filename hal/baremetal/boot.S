/* STUB */
.globl _start
_start: b .
