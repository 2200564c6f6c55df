/* SPDX-License-Identifier: MIT */
/*
 * The few C library functions the freestanding core uses. The host links
 * them from libc; the EL2 image from hal/baremetal/libc.c. Declared here so
 * the core never includes a hosted header.
 */
#ifndef HV_LIB_H
#define HV_LIB_H

#include <stddef.h>

/* Hosted builds may also see these in <string.h> (via libfdt_env.h). */
/* NOLINTBEGIN(readability-redundant-declaration) */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* NOLINTEND(readability-redundant-declaration) */

#endif /* HV_LIB_H */
