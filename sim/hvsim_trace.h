/* SPDX-License-Identifier: MIT */
/*
 * hvsim --record FILE / --replay FILE (docs/replay.md): the recorder of
 * hal/trace/record.h writing a trace file, or comparing a fresh run with
 * one event by event.
 */
#ifndef HVSIM_TRACE_H
#define HVSIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct hv;

/* Exit code of a replay that diverged. */
#define EXIT_DIVERGED 125

/*
 * Starts recording to `record` or replaying `replay` (one of them set)
 * after hv_start(). The trace header holds the config, its hash, the
 * quantum and the cells' images. Exits 2 with a message when the file
 * cannot be written or read, or (replay) when it was recorded with
 * another config or quantum.
 */
void hvsim_trace_begin(const struct hv *hv, const char *record,
		       const char *replay, const void *config,
		       size_t config_size, uint64_t quantum);

/* At the end of the run (after hv_report_end): records TRACE_END, or
 * checks it and that the trace holds nothing more; closes the file.
 * Returns `status`, or EXIT_DIVERGED for a replay that diverged. */
int hvsim_trace_end(const struct hv *hv, int status);

#endif /* HVSIM_TRACE_H */
