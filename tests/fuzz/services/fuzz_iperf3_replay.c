/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay/smoke driver for the iperf3 control fuzz target (tests/fuzz/common/fuzz_driver.h),
 * built always and run in the unit suite. Its scripts: a whole test, a test without a deadline
 * left silent, parallel streams on both stacks, an oversize or zero length prefix, refused
 * modes, a client that terminates mid-test, a wrong cookie, broken JSON.
 * Usage: fuzz_iperf3_replay [--random N] [--mutated N] [--write-seeds DIR] [FILE...]
 */
#include <string.h>

#include <rte_common.h>

#include "fuzz_iperf3_core.h"
#include "fuzz_driver.h"

#define IN_MAX  16384
#define SCRIPTS 8

static void
adds(struct fz_recs *recs, uint8_t op, const char *s)
{
	fz_add(recs, op, s, strlen(s));
}

static const char cookie[37] = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz2345";

/* Client results as iperf3 3.12 sends them (shortened). */
static const char results[] = "{\"cpu_util_total\":1,\"cpu_util_user\":0.5,\"cpu_util_system\":0.5,"
			      "\"sender_has_retransmits\":1,\"streams\":[{\"id\":1,\"bytes\":400,"
			      "\"retransmits\":0,\"jitter\":0,\"errors\":0,\"packets\":0}]}";

static void
script(struct fz_recs *recs, int k)
{
	static const uint8_t big[4] = { 0x00, 0x10, 0x00, 0x01 }, zero[4] = { 0 };
	uint8_t data[200], t = 10, slow = 255;

	memset(data, 'x', sizeof(data));
	fz_add(recs, FZI_CTRL | FZI_ACK, cookie, sizeof(cookie));
	switch (k) {
	case 0: /* a whole test */
		adds(recs, FZI_JSON | FZI_ACK,
		     "{\"tcp\":true,\"omit\":0,\"time\":1,\"num\":0,"
		     "\"blockcount\":0,\"parallel\":1,\"len\":131072,"
		     "\"client_version\":\"3.12\"}");
		fz_add(recs, FZI_OPEN | FZI_ACK, NULL, 0);
		fz_add(recs, FZI_STREAM | FZI_ACK, data, sizeof(data));
		fz_add(recs, FZI_TIME | FZI_ACK, &t, 1);
		fz_add(recs, FZI_STREAM | FZI_ACK, data, sizeof(data));
		adds(recs, FZI_CTRL | FZI_ACK, "\x04");
		adds(recs, FZI_JSON | FZI_ACK, results);
		adds(recs, FZI_CTRL | FZI_ACK, "\x10");
		fz_add(recs, FZI_CLOSE_CTRL | FZI_ACK, NULL, 0);
		fz_add(recs, FZI_CLOSE_LAST | FZI_ACK, NULL, 0);
		break;
	case 1: /* -n: no deadline, then the client goes silent */
		adds(recs, FZI_JSON | FZI_ACK,
		     "{\"tcp\":true,\"omit\":0,\"time\":0,\"num\":1000000,"
		     "\"parallel\":1}");
		fz_add(recs, FZI_OPEN | FZI_ACK, NULL, 0);
		fz_add(recs, FZI_STREAM | FZI_ACK, data, sizeof(data));
		fz_add(recs, FZI_TIME, &slow, 1);
		fz_add(recs, FZI_TIME, &slow, 1);
		break;
	case 2: /* two streams, one on each stack, and a FIN from one mid-test */
		adds(recs, FZI_JSON | FZI_ACK,
		     "{\"tcp\":true,\"omit\":0,\"time\":2,\"parallel\":2}");
		fz_add(recs, FZI_OPEN | FZI_ACK, NULL, 0);
		fz_add(recs, FZI_OPEN | FZI_QUEUE1 | FZI_ACK, NULL, 0);
		fz_add(recs, FZI_STREAM | FZI_ACK, data, sizeof(data));
		fz_add(recs, FZI_TIME | FZI_ACK, &t, 1);
		fz_add(recs, FZI_CLOSE_LAST, NULL, 0);
		adds(recs, FZI_CTRL | FZI_ACK, "\x04");
		adds(recs, FZI_JSON | FZI_ACK, "{}");
		break;
	case 3: /* a length prefix beyond the bound, then 0 */
		fz_add(recs, FZI_RAW_LEN | FZI_ACK, big, sizeof(big));
		fz_add(recs, FZI_RAW_LEN | FZI_ACK, zero, sizeof(zero));
		break;
	case 4: /* refused modes */
		adds(recs, FZI_JSON | FZI_ACK,
		     "{\"tcp\":true,\"reverse\":true,\"time\":1,\"parallel\":1}");
		adds(recs, FZI_JSON | FZI_ACK, "{\"udp\":true,\"time\":1e300,\"parallel\":-1}");
		break;
	case 5: /* CLIENT_TERMINATE while running */
		adds(recs, FZI_JSON | FZI_ACK, "{\"tcp\":true,\"time\":5,\"parallel\":1}");
		fz_add(recs, FZI_OPEN | FZI_ACK, NULL, 0);
		adds(recs, FZI_CTRL | FZI_ACK, "\x0c");
		fz_add(recs, FZI_STREAM, data, sizeof(data));
		break;
	case 6: /* a stream with a wrong cookie, a second client while busy */
		adds(recs, FZI_JSON | FZI_ACK, "{\"tcp\":true,\"time\":1,\"parallel\":1}");
		fz_add(recs, FZI_OPEN | FZI_ACK, "wrongwrongwrongwrongwrongwrongwrong2", 37);
		fz_add(recs, FZI_OPEN | FZI_QUEUE1 | FZI_ACK, cookie, 10);
		break;
	default: /* broken JSON, unknown state bytes, results before the end */
		adds(recs, FZI_JSON | FZI_ACK, "{\"tcp\":tru");
		adds(recs, FZI_CTRL | FZI_ACK, "\x7f\xfe\x01");
		adds(recs, FZI_JSON | FZI_ACK, "[1,2,{\"time\":null}]");
		adds(recs, FZI_JSON | FZI_ACK, results);
		break;
	}
}

static int
keep_unmutated(long i)
{
	return i % 10 < SCRIPTS / 4;
}

static size_t
random_input(uint8_t *buf)
{
	static struct fz_recs recs;
	int r;

	recs.n = 0;
	fz_add(&recs, FZI_CTRL | FZI_ACK, cookie, sizeof(cookie));
	for (r = (int)(fz_rnd() % 12); r > 0; r--) {
		uint8_t d[255];
		uint32_t len = (uint32_t)(fz_rnd() % 64), j;

		for (j = 0; j < len; j++)
			d[j] = (uint8_t)fz_rnd();
		fz_add(&recs, (uint8_t)fz_rnd(), d, len);
	}
	return fz_serialize(&recs, buf);
}

static const struct fz_target fuzz_iperf3_target = {
	.name = "fuzz_iperf3_replay",
	.seed_name = "iperf3-ctrl",
	.len_bytes = 1,
	.recs_max = 48,
	.flip_skip = 0,
	.mutations_max = 3,
	.in_max = IN_MAX,
	.seed = 0x243f6a8885a308d3ull,
	.nb_scripts = SCRIPTS,
	.script = script,
	.keep_unmutated = keep_unmutated,
	.random_input = random_input,
	.init = vns_fuzz_iperf3_init,
	.one = vns_fuzz_iperf3_one,
};

int
main(int argc, char **argv)
{
	return fz_replay_main(&fuzz_iperf3_target, argc, argv);
}
