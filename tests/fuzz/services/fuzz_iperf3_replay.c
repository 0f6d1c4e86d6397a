/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay/smoke driver for the iperf3 control fuzz target, built always and run in the unit
 * suite:
 *  - every file named on the command line (a libFuzzer corpus or crash file), then
 *  - deterministic random sessions (random records of every op), then
 *  - scripted sessions (a whole test, a test without a deadline left silent, parallel
 *    streams on both stacks, an oversize or zero length prefix, refused modes, a client that
 *    terminates mid-test, a wrong cookie, broken JSON) with a few records mutated: bytes
 *    flipped, lengths changed, records duplicated, dropped or swapped, ops changed.
 * Usage: fuzz_iperf3_replay [--random N] [--mutated N] [--write-seeds DIR] [FILE...]
 * --write-seeds writes the unmutated scripted sessions as a libFuzzer seed corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "fuzz_iperf3_core.h"

#define IN_MAX  16384
#define REC_MAX 48
#define SCRIPTS 8

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct rec {
	uint8_t op;
	uint8_t len;
	uint8_t d[255];
};

static struct rec recs[REC_MAX];
static int nrec;

static void
add(uint8_t op, const void *d, size_t len)
{
	if (nrec == REC_MAX)
		return;
	recs[nrec].op = op;
	recs[nrec].len = (uint8_t)RTE_MIN(len, (size_t)255);
	if (recs[nrec].len > 0)
		memcpy(recs[nrec].d, d, recs[nrec].len);
	nrec++;
}

static void
adds(uint8_t op, const char *s)
{
	add(op, s, strlen(s));
}

static const char cookie[37] = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz2345";

/* Client results as iperf3 3.12 sends them (shortened). */
static const char results[] = "{\"cpu_util_total\":1,\"cpu_util_user\":0.5,\"cpu_util_system\":0.5,"
			      "\"sender_has_retransmits\":1,\"streams\":[{\"id\":1,\"bytes\":400,"
			      "\"retransmits\":0,\"jitter\":0,\"errors\":0,\"packets\":0}]}";

static void
script(int k)
{
	static const uint8_t big[4] = { 0x00, 0x10, 0x00, 0x01 }, zero[4] = { 0 };
	uint8_t data[200], t = 10, slow = 255;

	memset(data, 'x', sizeof(data));
	nrec = 0;
	add(FZI_CTRL | FZI_ACK, cookie, sizeof(cookie));
	switch (k) {
	case 0: /* a whole test */
		adds(FZI_JSON | FZI_ACK, "{\"tcp\":true,\"omit\":0,\"time\":1,\"num\":0,"
					 "\"blockcount\":0,\"parallel\":1,\"len\":131072,"
					 "\"client_version\":\"3.12\"}");
		add(FZI_OPEN | FZI_ACK, NULL, 0);
		add(FZI_STREAM | FZI_ACK, data, sizeof(data));
		add(FZI_TIME | FZI_ACK, &t, 1);
		add(FZI_STREAM | FZI_ACK, data, sizeof(data));
		adds(FZI_CTRL | FZI_ACK, "\x04");
		adds(FZI_JSON | FZI_ACK, results);
		adds(FZI_CTRL | FZI_ACK, "\x10");
		add(FZI_CLOSE_CTRL | FZI_ACK, NULL, 0);
		add(FZI_CLOSE_LAST | FZI_ACK, NULL, 0);
		break;
	case 1: /* -n: no deadline, then the client goes silent */
		adds(FZI_JSON | FZI_ACK, "{\"tcp\":true,\"omit\":0,\"time\":0,\"num\":1000000,"
					 "\"parallel\":1}");
		add(FZI_OPEN | FZI_ACK, NULL, 0);
		add(FZI_STREAM | FZI_ACK, data, sizeof(data));
		add(FZI_TIME, &slow, 1);
		add(FZI_TIME, &slow, 1);
		break;
	case 2: /* two streams, one on each stack, and a FIN from one mid-test */
		adds(FZI_JSON | FZI_ACK, "{\"tcp\":true,\"omit\":0,\"time\":2,\"parallel\":2}");
		add(FZI_OPEN | FZI_ACK, NULL, 0);
		add(FZI_OPEN | FZI_QUEUE1 | FZI_ACK, NULL, 0);
		add(FZI_STREAM | FZI_ACK, data, sizeof(data));
		add(FZI_TIME | FZI_ACK, &t, 1);
		add(FZI_CLOSE_LAST, NULL, 0);
		adds(FZI_CTRL | FZI_ACK, "\x04");
		adds(FZI_JSON | FZI_ACK, "{}");
		break;
	case 3: /* a length prefix beyond the bound, then 0 */
		add(FZI_RAW_LEN | FZI_ACK, big, sizeof(big));
		add(FZI_RAW_LEN | FZI_ACK, zero, sizeof(zero));
		break;
	case 4: /* refused modes */
		adds(FZI_JSON | FZI_ACK,
		     "{\"tcp\":true,\"reverse\":true,\"time\":1,\"parallel\":1}");
		adds(FZI_JSON | FZI_ACK, "{\"udp\":true,\"time\":1e300,\"parallel\":-1}");
		break;
	case 5: /* CLIENT_TERMINATE while running */
		adds(FZI_JSON | FZI_ACK, "{\"tcp\":true,\"time\":5,\"parallel\":1}");
		add(FZI_OPEN | FZI_ACK, NULL, 0);
		adds(FZI_CTRL | FZI_ACK, "\x0c");
		add(FZI_STREAM, data, sizeof(data));
		break;
	case 6: /* a stream with a wrong cookie, a second client while busy */
		adds(FZI_JSON | FZI_ACK, "{\"tcp\":true,\"time\":1,\"parallel\":1}");
		add(FZI_OPEN | FZI_ACK, "wrongwrongwrongwrongwrongwrongwrong2", 37);
		add(FZI_OPEN | FZI_QUEUE1 | FZI_ACK, cookie, 10);
		break;
	default: /* broken JSON, unknown state bytes, results before the end */
		adds(FZI_JSON | FZI_ACK, "{\"tcp\":tru");
		adds(FZI_CTRL | FZI_ACK, "\x7f\xfe\x01");
		adds(FZI_JSON | FZI_ACK, "[1,2,{\"time\":null}]");
		adds(FZI_JSON | FZI_ACK, results);
		break;
	}
}

