/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_config: option table, command-line and INI parsing, lcore map. Control path only; runs
 * before the EAL is initialised, so nothing here may call EAL functions.
 */
#include "vns_config.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_lcore.h>

#include "vns_err.h"

/*
 * How an option's value is read, checked and printed. The unsigned kinds differ only in the
 * noun of their error message ("expected a TCP port from 0 (off) to 65535") and, for POW2, in
 * also requiring a power of 2.
 */
enum vns_opt_val {
	VNS_VAL_NONE,     /* --help */
	VNS_VAL_PATH,     /* a file path that must fit its field */
	VNS_VAL_UINT,     /* unsigned integer in [min, max] */
	VNS_VAL_POW2,     /* power of 2 in [min, max] */
	VNS_VAL_TCP_PORT, /* TCP port in [min, max] */
	VNS_VAL_SECONDS,  /* seconds in [min, max] */
	VNS_VAL_BOOL,     /* on|off (yes/no, true/false, 1/0); the bare flag means on */
	VNS_VAL_PORT,     /* an ethdev name or id, or vpmd:... */
	VNS_VAL_LCORE_MAP,
	VNS_VAL_PACKED,
	VNS_VAL_IP,
	VNS_VAL_MAC,
	VNS_VAL_SERVER, /* IPV4[:PORT] */
	VNS_VAL_RATE,   /* bit/s with an optional K, M or G (x1000, as iperf3's -b) */
	VNS_VAL_SIZE,   /* bytes with an optional K or M (x1024, as iperf3's -l) */
};

/*
 * 198.18.0.0/15 is the RFC 2544 benchmarking range: never routed, never someone else's. An
 * --ip without /LEN takes the default prefix length.
 */
#define VNS_DEFAULT_PREFIX_LEN 24
#define VNS_DEFAULT_IP         "198.18.0.2/" RTE_STR(VNS_DEFAULT_PREFIX_LEN)

/* Where an option's value lives in struct vns_config. */
#define VNS_CFG_FIELD(m)                                                            \
	{                                                                           \
		offsetof(struct vns_config, m), sizeof(((struct vns_config *)0)->m) \
	}
#define VNS_CFG_NOFIELD \
	{               \
		0, 0    \
	}

/*
 * The option table, one row per option, and the only place that states an option's range and
 * default:
 *   id, name (command line --NAME and INI key), INI section (NULL: command line only),
 *   argument (NULL: none; "[=X]": optional, only as --NAME=X), value kind,
 *   field (for the generic kinds; the others know their fields),
 *   min, max (the unsigned kinds), zero (what 0 means when it is allowed besides [min, max],
 *   or NULL), default (as it would be written on the command line; NULL: all zero, or decided
 *   later as the help text says), help text.
 * vns_config_defaults() applies every default through the same parser as the command line;
 * --help appends the range, the meaning of 0 and the default to the help text.
 */
