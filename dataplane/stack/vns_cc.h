/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_cc: congestion control of the bulk sender (vns_snd.h). NewReno (RFC 5681 §3.1 with
 * byte counting, RFC 6582's window during recovery) leaving the first slow start with
 * HyStart++ (RFC 9406). Pure arithmetic on one sender's window: no clock, no packets, so the
 * unit tests drive it with scripted ACK sequences.
 *
 * Why NewReno and not CUBIC (RFC 9438): on the paths vnetsink runs (a tap or vhost link to
 * its host, RTT 0.05-1 ms) CUBIC stays in its Reno-friendly region. After a loss at
 * W_max = 1000 segments its cubic curve needs K = cbrt(W_max * (1 - 0.7) / 0.4) = 9.1 s to
 * climb back, while Reno's one segment per RTT gets the 300 segments back in 300 RTTs =
 * 60 ms at RTT 0.2 ms, and RFC 9438 §4.3 then uses the Reno estimate. The cubic part would
 * be code that never decides anything here; what matters on short paths is leaving slow
 * start before a large send window overflows a queue, which is what HyStart++ does.
 */
#ifndef VNS_CC_H
#define VNS_CC_H

#include <stdbool.h>
#include <stdint.h>

/* RFC 9406 §4.3 constants; RTTs in microseconds. */
#define VNS_HSPP_MIN_RTT_THRESH_US 4000
#define VNS_HSPP_MAX_RTT_THRESH_US 16000
#define VNS_HSPP_MIN_RTT_DIVISOR   8
#define VNS_HSPP_N_RTT_SAMPLE      8
#define VNS_HSPP_CSS_GROWTH_DIV    4
#define VNS_HSPP_CSS_ROUNDS        5
#define VNS_HSPP_L                 8 /* segments per ACK at most: we do not pace */
#define VNS_CC_RTT_NONE            UINT32_MAX

#define VNS_CC_PHASES(X)                               \
	X(SS)  /* slow start */                        \
	X(CSS) /* HyStart++ conservative slow start */ \
	X(CA)  /* congestion avoidance */              \
	X(REC) /* loss recovery (RFC 6675): the window stays put */

#define VNS_CC_PHASE_ENUM(name) VNS_CC_##name,
enum vns_cc_phase { VNS_CC_PHASES(VNS_CC_PHASE_ENUM) VNS_CC_NB_PHASES };
#undef VNS_CC_PHASE_ENUM

struct vns_cc {
	uint32_t cwnd;     /* bytes */
	uint32_t ssthresh; /* bytes; UINT32_MAX until the first loss */
	uint32_t mss;      /* SMSS: payload bytes per segment */
	uint32_t cwnd_max; /* the sender's window cap: growing past it is pointless */
	uint32_t ca_acked; /* bytes acknowledged since the last increase in CA */
	uint8_t phase;     /* enum vns_cc_phase */
	uint8_t css_rounds;
	uint16_t rtt_samples; /* in the current round */
	uint32_t window_end;  /* the round ends when this is acknowledged (RFC 9406 §4.2) */
	uint32_t last_round_min_rtt;
	uint32_t cur_round_min_rtt;
	uint32_t css_baseline_min_rtt;
};

/* Initial window per RFC 6928: min(10 * MSS, max(2 * MSS, 14600)). snd_max starts the
 * first round. */
void vns_cc_init(struct vns_cc *cc, uint32_t mss, uint32_t cwnd_max, uint32_t snd_max);
/* A cumulative ACK of acked new bytes outside recovery; rtt_us is a sample or
 * VNS_CC_RTT_NONE; snd_una is the new SND.UNA, snd_max the highest byte sent;
 * cwnd_limited: the flight filled cwnd before this ACK (RFC 7661: no growth otherwise). */
void vns_cc_ack(struct vns_cc *cc, uint32_t acked, uint32_t rtt_us, uint32_t snd_una,
		uint32_t snd_max, bool cwnd_limited);
/* Loss detected by SACK or duplicate ACKs (RFC 6675 §5 step 4.2, RFC 5681 (4)):
 * ssthresh = cwnd = max(flight / 2, 2 * MSS); the phase becomes REC. */
void vns_cc_loss(struct vns_cc *cc, uint32_t flight);
/* Recovery is over (RFC 6582 §3.2 step 3 full ACK): cwnd = ssthresh, congestion avoidance. */
void vns_cc_recovered(struct vns_cc *cc);
/* Retransmission timeout (RFC 5681 (4) and §3.1): ssthresh = max(flight / 2, 2 * MSS),
 * cwnd = 1 MSS, slow start up to ssthresh. */
void vns_cc_rto(struct vns_cc *cc, uint32_t flight);
/* "SS", "CSS", ... */
const char *vns_cc_phase_name(uint8_t phase);

#endif /* VNS_CC_H */
