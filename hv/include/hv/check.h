/* SPDX-License-Identifier: MIT */
/*
 * Invariant checks. CHECK() is always on and panics the hypervisor: it is
 * for conditions that only a hypervisor bug can break. Anything a guest or
 * a config controls is never CHECKed: it gets an error return instead.
 */
#ifndef HV_CHECK_H
#define HV_CHECK_H

#include "types.h"

HV_NORETURN void hv_panic(const char *file, int line, const char *what);

#define CHECK(cond)                                          \
	do {                                                 \
		if (__builtin_expect(!(cond), 0))            \
			hv_panic(__FILE__, __LINE__, #cond); \
	} while (0)

#endif /* HV_CHECK_H */
