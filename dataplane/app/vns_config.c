/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_config: option table, command-line and INI parsing, lcore map. Control path only; runs
 * before the EAL is initialised, so nothing here may call EAL functions.
 */
#include "vns_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_lcore.h>

/*
 * The option table: id, name (command line --NAME and INI key), INI section (NULL: command
 * line only), argument (NULL: none; "[=X]": optional, only as --NAME=X), help text.
 */
#define VNS_OPTIONS(X)                                                                            \
	X(CONFIG, "config", NULL, "FILE",                                                           \
	  "read options from an INI file first (the command line overrides it)")                   \
	X(PORT, "port", "port", "SPEC",                                                             \
	  "vpmd:PCI_ADDRESS | vpmd:vhost-user:PATH | ethdev:PORT_ID | ethdev:NAME (required)")     \
	X(QUEUES, "queues", "port", "N",                                                            \
	  "rx/tx queue pairs, 1-64 (default: one per worker lcore, or one per --lcore-map entry)")  \
	X(LCORE_MAP, "lcore-map", "port", "Q@L,...",                                                \
	  "queue Q runs on lcore L, e.g. 0@1,1@2 (default: queues round-robin on worker lcores)")  \
	X(RING_SIZE, "ring-size", "port", "N", "descriptors per ring, power of 2, 64-32768 (1024)") \
	X(MBUFS, "mbufs", "port", "N",                                                              \
	  "mbufs in the pool, 1024-4194304 (default 0 = sized from queues and rings)")            \
	X(PACKED, "packed", "port", "on|off|auto",                                                  \
	  "our PMD only: allow the packed virtqueue layout (auto = when offered)")                 \
	X(IP, "ip", "net", "A.B.C.D/LEN", "our IPv4 address and prefix length (198.18.0.2/24)")    \
	X(MAC, "mac", "net", "XX:XX:XX:XX:XX:XX", "our unicast MAC (default: the port's MAC)")     \
	X(MAX_FLOWS, "max-flows", "net", "N", "TCP flows per queue, 16-1048576 (4096)")            \
	X(IPERF_PORT, "iperf-port", "services", "PORT", "iperf3 server TCP port, 0 = off (5201)") \
	X(DISCARD_PORT, "discard-port", "services", "PORT", "discard TCP port, 0 = off (9)")       \
	X(SHA256, "sha256", "services", "[=on|off]",                                                \
	  "integrity mode: SHA-256 of every discard stream, reported on close (off)")              \
	X(STATS_INTERVAL, "stats-interval", "stats", "SEC",                                         \
	  "seconds between per-queue stats lines, 0-3600, 0 = off (1)")                            \
	X(STATS_JSON, "stats-json", "stats", "FILE",                                                \
	  "write the stats as JSON to FILE every interval and at exit (off)")                      \
	X(HELP, "help", NULL, NULL, "print this help and exit")

enum vns_opt_id {
#define VNS_OPT_ENUM(id, name, sec, arg, help) VNS_OPT_##id,
	VNS_OPTIONS(VNS_OPT_ENUM)
#undef VNS_OPT_ENUM
	VNS_OPT_COUNT
};

struct vns_opt {
	const char *name;
	const char *section;
	const char *arg;
	const char *help;
};

static const struct vns_opt vns_opts[VNS_OPT_COUNT] = {
#define VNS_OPT_ROW(id, n, sec, a, h) [VNS_OPT_##id] = { .name = n, .section = sec, .arg = a, .help = h },
	VNS_OPTIONS(VNS_OPT_ROW)
#undef VNS_OPT_ROW
};

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

