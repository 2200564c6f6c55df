/* SPDX-License-Identifier: MIT */
/*
 * Harness "config": arbitrary bytes as the config blob given to
 * config_parse(), and every accepted config built and started as a
 * hypervisor on the fuzz HAL (any image name is found: a raw image, or a
 * minimal Linux Image for names with "Image").
 *
 * Input: the blob, as is (a flattened devicetree or anything else):
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/hv.h>
#include <hv/isolation.h>

#include "fuzz.h"
#include "fuzz_hal.h"

struct fuzz_config_input {
	uint8_t blob[1]; /* all the input bytes */
};

static struct hv_config cfg;
static struct hv hv;

HV_NORETURN static void fail(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz oracle violated: %s%s%s\n", what, msg ? ": " : "",
		msg ? msg : "");
	abort();
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void check_msg(const struct hv_config_error *err, bool empty_ok)
{
	if (memchr(err->msg, '\0', sizeof(err->msg)) == NULL)
		fail("error message not terminated", NULL);
	if (!empty_ok && err->msg[0] == '\0')
		fail("an error without a message", NULL);
}

/* What config.h promises of an accepted config, cheaply checkable. */
static void check_config(const struct hv_config *c)
{
	const struct hv_platform_config *p = &c->platform;
	uint64_t cpus = 0;

	if (c->cell_count == 0 || c->cell_count > HV_MAX_CELLS ||
	    c->channel_count > HV_MAX_CHANNELS || p->cpu_count == 0 ||
	    p->cpu_count > HV_MAX_CPUS)
		fail("accepted config: counts out of range", NULL);
	if (!hv_range_contains(pa_addr(p->ram_base), p->ram_size,
			       pa_addr(p->hv_base), p->hv_size))
		fail("accepted config: hypervisor memory outside RAM", NULL);
	for (unsigned i = 0; i < c->cell_count; i++) {
		const struct hv_cell_config *cc = &c->cells[i];
		if (memchr(cc->name, '\0', sizeof(cc->name)) == NULL ||
		    cc->name[0] == '\0')
			fail("accepted config: bad cell name", NULL);
		if (cc->cpu_count == 0 || cc->cpu_count > HV_MAX_VCPUS ||
		    cc->region_count == 0 ||
		    cc->region_count > HV_MAX_REGIONS ||
		    cc->device_count > HV_MAX_DEVICES)
			fail("accepted config: cell counts out of range",
			     cc->name);
		for (unsigned v = 0; v < cc->cpu_count; v++) {
			if (cc->cpus[v] >= p->cpu_count)
				fail("accepted config: CPU out of range",
				     cc->name);
			if (cpus & (UINT64_C(1) << cc->cpus[v]))
				fail("accepted config: CPU given twice",
				     cc->name);
			cpus |= UINT64_C(1) << cc->cpus[v];
		}
		for (unsigned r = 0; r < cc->region_count; r++) {
			const struct hv_mem_region *m = &cc->regions[r];
			if (m->size == 0 ||
			    !hv_range_contains(pa_addr(p->ram_base),
					       p->ram_size, pa_addr(m->pa),
					       m->size) ||
			    hv_ranges_overlap(pa_addr(p->hv_base), p->hv_size,
					      pa_addr(m->pa), m->size))
				fail("accepted config: a region outside cell "
				     "RAM",
				     cc->name);
		}
	}
}

/* A hypervisor that failed to build or was shut down holds nothing. */
static void check_empty(const char *when)
{
	if (hv.pool.used_count != 0 || fuzz_hal_vcpus_live() != 0 ||
	    fuzz_hal_irqs_routed() != 0 || hv.irqs_routed != 0)
		fail("resources left", when);
	for (unsigned i = 0; i < HV_ARRAY_SIZE(hv.vmid_used); i++)
		if (hv.vmid_used[i] != 0)
			fail("VMIDs left", when);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool setup;
	struct hv_config_error err;
	char why[192];
	enum hv_err e;

	if (!setup) {
		const char *v = getenv("FUZZ_VERBOSE");
		fuzz_hal_any_image(true);
		fuzz_hal_verbose(v != NULL && v[0] >= '1');
		setup = true;
	}
	/* The blob as a HAL hands it over: 8-byte aligned (libfdt refuses
	 * anything else; AFL++'s shared-memory buffer is at offset 4), and
	 * exactly `size` bytes long, so ASan sees a read past the end. */
	void *blob = malloc(size ? size : 1);
	if (blob == NULL)
		fail("out of memory", NULL);
	memcpy(blob, data, size);
	/* Garbage in *out first: on error it must come back zeroed. */
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(&err, 0xa5, sizeof(err));
	e = config_parse(blob, size, &cfg, &err);
	free(blob);
	if (e != HV_OK) {
		check_msg(&err, false);
		if (!all_zero(&cfg, sizeof(cfg)))
			fail("config_parse failed but left *out non-zero",
			     err.msg);
		return 0;
	}
	check_config(&cfg);

	/* Built and started: whatever the config, all or nothing, and the
	 * tables of a started hypervisor are isolated. */
	fuzz_hal_reset();
	e = hv_init_config(&hv, &cfg, &err);
	if (e != HV_OK) {
		check_msg(&err, false);
		check_empty("after a failed hv_init_config");
		return 0;
	}
	e = hv_start(&hv, &err);
	check_msg(&err, e == HV_OK);
	if (e == HV_OK) {
		if (isolation_check(&hv, why, sizeof(why)) != HV_OK)
			fail("isolation after hv_start", why);
		/* Each pCPU starts its vCPU (the reset path), once. */
		for (unsigned p = 0; p < cfg.platform.cpu_count; p++)
			(void)hv_pcpu_run(&hv, p);
	}
	hv_shutdown(&hv);
	check_empty("after hv_shutdown");
	return 0;
}
