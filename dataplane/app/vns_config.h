/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_config: vnetsink's application options.
 *
 * Sources, in order of precedence (later wins):
 *   1. built-in defaults (vns_config_defaults),
 *   2. the INI file named by --config FILE (read with rte_cfgfile),
 *   3. the command line after EAL's `--`.
 * Every option has the same name on the command line (`--iperf-port 5201`) and in the file
 * (`iperf-port = 5201` in the section the option table names). The option table in
 * vns_config.c holds each option's range and default once; the parser, vns_config_defaults(),
 * the --help text and vns_config_print() all read them from there.
 *
 * Nothing here needs EAL: parsing runs before rte_eal_init() (so a bad value exits 2 without
 * touching hugepages) and the unit tests drive it directly. Only the lcore check needs the
 * EAL's lcore list, which the caller passes in as a plain array.
 */
#ifndef VNS_CONFIG_H
#define VNS_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#define VNS_MAX_QUEUES 64
#define VNS_PATH_MAX   512
/* A --port value (an ethdev name, or vpmd:vhost-user: and a socket path), with the NUL. */
#define VNS_PORT_SPEC_MAX 256
/* The ethdev that --port vpmd:... creates (a net_vpmd vdev). */
#define VNS_PORT_VPMD_NAME "net_vpmd0"

/* --port vpmd:...: whether VIRTIO_F_RING_PACKED may (auto), must (on) or must not (off) be
 * used; net_vpmd's devarg packed=. */
enum vns_packed_mode { VNS_PACKED_AUTO, VNS_PACKED_ON, VNS_PACKED_OFF };

/* Exit status for a usage error (bad option or value): nothing was started. */
#define VNS_EXIT_USAGE 2

struct vns_config {
	char port_arg[VNS_PORT_SPEC_MAX];  /* --port as given */
	char port_spec[VNS_PORT_SPEC_MAX]; /* the ethdev: a name or a port id */
	/* --port vpmd:...: net_vpmd's device devarg ("pci=DBDF", "vhost-user=PATH"); "" = none */
	char port_vpmd_dev[VNS_PORT_SPEC_MAX];
	uint16_t nb_queues; /* 0: one per worker lcore (or per --lcore-map entry) */
	uint16_t nb_mapped; /* entries in queue_lcore from --lcore-map */
	uint16_t queue_lcore[VNS_MAX_QUEUES]; /* queue q runs on lcore queue_lcore[q] */
	rte_be32_t ip;                        /* network order */
	uint8_t prefix_len;
	bool mac_set;
	struct rte_ether_addr mac;
	uint16_t iperf_port;            /* 0 disables the iperf3 server */
	uint16_t discard_port;          /* 0 disables the discard port */
	bool sha256;                    /* integrity mode on the discard port */
	uint32_t iperf_rcv_timeout;     /* seconds of client silence that end an iperf3 test */
	uint16_t ring_size;             /* descriptors per rx and per tx ring */
	uint32_t mbufs;                 /* 0: sized from queues and rings */
	uint32_t max_flows;             /* TCP flows per queue */
	uint32_t max_senders;           /* TCP bulk senders per queue; 0: none */
	uint32_t send_window;           /* bytes in flight per bulk sender at most */
	uint32_t stats_interval;        /* seconds; 0 turns the periodic line off */
	char stats_json[VNS_PATH_MAX];  /* "" = no JSON file */
	enum vns_packed_mode packed;    /* --port vpmd:... only: allow/forbid RING_PACKED */
	char config_file[VNS_PATH_MAX]; /* "" = none */
	/* client mode (--iperf-client): the seed's measurement against a stock iperf3 -s */
	bool client;                    /* --iperf-client given */
	rte_be32_t client_ip;           /* the server, network order */
	uint16_t client_port;           /* host order */
	uint16_t client_streams;        /* --parallel, -P */
	uint32_t client_time;           /* --time, -t (seconds) */
	bool client_reverse;            /* --reverse, -R */
	bool client_udp;                /* --udp, -u */
	uint64_t client_bitrate;        /* --bitrate, -b (bit/s; 0: iperf3's default) */
	uint32_t client_len;            /* --length, -l (bytes; 0: iperf3's default) */
	char client_json[VNS_PATH_MAX]; /* --iperf-json FILE ("-": stdout; "": none) */
};

/* Result of vns_config_parse(). */
enum vns_config_status {
	VNS_CONFIG_OK = 0,
	VNS_CONFIG_HELP = 1,   /* --help was given: print vns_config_usage() and exit 0 */
	VNS_CONFIG_ERROR = -1, /* err holds one line naming the option and what is allowed */
};

void vns_config_defaults(struct vns_config *cfg);

/*
 * Parse the application arguments (the part after EAL's `--`; argv[0] is not skipped: pass
 * exactly the options). `--config FILE` is applied first wherever it appears, then every other
 * option in order, so the command line overrides the file. Does not need EAL.
 */
enum vns_config_status vns_config_parse(struct vns_config *cfg, int argc, char **argv, char *err,
					size_t errlen);

/* Apply one INI file (same option names, grouped in sections). 0 or -1 with err set. */
int vns_config_load_file(struct vns_config *cfg, const char *path, char *err, size_t errlen);

/*
 * Decide the queue -> lcore map once the EAL knows its lcores. lcore_enabled[i] says whether
 * lcore i was given to the EAL (-l/-c); main_lcore never runs a queue (it does stats and
 * control). Without --lcore-map, queues are spread round-robin over the worker lcores and
 * their number defaults to the number of workers. 0 or -1 with err set.
 */
int vns_config_resolve_lcores(struct vns_config *cfg, const bool *lcore_enabled,
			      unsigned int nb_lcore_slots, unsigned int main_lcore, char *err,
			      size_t errlen);

/*
 * --port vpmd:...: the devargs of the net_vpmd vdev that stands for it (device, queues,
 * packed), e.g. "vhost-user=/tmp/x.sock,queues=2,packed=auto"; call it once nb_queues is
 * known (after vns_config_resolve_lcores). 0, or -1 when they do not fit len.
 */
int vns_config_vpmd_devargs(const struct vns_config *cfg, char *buf, size_t len);
/* --port vpmd:PCI_ADDRESS: that address (no other driver may take it); NULL otherwise. */
const char *vns_config_vpmd_pci(const struct vns_config *cfg);

/* Full --help text. */
void vns_config_usage(FILE *f, const char *prog);

/* Human-readable dump of the effective configuration (one "key = value" line per option). */
void vns_config_print(const struct vns_config *cfg, FILE *f);

#endif /* VNS_CONFIG_H */
