/* SPDX-License-Identifier: MIT */
/*
 * The simulator HAL, platform half: simulated physical RAM, the hypervisor
 * console, images read from files, and fatal errors. Host code: libc is
 * fine here. The vCPU half (Unicorn) is sim_vcpu.c.
 *
 * Simulated RAM is one anonymous private mapping with MAP_NORESERVE, so a
 * 1 GiB "machine" costs only the pages the guests and the page pool touch.
 * Nothing here hands host addresses, host time or randomness to the core:
 * the core only sees physical addresses and the bytes behind them.
 */
#define _DEFAULT_SOURCE

#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hal/mem.h>
#include <hal/platform.h>

/* The page pool takes the last SIM_POOL_SIZE of the hypervisor memory. */
#define SIM_POOL_SIZE (UINT64_C(64) << 20)
#define SIM_MAX_IMAGES 64u
/* Images larger than this are refused (no cell could hold them). */
#define SIM_IMAGE_MAX (UINT64_C(1) << 30)

struct sim_image {
	char *name; /* as the config spelt it */
	void *data;
	size_t size;
};

struct sim_platform {
	uint8_t *ram; /* host view of [ram_base, ram_base + ram_size) */
	uint64_t ram_base, ram_size;
	uint64_t pool_base, pool_size;
	char *image_dir;
	struct sim_image images[SIM_MAX_IMAGES];
	unsigned image_count;
};

/* File-scope, not hidden in functions: sim_release() and
 * hal_platform_init() reset it completely. */
static struct sim_platform plat;

static void ram_release(void)
{
	if (plat.ram != NULL)
		munmap(plat.ram, (size_t)plat.ram_size);
	plat.ram = NULL;
	plat.ram_base = plat.ram_size = 0;
	plat.pool_base = plat.pool_size = 0;
}

enum hv_err hal_platform_init(const struct hv_platform_config *p)
{
	uint64_t base = pa_addr(p->ram_base), size = p->ram_size;
	uint64_t hv_base = pa_addr(p->hv_base), hv_size = p->hv_size;
	void *m;

	ram_release();
	if (size == 0 || !hv_is_aligned(base, HV_PAGE_SIZE) ||
	    !hv_is_aligned(size, HV_PAGE_SIZE) || hv_range_wraps(base, size))
		return HV_ERR_INVAL;
	/* The simulated CPUs implement hal_cpu_pa_bits() bits of PA. */
	if (((base + (size - 1)) >> hal_cpu_pa_bits()) != 0 || size > SIZE_MAX)
		return HV_ERR_RANGE;
	if (hv_size == 0 || !hv_is_aligned(hv_base, HV_PAGE_SIZE) ||
	    !hv_is_aligned(hv_size, HV_PAGE_SIZE))
		return HV_ERR_INVAL;
	if (!hv_range_contains(base, size, hv_base, hv_size))
		return HV_ERR_RANGE;

	m = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return HV_ERR_NOMEM;
	plat.ram = m;
	plat.ram_base = base;
	plat.ram_size = size;
	plat.pool_size = hv_size < SIM_POOL_SIZE ? hv_size : SIM_POOL_SIZE;
	plat.pool_base = hv_base + hv_size - plat.pool_size;
	return HV_OK;
}

unsigned hal_cpu_pa_bits(void)
{
	/* Fixed, so stage-2 geometry and configs behave the same on every
	 * host (Neoverse N1 has 48, QEMU max 48, cortex-a72 44: 44 is the
	 * conservative choice that QEMU virt can also honour). */
	return 44;
}

/* The simulator has no physical devices: passthrough needs QEMU or real
 * hardware (docs/simulator.md). */
bool hal_device_assignable(paddr_t pa, uint64_t size)
{
	(void)pa;
	(void)size;
	return false;
}

void hal_irq_route(uint32_t intid, unsigned cpu, bool on)
{
	(void)intid;
	(void)cpu;
	(void)on;
}

bool hal_trace_snapshot(void)
{
	return false; /* hvsim --record writes the whole trace to a file */
}

void hal_console_write(const char *s, size_t len)
{
	/* stdout keeps the order of the cells' lines; hvsim chooses the
	 * buffering. A short write to a closed pipe is not the core's
	 * business. */
	if (len != 0)
		(void)fwrite(s, 1, len, stdout);
}

