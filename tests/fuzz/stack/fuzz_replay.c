/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay/smoke driver for the frame fuzz target, built always and run in the unit suite:
 *  - every file named on the command line (a libFuzzer corpus or crash file), then
 *  - deterministic random inputs (random records, random bytes), then
 *  - scripted valid sessions (discard and iperf3, handshakes, data, FIN) with a few records
 *    mutated: bytes flipped, truncated, duplicated, swapped, control bits changed. FIXUP
 *    keeps their checksums valid so the mutations reach established flows' TCP logic.
 * Usage: fuzz_frame_replay [--random N] [--mutated N] [--write-seeds DIR] [FILE...]
 * --write-seeds writes the unmutated scripted sessions as a libFuzzer seed corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "fuzz_core.h"
#include "pktbuild.h"

#define IN_MAX 65536

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct rec {
	uint8_t ctl;
	uint32_t len;
	uint8_t f[2048];
};

static struct rec recs[64];
static int nrec;

static void
add(uint8_t ctl, const struct pb_tcp *p)
{
	if (nrec == (int)RTE_DIM(recs))
		return;
	recs[nrec].ctl = ctl;
	recs[nrec].len = pb_tcp_frame(p, recs[nrec].f, sizeof(recs[nrec].f));
	nrec++;
}

struct cl {
	uint16_t port;
	uint16_t dport;
	uint32_t seq;
	uint8_t q;
};

static void
seg(struct cl *c, uint8_t flags, const void *d, uint32_t n, int32_t seq_off, uint8_t ctl)
{
	struct pb_tcp p;

	pb_tcp_defaults(&p);
	p.sport = c->port;
	p.dport = c->dport;
	p.seq = c->seq + (uint32_t)seq_off;
	p.flags = flags;
	p.payload = d;
	p.plen = n;
	p.ts = 1;
	p.tsval = 1000 + (uint32_t)nrec;
	if (flags & PB_SYN) {
		p.mss = 1460;
		p.ws = 7;
		p.sack_perm = 1;
	}
	add((uint8_t)(ctl | 0x01 | (c->q ? 0x10 : 0)), &p);
	if (seq_off == 0)
		c->seq += n + !!(flags & (PB_SYN | PB_FIN));
}

static void
script_discard(void)
{
	static uint8_t d[4000];
	struct cl c = { (uint16_t)(1024 + rnd() % 60000), 9, (uint32_t)rnd(),
			(uint8_t)(rnd() & 1) };
	uint32_t i;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)rnd();
	seg(&c, PB_SYN, NULL, 0, 0, 0);
	seg(&c, PB_ACK, NULL, 0, 0, 0);
	seg(&c, PB_ACK, d + 1000, 1000, 1000, 0x80); /* out of order, same burst */
	seg(&c, PB_ACK, d, 1000, 0, 0);
	c.seq += 1000;
	seg(&c, PB_ACK | PB_PSH, d + 2000, 1500, 0, 0x40);
	seg(&c, PB_ACK | PB_FIN, d + 3500, 500, 0, 0x20);
	seg(&c, PB_ACK, NULL, 0, 0, 0x40);
}

static void
script_iperf3(void)
{
	static const char cookie[37] = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz2345";
	const char *js = "{\"tcp\":true,\"omit\":0,\"time\":1,\"parallel\":1,\"len\":1000}";
	uint8_t jb[128], d[1200];
	uint32_t n = (uint32_t)strlen(js), be = rte_cpu_to_be_32(n);
	struct cl c = { (uint16_t)(1024 + rnd() % 30000), 5201, (uint32_t)rnd(), 0 };
	struct cl s = { (uint16_t)(c.port + 1), 5201, (uint32_t)rnd(), (uint8_t)(rnd() & 1) };

	memcpy(jb, &be, 4);
	memcpy(jb + 4, js, n);
	memset(d, 'x', sizeof(d));
	seg(&c, PB_SYN, NULL, 0, 0, 0);
	seg(&c, PB_ACK, NULL, 0, 0, 0);
	seg(&c, PB_ACK | PB_PSH, cookie, 37, 0, 0x40);
	seg(&c, PB_ACK | PB_PSH, jb, n + 4, 0, 0x40);
	seg(&s, PB_SYN, NULL, 0, 0, 0);
	seg(&s, PB_ACK, NULL, 0, 0, 0);
	seg(&s, PB_ACK | PB_PSH, cookie, 37, 0, 0x40);
	seg(&s, PB_ACK, d, 1200, 0, 0x40);
	seg(&c, PB_ACK | PB_PSH, "\x04", 1, 0, 0x40);
	jb[3] = 2;
	seg(&c, PB_ACK | PB_PSH, jb, 4, 0, 0);
	seg(&c, PB_ACK | PB_PSH, "{}", 2, 0, 0x40);
	seg(&c, PB_ACK | PB_PSH, "\x10", 1, 0, 0x40);
	seg(&c, PB_ACK | PB_FIN, NULL, 0, 0, 0x40);
	seg(&s, PB_ACK | PB_FIN, NULL, 0, 0, 0x40);
}

