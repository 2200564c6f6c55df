/* SPDX-License-Identifier: MIT */
/*
 * The AFL++ driver of a harness: persistent mode with deferred
 * initialisation and shared-memory test cases (AFL++ docs,
 * "fuzzing_in_depth.md", persistent mode). One process runs up to
 * FUZZ_AFL_LOOP inputs; everything before __AFL_INIT() (the fork server
 * starts there) is done once: the first call of the harness sets up its
 * one-time state, so it is made here with an empty input.
 *
 * Built by a compiler without AFL (the normal build), the same program
 * reads one input from each file named, or from stdin, so that a crash
 * can be reproduced under gdb: fuzz-HARNESS < crash-file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

#define FUZZ_AFL_LOOP 100000

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT()
__AFL_COVERAGE()

int main(void)
{
	/* FUZZ_STDIN=1: test cases through stdin rather than shared memory.
	 * afl-showmap -i (so afl-cmin) in AFL++ 4.04c does not deliver them
	 * to a persistent shared-memory program: every input then looks
	 * empty. make-corpus.sh sets it. */
	const char *stdin_only = getenv("FUZZ_STDIN");
	if (stdin_only != NULL && stdin_only[0] == '1')
		__afl_sharedmem_fuzzing = 0;
	/* One-time state (the harness's static setup, RAM reservation). */
	(void)LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	__AFL_INIT();
	unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(FUZZ_AFL_LOOP)) {
		size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
		(void)LLVMFuzzerTestOneInput(buf, len);
	}
	return 0;
}

#else /* not compiled by afl-cc: a plain reproducer */

static int run_stream(FILE *f, const char *name)
{
	static uint8_t buf[1 << 20];
	size_t len = fread(buf, 1, sizeof(buf), f);

	if (ferror(f)) {
		perror(name);
		return 1;
	}
	(void)LLVMFuzzerTestOneInput(buf, len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return run_stream(stdin, "stdin");
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		int rc = run_stream(f, argv[i]);
		fclose(f);
		if (rc)
			return rc;
	}
	return 0;
}
#endif
