/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * impair.bpf.c: the tc-BPF half of tools/impair, on clsact egress of the sending interface.
 *
 * Every IPv4 TCP frame leaving the interface draws from a seeded PRNG (the kernel's
 * bpf_get_prandom_u32 cannot be seeded) and is, in this order:
 *   - lost with probability IMP_LOSS / 2^32: redirected to the drop tap (IMP_DROP_IFINDEX),
 *     whose reader discards it. Not TC_ACT_SHOT: a drop at egress is reported to the sending
 *     socket (NET_XMIT_DROP), and TCP then just sends the segment again, at once and not as a
 *     retransmission, so the receiver would never see a loss; a redirect reports success;
 *   - sent to the corrupt tap (IMP_CORRUPT_IFINDEX) with probability IMP_CORRUPT / 2^32: the
 *     user-space half reads it there with its checksum already final (the tap has no checksum
 *     offload, so the kernel completed it before the tap), flips one byte and sends it back
 *     out of this interface, so the frame carries a wrong checksum as after a wire error;
 *   - duplicated with probability IMP_DUP / 2^32 (a clone goes out first);
 *   - sent to the delay tap (IMP_REORDER_IFINDEX) with probability IMP_REORDER / 2^32: the
 *     user-space half holds it for the configured delay and sends it back out, behind
 *     frames sent after it (reordering; the kernel here has no netem or fq).
 * With a base delay (IMP_BASE_IFINDEX, the path's propagation delay) every frame that is not
 * lost, corrupted or reordered, and every duplicate, goes to the base tap instead of out: the
 * user-space half holds them all for the same time, in order, and holds the corrupted and
 * reordered ones that long as well, so the whole path has that RTT. The kernel's TCP cannot
 * see frames in user space (a tap orphans them), so the bottleneck qdisc behind this hook
 * stays the only queue, as a router's after a link.
 * Frames that come back from user space or from the duplicating clone carry IMP_MARK in
 * skb->mark and pass untouched (the mark is cleared).
 * Built at run time by tools/impair with the -D values below; the PRNG is splitmix64 over a
 * draw counter, so draws are race-free on several CPUs and the sequence depends only on the
 * seed. Counters: see enum imp_slot.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef IMP_SEED
#define IMP_SEED 1
#endif
#ifndef IMP_LOSS
#define IMP_LOSS 0
#endif
#ifndef IMP_DUP
#define IMP_DUP 0
#endif
#ifndef IMP_CORRUPT
#define IMP_CORRUPT 0
#endif
#ifndef IMP_REORDER
#define IMP_REORDER 0
#endif
#ifndef IMP_CORRUPT_IFINDEX
#define IMP_CORRUPT_IFINDEX 0
#endif
#ifndef IMP_REORDER_IFINDEX
#define IMP_REORDER_IFINDEX 0
#endif
#ifndef IMP_DROP_IFINDEX
#define IMP_DROP_IFINDEX 0
#endif
#ifndef IMP_BASE_IFINDEX
#define IMP_BASE_IFINDEX 0
#endif
#ifndef IMP_MARK
#define IMP_MARK 0x1e9a1e9a
#endif
#ifndef IMP_MAP
#define IMP_MAP imp_state
#endif

/* Slots of the state map: the draw counter, then what was done (read by vns-impair). */
enum imp_slot {
	IMP_DRAWS,
	IMP_TCP_FRAMES,
	IMP_DROPPED,
	IMP_CORRUPTED,
	IMP_DUPLICATED,
	IMP_REORDERED,
	IMP_REDIRECT_FAILED,
	IMP_NSLOTS
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IMP_NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} IMP_MAP SEC(".maps");

static __always_inline void
imp_count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&IMP_MAP, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* splitmix64 of the seed plus the n-th golden-ratio step: one independent draw per call. */
static __always_inline __u32
imp_draw(void)
{
	__u32 slot = IMP_DRAWS;
	__u64 *v = bpf_map_lookup_elem(&IMP_MAP, &slot);
	__u64 z;

	if (!v)
		return 0xffffffffu;
	z = (__u64)IMP_SEED + (__sync_fetch_and_add(v, 1) + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (__u32)((z ^ (z >> 31)) >> 32);
}

/* A probability of 0 draws nothing, so a cell without an impairment consumes no draws. */
static __always_inline int
imp_hit(__u32 threshold)
{
	return threshold && imp_draw() < threshold;
}

SEC("classifier")
int
impair(struct __sk_buff *skb)
{
	__u8 proto;

	if (skb->mark == IMP_MARK) {
		skb->mark = 0;
		return TC_ACT_OK;
	}
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + 9, &proto, 1) || proto != IPPROTO_TCP)
		return TC_ACT_OK;
	imp_count(IMP_TCP_FRAMES);
	if (IMP_DROP_IFINDEX && imp_hit(IMP_LOSS)) {
		imp_count(IMP_DROPPED);
		return bpf_redirect(IMP_DROP_IFINDEX, 0);
	}
	if (IMP_CORRUPT_IFINDEX && imp_hit(IMP_CORRUPT)) {
		imp_count(IMP_CORRUPTED);
		return bpf_redirect(IMP_CORRUPT_IFINDEX, 0);
	}
	if (imp_hit(IMP_DUP)) {
		__u32 to = IMP_BASE_IFINDEX ? IMP_BASE_IFINDEX : skb->ifindex;

		skb->mark = IMP_MARK;
		if (bpf_clone_redirect(skb, to, 0) == 0)
			imp_count(IMP_DUPLICATED);
		else
			imp_count(IMP_REDIRECT_FAILED);
		skb->mark = 0;
	}
	if (IMP_REORDER_IFINDEX && imp_hit(IMP_REORDER)) {
		imp_count(IMP_REORDERED);
		return bpf_redirect(IMP_REORDER_IFINDEX, 0);
	}
	if (IMP_BASE_IFINDEX)
		return bpf_redirect(IMP_BASE_IFINDEX, 0);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