#define VNS_OPTIONS(X)                                                                             \
	X(CONFIG, "config", NULL, "FILE", VNS_VAL_PATH, VNS_CFG_FIELD(config_file), 0, 0, NULL,    \
	  NULL, "read options from an INI file first (the command line overrides it)")             \
	X(PORT, "port", "port", "SPEC", VNS_VAL_PORT, VNS_CFG_NOFIELD, 0, 0, NULL, NULL,           \
	  "ethdev NAME | PORT_ID | vpmd:PCI_ADDRESS | vpmd:vhost-user:PATH (required)")            \
	X(QUEUES, "queues", "port", "N", VNS_VAL_UINT, VNS_CFG_FIELD(nb_queues), 1,                \
	  VNS_MAX_QUEUES, NULL, NULL,                                                              \
	  "rx/tx queue pairs, by default one per worker lcore or per --lcore-map entry")           \
	X(LCORE_MAP, "lcore-map", "port", "Q@L,...", VNS_VAL_LCORE_MAP, VNS_CFG_NOFIELD, 0, 0,     \
	  NULL, NULL,                                                                              \
	  "queue Q runs on lcore L, e.g. 0@1,1@2 (default: queues round-robin on worker lcores)")  \
	X(RING_SIZE, "ring-size", "port", "N", VNS_VAL_POW2, VNS_CFG_FIELD(ring_size), 64, 32768,  \
	  NULL, "256",                                                                             \
	  "descriptors per ring; our PMD caps rx and tx apart, each at its queues' device "        \
	  "maximum (256: 1024-entry rx rings halved iperf3 in the TCG guest)")                     \
	X(MBUFS, "mbufs", "port", "N", VNS_VAL_UINT, VNS_CFG_FIELD(mbufs), 1024, 4194304, "auto",  \
	  "0", "mbufs in the pool; auto sizes it from queues and rings")                           \
	X(PACKED, "packed", "port", "on|off|auto", VNS_VAL_PACKED, VNS_CFG_NOFIELD, 0, 0, NULL,    \
	  "auto", "--port vpmd:... only: packed virtqueues; auto = when offered")                  \
	X(IP, "ip", "net", "A.B.C.D/LEN", VNS_VAL_IP, VNS_CFG_NOFIELD, 0, 0, NULL, VNS_DEFAULT_IP, \
	  "our IPv4 address and prefix length")                                                    \
	X(MAC, "mac", "net", "XX:XX:XX:XX:XX:XX", VNS_VAL_MAC, VNS_CFG_NOFIELD, 0, 0, NULL, NULL,  \
	  "our unicast MAC (default: the port's MAC)")                                             \
	X(MAX_FLOWS, "max-flows", "net", "N", VNS_VAL_UINT, VNS_CFG_FIELD(max_flows), 16, 1048576, \
	  NULL, "4096", "TCP flows per queue")                                                     \
	X(MAX_SENDERS, "max-senders", "net", "N", VNS_VAL_UINT, VNS_CFG_FIELD(max_senders), 1,     \
	  65536, "off", "64",                                                                      \
	  "TCP bulk senders per queue (iperf3 -R and --bidir streams), at most max-flows; off "    \
	  "reserves no memory for them")                                                           \
	X(SEND_WINDOW, "send-window", "net", "BYTES", VNS_VAL_UINT, VNS_CFG_FIELD(send_window),    \
	  65536, 1073741824, NULL, "4194304", "bytes in flight per bulk sender at most")           \
	X(IPERF_PORT, "iperf-port", "services", "PORT", VNS_VAL_TCP_PORT,                          \
	  VNS_CFG_FIELD(iperf_port), 0, 65535, "off", "5201", "iperf3 server TCP port")            \
	X(DISCARD_PORT, "discard-port", "services", "PORT", VNS_VAL_TCP_PORT,                      \
	  VNS_CFG_FIELD(discard_port), 0, 65535, "off", "9", "discard TCP port")                   \
	X(SHA256, "sha256", "services", "[=on|off]", VNS_VAL_BOOL, VNS_CFG_FIELD(sha256), 0, 0,    \
	  NULL, "off", "integrity mode: SHA-256 of every discard stream, reported on close")       \
	X(IPERF_RCV_TIMEOUT, "iperf-rcv-timeout", "services", "SEC", VNS_VAL_SECONDS,              \
	  VNS_CFG_FIELD(iperf_rcv_timeout), 1, 86400, NULL, "120",                                 \
	  "end an iperf3 test when its client has sent nothing for SEC seconds (iperf3's "         \
	  "--rcv-timeout)")                                                                        \
	X(STATS_INTERVAL, "stats-interval", "stats", "SEC", VNS_VAL_SECONDS,                       \
	  VNS_CFG_FIELD(stats_interval), 0, 3600, "off", "1",                                      \
	  "seconds between per-queue stats lines")                                                 \
	X(STATS_JSON, "stats-json", "stats", "FILE", VNS_VAL_PATH, VNS_CFG_FIELD(stats_json), 0,   \
	  0, NULL, NULL,                                                                           \
	  "write the stats as JSON to FILE every interval and at exit (default off)")              \
	X(IPERF_CLIENT, "iperf-client", "client", "HOST[:PORT]", VNS_VAL_SERVER, VNS_CFG_NOFIELD,  \
	  0, 0, NULL, NULL,                                                                        \
	  "client mode: run one iperf3 test against a stock iperf3 -s at HOST (IPv4, port 5201 "   \
	  "by default), print its summary and exit 0 if it passed")                                \
	X(PARALLEL, "parallel", "client", "N", VNS_VAL_UINT, VNS_CFG_FIELD(client_streams), 1,     \
	  128, NULL, "1", "client mode: parallel streams (iperf3 -P; also -P N)")                  \
	X(TIME, "time", "client", "SEC", VNS_VAL_SECONDS, VNS_CFG_FIELD(client_time), 1, 86400,    \
	  NULL, "10", "client mode: seconds to transmit (iperf3 -t; also -t SEC)")                 \
	X(REVERSE, "reverse", "client", "[=on|off]", VNS_VAL_BOOL, VNS_CFG_FIELD(client_reverse),  \
	  0, 0, NULL, "off", "client mode: the server sends, we receive (iperf3 -R; also -R)")     \
	X(UDP, "udp", "client", "[=on|off]", VNS_VAL_BOOL, VNS_CFG_FIELD(client_udp), 0, 0, NULL,  \
	  "off", "client mode: UDP (iperf3 -u; also -u)")                                          \
	X(BITRATE, "bitrate", "client", "RATE[K|M|G]", VNS_VAL_RATE, VNS_CFG_NOFIELD, 0, 0, NULL,  \
	  NULL, "client mode, UDP: target bit/s (iperf3 -b; also -b RATE)")                        \
	X(LENGTH, "length", "client", "LEN[K|M]", VNS_VAL_SIZE, VNS_CFG_NOFIELD, 0, 0, NULL, NULL, \
	  "client mode: iperf3's block length, 1 byte to 1 MiB (iperf3 -l; also -l LEN)")          \
	X(IPERF_JSON, "iperf-json", "client", "FILE", VNS_VAL_PATH, VNS_CFG_FIELD(client_json), 0, \
	  0, NULL, NULL,                                                                           \
	  "client mode: write the result as JSON (like iperf3 -J) to FILE, - = stdout")            \
	X(HELP, "help", NULL, NULL, VNS_VAL_NONE, VNS_CFG_NOFIELD, 0, 0, NULL, NULL,               \
	  "print this help and exit")

enum vns_opt_id {
#define VNS_OPT_ENUM(id, name, sec, arg, kind, field, min, max, zero, def, help) VNS_OPT_##id,
	VNS_OPTIONS(VNS_OPT_ENUM)
#undef VNS_OPT_ENUM
		VNS_OPT_COUNT
};

struct vns_opt {
	const char *name;
	const char *section;
	const char *arg;
	enum vns_opt_val kind;
	struct {
		uint16_t off, size;
	} field;
	uint32_t min, max;
	const char *zero;
	const char *def;
	const char *help;
};

static const struct vns_opt vns_opts[VNS_OPT_COUNT] = {
#define VNS_OPT_ROW(id, n, sec, a, k, f, lo, hi, z, d, h) \
	[VNS_OPT_##id] = { .name = n,                     \
			   .section = sec,                \
			   .arg = a,                      \
			   .kind = k,                     \
			   .field = f,                    \
			   .min = lo,                     \
			   .max = hi,                     \
			   .zero = z,                     \
			   .def = d,                      \
			   .help = h },
	VNS_OPTIONS(VNS_OPT_ROW)
#undef VNS_OPT_ROW
};

/* Names of enum vns_packed_mode, in its order. */
static const char *const vns_packed_names[] = { "auto", "on", "off" };

static bool
opt_takes_value(enum vns_opt_id id)
{
	return vns_opts[id].arg != NULL && vns_opts[id].arg[0] != '[';
}

static bool
opt_value_optional(enum vns_opt_id id)
{
	return vns_opts[id].arg != NULL && vns_opts[id].arg[0] == '[';
}

