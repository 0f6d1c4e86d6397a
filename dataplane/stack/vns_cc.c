/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno with HyStart++ (vns_cc.h): RFC 5681, RFC 6582, RFC 9406.
 */
#include <rte_common.h>

#include "vns_cc.h"
#include "vns_tcp.h"

void
vns_cc_init(struct vns_cc *cc, uint32_t mss, uint32_t cwnd_max, uint32_t snd_max)
{
	cc->mss = mss;
	cc->cwnd_max = RTE_MAX(cwnd_max, 2 * mss);
	cc->cwnd = RTE_MIN(10 * mss, RTE_MAX(2 * mss, 14600u));
	cc->cwnd = RTE_MIN(cc->cwnd, cc->cwnd_max);
	cc->ssthresh = UINT32_MAX;
	cc->ca_acked = 0;
	cc->phase = VNS_CC_SS;
	cc->css_rounds = 0;
	cc->rtt_samples = 0;
	cc->window_end = snd_max;
	cc->last_round_min_rtt = VNS_CC_RTT_NONE;
	cc->cur_round_min_rtt = VNS_CC_RTT_NONE;
	cc->css_baseline_min_rtt = VNS_CC_RTT_NONE;
}

static void
grow(struct vns_cc *cc, uint32_t inc)
{
	cc->cwnd = (uint32_t)RTE_MIN((uint64_t)cc->cwnd + inc, (uint64_t)cc->cwnd_max);
}

/* RFC 9406 §4.2: a round ends when the data that was outstanding at its start is acked. */
static void
round_check(struct vns_cc *cc, uint32_t snd_una, uint32_t snd_max)
{
	if (VNS_SEQ_LT(snd_una, cc->window_end))
		return;
	if (cc->phase == VNS_CC_CSS) {
		if (cc->rtt_samples >= VNS_HSPP_N_RTT_SAMPLE &&
		    cc->cur_round_min_rtt < cc->css_baseline_min_rtt) {
			/* The delay increase was spurious: back to slow start. */
			cc->css_baseline_min_rtt = VNS_CC_RTT_NONE;
			cc->phase = VNS_CC_SS;
		} else if (++cc->css_rounds >= VNS_HSPP_CSS_ROUNDS) {
			cc->ssthresh = cc->cwnd;
			cc->phase = VNS_CC_CA;
		}
	}
	cc->last_round_min_rtt = cc->cur_round_min_rtt;
	cc->cur_round_min_rtt = VNS_CC_RTT_NONE;
	cc->rtt_samples = 0;
	cc->window_end = snd_max;
}

void
vns_cc_ack(struct vns_cc *cc, uint32_t acked, uint32_t rtt_us, uint32_t snd_una, uint32_t snd_max,
	   bool cwnd_limited)
{
	uint32_t inc = RTE_MIN(acked, (uint32_t)VNS_HSPP_L * cc->mss);

	if (cc->phase == VNS_CC_REC)
		return;
	if (rtt_us != VNS_CC_RTT_NONE && cc->phase != VNS_CC_CA) {
		if (rtt_us < cc->cur_round_min_rtt)
			cc->cur_round_min_rtt = rtt_us;
		cc->rtt_samples++;
	}
	if (cc->phase == VNS_CC_SS && cc->ssthresh == UINT32_MAX &&
	    cc->rtt_samples >= VNS_HSPP_N_RTT_SAMPLE && cc->cur_round_min_rtt != VNS_CC_RTT_NONE &&
	    cc->last_round_min_rtt != VNS_CC_RTT_NONE) {
		uint32_t thresh = RTE_MAX((uint32_t)VNS_HSPP_MIN_RTT_THRESH_US,
					  RTE_MIN(cc->last_round_min_rtt / VNS_HSPP_MIN_RTT_DIVISOR,
						  (uint32_t)VNS_HSPP_MAX_RTT_THRESH_US));

		if (cc->cur_round_min_rtt >= cc->last_round_min_rtt + thresh) {
			cc->css_baseline_min_rtt = cc->cur_round_min_rtt;
			cc->css_rounds = 0;
			cc->phase = VNS_CC_CSS;
		}
	}
	if (cwnd_limited) {
		switch (cc->phase) {
		case VNS_CC_SS:
			grow(cc, inc);
			if (cc->cwnd >= cc->ssthresh) {
				cc->phase = VNS_CC_CA;
				cc->ca_acked = 0;
			}
			break;
		case VNS_CC_CSS:
			grow(cc, inc / VNS_HSPP_CSS_GROWTH_DIV);
			break;
		default:
			/* RFC 5681 §3.1 byte counting: one MSS per cwnd of acknowledged bytes. */
			cc->ca_acked += acked;
			if (cc->ca_acked >= cc->cwnd) {
				cc->ca_acked -= cc->cwnd;
				grow(cc, cc->mss);
			}
			break;
		}
	}
	round_check(cc, snd_una, snd_max);
}

void
vns_cc_loss(struct vns_cc *cc, uint32_t flight)
{
	cc->ssthresh = RTE_MAX(flight / 2, 2 * cc->mss);
	cc->cwnd = cc->ssthresh;
	cc->phase = VNS_CC_REC;
	cc->ca_acked = 0;
}

void
vns_cc_recovered(struct vns_cc *cc)
{
	cc->cwnd = cc->ssthresh;
	cc->phase = VNS_CC_CA;
	cc->ca_acked = 0;
}

void
vns_cc_rto(struct vns_cc *cc, uint32_t flight)
{
	cc->ssthresh = RTE_MAX(flight / 2, 2 * cc->mss);
	cc->cwnd = cc->mss;
	cc->phase = VNS_CC_SS;
	cc->ca_acked = 0;
}

const char *
vns_cc_phase_name(uint8_t phase)
{
#define VNS_CC_PHASE_NAME(name) [VNS_CC_##name] = #name,
	static const char *const names[] = { VNS_CC_PHASES(VNS_CC_PHASE_NAME) };
#undef VNS_CC_PHASE_NAME

	return phase < RTE_DIM(names) ? names[phase] : NULL;
}
