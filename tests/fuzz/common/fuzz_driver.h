/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replay/smoke driver the dataplane fuzz targets share (frames into the stack, iperf3
 * control sessions): an input is a list of records (an op byte, a length, data) that the
 * target's one() parses; the driver runs, in order,
 *  - every file named on the command line (a libFuzzer corpus or crash file),
 *  - deterministic random inputs the target builds,
 *  - the target's scripted valid sessions, most with a few records mutated: bytes flipped,
 *    truncated, duplicated, swapped, ops changed,
 * and with --write-seeds DIR writes the unmutated scripts as a libFuzzer seed corpus.
 * Usage: PROG [--random N] [--mutated N] [--write-seeds DIR] [FILE...]
 */
#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#define FZ_REC_DATA_MAX 2048
#define FZ_RECS_MAX     64

struct fz_rec {
	uint8_t op;
	uint32_t len;
	uint8_t d[FZ_REC_DATA_MAX];
};

/* The session being built: scripts append to it with fz_add(). */
struct fz_recs {
	struct fz_rec r[FZ_RECS_MAX];
	int n;
};

struct fz_target {
	const char *name;      /* the program's name in its messages */
	const char *seed_name; /* seed files are seed-<seed_name>-<script> */
	uint8_t len_bytes;     /* the record length on the wire: 1 or 2 bytes, big-endian */
	uint16_t recs_max;     /* records per session, <= FZ_RECS_MAX */
	uint16_t flip_skip;    /* bytes at the start of a record that flips leave alone */
	uint8_t mutations_max; /* up to this many mutations per mutated session */
	uint32_t in_max;       /* bytes per input */
	uint64_t seed;         /* of the driver's PRNG */
	int nb_scripts;
	/* Builds script k (0 <= k < nb_scripts) into recs from its start. */
	void (*script)(struct fz_recs *recs, int k);
	/* Whether mutated run i runs its script unmutated (the sessions themselves work). */
	int (*keep_unmutated)(long i);
	/* Writes one random input into buf (at most in_max bytes), returns its length. */
	size_t (*random_input)(uint8_t *buf);
	int (*init)(const char *prog);
	int (*one)(const uint8_t *data, size_t size);
};

/* The driver's deterministic PRNG (xorshift64), for scripts and random inputs. */
uint64_t fz_rnd(void);
/* Appends a record (data truncated to the target's largest record); full lists ignore it. */
void fz_add(struct fz_recs *recs, uint8_t op, const void *d, size_t len);
/* Writes the session as the target's input format into out (at most in_max bytes). */
size_t fz_serialize(const struct fz_recs *recs, uint8_t *out);
/* Runs the driver for t; the return value is main's. */
int fz_replay_main(const struct fz_target *t, int argc, char **argv);

#endif /* FUZZ_DRIVER_H */