static bool
opt_is_uint(const struct vns_opt *o)
{
	return o->kind == VNS_VAL_UINT || o->kind == VNS_VAL_POW2 || o->kind == VNS_VAL_TCP_PORT ||
	       o->kind == VNS_VAL_SECONDS;
}

static int
opt_lookup(const char *name, size_t len)
{
	for (int i = 0; i < VNS_OPT_COUNT; i++)
		if (strlen(vns_opts[i].name) == len && strncmp(vns_opts[i].name, name, len) == 0)
			return i;
	return -1;
}

static void *
opt_field(struct vns_config *cfg, const struct vns_opt *o)
{
	return (char *)cfg + o->field.off;
}

static uint32_t
opt_uint_get(const struct vns_config *cfg, const struct vns_opt *o)
{
	const char *p = (const char *)cfg + o->field.off;
	uint16_t v16;
	uint32_t v32;

	if (o->field.size == sizeof(v16)) {
		memcpy(&v16, p, sizeof(v16));
		return v16;
	}
	memcpy(&v32, p, sizeof(v32));
	return v32;
}

static void
opt_uint_set(struct vns_config *cfg, const struct vns_opt *o, uint32_t v)
{
	uint16_t v16 = (uint16_t)v;

	if (o->field.size == sizeof(v16))
		memcpy(opt_field(cfg, o), &v16, sizeof(v16));
	else
		memcpy(opt_field(cfg, o), &v, sizeof(v));
}

/* Append to buf at *off, never past len. */
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

/* The help line of one option: the text, then its range, the meaning of 0 and its default. */
static void
opt_help(const struct vns_opt *o, char *buf, size_t len)
{
	const char *sep = " (";
	size_t off = 0;

	append(buf, len, &off, "%s", o->help);
	if (opt_is_uint(o)) {
		append(buf, len, &off, "%s%s%u-%u", sep,
		       o->kind == VNS_VAL_POW2 ? "power of 2, " : "", o->min, o->max);
		if (o->zero != NULL)
			append(buf, len, &off, ", 0 = %s", o->zero);
		sep = ", ";
	}
	if (o->def != NULL)
		append(buf, len, &off, "%sdefault %s", sep, o->def);
	if (opt_is_uint(o) || o->def != NULL)
		append(buf, len, &off, ")");
}

/* "[port], [net], [services]<last>[stats]": the INI sections, in table order. */
static void
list_sections(char *buf, size_t len, const char *last)
{
	const char *secs[VNS_OPT_COUNT];
	unsigned int n = 0;
	size_t off = 0;

	for (int i = 0; i < VNS_OPT_COUNT; i++) {
		const char *s = vns_opts[i].section;
		bool seen = false;

		for (unsigned int j = 0; j < n && s != NULL; j++)
			seen |= strcmp(secs[j], s) == 0;
		if (s != NULL && !seen)
			secs[n++] = s;
	}
	buf[0] = '\0';
	for (unsigned int j = 0; j < n && off < len; j++)
		off += (size_t)snprintf(buf + off, len - off, "%s[%s]",
					j == 0       ? ""
					: j + 1 == n ? last
						     : ", ",
					secs[j]);
}

/* Unsigned decimal in [min, max]; no sign, no spaces, no trailing garbage. */
static bool
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };

	for (size_t i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* DDDD:BB:DD.F or BB:DD.F, hex digits, as lspci and DPDK print them. */
static bool
is_pci_address(const char *s)
{
	unsigned int dom, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) == 4 && s[n] == '\0')
		return dev < 32 && fn < 8;
	n = 0;
	if (sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) == 3 && s[n] == '\0')
		return dev < 32 && fn < 8;
	return false;
}

static bool
is_ethdev_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_-.:,", *s) == NULL)
			return false;
	return true;
}

/* A name with a colon is a PCI device's (0000:00:01.0, or 0000:00:01.0_representor_vf0),
 * never a mistyped prefix such as "vpdm:..." */
static bool
colon_is_pci(const char *name)
{
	char addr[16];
	size_t n = strcspn(name, "_");

	if (strchr(name, ':') == NULL)
		return true;
	if (n >= sizeof(addr))
		return false;
	memcpy(addr, name, n);
	addr[n] = '\0';
	return is_pci_address(addr);
}

/*
 * --port: an ethdev by name or port id (the "ethdev:" prefix of earlier releases is still
 * taken), or vpmd:PCI_ADDRESS / vpmd:vhost-user:PATH, which name the net_vpmd vdev vnetsink
 * then creates (VNS_PORT_VPMD_NAME) on that device.
 */
static int
parse_port(struct vns_config *cfg, const char *v)
{
	const char *rest = v;
	int n;

	if (strlen(v) >= sizeof(cfg->port_arg))
		return -1;
	cfg->port_vpmd_dev[0] = '\0';
	if (strncmp(v, "vpmd:", 5) == 0) {
		rest = v + 5;
		if (strncmp(rest, "vhost-user:", 11) == 0) {
			/* a devarg value ends at the next comma */
			if (rest[11] == '\0' || strchr(rest + 11, ',') != NULL)
				return -1;
			n = snprintf(cfg->port_vpmd_dev, sizeof(cfg->port_vpmd_dev),
				     "vhost-user=%s", rest + 11);
		} else {
			const char *addr = strncmp(rest, "pci:", 4) == 0 ? rest + 4 : rest;

			if (!is_pci_address(addr))
				return -1;
			/* The full DDDD:BB:DD.F form: how EAL and ethdev name the device. */
			n = snprintf(cfg->port_vpmd_dev, sizeof(cfg->port_vpmd_dev), "pci=%s%s",
				     strlen(addr) == 7 ? "0000:" : "", addr);
		}
		if (n < 0 || (size_t)n >= sizeof(cfg->port_vpmd_dev))
			return -1;
		rest = VNS_PORT_VPMD_NAME;
	} else {
		if (strncmp(v, "ethdev:", 7) == 0)
			rest = v + 7;
		if (strspn(rest, "0123456789") == strlen(rest)) {
			uint64_t id;

			if (!parse_u64(rest, 0, RTE_MAX_ETHPORTS - 1, &id))
				return -1;
		} else if (!is_ethdev_name(rest) || !colon_is_pci(rest)) {
			return -1;
		}
	}
	snprintf(cfg->port_arg, sizeof(cfg->port_arg), "%s", v);
	snprintf(cfg->port_spec, sizeof(cfg->port_spec), "%s", rest);
	return 0;
}

