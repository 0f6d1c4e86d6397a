/* SPDX-License-Identifier: BSD-3-Clause */
#include "fuzz_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fz_rng = 0x9e3779b97f4a7c15ull;
static const struct fz_target *fz_t;

uint64_t
fz_rnd(void)
{
	fz_rng ^= fz_rng << 13;
	fz_rng ^= fz_rng >> 7;
	fz_rng ^= fz_rng << 17;
	return fz_rng;
}

static uint32_t
fz_len_max(void)
{
	uint32_t wire = fz_t->len_bytes == 1 ? 255u : 65535u;

	return wire < FZ_REC_DATA_MAX ? wire : FZ_REC_DATA_MAX;
}

void
fz_add(struct fz_recs *recs, uint8_t op, const void *d, size_t len)
{
	struct fz_rec *x;

	if (recs->n >= fz_t->recs_max)
		return;
	x = &recs->r[recs->n++];
	x->op = op;
	x->len = len < fz_len_max() ? (uint32_t)len : fz_len_max();
	if (x->len > 0)
		memcpy(x->d, d, x->len);
}

/* Record 0 (the session's first) is never mutated: the mutations reach a live session. */
static void
fz_mutate(struct fz_recs *recs)
{
	int k = 1 + (int)(fz_rnd() % fz_t->mutations_max), i;

	for (i = 0; i < k && recs->n > 1; i++) {
		int r = 1 + (int)(fz_rnd() % (uint64_t)(recs->n - 1));
		struct fz_rec *x = &recs->r[r];

		switch (fz_rnd() % 6) {
		case 0:
		case 1:
			if (x->len > fz_t->flip_skip) {
				int j, flips = 1 + (int)(fz_rnd() % 3);

				for (j = 0; j < flips; j++)
					x->d[fz_t->flip_skip +
					     fz_rnd() % (x->len - fz_t->flip_skip)] ^=
						(uint8_t)(1u << (fz_rnd() % 8));
			}
			break;
		case 2:
			x->len = (uint32_t)(fz_rnd() % (x->len + 1));
			break;
		case 3:
			if (recs->n < fz_t->recs_max) {
				memmove(&recs->r[r + 1], &recs->r[r],
					(size_t)(recs->n - r) * sizeof(recs->r[0]));
				recs->n++;
			}
			break;
		case 4: {
			int o = 1 + (int)(fz_rnd() % (uint64_t)(recs->n - 1));
			struct fz_rec t = recs->r[r];

			recs->r[r] = recs->r[o];
			recs->r[o] = t;
			break;
		}
		default:
			x->op ^= (uint8_t)(1u << (fz_rnd() % 8));
			break;
		}
	}
}

size_t
fz_serialize(const struct fz_recs *recs, uint8_t *out)
{
	size_t n = 0;
	int i;

	for (i = 0; i < recs->n && n + 1 + fz_t->len_bytes + recs->r[i].len <= fz_t->in_max; i++) {
		out[n++] = recs->r[i].op;
		if (fz_t->len_bytes == 2)
			out[n++] = (uint8_t)(recs->r[i].len >> 8);
		out[n++] = (uint8_t)recs->r[i].len;
		memcpy(out + n, recs->r[i].d, recs->r[i].len);
		n += recs->r[i].len;
	}
	return n;
}

static int
fz_script_input(struct fz_recs *recs, int k, uint8_t *buf, size_t *n)
{
	recs->n = 0;
	fz_t->script(recs, k);
	*n = fz_serialize(recs, buf);
	return 0;
}

static int
fz_write_seeds(struct fz_recs *recs, const char *dir, uint8_t *buf)
{
	int k;

	for (k = 0; k < fz_t->nb_scripts; k++) {
		char path[4096];
		FILE *fp;
		size_t n;

		fz_script_input(recs, k, buf, &n);
		snprintf(path, sizeof(path), "%s/seed-%s-%d", dir, fz_t->seed_name, k);
		fp = fopen(path, "wb");
		if (fp == NULL || fwrite(buf, 1, n, fp) != n) {
			fprintf(stderr, "%s: cannot write %s\n", fz_t->name, path);
			if (fp != NULL)
				fclose(fp);
			return 1;
		}
		fclose(fp);
	}
	printf("%s: seeds written to %s\n", fz_t->name, dir);
	return 0;
}

static int
fz_run_file(const char *path, uint8_t *buf)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "%s: cannot open %s\n", fz_t->name, path);
		return -1;
	}
	n = fread(buf, 1, fz_t->in_max, fp);
	fclose(fp);
	return fz_t->one(buf, n);
}

static int
fz_is_option(const char *a)
{
	return strcmp(a, "--random") == 0 || strcmp(a, "--mutated") == 0 ||
	       strcmp(a, "--write-seeds") == 0;
}

int
fz_replay_main(const struct fz_target *t, int argc, char **argv)
{
	static struct fz_recs recs;
	long n_random = 1500, n_mutated = 1500, i;
	const char *seed_dir = NULL;
	int a, files = 0;
	uint8_t *buf;
	size_t n;
	int rc = 0;

	fz_t = t;
	fz_rng = t->seed;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--random") == 0 && a + 1 < argc)
			n_random = atol(argv[++a]);
		else if (strcmp(argv[a], "--mutated") == 0 && a + 1 < argc)
			n_mutated = atol(argv[++a]);
		else if (strcmp(argv[a], "--write-seeds") == 0 && a + 1 < argc)
			seed_dir = argv[++a];
	}
	buf = malloc(t->in_max);
	if (buf == NULL) {
		fprintf(stderr, "%s: out of memory\n", t->name);
		return 1;
	}
	if (seed_dir != NULL) {
		rc = fz_write_seeds(&recs, seed_dir, buf);
		free(buf);
		return rc;
	}
	if (t->init(argv[0]) != 0) {
		printf("SKIP: EAL cannot start here (no-huge mode)\n");
		free(buf);
		return 77;
	}
	for (a = 1; a < argc; a++) {
		if (fz_is_option(argv[a])) {
			a++;
			continue;
		}
		if (fz_run_file(argv[a], buf) != 0) {
			free(buf);
			return 1;
		}
		files++;
	}
	for (i = 0; i < n_random; i++)
		t->one(buf, t->random_input(buf));
	for (i = 0; i < n_mutated; i++) {
		fz_script_input(&recs, (int)(i % t->nb_scripts), buf, &n);
		if (!t->keep_unmutated(i)) {
			fz_mutate(&recs);
			n = fz_serialize(&recs, buf);
		}
		t->one(buf, n);
	}
	printf("%s: %d files, %ld random, %ld mutated inputs, no crash, no leak\n", t->name, files,
	       n_random, n_mutated);
	free(buf);
	return 0;
}
