/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_log.h>

#include "test_common.h"

int
vt_eal_init(const char *prog)
{
	char *argv[] = {
		(char *)prog,
		"--no-huge",
		"--no-pci",
		"-m",
		"256",
		"--no-shconf",
		"--no-telemetry",
		"-l",
		"0",
		"--log-level=pmd.net.vpmd:notice",
		"--log-level=lib.eal:warning",
	};
	int rc = rte_eal_init((int)RTE_DIM(argv), argv);

	if (rc < 0)
		return rc;
	return rte_eal_iova_mode() == RTE_IOVA_VA ? 0 : -1;
}

void
vt_make_frame(uint8_t *buf, uint32_t len, uint32_t seed)
{
	static const uint8_t hdr[14] = { 0x02, 0, 0,    0,    0,    1,    0x52,
					 0x54, 0, 0x12, 0x34, 0x56, 0x08, 0x00 };
	uint64_t s = seed * 2654435761u + 1;
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = i < sizeof(hdr) ? hdr[i] : (uint8_t)vt_rand(&s);
}

uint32_t
vt_linearize(const struct rte_mbuf *m, uint8_t *buf, uint32_t cap)
{
	uint32_t off = 0;

	for (; m != NULL; m = m->next) {
		uint32_t n = m->data_len;

		if (n > cap - off)
			n = cap - off;
		memcpy(buf + off, rte_pktmbuf_mtod(m, const uint8_t *), n);
		off += n;
	}
	return off;
}

struct rte_mbuf *
vt_mbuf(struct rte_mempool *mp, uint32_t len, uint32_t seed, unsigned int nseg)
{
	static uint8_t frame[65536 + 64];
	struct rte_mbuf *head = NULL, *prev = NULL;
	uint32_t off = 0, per;
	unsigned int i;

	if (nseg == 0)
		nseg = 1;
	if (nseg < (len + 1999) / 2000)
		nseg = (len + 1999) / 2000;
	vt_make_frame(frame, len, seed);
	per = (len + nseg - 1) / nseg;
	for (i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n = RTE_MIN(per, len - off);

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), frame + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			prev->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		prev = m;
	}
	return head;
}