int
vns_config_vpmd_devargs(const struct vns_config *cfg, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%s,queues=%u,packed=%s", cfg->port_vpmd_dev,
		     cfg->nb_queues ? cfg->nb_queues : 1, vns_packed_names[cfg->packed]);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

const char *
vns_config_vpmd_pci(const struct vns_config *cfg)
{
	return strncmp(cfg->port_vpmd_dev, "pci=", 4) == 0 ? cfg->port_vpmd_dev + 4 : NULL;
}

/* "Q@L,Q@L": each queue once, queues 0..n-1 with none missing. */
static int
parse_lcore_map(struct vns_config *cfg, const char *v, char *why, size_t whylen)
{
	bool seen[VNS_MAX_QUEUES] = { false };
	uint16_t lcore[VNS_MAX_QUEUES];
	char buf[1024];
	char *save = NULL;
	unsigned int count = 0, max_q = 0;

	if (strlen(v) >= sizeof(buf) || v[0] == '\0')
		return vns_fail(why, whylen, "expected a list like 0@1,1@2 (queue@lcore)");
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *at = strchr(tok, '@');
		uint64_t q, l;

		if (at == NULL)
			return vns_fail(why, whylen, "'%s' is not queue@lcore (e.g. 0@1,1@2)", tok);
		*at = '\0';
		if (!parse_u64(tok, 0, VNS_MAX_QUEUES - 1, &q))
			return vns_fail(why, whylen, "queue '%s' is not 0-%d", tok,
					VNS_MAX_QUEUES - 1);
		if (!parse_u64(at + 1, 0, RTE_MAX_LCORE - 1, &l))
			return vns_fail(why, whylen, "lcore '%s' is not 0-%d", at + 1,
					RTE_MAX_LCORE - 1);
		if (seen[q])
			return vns_fail(why, whylen, "queue %u appears twice", (unsigned int)q);
		seen[q] = true;
		lcore[q] = (uint16_t)l;
		count++;
		if (q > max_q)
			max_q = (unsigned int)q;
	}
	if (count == 0)
		return vns_fail(why, whylen, "expected a list like 0@1,1@2 (queue@lcore)");
	if (max_q + 1 != count)
		return vns_fail(why, whylen, "queues must be numbered 0-%u without gaps",
				count - 1);
	memcpy(cfg->queue_lcore, lcore, count * sizeof(lcore[0]));
	cfg->nb_mapped = (uint16_t)count;
	return 0;
}

static int
parse_ip_prefix(struct vns_config *cfg, const char *v)
{
	char buf[32];
	char *slash;
	struct in_addr a;
	uint64_t len = VNS_DEFAULT_PREFIX_LEN;
	uint32_t h;

	if (strlen(v) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (!parse_u64(slash + 1, 1, 32, &len))
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	/* Not an address a host can own: 0.0.0.0/8, multicast, class E, broadcast. */
	h = ntohl(a.s_addr);
	if ((h >> 24) == 0 || (h >> 28) >= 0xe)
		return -1;
	cfg->ip = a.s_addr;
	cfg->prefix_len = (uint8_t)len;
	return 0;
}

static int
parse_mac(struct vns_config *cfg, const char *v)
{
	struct rte_ether_addr m;
	unsigned int b[6];
	int n = 0;

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) !=
		    6 ||
	    v[n] != '\0' || strlen(v) != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		m.addr_bytes[i] = (uint8_t)b[i];
	if (!rte_is_valid_assigned_ether_addr(&m))
		return -1;
	cfg->mac = m;
	cfg->mac_set = true;
	return 0;
}

