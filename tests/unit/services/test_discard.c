/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the discard service (vns_discard.c) on the real stack: the SHA-256 of a
 * reordered stream with an LRO chain in it, a known answer, and the closed-connection record.
 * The mempool must be fully returned after each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "harness.h"
#include "vns_services.h"

static struct h H;
static struct tc C;

static const struct vns_discard_conf sha256 = { .sha256 = true };

/* What vnetsink binds: iperf3 and the discard port in integrity mode. */
static const struct vns_service_bind binds[] = {
	{ H_IPERF_PORT, &vns_iperf3_ops, NULL },
	{ H_DISCARD_PORT, &vns_discard_ops, &sha256 },
};

static int
setup1(void **state)
{
	(void)state;
	return h_open(&H, 1, binds, RTE_DIM(binds), 64, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

#define STAT(name) h_stat(&H, 0, #name)

static void
sha256_hex(const uint8_t *d, size_t n, char out[65])
{
	uint8_t md[32];
	unsigned int l = 0, i;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, d, n);
	EVP_DigestFinal_ex(c, md, &l);
	EVP_MD_CTX_free(c);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
test_discard_sha256(void **state)
{
	static uint8_t data[200000];
	struct vns_closed_rec rec[4];
	char want[65];
	struct pb_tcp p;
	uint32_t b, i, off;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	sha256_hex(data, sizeof(data), want);

	tc_init(&C, &H, 0, 40021, H_DISCARD_PORT, 0xffff0000u, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	/* 1000-byte segments; every fourth pair swapped; one LRO chain in the middle. */
	for (off = 0; off < sizeof(data);) {
		uint32_t n = RTE_MIN(1000u, (uint32_t)sizeof(data) - off);

		if (off == 100000) {
			tc_fill(&C, &p, b + off, PB_ACK, data + off, 30000);
			p.seg_size = 700;
			p.ol_flags = RTE_MBUF_F_RX_LRO;
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			off += 30000;
		} else if ((off / 1000) % 4 == 1 && off + 2000 <= sizeof(data) && off != 99000) {
			tc_fill(&C, &p, b + off + 1000, PB_ACK, data + off + 1000, 1000);
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			tc_fill(&C, &p, b + off, PB_ACK, data + off, 1000);
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			off += 2000;
		} else {
			tc_fill(&C, &p, b + off, PB_ACK, data + off, n);
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			off += n;
		}
		h_clear(&H);
	}
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 0);
	C.snd_nxt = b + sizeof(data);
	assert_int_equal(tc_close(&C), 0);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 1);
	assert_int_equal(rec[0].kind, VNS_CLOSED_DISCARD);
	assert_int_equal(rec[0].bytes, sizeof(data));
	assert_true(rec[0].has_sha256);
	assert_string_equal(rec[0].sha256_hex, want);
	assert_int_equal(rec[0].peer_port, rte_cpu_to_be_16(40021));
	assert_true(STAT(ooo_segments) > 10);

	/* Known answer: SHA-256("abc"). */
	tc_init(&C, &H, 0, 40022, H_DISCARD_PORT, 1, 0);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, "a", 1);
	tc_send(&C, "bc", 2);
	assert_int_equal(tc_close(&C), 0);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 1);
	assert_string_equal(rec[0].sha256_hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_discard_sha256, setup1, teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
