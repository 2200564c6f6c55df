/* SPDX-License-Identifier: MIT */
/*
 * The boot bundle: a cpio "newc" archive (scripts/mkbundle.py) that the
 * boot loader passes as the initrd, holding "config.dtb" and the guest
 * images by file name.
 *
 * newc format (as in Linux Documentation/driver-api/early-userspace/
 * buffer-format.rst): a 110-byte header of "070701" and 13 eight-digit
 * hex fields, the NUL-terminated name, padding to 4 bytes, the data,
 * padding to 4 bytes; "TRAILER!!!" ends the archive. The bundle comes
 * from outside the hypervisor, so every length is checked against the
 * archive's end before it is used.
 */
#include <hv/lib.h>

#include "bm.h"

#define CPIO_HDR_SIZE 110u
#define CPIO_FIELD_FILESIZE 6u /* index of c_filesize among the 13 fields */
#define CPIO_FIELD_NAMESIZE 11u

static struct {
	const uint8_t *data;
	size_t size;
} bundle;

void bm_bundle_set(const void *data, size_t size)
{
	bundle.data = data;
	bundle.size = size;
}

/* Parses eight hex digits; false on anything else. */
static bool hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

enum hv_err bm_bundle_find(const char *name, const void **data, size_t *size)
{
	size_t off = 0;

	if (bundle.data == NULL)
		return HV_ERR_NOENT;
	for (;;) {
		const uint8_t *h = bundle.data + off;
		uint32_t namesize, filesize;
		const char *ename;
		size_t name_end, data_off;

		if (bundle.size - off < CPIO_HDR_SIZE ||
		    memcmp(h, "070701", 6) != 0 ||
		    !hex8(h + 6 + 8 * CPIO_FIELD_NAMESIZE, &namesize) ||
		    !hex8(h + 6 + 8 * CPIO_FIELD_FILESIZE, &filesize))
			return HV_ERR_INVAL;
		if (namesize == 0 ||
		    namesize > bundle.size - off - CPIO_HDR_SIZE)
			return HV_ERR_INVAL;
		ename = (const char *)h + CPIO_HDR_SIZE;
		if (ename[namesize - 1] != '\0')
			return HV_ERR_INVAL;
		name_end = off + CPIO_HDR_SIZE + namesize;
		data_off = align4(name_end);
		if (data_off > bundle.size || filesize > bundle.size - data_off)
			return HV_ERR_INVAL;
		if (strcmp(ename, "TRAILER!!!") == 0)
			return HV_ERR_NOENT;
		/* Archives made by cpio(1) from a directory name "./x". */
		if (ename[0] == '.' && ename[1] == '/')
			ename += 2;
		if (strcmp(ename, name) == 0) {
			*data = bundle.data + data_off;
			*size = filesize;
			return HV_OK;
		}
		off = align4(data_off + filesize);
		if (off >= bundle.size)
			return HV_ERR_INVAL; /* no trailer */
	}
}