void sim_set_image_dir(const char *dir)
{
	char *copy = NULL;

	if (dir != NULL && dir[0] != '\0') {
		copy = strdup(dir);
		if (copy == NULL)
			hal_panic("out of host memory for the image directory");
	}
	free(plat.image_dir);
	plat.image_dir = copy;
}

/* Reads the whole file `path` into a new heap buffer. */
static enum hv_err read_file(const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	enum hv_err err = HV_OK;

	if (f == NULL)
		return HV_ERR_NOENT;
	for (;;) {
		size_t got;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			uint8_t *nbuf;

			if (ncap > SIM_IMAGE_MAX + 1) {
				err = HV_ERR_RANGE;
				break;
			}
			nbuf = realloc(buf, ncap);
			if (nbuf == NULL) {
				err = HV_ERR_NOMEM;
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				err = HV_ERR_NOENT;
			break;
		}
	}
	(void)fclose(f); /* read-only: nothing to lose */
	if (err == HV_OK && len > SIM_IMAGE_MAX)
		err = HV_ERR_RANGE;
	if (err != HV_OK) {
		free(buf);
		return err;
	}
	*data = buf;
	*size = len;
	return HV_OK;
}

enum hv_err hal_image_get(const char *name, const void **data, size_t *size)
{
	struct sim_image *img;
	char *path;
	size_t plen;
	enum hv_err err;
	void *buf = NULL;
	size_t len = 0;

	if (name == NULL || name[0] == '\0')
		return HV_ERR_NOENT;
	/* Cached: restarts must see the very bytes the first boot saw. */
	for (unsigned i = 0; i < plat.image_count; i++) {
		if (strcmp(plat.images[i].name, name) == 0) {
			*data = plat.images[i].data;
			*size = plat.images[i].size;
			return HV_OK;
		}
	}
	if (plat.image_count == SIM_MAX_IMAGES)
		return HV_ERR_NOMEM;

	if (name[0] == '/' || plat.image_dir == NULL) {
		path = strdup(name);
	} else {
		plen = strlen(plat.image_dir) + 1 + strlen(name) + 1;
		path = malloc(plen);
		if (path != NULL)
			(void)snprintf(path, plen, "%s/%s", plat.image_dir,
				       name); /* plen fits it */
	}
	if (path == NULL)
		return HV_ERR_NOMEM;
	err = read_file(path, &buf, &len);
	free(path);
	if (err != HV_OK)
		return err;

	img = &plat.images[plat.image_count];
	img->name = strdup(name);
	if (img->name == NULL) {
		free(buf);
		return HV_ERR_NOMEM;
	}
	img->data = buf;
	img->size = len;
	plat.image_count++;
	*data = buf;
	*size = len;
	return HV_OK;
}

void hal_panic(const char *msg)
{
	/* Best effort: nothing is left to report a failure to. */
	(void)fflush(stdout);
	(void)fprintf(stderr, "cellvisor: panic: %s\n", msg);
	abort();
}

void *hal_phys_map(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);

	if (plat.ram == NULL ||
	    !hv_range_contains(plat.ram_base, plat.ram_size, a, size))
		return NULL;
	return plat.ram + (a - plat.ram_base);
}

void hal_mem_scrub(paddr_t pa, uint64_t size)
{
	uint8_t *p = hal_phys_map(pa, size);

	if (p == NULL || !hv_is_aligned(pa_addr(pa), HV_PAGE_SIZE) ||
	    !hv_is_aligned(size, HV_PAGE_SIZE))
		hal_panic("hal_mem_scrub: range not page aligned inside RAM");
	if (size == 0)
		return;
	/* Dropping private anonymous pages makes them read back as zero and
	 * returns the host memory; memset is the fallback. */
	if (madvise(p, (size_t)size, MADV_DONTNEED) != 0)
		memset(p, 0, (size_t)size);
}

void hal_mem_pool(paddr_t *base, uint64_t *size)
{
	*base = pa_init(plat.pool_base);
	*size = plat.pool_size;
}

void sim_release(void)
{
	ram_release();
	for (unsigned i = 0; i < plat.image_count; i++) {
		free(plat.images[i].name);
		free(plat.images[i].data);
	}
	plat.image_count = 0;
	free(plat.image_dir);
	plat.image_dir = NULL;
}