/* IPV4[:PORT]: the iperf3 server client mode talks to (no name lookup: the stack has none). */
static int
parse_server(struct vns_config *cfg, const char *v)
{
	char buf[32];
	char *colon;
	struct in_addr a;
	uint64_t port = 5201;
	uint32_t h;

	if (strlen(v) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	colon = strchr(buf, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (!parse_u64(colon + 1, 1, 65535, &port))
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	h = ntohl(a.s_addr);
	if ((h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 0xe)
		return -1;
	cfg->client = true;
	cfg->client_ip = a.s_addr;
	cfg->client_port = (uint16_t)port;
	return 0;
}

/* A decimal with an optional K, M or G (iperf3's unit suffixes), times unit per step. */
static bool
parse_scaled(const char *s, uint64_t unit, uint64_t max, uint64_t *out)
{
	char buf[32];
	size_t n = strlen(s);
	uint64_t mul = 1, v;

	if (n == 0 || n >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	switch (toupper((unsigned char)buf[n - 1])) {
	case 'G':
		mul *= unit;
		/* fall through */
	case 'M':
		mul *= unit;
		/* fall through */
	case 'K':
		mul *= unit;
		buf[n - 1] = '\0';
		break;
	default:
		break;
	}
	if (!parse_u64(buf, 0, max / mul, &v))
		return false;
	*out = v * mul;
	return *out <= max;
}

static int
apply_uint(struct vns_config *cfg, const struct vns_opt *o, const char *v, const char *label,
	   char *err, size_t errlen)
{
	static const char *const nouns[] = {
		[VNS_VAL_UINT] = "an integer",
		[VNS_VAL_POW2] = "a power of 2",
		[VNS_VAL_TCP_PORT] = "a TCP port",
		[VNS_VAL_SECONDS] = "seconds",
	};
	const char *noun = nouns[o->kind];
	uint64_t n;

	if (parse_u64(v, 0, o->max, &n) && (n >= o->min || (n == 0 && o->zero != NULL)) &&
	    (o->kind != VNS_VAL_POW2 || rte_is_power_of_2((uint32_t)n))) {
		opt_uint_set(cfg, o, (uint32_t)n);
		return 0;
	}
	if (o->zero != NULL && o->min == 0)
		return vns_fail(err, errlen, "%s '%s': expected %s from 0 (%s) to %u", label, v,
				noun, o->zero, o->max);
	if (o->zero != NULL)
		return vns_fail(err, errlen, "%s '%s': expected 0 (%s) or %s from %u to %u", label,
				v, o->zero, noun, o->min, o->max);
	return vns_fail(err, errlen, "%s '%s': expected %s from %u to %u", label, v, noun, o->min,
			o->max);
}

static int
apply_packed(struct vns_config *cfg, const char *v, const char *label, char *err, size_t errlen)
{
	for (size_t i = 0; i < RTE_DIM(vns_packed_names); i++)
		if (strcmp(v, vns_packed_names[i]) == 0) {
			cfg->packed = (enum vns_packed_mode)i;
			return 0;
		}
	return vns_fail(err, errlen, "%s '%s': expected on, off or auto", label, v);
}

/*
 * Apply one option. `label` names where it came from ("--queues" or "FILE [port] queues") so
 * the error line says exactly which option was wrong and what it accepts.
 */
static int
apply_option(struct vns_config *cfg, enum vns_opt_id id, const char *v, const char *label,
	     char *err, size_t errlen)
{
	const struct vns_opt *o = &vns_opts[id];
	char why[256];

	switch (o->kind) {
	case VNS_VAL_UINT:
	case VNS_VAL_POW2:
	case VNS_VAL_TCP_PORT:
	case VNS_VAL_SECONDS:
		return apply_uint(cfg, o, v, label, err, errlen);
	case VNS_VAL_PATH:
		if (v[0] == '\0' || strlen(v) >= o->field.size)
			return vns_fail(err, errlen,
					"%s '%s': expected a file path shorter than %u "
					"bytes",
					label, v, o->field.size);
		snprintf(opt_field(cfg, o), o->field.size, "%s", v);
		return 0;
	case VNS_VAL_BOOL:
		if (v == NULL) {
			*(bool *)opt_field(cfg, o) = true;
			return 0;
		}
		if (!parse_bool(v, opt_field(cfg, o)))
			return vns_fail(err, errlen, "%s '%s': expected on or off", label, v);
		return 0;
	case VNS_VAL_PORT:
		if (parse_port(cfg, v) != 0)
			return vns_fail(err, errlen,
					"%s '%s': expected an ethdev name or port id "
					"(e.g. net_vpmd0, net_tap0, 0), vpmd:PCI_ADDRESS "
					"(e.g. vpmd:0000:00:01.0) or vpmd:vhost-user:PATH",
					label, v);
		return 0;
	case VNS_VAL_LCORE_MAP:
		if (parse_lcore_map(cfg, v, why, sizeof(why)) != 0)
			return vns_fail(err, errlen, "%s '%s': %s", label, v, why);
		return 0;
	case VNS_VAL_PACKED:
		return apply_packed(cfg, v, label, err, errlen);
	case VNS_VAL_IP:
		if (parse_ip_prefix(cfg, v) != 0)
			return vns_fail(err, errlen,
					"%s '%s': expected a unicast IPv4 address with "
					"optional /LEN 1-32, e.g. 198.18.0.2/24",
					label, v);
		return 0;
	case VNS_VAL_MAC:
		if (parse_mac(cfg, v) != 0)
			return vns_fail(err, errlen,
					"%s '%s': expected a unicast, non-zero MAC like "
					"02:00:c6:12:00:02",
					label, v);
		return 0;
	case VNS_VAL_SERVER:
		if (parse_server(cfg, v) != 0)
			return vns_fail(err, errlen,
					"%s '%s': expected a unicast IPv4 address with "
					"optional :PORT 1-65535, e.g. 198.18.0.1:5201",
					label, v);
		return 0;
	case VNS_VAL_RATE:
		if (!parse_scaled(v, 1000, UINT64_C(100000000000), &cfg->client_bitrate) ||
		    cfg->client_bitrate == 0)
			return vns_fail(err, errlen,
					"%s '%s': expected bit/s from 1 to 100G, with an "
					"optional K, M or G (x1000)",
					label, v);
		return 0;
	case VNS_VAL_SIZE: {
		uint64_t n;

		if (!parse_scaled(v, 1024, 1024 * 1024, &n) || n == 0)
			return vns_fail(err, errlen,
					"%s '%s': expected bytes from 1 to 1M, with an "
					"optional K or M (x1024)",
					label, v);
		cfg->client_len = (uint32_t)n;
		return 0;
	}
	case VNS_VAL_NONE:
		break;
	}
	return 0;
}

void
vns_config_defaults(struct vns_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < VNS_OPT_COUNT; i++) {
		int rc;

		if (vns_opts[i].def == NULL)
			continue;
		rc = apply_option(cfg, (enum vns_opt_id)i, vns_opts[i].def, vns_opts[i].name, NULL,
				  0);
		assert(rc == 0); /* a default the option itself refuses: fix the table */
		(void)rc;
	}
}

static bool
section_known(const char *name)
{
	for (int i = 0; i < VNS_OPT_COUNT; i++)
		if (vns_opts[i].section != NULL && strcmp(vns_opts[i].section, name) == 0)
			return true;
	return false;
}

/* Apply every "key = value" of one section of an INI file. 0 or -1 with err set. */
static int
apply_section(struct vns_config *cfg, struct rte_cfgfile *file, const char *path,
	      const char *section, char *err, size_t errlen)
{
	struct rte_cfgfile_entry *entries;
	int nent, rc = 0;

	if (!section_known(section)) {
		char known[128];

		list_sections(known, sizeof(known), ", ");
		return vns_fail(err, errlen, "--config '%s': unknown section [%s] (known: %s)",
				path, section, known);
	}
	nent = rte_cfgfile_section_num_entries(file, section);
	entries = calloc((size_t)(nent > 0 ? nent : 1), sizeof(*entries));
	if (entries == NULL)
		return vns_fail(err, errlen, "--config '%s': out of memory", path);
	nent = rte_cfgfile_section_entries(file, section, entries, nent);
	for (int e = 0; e < nent && rc == 0; e++) {
		const char *key = entries[e].name;
		int id = opt_lookup(key, strlen(key));
		char label[VNS_PATH_MAX + 2 * CFG_NAME_LEN + 8];

		snprintf(label, sizeof(label), "%s [%s] %s", path, section, key);
		if (id < 0 || vns_opts[id].section == NULL)
			rc = vns_fail(err, errlen, "%s: unknown option (see --help for the list)",
				      label);
		else if (strcmp(vns_opts[id].section, section) != 0)
			rc = vns_fail(err, errlen, "%s: this option belongs in section [%s]", label,
				      vns_opts[id].section);
		else
			rc = apply_option(cfg, (enum vns_opt_id)id, entries[e].value, label, err,
					  errlen);
	}
	free(entries);
	return rc;
}

int
vns_config_load_file(struct vns_config *cfg, const char *path, char *err, size_t errlen)
{
	/* '#' comments, as in shell and most of our other files; ';' is DPDK's default. */
	struct rte_cfgfile_parameters params = { .comment_character = '#' };
	struct rte_cfgfile *file;
	char **sections = NULL;
	int nsec, rc = -1;

	if (access(path, R_OK) != 0)
		return vns_fail(err, errlen, "--config '%s': cannot read it: %s", path,
				strerror(errno));
	file = rte_cfgfile_load_with_params(path, 0, &params);
	if (file == NULL)
		return vns_fail(err, errlen,
				"--config '%s': not a valid INI file (key = value lines "
				"inside [section]s, '#' starts a comment)",
				path);
	nsec = rte_cfgfile_num_sections(file, NULL, 0);
	if (nsec < 0) {
		vns_fail(err, errlen, "--config '%s': cannot list its sections", path);
		goto out;
	}
	sections = calloc((size_t)nsec + 1, sizeof(*sections));
	if (sections == NULL) {
		vns_fail(err, errlen, "--config '%s': out of memory", path);
		goto out;
	}
	for (int i = 0; i < nsec; i++) {
		sections[i] = malloc(CFG_NAME_LEN);
		if (sections[i] == NULL) {
			vns_fail(err, errlen, "--config '%s': out of memory", path);
			goto out;
		}
	}
	rte_cfgfile_sections(file, sections, nsec);
	for (int s = 0; s < nsec; s++)
		if (apply_section(cfg, file, path, sections[s], err, errlen) != 0)
			goto out;
	rc = 0;
out:
	if (sections != NULL) {
		for (int i = 0; i < nsec; i++)
			free(sections[i]);
		free(sections);
	}
	rte_cfgfile_close(file);
	return rc;
}

/* Split "--name" / "--name=value" into an option id; -1 with err set when unknown. */
static int
split_option(const char *a, const char **value, char *err, size_t errlen)
{
	const char *name, *eq;
	int id;

	/* iperf3's own short options, for client mode. */
	static const struct {
		const char *flag;
		enum vns_opt_id id;
	} shorts[] = {
		{ "-h", VNS_OPT_HELP },    { "-P", VNS_OPT_PARALLEL }, { "-t", VNS_OPT_TIME },
		{ "-R", VNS_OPT_REVERSE }, { "-u", VNS_OPT_UDP },      { "-b", VNS_OPT_BITRATE },
		{ "-l", VNS_OPT_LENGTH },
	};

	for (size_t i = 0; i < RTE_DIM(shorts); i++) {
		if (strcmp(a, shorts[i].flag) == 0) {
			*value = NULL;
			return shorts[i].id;
		}
	}
	if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
		return vns_fail(err, errlen,
				"unexpected argument '%s' (options start with --; "
				"see --help)",
				a);
	name = a + 2;
	eq = strchr(name, '=');
	id = opt_lookup(name, eq != NULL ? (size_t)(eq - name) : strlen(name));
	if (id < 0)
		return vns_fail(err, errlen, "unknown option '%s' (see --help)", a);
	*value = eq != NULL ? eq + 1 : NULL;
	return id;
}

/* What pass 1 learns from the command line before anything is applied. */
struct vns_cli_scan {
	const char *config_file; /* --config's value, or NULL */
	bool queues;             /* --queues given */
	bool lcore_map;          /* --lcore-map given */
};

/* Pass 1: --help wins over everything; find --config, and whether queues or lcore-map are set. */
static enum vns_config_status
scan_command_line(int argc, char **argv, struct vns_cli_scan *scan, char *err, size_t errlen)
{
	memset(scan, 0, sizeof(*scan));
	for (int i = 0; i < argc; i++) {
		const char *v;
		int id = split_option(argv[i], &v, err, errlen);

		if (id < 0)
			return VNS_CONFIG_ERROR;
		if (id == VNS_OPT_HELP && v != NULL) {
			vns_fail(err, errlen, "--help takes no value (got '%s')", v);
			return VNS_CONFIG_ERROR;
		}
		if (id == VNS_OPT_HELP)
			return VNS_CONFIG_HELP;
		if (opt_takes_value((enum vns_opt_id)id) && v == NULL)
			i++;
		if (id == VNS_OPT_CONFIG)
			scan->config_file = v != NULL ? v : (i < argc ? argv[i] : NULL);
		scan->queues |= id == VNS_OPT_QUEUES;
		scan->lcore_map |= id == VNS_OPT_LCORE_MAP;
	}
	return VNS_CONFIG_OK;
}

/* Pass 2: the --config file, if any, so that the command line applied next overrides it. */
static int
load_config_option(struct vns_config *cfg, const struct vns_cli_scan *scan, char *err,
		   size_t errlen)
{
	if (scan->config_file == NULL)
		return 0;
	if (apply_option(cfg, VNS_OPT_CONFIG, scan->config_file, "--config", err, errlen) != 0 ||
	    vns_config_load_file(cfg, scan->config_file, err, errlen) != 0)
		return -1;
	/*
	 * The file may set queues and lcore-map; one of them on the command line replaces both,
	 * or a file's "queues = 2" would clash with a command-line map of 3 queues.
	 */
	if (scan->lcore_map && !scan->queues)
		cfg->nb_queues = 0;
	if (scan->queues && !scan->lcore_map)
		cfg->nb_mapped = 0;
	return 0;
}

/* Pass 3: the command line, in order (the last occurrence of an option wins). */
static int
apply_command_line(struct vns_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const char *v;
		int id = split_option(argv[i], &v, err, errlen);
		const struct vns_opt *o;
		char label[64], help[512];

		if (id < 0)
			return -1;
		o = &vns_opts[id];
		snprintf(label, sizeof(label), "--%s", o->name);
		if (opt_takes_value((enum vns_opt_id)id) && v == NULL) {
			if (i + 1 >= argc) {
				opt_help(o, help, sizeof(help));
				return vns_fail(err, errlen, "%s needs a value %s: %s", label,
						o->arg, help);
			}
			v = argv[++i];
		} else if (!opt_takes_value((enum vns_opt_id)id) &&
			   !opt_value_optional((enum vns_opt_id)id) && v != NULL) {
			return vns_fail(err, errlen, "%s takes no value (got '%s')", label, v);
		}
		if (id == VNS_OPT_CONFIG)
			continue;
		if (apply_option(cfg, (enum vns_opt_id)id, v, label, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* The directory of --stats-json must be writable: fail now, not minutes into a run. */
static int
check_stats_json_dir(const struct vns_config *cfg, char *err, size_t errlen)
{
	char dir[VNS_PATH_MAX];
	char *slash;

	if (cfg->stats_json[0] == '\0')
		return 0;
	snprintf(dir, sizeof(dir), "%s", cfg->stats_json);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK) != 0)
		return vns_fail(err, errlen,
				"--stats-json '%s': cannot write in directory '%s' (%s)",
				cfg->stats_json, dir, strerror(errno));
	return 0;
}

/* Client mode's options only mean something with --iperf-client. */
static int
check_client(const struct vns_config *cfg, char *err, size_t errlen)
{
	struct vns_config def;

	if (!cfg->client) {
		vns_config_defaults(&def);
		if (cfg->client_streams != def.client_streams ||
		    cfg->client_time != def.client_time || cfg->client_reverse || cfg->client_udp ||
		    cfg->client_bitrate != 0 || cfg->client_len != 0 || cfg->client_json[0] != '\0')
			return vns_fail(err, errlen,
					"--parallel, --time, --reverse, --udp, --bitrate, "
					"--length and --iperf-json are client mode's: give "
					"--iperf-client HOST[:PORT]");
		return 0;
	}
	if (cfg->client_ip == cfg->ip)
		return vns_fail(err, errlen,
				"--iperf-client: the server's address is our own --ip; give the "
				"peer's");
	if (cfg->client_bitrate != 0 && !cfg->client_udp)
		return vns_fail(err, errlen,
				"--bitrate: a TCP test sends as fast as the stack can; the rate "
				"is for UDP (-u)");
	/* The client's connections live on the stack that opens them: one queue (see the
	 * app README), so the return traffic cannot land on a queue that does not know it. */
	if (cfg->nb_queues > 1 || cfg->nb_mapped > 1)
		return vns_fail(err, errlen,
				"--iperf-client runs on one queue: drop --queues/--lcore-map or "
				"give one queue");
	return 0;
}

/* Pass 4: what no single option can check on its own. */
static int
check_combination(const struct vns_config *cfg, char *err, size_t errlen)
{
	if (cfg->port_spec[0] == '\0')
		return vns_fail(err, errlen,
				"--port is required: an ethdev name or port id, "
				"vpmd:PCI_ADDRESS or vpmd:vhost-user:PATH");
	if (cfg->nb_mapped != 0 && cfg->nb_queues != 0 && cfg->nb_queues != cfg->nb_mapped)
		return vns_fail(err, errlen,
				"--queues %u disagrees with --lcore-map, which places %u "
				"queues",
				cfg->nb_queues, cfg->nb_mapped);
	if (cfg->sha256 && cfg->discard_port == 0)
		return vns_fail(err, errlen,
				"--sha256 needs the discard port: set --discard-port to "
				"1-65535");
	if (check_stats_json_dir(cfg, err, errlen) != 0)
		return -1;
	if (cfg->iperf_port != 0 && cfg->iperf_port == cfg->discard_port)
		return vns_fail(err, errlen, "--discard-port %u: already used by --iperf-port",
				cfg->discard_port);
	return check_client(cfg, err, errlen);
}

enum vns_config_status
vns_config_parse(struct vns_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
	struct vns_cli_scan scan;
	enum vns_config_status st;

	st = scan_command_line(argc, argv, &scan, err, errlen);
	if (st != VNS_CONFIG_OK)
		return st;
	if (load_config_option(cfg, &scan, err, errlen) != 0 ||
	    apply_command_line(cfg, argc, argv, err, errlen) != 0 ||
	    check_combination(cfg, err, errlen) != 0)
		return VNS_CONFIG_ERROR;
	if (cfg->client && cfg->nb_queues == 0 && cfg->nb_mapped == 0)
		cfg->nb_queues = 1;
	return VNS_CONFIG_OK;
}

static int
list_lcores(char *buf, size_t len, const bool *en, unsigned int slots, unsigned int main_lcore)
{
	size_t off = 0;
	int n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < slots && off < len; i++) {
		if (!en[i] || i == main_lcore)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%u", n ? "," : "", i);
		n++;
	}
	if (n == 0)
		snprintf(buf, len, "none");
	return n;
}

int
vns_config_resolve_lcores(struct vns_config *cfg, const bool *lcore_enabled,
			  unsigned int nb_lcore_slots, unsigned int main_lcore, char *err,
			  size_t errlen)
{
	char workers[256];
	int nworkers = list_lcores(workers, sizeof(workers), lcore_enabled, nb_lcore_slots,
				   main_lcore);

	if (cfg->nb_mapped != 0) {
		for (unsigned int q = 0; q < cfg->nb_mapped; q++) {
			unsigned int l = cfg->queue_lcore[q];

			if (l == main_lcore)
				return vns_fail(err, errlen,
						"--lcore-map %u@%u: lcore %u is the main "
						"lcore (stats and control); use a worker "
						"lcore: %s",
						q, l, l, workers);
			if (l >= nb_lcore_slots || !lcore_enabled[l])
				return vns_fail(err, errlen,
						"--lcore-map %u@%u: lcore %u is not in the "
						"EAL lcore list (-l); worker lcores: %s",
						q, l, l, workers);
		}
		cfg->nb_queues = cfg->nb_mapped;
		return 0;
	}
	if (nworkers == 0)
		return vns_fail(err, errlen,
				"-l: vnetsink needs a worker lcore besides the main "
				"lcore %u for its queues (e.g. EAL -l 0,1 "
				"--main-lcore 0)",
				main_lcore);
	if (cfg->nb_queues == 0)
		cfg->nb_queues = (uint16_t)RTE_MIN(nworkers, VNS_MAX_QUEUES);
	/* More queues than workers: a worker polls several queues, each with its own stack. */
	for (unsigned int q = 0, i = 0; q < cfg->nb_queues; i = (i + 1) % nb_lcore_slots) {
		if (!lcore_enabled[i] || i == main_lcore)
			continue;
		cfg->queue_lcore[q++] = (uint16_t)i;
	}
	return 0;
}

void
vns_config_usage(FILE *f, const char *prog)
{
	char sections[128];

	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"vnetsink: a polled DPDK data plane that sinks TCP traffic (iperf3 server,\n"
		"discard port), answers ARP and ping. One run-to-completion loop per queue,\n"
		"pinned to a worker lcore; the main lcore prints stats. Typical EAL options:\n"
		"-l 0,1 --main-lcore 0 --file-prefix NAME (--vdev net_tap0,iface=vnstap0\n"
		"for a tap port).\n\nOptions:\n",
		prog);
	for (int i = 0; i < VNS_OPT_COUNT; i++) {
		const struct vns_opt *o = &vns_opts[i];
		char left[64], help[512];

		if (o->arg == NULL)
			snprintf(left, sizeof(left), "--%s", o->name);
		else if (opt_value_optional((enum vns_opt_id)i))
			snprintf(left, sizeof(left), "--%s%s", o->name, o->arg);
		else
			snprintf(left, sizeof(left), "--%s %s", o->name, o->arg);
		opt_help(o, help, sizeof(help));
		fprintf(f, "  %-30s %s\n", left, help);
	}
	list_sections(sections, sizeof(sections), " and ");
	fprintf(f,
		"\nIn a --config file the same names are keys, in the sections\n"
		"%s; see conf/vnetsink.ini. A bad value exits with status 2.\n",
		sections);
}

/* An option's current value as vns_config_print() shows it. */
static void
format_value(const struct vns_config *cfg, enum vns_opt_id id, char *buf, size_t len)
{
	const struct vns_opt *o = &vns_opts[id];
	char ip[INET_ADDRSTRLEN];
	size_t off = 0;

	buf[0] = '\0';
	switch (o->kind) {
	case VNS_VAL_UINT:
	case VNS_VAL_POW2:
	case VNS_VAL_TCP_PORT:
	case VNS_VAL_SECONDS:
		snprintf(buf, len, "%u", opt_uint_get(cfg, o));
		break;
	case VNS_VAL_PATH: {
		const char *path = (const char *)cfg + o->field.off;

		snprintf(buf, len, "%s", path[0] != '\0' ? path : "(off)");
		break;
	}
	case VNS_VAL_BOOL:
		snprintf(buf, len, "%s",
			 *(const bool *)((const char *)cfg + o->field.off) ? "on" : "off");
		break;
	case VNS_VAL_PORT:
		snprintf(buf, len, "%s", cfg->port_arg);
		break;
	case VNS_VAL_LCORE_MAP:
		for (unsigned int q = 0; q < cfg->nb_queues && q < VNS_MAX_QUEUES; q++)
			append(buf, len, &off, "%s%u@%u", q ? "," : "", q, cfg->queue_lcore[q]);
		break;
	case VNS_VAL_PACKED:
		snprintf(buf, len, "%s", vns_packed_names[cfg->packed]);
		break;
	case VNS_VAL_IP:
		inet_ntop(AF_INET, &cfg->ip, ip, sizeof(ip));
		snprintf(buf, len, "%s/%u", ip, cfg->prefix_len);
		break;
	case VNS_VAL_MAC:
		if (cfg->mac_set && len >= RTE_ETHER_ADDR_FMT_SIZE)
			rte_ether_format_addr(buf, (uint16_t)len, &cfg->mac);
		else
			snprintf(buf, len, "port");
		break;
	case VNS_VAL_SERVER:
		if (cfg->client) {
			inet_ntop(AF_INET, &cfg->client_ip, ip, sizeof(ip));
			snprintf(buf, len, "%s:%u", ip, cfg->client_port);
		} else {
			snprintf(buf, len, "(off)");
		}
		break;
	case VNS_VAL_RATE:
		snprintf(buf, len, "%" PRIu64, cfg->client_bitrate);
		break;
	case VNS_VAL_SIZE:
		snprintf(buf, len, "%u", cfg->client_len);
		break;
	case VNS_VAL_NONE:
		break;
	}
}

void
vns_config_print(const struct vns_config *cfg, FILE *f)
{
	char v[1024];

	/* Every option a file can set; --config and --help are not settings. */
	for (int i = 0; i < VNS_OPT_COUNT; i++) {
		if (vns_opts[i].section == NULL)
			continue;
		format_value(cfg, (enum vns_opt_id)i, v, sizeof(v));
		fprintf(f, "%s = %s\n", vns_opts[i].name, v);
	}
}
