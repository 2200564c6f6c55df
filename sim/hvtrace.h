/* SPDX-License-Identifier: MIT */
/* hvtrace subcommands implemented outside hvtrace.c. */
#ifndef HVTRACE_H
#define HVTRACE_H

/* hvtrace replay FILE [--images DIR] [--quiet]: core-only replay
 * (sim/hvtrace_replay.c, docs/replay.md). argv[0] is "replay". */
int hvtrace_replay(int argc, char **argv);

/* hvtrace unpack FILE DIR: writes the recorded config (config.dtb) and
 * the embedded images into DIR, so that `hvsim --replay FILE
 * DIR/config.dtb` re-executes exactly what was recorded. */
int hvtrace_unpack(int argc, char **argv);

/* hvtrace extract LOG OUT [--index N]: the trace the bare-metal recorder
 * printed on the console (the last complete one, or snapshot N), checked
 * against its length and hash, written to OUT. */
int hvtrace_extract(int argc, char **argv);

/* hvtrace cut FILE OUT N: the events before number N, as a partial
 * trace (for committing the start of a long run). */
int hvtrace_cut(int argc, char **argv);

#endif /* HVTRACE_H */