static void
mutate(void)
{
	int k = 1 + (int)(rnd() % 3), i;

	for (i = 0; i < k && nrec > 1; i++) {
		int r = 1 + (int)(rnd() % (uint64_t)(nrec - 1));
		struct rec *x = &recs[r];

		switch (rnd() % 6) {
		case 0: /* flip bytes */
		case 1:
			if (x->len > 0)
				x->d[rnd() % x->len] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 2:
			x->len = (uint8_t)(rnd() % ((uint32_t)x->len + 1));
			break;
		case 3:
			if (nrec < REC_MAX) {
				memmove(&recs[r + 1], &recs[r],
					(size_t)(nrec - r) * sizeof(recs[0]));
				nrec++;
			}
			break;
		case 4: {
			int o = 1 + (int)(rnd() % (uint64_t)(nrec - 1));
			struct rec t = recs[r];

			recs[r] = recs[o];
			recs[o] = t;
			break;
		}
		default:
			x->op ^= (uint8_t)(1u << (rnd() % 8));
			break;
		}
	}
}

static size_t
serialize(uint8_t *out)
{
	size_t n = 0;
	int i;

	for (i = 0; i < nrec && n + 2 + recs[i].len <= IN_MAX; i++) {
		out[n++] = recs[i].op;
		out[n++] = recs[i].len;
		memcpy(out + n, recs[i].d, recs[i].len);
		n += recs[i].len;
	}
	return n;
}

static int
run_file(const char *path, uint8_t *buf)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "fuzz_iperf3_replay: cannot open %s\n", path);
		return -1;
	}
	n = fread(buf, 1, IN_MAX, fp);
	fclose(fp);
	return vns_fuzz_iperf3_one(buf, n);
}

static int
write_seeds(const char *dir, uint8_t *buf)
{
	int k;

	for (k = 0; k < SCRIPTS; k++) {
		char path[4096];
		FILE *fp;
		size_t n;

		script(k);
		n = serialize(buf);
		snprintf(path, sizeof(path), "%s/seed-iperf3-ctrl-%d", dir, k);
		fp = fopen(path, "wb");
		if (fp == NULL || fwrite(buf, 1, n, fp) != n) {
			fprintf(stderr, "fuzz_iperf3_replay: cannot write %s\n", path);
			if (fp != NULL)
				fclose(fp);
			return 1;
		}
		fclose(fp);
	}
	printf("fuzz_iperf3_replay: seeds written to %s\n", dir);
	return 0;
}

int
main(int argc, char **argv)
{
	static uint8_t buf[IN_MAX];
	long n_random = 1500, n_mutated = 1500, i;
	int a, files = 0;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--random") == 0 && a + 1 < argc)
			n_random = atol(argv[++a]);
		else if (strcmp(argv[a], "--mutated") == 0 && a + 1 < argc)
			n_mutated = atol(argv[++a]);
		else if (strcmp(argv[a], "--write-seeds") == 0 && a + 1 < argc)
			return write_seeds(argv[++a], buf);
	}
	if (vns_fuzz_iperf3_init(argv[0]) != 0)
		return 77;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--random") == 0 || strcmp(argv[a], "--mutated") == 0) {
			a++;
			continue;
		}
		if (run_file(argv[a], buf) != 0)
			return 1;
		files++;
	}
	for (i = 0; i < n_random; i++) {
		int r;

		nrec = 0;
		add(FZI_CTRL | FZI_ACK, cookie, sizeof(cookie));
		for (r = (int)(rnd() % 12); r > 0; r--) {
			uint8_t d[255];
			uint32_t len = (uint32_t)(rnd() % 64), j;

			for (j = 0; j < len; j++)
				d[j] = (uint8_t)rnd();
			add((uint8_t)rnd(), d, len);
		}
		vns_fuzz_iperf3_one(buf, serialize(buf));
	}
	for (i = 0; i < n_mutated; i++) {
		script((int)(i % SCRIPTS));
		if (i % 10 >= SCRIPTS / 4) /* a few run unmutated: the sessions themselves work */
			mutate();
		vns_fuzz_iperf3_one(buf, serialize(buf));
	}
	printf("fuzz_iperf3_replay: %d files, %ld random, %ld mutated sessions, no crash, no "
	       "leak\n",
	       files, n_random, n_mutated);
	return 0;
}