static void
mutate(void)
{
	int k = 1 + (int)(rnd() % 4), i;

	for (i = 0; i < k && nrec > 1; i++) {
		int r = 1 + (int)(rnd() % (uint64_t)(nrec - 1));
		struct rec *x = &recs[r];

		switch (rnd() % 6) {
		case 0: /* flip bytes in the IP/TCP headers or payload */
		case 1:
			if (x->len > 14) {
				int j, flips = 1 + (int)(rnd() % 3);

				for (j = 0; j < flips; j++)
					x->f[14 + rnd() % (x->len - 14)] ^=
						(uint8_t)(1u << (rnd() % 8));
			}
			break;
		case 2:
			x->len = (uint32_t)(rnd() % (x->len + 1));
			break;
		case 3:
			if (nrec < (int)RTE_DIM(recs)) {
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
			x->ctl ^= (uint8_t)(1u << (rnd() % 8));
			break;
		}
	}
}

static size_t
serialize(uint8_t *out)
{
	size_t n = 0;
	int i;

	for (i = 0; i < nrec && n + 3 + recs[i].len <= IN_MAX; i++) {
		out[n++] = recs[i].ctl;
		out[n++] = (uint8_t)(recs[i].len >> 8);
		out[n++] = (uint8_t)recs[i].len;
		memcpy(out + n, recs[i].f, recs[i].len);
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
		fprintf(stderr, "fuzz_frame_replay: cannot open %s\n", path);
		return -1;
	}
	n = fread(buf, 1, IN_MAX, fp);
	fclose(fp);
	return vns_fuzz_one(buf, n);
}

int
main(int argc, char **argv)
{
	static uint8_t buf[IN_MAX];
	long n_random = 1500, n_mutated = 1500, i;
	int a, files = 0;
	const char *seed_dir = NULL;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--random") == 0 && a + 1 < argc)
			n_random = atol(argv[++a]);
		else if (strcmp(argv[a], "--mutated") == 0 && a + 1 < argc)
			n_mutated = atol(argv[++a]);
		else if (strcmp(argv[a], "--write-seeds") == 0 && a + 1 < argc)
			seed_dir = argv[++a];
	}
	if (seed_dir != NULL) {
		for (i = 0; i < 8; i++) {
			char path[4096];
			FILE *fp;
			size_t n;

			nrec = 0;
			if (i & 1)
				script_iperf3();
			else
				script_discard();
			n = serialize(buf);
			snprintf(path, sizeof(path), "%s/seed-%s-%ld", seed_dir,
				 (i & 1) ? "iperf3" : "discard", i / 2);
			fp = fopen(path, "wb");
			if (fp == NULL || fwrite(buf, 1, n, fp) != n) {
				fprintf(stderr, "fuzz_frame_replay: cannot write %s\n", path);
				return 1;
			}
			fclose(fp);
		}
		printf("fuzz_frame_replay: seeds written to %s\n", seed_dir);
		return 0;
	}
	if (vns_fuzz_init(argv[0]) != 0) {
		printf("SKIP: EAL cannot start here (no-huge mode)\n");
		return 77;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--random") == 0 || strcmp(argv[a], "--mutated") == 0 ||
		    strcmp(argv[a], "--write-seeds") == 0) {
			a++;
			continue;
		}
		if (run_file(argv[a], buf) != 0)
			return 1;
		files++;
	}
	for (i = 0; i < n_random; i++) {
		size_t n = 0;
		int r, recs_n = 1 + (int)(rnd() % 8);

		for (r = 0; r < recs_n; r++) {
			uint32_t len = (uint32_t)(rnd() % 160), j;

			buf[n++] = (uint8_t)rnd();
			buf[n++] = 0;
			buf[n++] = (uint8_t)len;
			for (j = 0; j < len; j++)
				buf[n++] = (uint8_t)rnd();
			/* Half of them look like IPv4/TCP to us, so they pass the first checks. */
			if (len >= 54 && (rnd() & 1)) {
				buf[n - len + 12] = 0x08;
				buf[n - len + 13] = 0x00;
				buf[n - len + 14] = 0x45;
				buf[n - len + 23] = 6;
				buf[n - len + 16] = 0;
				buf[n - len + 17] = (uint8_t)(len - 14);
				buf[n - len - 3] |= 0x01;
			}
		}
		vns_fuzz_one(buf, n);
	}
	for (i = 0; i < n_mutated; i++) {
		nrec = 0;
		if (i & 1)
			script_iperf3();
		else
			script_discard();
		if (i % 10 != 0) /* one in ten runs unmutated: the sessions themselves work */
			mutate();
		vns_fuzz_one(buf, serialize(buf));
	}
	printf("fuzz_frame_replay: %d files, %ld random, %ld mutated inputs, no crash, no leak\n",
	       files, n_random, n_mutated);
	return 0;
}
