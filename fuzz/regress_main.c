/* SPDX-License-Identifier: MIT */
/*
 * Replays inputs through a harness's LLVMFuzzerTestOneInput() without AFL:
 * every file named, and every regular file in every directory named (in
 * name order). Built with the normal compiler, run by `meson test` (suite
 * "fuzz") over the seed corpus and the saved crashes. A crash or oracle
 * violation aborts, which fails the test; the file being replayed has been
 * printed just before.
 *
 *   fuzz-regress-HARNESS [-q] [-r N] FILE|DIR...
 *
 * -q: do not name each file; -r N: run each input N times and print the
 * executions per second (the harness speed without AFL's own overhead).
 */
#define _DEFAULT_SOURCE /* DT_REG, d_type */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz.h"

static unsigned replayed;
static unsigned long repeat = 1;
static unsigned long long runs;
static int quiet;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			uint8_t *nb = realloc(buf, cap);
			if (nb == NULL) {
				fprintf(stderr, "%s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		perror(path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (!quiet)
		printf("replay %s (%zu bytes)\n", path, len);
	fflush(stdout);
	/* A copy of exactly len bytes, so ASan sees reads past the end. */
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(copy, buf, len);
	free(buf);
	for (unsigned long i = 0; i < repeat; i++)
		(void)LLVMFuzzerTestOneInput(copy, len);
	runs += repeat;
	free(copy);
	replayed++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		names[count] = malloc(len);
		if (names[count] == NULL) {
			rc = -1;
			break;
		}
		snprintf(names[count], len, "%s/%s", dir, e->d_name);
		count++;
	}
	closedir(d);
	if (count > 1)
		qsort(names, count, sizeof(*names), by_name);
	for (size_t i = 0; i < count; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc = replay_file(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int first = 1;
	struct timespec t0, t1;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "-q") == 0) {
			quiet = 1;
		} else if (strcmp(argv[first], "-r") == 0 && first + 1 < argc) {
			repeat = strtoul(argv[++first], NULL, 0);
			if (repeat == 0)
				repeat = 1;
		} else {
			break;
		}
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-q] [-r N] FILE|DIR...\n", argv[0]);
		return 2;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			/* A corpus directory that does not exist (yet) is
			 * empty, not an error. */
			printf("%s: not found, skipped\n", argv[i]);
			continue;
		}
		int rc = S_ISDIR(st.st_mode) ? replay_dir(argv[i])
					     : replay_file(argv[i]);
		if (rc != 0)
			return 1;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%u inputs replayed, no crash", replayed);
	if (repeat > 1 && secs > 0)
		printf(" (%llu runs in %.3f s: %.0f execs/s, %.2f us each)",
		       runs, secs, (double)runs / secs,
		       secs * 1e6 / (double)runs);
	printf("\n");
	return 0;
}
