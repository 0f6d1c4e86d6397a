/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay/smoke driver for the frame fuzz target (tests/fuzz/common/fuzz_driver.h), built
 * always and run in the unit suite. Its scripts are valid sessions (discard and iperf3,
 * handshakes, data, FIN); FIXUP keeps the checksums of mutated frames valid so the mutations
 * reach established flows' TCP logic.
 * Usage: fuzz_frame_replay [--random N] [--mutated N] [--write-seeds DIR] [FILE...]
 */
#include <string.h>

#include <rte_ip.h>

#include "fuzz_core.h"
#include "fuzz_driver.h"
#include "pktbuild.h"

#define IN_MAX 65536

struct cl {
	uint16_t port;
	uint16_t dport;
	uint32_t seq;
	uint8_t q;
};

static void
seg(struct fz_recs *recs, struct cl *c, uint8_t flags, const void *d, uint32_t n, int32_t seq_off,
    uint8_t ctl)
{
	static uint8_t f[FZ_REC_DATA_MAX];
	struct pb_tcp p;

	pb_tcp_defaults(&p);
	p.sport = c->port;
	p.dport = c->dport;
	p.seq = c->seq + (uint32_t)seq_off;
	p.flags = flags;
	p.payload = d;
	p.plen = n;
	p.ts = 1;
	p.tsval = 1000 + (uint32_t)recs->n;
	if (flags & PB_SYN) {
		p.mss = 1460;
		p.ws = 7;
		p.sack_perm = 1;
	}
	fz_add(recs, (uint8_t)(ctl | 0x01 | (c->q ? 0x10 : 0)), f, pb_tcp_frame(&p, f, sizeof(f)));
	if (seq_off == 0)
		c->seq += n + !!(flags & (PB_SYN | PB_FIN));
}

static void
script_discard(struct fz_recs *recs)
{
	static uint8_t d[4000];
	struct cl c = { (uint16_t)(1024 + fz_rnd() % 60000), 9, (uint32_t)fz_rnd(),
			(uint8_t)(fz_rnd() & 1) };
	uint32_t i;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)fz_rnd();
	seg(recs, &c, PB_SYN, NULL, 0, 0, 0);
	seg(recs, &c, PB_ACK, NULL, 0, 0, 0);
	seg(recs, &c, PB_ACK, d + 1000, 1000, 1000, 0x80); /* out of order, same burst */
	seg(recs, &c, PB_ACK, d, 1000, 0, 0);
	c.seq += 1000;
	seg(recs, &c, PB_ACK | PB_PSH, d + 2000, 1500, 0, 0x40);
	seg(recs, &c, PB_ACK | PB_FIN, d + 3500, 500, 0, 0x20);
	seg(recs, &c, PB_ACK, NULL, 0, 0, 0x40);
}

static void
script_iperf3(struct fz_recs *recs)
{
	static const char cookie[37] = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz2345";
	const char *js = "{\"tcp\":true,\"omit\":0,\"time\":1,\"parallel\":1,\"len\":1000}";
	uint8_t jb[128], d[1200];
	uint32_t n = (uint32_t)strlen(js), be = rte_cpu_to_be_32(n);
	struct cl c = { (uint16_t)(1024 + fz_rnd() % 30000), 5201, (uint32_t)fz_rnd(), 0 };
	struct cl s = { (uint16_t)(c.port + 1), 5201, (uint32_t)fz_rnd(), (uint8_t)(fz_rnd() & 1) };

	memcpy(jb, &be, 4);
	memcpy(jb + 4, js, n);
	memset(d, 'x', sizeof(d));
	seg(recs, &c, PB_SYN, NULL, 0, 0, 0);
	seg(recs, &c, PB_ACK, NULL, 0, 0, 0);
	seg(recs, &c, PB_ACK | PB_PSH, cookie, 37, 0, 0x40);
	seg(recs, &c, PB_ACK | PB_PSH, jb, n + 4, 0, 0x40);
	seg(recs, &s, PB_SYN, NULL, 0, 0, 0);
	seg(recs, &s, PB_ACK, NULL, 0, 0, 0);
	seg(recs, &s, PB_ACK | PB_PSH, cookie, 37, 0, 0x40);
	seg(recs, &s, PB_ACK, d, 1200, 0, 0x40);
	seg(recs, &c, PB_ACK | PB_PSH, "\x04", 1, 0, 0x40);
	jb[3] = 2;
	seg(recs, &c, PB_ACK | PB_PSH, jb, 4, 0, 0);
	seg(recs, &c, PB_ACK | PB_PSH, "{}", 2, 0, 0x40);
	seg(recs, &c, PB_ACK | PB_PSH, "\x10", 1, 0, 0x40);
	seg(recs, &c, PB_ACK | PB_FIN, NULL, 0, 0, 0x40);
	seg(recs, &s, PB_ACK | PB_FIN, NULL, 0, 0, 0x40);
}

static void
script(struct fz_recs *recs, int k)
{
	if (k & 1)
		script_iperf3(recs);
	else
		script_discard(recs);
}

static int
keep_unmutated(long i)
{
	return i % 10 == 0;
}

static size_t
random_input(uint8_t *buf)
{
	size_t n = 0;
	int r, recs_n = 1 + (int)(fz_rnd() % 8);

	for (r = 0; r < recs_n; r++) {
		uint32_t len = (uint32_t)(fz_rnd() % 160), j;

		buf[n++] = (uint8_t)fz_rnd();
		buf[n++] = 0;
		buf[n++] = (uint8_t)len;
		for (j = 0; j < len; j++)
			buf[n++] = (uint8_t)fz_rnd();
		/* Half of them look like IPv4/TCP to us, so they pass the first checks. */
		if (len >= 54 && (fz_rnd() & 1)) {
			buf[n - len + 12] = 0x08;
			buf[n - len + 13] = 0x00;
			buf[n - len + 14] = 0x45;
			buf[n - len + 23] = 6;
			buf[n - len + 16] = 0;
			buf[n - len + 17] = (uint8_t)(len - 14);
			buf[n - len - 3] |= 0x01;
		}
	}
	return n;
}

static const struct fz_target fuzz_frame_target = {
	.name = "fuzz_frame_replay",
	.seed_name = "frame",
	.len_bytes = 2,
	.recs_max = 64,
	.flip_skip = 14, /* the Ethernet header: flips go to IP, TCP and payload */
	.mutations_max = 4,
	.in_max = IN_MAX,
	.seed = 0x9e3779b97f4a7c15ull,
	.nb_scripts = 8,
	.script = script,
	.keep_unmutated = keep_unmutated,
	.random_input = random_input,
	.init = vns_fuzz_init,
	.one = vns_fuzz_one,
};

int
main(int argc, char **argv)
{
	return fz_replay_main(&fuzz_frame_target, argc, argv);
}