static int
opt_lookup(const char *name, size_t len)
{
	for (int i = 0; i < VNS_OPT_COUNT; i++)
		if (strlen(vns_opts[i].name) == len && strncmp(vns_opts[i].name, name, len) == 0)
			return i;
	return -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
vns_config_defaults(struct vns_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port_kind = VNS_PORT_ETHDEV;
	cfg->ip = htonl(0xc6120002); /* 198.18.0.2: RFC 2544 benchmarking range */
	cfg->prefix_len = 24;
	cfg->iperf_port = 5201;
	cfg->discard_port = 9;
	cfg->ring_size = 1024;
	cfg->max_flows = 4096;
	cfg->stats_interval = 1;
	cfg->packed = VNS_PACKED_AUTO;
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
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.' || *s == ':' || *s == ','))
			return false;
	return true;
}

static int
parse_port(struct vns_config *cfg, const char *v)
{
	const char *rest;
	uint64_t id;

	if (strncmp(v, "vpmd:", 5) == 0) {
		rest = v + 5;
		if (strncmp(rest, "vhost-user:", 11) == 0) {
			if (rest[11] == '\0')
				return -1;
		} else {
			const char *addr = strncmp(rest, "pci:", 4) == 0 ? rest + 4 : rest;

			if (!is_pci_address(addr))
				return -1;
		}
		cfg->port_kind = VNS_PORT_VPMD;
	} else if (strncmp(v, "ethdev:", 7) == 0) {
		rest = v + 7;
		if (rest[0] >= '0' && rest[0] <= '9') {
			if (!parse_u64(rest, 0, RTE_MAX_ETHPORTS - 1, &id))
				return -1;
		} else if (!is_ethdev_name(rest)) {
			return -1;
		}
		cfg->port_kind = VNS_PORT_ETHDEV;
	} else {
		return -1;
	}
	if (strlen(rest) >= sizeof(cfg->port_spec))
		return -1;
	snprintf(cfg->port_spec, sizeof(cfg->port_spec), "%s", rest);
	return 0;
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
		return fail(why, whylen, "expected a list like 0@1,1@2 (queue@lcore)");
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *at = strchr(tok, '@');
		uint64_t q, l;

		if (at == NULL)
			return fail(why, whylen, "'%s' is not queue@lcore (e.g. 0@1,1@2)", tok);
		*at = '\0';
		if (!parse_u64(tok, 0, VNS_MAX_QUEUES - 1, &q))
			return fail(why, whylen, "queue '%s' is not 0-%d", tok, VNS_MAX_QUEUES - 1);
		if (!parse_u64(at + 1, 0, RTE_MAX_LCORE - 1, &l))
			return fail(why, whylen, "lcore '%s' is not 0-%d", at + 1, RTE_MAX_LCORE - 1);
		if (seen[q])
			return fail(why, whylen, "queue %u appears twice", (unsigned int)q);
		seen[q] = true;
		lcore[q] = (uint16_t)l;
		count++;
		if (q > max_q)
			max_q = (unsigned int)q;
	}
	if (count == 0)
		return fail(why, whylen, "expected a list like 0@1,1@2 (queue@lcore)");
	if (max_q + 1 != count)
		return fail(why, whylen, "queues must be numbered 0-%u without gaps", count - 1);
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
	uint64_t len = 24;

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
	uint32_t h = ntohl(a.s_addr);
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

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 ||
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

/*
 * Apply one option. `label` names where it came from ("--queues" or "FILE [port] queues") so
 * the error line says exactly which option was wrong and what it accepts.
 */
static int
apply_option(struct vns_config *cfg, enum vns_opt_id id, const char *v, const char *label,
	     char *err, size_t errlen)
{
	uint64_t n;
	char why[256];

	switch (id) {
	case VNS_OPT_PORT:
		if (parse_port(cfg, v) != 0)
			return fail(err, errlen,
				    "%s '%s': expected vpmd:PCI_ADDRESS (e.g. vpmd:0000:00:01.0), "
				    "vpmd:vhost-user:PATH, ethdev:PORT_ID or ethdev:NAME",
				    label, v);
		return 0;
	case VNS_OPT_QUEUES:
		if (!parse_u64(v, 1, VNS_MAX_QUEUES, &n))
			return fail(err, errlen, "%s '%s': expected an integer from 1 to %d", label, v,
				    VNS_MAX_QUEUES);
		cfg->nb_queues = (uint16_t)n;
		return 0;
	case VNS_OPT_LCORE_MAP:
		if (parse_lcore_map(cfg, v, why, sizeof(why)) != 0)
			return fail(err, errlen, "%s '%s': %s", label, v, why);
		return 0;
	case VNS_OPT_RING_SIZE:
		if (!parse_u64(v, 64, 32768, &n) || !rte_is_power_of_2((uint32_t)n))
			return fail(err, errlen, "%s '%s': expected a power of 2 from 64 to 32768", label, v);
		cfg->ring_size = (uint16_t)n;
		return 0;
	case VNS_OPT_MBUFS:
		if (!parse_u64(v, 0, 4194304, &n) || (n != 0 && n < 1024))
			return fail(err, errlen, "%s '%s': expected 0 (auto) or an integer from 1024 to 4194304",
				    label, v);
		cfg->mbufs = (uint32_t)n;
		return 0;
	case VNS_OPT_PACKED:
		if (strcmp(v, "on") == 0)
			cfg->packed = VNS_PACKED_ON;
		else if (strcmp(v, "off") == 0)
			cfg->packed = VNS_PACKED_OFF;
		else if (strcmp(v, "auto") == 0)
			cfg->packed = VNS_PACKED_AUTO;
		else
			return fail(err, errlen, "%s '%s': expected on, off or auto", label, v);
		return 0;
	case VNS_OPT_IP:
		if (parse_ip_prefix(cfg, v) != 0)
			return fail(err, errlen,
				    "%s '%s': expected a unicast IPv4 address with optional /LEN 1-32, "
				    "e.g. 198.18.0.2/24",
				    label, v);
		return 0;
	case VNS_OPT_MAC:
		if (parse_mac(cfg, v) != 0)
			return fail(err, errlen,
				    "%s '%s': expected a unicast, non-zero MAC like 02:00:c6:12:00:02", label, v);
		return 0;
	case VNS_OPT_MAX_FLOWS:
		if (!parse_u64(v, 16, 1048576, &n))
			return fail(err, errlen, "%s '%s': expected an integer from 16 to 1048576", label, v);
		cfg->max_flows = (uint32_t)n;
		return 0;
	case VNS_OPT_IPERF_PORT:
	case VNS_OPT_DISCARD_PORT:
		if (!parse_u64(v, 0, 65535, &n))
			return fail(err, errlen, "%s '%s': expected a TCP port from 0 (off) to 65535", label, v);
		if (id == VNS_OPT_IPERF_PORT)
			cfg->iperf_port = (uint16_t)n;
		else
			cfg->discard_port = (uint16_t)n;
		return 0;
	case VNS_OPT_SHA256:
		if (v == NULL) {
			cfg->sha256 = true;
			return 0;
		}
		if (!parse_bool(v, &cfg->sha256))
			return fail(err, errlen, "%s '%s': expected on or off", label, v);
		return 0;
	case VNS_OPT_STATS_INTERVAL:
		if (!parse_u64(v, 0, 3600, &n))
			return fail(err, errlen, "%s '%s': expected seconds from 0 (off) to 3600", label, v);
		cfg->stats_interval = (uint32_t)n;
		return 0;
	case VNS_OPT_STATS_JSON:
		if (v[0] == '\0' || strlen(v) >= sizeof(cfg->stats_json))
			return fail(err, errlen, "%s '%s': expected a file path shorter than %zu bytes", label,
				    v, sizeof(cfg->stats_json));
		snprintf(cfg->stats_json, sizeof(cfg->stats_json), "%s", v);
		return 0;
	case VNS_OPT_CONFIG:
	case VNS_OPT_HELP:
	case VNS_OPT_COUNT:
		break;
	}
	return 0;
}

int
vns_config_load_file(struct vns_config *cfg, const char *path, char *err, size_t errlen)
{
	/* '#' comments, as in shell and most of our other files; ';' is DPDK's default. */
	struct rte_cfgfile_parameters params = { .comment_character = '#' };
	struct rte_cfgfile *file;
	char **sections = NULL;
	struct rte_cfgfile_entry *entries = NULL;
	int nsec, rc = -1;

	if (access(path, R_OK) != 0)
		return fail(err, errlen, "--config '%s': cannot read it: %s", path, strerror(errno));
	file = rte_cfgfile_load_with_params(path, 0, &params);
	if (file == NULL)
		return fail(err, errlen,
			    "--config '%s': not a valid INI file (key = value lines inside [section]s, "
			    "'#' starts a comment)",
			    path);
	nsec = rte_cfgfile_num_sections(file, NULL, 0);
	if (nsec < 0) {
		fail(err, errlen, "--config '%s': cannot list its sections", path);
		goto out;
	}
	sections = calloc((size_t)nsec + 1, sizeof(*sections));
	if (sections == NULL) {
		fail(err, errlen, "--config '%s': out of memory", path);
		goto out;
	}
	for (int i = 0; i < nsec; i++) {
		sections[i] = malloc(CFG_NAME_LEN);
		if (sections[i] == NULL) {
			fail(err, errlen, "--config '%s': out of memory", path);
			goto out;
		}
	}
	rte_cfgfile_sections(file, sections, nsec);

	for (int s = 0; s < nsec; s++) {
		bool known_section = false;
		int nent;

		for (int i = 0; i < VNS_OPT_COUNT; i++)
			if (vns_opts[i].section != NULL && strcmp(vns_opts[i].section, sections[s]) == 0)
				known_section = true;
		if (!known_section) {
			fail(err, errlen,
			     "--config '%s': unknown section [%s] (known: [port], [net], [services], [stats])",
			     path, sections[s]);
			goto out;
		}
		nent = rte_cfgfile_section_num_entries(file, sections[s]);
		free(entries);
		entries = calloc((size_t)(nent > 0 ? nent : 1), sizeof(*entries));
		if (entries == NULL) {
			fail(err, errlen, "--config '%s': out of memory", path);
			goto out;
		}
		nent = rte_cfgfile_section_entries(file, sections[s], entries, nent);
		for (int e = 0; e < nent; e++) {
			const char *key = entries[e].name;
			const char *val = entries[e].value;
			int id = opt_lookup(key, strlen(key));
			char label[VNS_PATH_MAX + 2 * CFG_NAME_LEN + 8];

			snprintf(label, sizeof(label), "%s [%s] %s", path, sections[s], key);
			if (id < 0 || vns_opts[id].section == NULL) {
				fail(err, errlen, "%s: unknown option (see --help for the list)", label);
				goto out;
			}
			if (strcmp(vns_opts[id].section, sections[s]) != 0) {
				fail(err, errlen, "%s: this option belongs in section [%s]", label,
				     vns_opts[id].section);
				goto out;
			}
			if (apply_option(cfg, (enum vns_opt_id)id, val, label, err, errlen) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(entries);
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

	if (strcmp(a, "-h") == 0) {
		*value = NULL;
		return VNS_OPT_HELP;
	}
	if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
		return fail(err, errlen, "unexpected argument '%s' (options start with --; see --help)", a);
	name = a + 2;
	eq = strchr(name, '=');
	id = opt_lookup(name, eq != NULL ? (size_t)(eq - name) : strlen(name));
	if (id < 0)
		return fail(err, errlen, "unknown option '%s' (see --help)", a);
	*value = eq != NULL ? eq + 1 : NULL;
	return id;
}

enum vns_config_status
vns_config_parse(struct vns_config *cfg, int argc, char **argv, char *err,
		 size_t errlen)
{
	const char *config_file = NULL;
	bool cli_queues = false, cli_map = false;

	/* Pass 1: --help wins over everything; --config is loaded before the other options. */
	for (int i = 0; i < argc; i++) {
		const char *v;
		int id = split_option(argv[i], &v, err, errlen);

		if (id < 0)
			return VNS_CONFIG_ERROR;
		if (id == VNS_OPT_HELP && v != NULL) {
			fail(err, errlen, "--help takes no value (got '%s')", v);
			return VNS_CONFIG_ERROR;
		}
		if (id == VNS_OPT_HELP)
			return VNS_CONFIG_HELP;
		if (opt_takes_value((enum vns_opt_id)id) && v == NULL)
			i++;
		if (id == VNS_OPT_CONFIG)
			config_file = v != NULL ? v : (i < argc ? argv[i] : NULL);
		cli_queues |= id == VNS_OPT_QUEUES;
		cli_map |= id == VNS_OPT_LCORE_MAP;
	}
	if (config_file != NULL) {
		if (config_file[0] == '\0' || strlen(config_file) >= sizeof(cfg->config_file)) {
			fail(err, errlen, "--config '%s': expected a file path shorter than %zu bytes",
			     config_file, sizeof(cfg->config_file));
			return VNS_CONFIG_ERROR;
		}
		snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", config_file);
		if (vns_config_load_file(cfg, config_file, err, errlen) != 0)
			return VNS_CONFIG_ERROR;
		/*
		 * The file may set queues and lcore-map; one of them on the command line replaces
		 * both, or a file's "queues = 2" would clash with a command-line map of 3 queues.
		 */
		if (cli_map && !cli_queues)
			cfg->nb_queues = 0;
		if (cli_queues && !cli_map)
			cfg->nb_mapped = 0;
	}

	/* Pass 2: the command line, in order (the last occurrence of an option wins). */
	for (int i = 0; i < argc; i++) {
		const char *v;
		int id = split_option(argv[i], &v, err, errlen);
		char label[64];

		snprintf(label, sizeof(label), "--%s", vns_opts[id].name);
		if (opt_takes_value((enum vns_opt_id)id) && v == NULL) {
			if (i + 1 >= argc) {
				fail(err, errlen, "%s needs a value %s: %s", label, vns_opts[id].arg,
				     vns_opts[id].help);
				return VNS_CONFIG_ERROR;
			}
			v = argv[++i];
		} else if (!opt_takes_value((enum vns_opt_id)id) && !opt_value_optional((enum vns_opt_id)id) &&
			   v != NULL) {
			fail(err, errlen, "%s takes no value (got '%s')", label, v);
			return VNS_CONFIG_ERROR;
		}
		if (id == VNS_OPT_CONFIG)
			continue;
		if (apply_option(cfg, (enum vns_opt_id)id, v, label, err, errlen) != 0)
			return VNS_CONFIG_ERROR;
	}

	if (cfg->port_spec[0] == '\0') {
		fail(err, errlen,
		     "--port is required: vpmd:PCI_ADDRESS, vpmd:vhost-user:PATH, ethdev:PORT_ID or "
		     "ethdev:NAME");
		return VNS_CONFIG_ERROR;
	}
	if (cfg->nb_mapped != 0 && cfg->nb_queues != 0 && cfg->nb_queues != cfg->nb_mapped) {
		fail(err, errlen, "--queues %u disagrees with --lcore-map, which places %u queues",
		     cfg->nb_queues, cfg->nb_mapped);
		return VNS_CONFIG_ERROR;
	}
	if (cfg->sha256 && cfg->discard_port == 0) {
		fail(err, errlen, "--sha256 needs the discard port: set --discard-port to 1-65535");
		return VNS_CONFIG_ERROR;
	}
	if (cfg->stats_json[0] != '\0') {
		/* Fail now, not at the first write minutes into a run. */
		char dir[VNS_PATH_MAX];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", cfg->stats_json);
		slash = strrchr(dir, '/');
		if (slash == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (access(dir, W_OK | X_OK) != 0) {
			fail(err, errlen, "--stats-json '%s': cannot write in directory '%s' (%s)",
			     cfg->stats_json, dir, strerror(errno));
			return VNS_CONFIG_ERROR;
		}
	}
	if (cfg->iperf_port != 0 && cfg->iperf_port == cfg->discard_port) {
		fail(err, errlen, "--discard-port %u: already used by --iperf-port", cfg->discard_port);
		return VNS_CONFIG_ERROR;
	}
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
	int nworkers = list_lcores(workers, sizeof(workers), lcore_enabled, nb_lcore_slots, main_lcore);

	if (cfg->nb_mapped != 0) {
		for (unsigned int q = 0; q < cfg->nb_mapped; q++) {
			unsigned int l = cfg->queue_lcore[q];

			if (l == main_lcore)
				return fail(err, errlen,
					    "--lcore-map %u@%u: lcore %u is the main lcore (stats and control); "
					    "use a worker lcore: %s",
					    q, l, l, workers);
			if (l >= nb_lcore_slots || !lcore_enabled[l])
				return fail(err, errlen,
					    "--lcore-map %u@%u: lcore %u is not in the EAL lcore list (-l); "
					    "worker lcores: %s",
					    q, l, l, workers);
		}
		cfg->nb_queues = cfg->nb_mapped;
		return 0;
	}
	if (nworkers == 0)
		return fail(err, errlen,
			    "-l: vnetsink needs a worker lcore besides the main lcore %u for its queues "
			    "(e.g. EAL -l 0,1 --main-lcore 0)",
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
	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"vnetsink: a polled DPDK data plane that sinks TCP traffic (iperf3 server, discard\n"
		"port), answers ARP and ping. One run-to-completion loop per queue, pinned to a worker\n"
		"lcore; the main lcore prints stats. Typical EAL options: -l 0,1 --main-lcore 0\n"
		"--file-prefix NAME (--vdev net_tap0,iface=vnstap0 for a tap port).\n\nOptions:\n",
		prog);
	for (int i = 0; i < VNS_OPT_COUNT; i++) {
		char left[64];

		if (vns_opts[i].arg == NULL)
			snprintf(left, sizeof(left), "--%s", vns_opts[i].name);
		else if (opt_value_optional((enum vns_opt_id)i))
			snprintf(left, sizeof(left), "--%s%s", vns_opts[i].name, vns_opts[i].arg);
		else
			snprintf(left, sizeof(left), "--%s %s", vns_opts[i].name, vns_opts[i].arg);
		fprintf(f, "  %-30s %s\n", left, vns_opts[i].help);
	}
	fprintf(f,
		"\nIn a --config file the same names are keys, in the sections [port], [net],\n"
		"[services] and [stats]; see conf/vnetsink.ini. A bad value exits with status 2.\n");
}

void
vns_config_print(const struct vns_config *cfg, FILE *f)
{
	static const char *const packed[] = { "auto", "on", "off" };
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	inet_ntop(AF_INET, &cfg->ip, ip, sizeof(ip));
	if (cfg->mac_set)
		rte_ether_format_addr(mac, sizeof(mac), &cfg->mac);
	else
		snprintf(mac, sizeof(mac), "port");
	fprintf(f, "port = %s:%s\n", cfg->port_kind == VNS_PORT_VPMD ? "vpmd" : "ethdev", cfg->port_spec);
	fprintf(f, "queues = %u\nlcore-map = ", cfg->nb_queues);
	for (unsigned int q = 0; q < cfg->nb_queues && q < VNS_MAX_QUEUES; q++)
		fprintf(f, "%s%u@%u", q ? "," : "", q, cfg->queue_lcore[q]);
	fprintf(f, "\nring-size = %u\nmbufs = %u\npacked = %s\n", cfg->ring_size, cfg->mbufs,
		packed[cfg->packed]);
	fprintf(f, "ip = %s/%u\nmac = %s\nmax-flows = %u\n", ip, cfg->prefix_len, mac, cfg->max_flows);
	fprintf(f, "iperf-port = %u\ndiscard-port = %u\nsha256 = %s\n", cfg->iperf_port,
		cfg->discard_port, cfg->sha256 ? "on" : "off");
	fprintf(f, "stats-interval = %u\nstats-json = %s\n", cfg->stats_interval,
		cfg->stats_json[0] ? cfg->stats_json : "(off)");
}
