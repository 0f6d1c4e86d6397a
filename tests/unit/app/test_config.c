/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_config without EAL: every option's accepted and refused values, the INI file, command
 * line over file, and the queue -> lcore map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "vns_config.h"

#define MAX_ARGS 32

static char err[1024];

/* Parse a space-separated argument string (no quoting needed by these tests). */
static enum vns_config_status
parse_str(struct vns_config *cfg, const char *args)
{
	char buf[2048];
	char *argv[MAX_ARGS];
	int argc = 0;
	char *save = NULL;

	vns_config_defaults(cfg);
	err[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", args);
	for (char *t = strtok_r(buf, " ", &save); t != NULL && argc < MAX_ARGS;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return vns_config_parse(cfg, argc, argv, err, sizeof(err));
}

static char tmpdir[] = "/tmp/vns-app-test-XXXXXX";

static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_defaults(void **state)
{
	struct vns_config cfg;

	(void)state;
	vns_config_defaults(&cfg);
	assert_int_equal(cfg.iperf_port, 5201);
	assert_int_equal(cfg.discard_port, 9);
	assert_int_equal(cfg.ring_size, 256);
	assert_int_equal(cfg.stats_interval, 1);
	assert_int_equal(cfg.nb_queues, 0);
	assert_false(cfg.sha256);
	assert_false(cfg.mac_set);
	assert_int_equal(ntohl(cfg.ip), 0xc6120002);
	assert_int_equal(cfg.prefix_len, 24);
}

static void
test_port_forms(void **state)
{
	struct vns_config cfg;
	char devargs[VNS_PORT_SPEC_MAX + 64];

	(void)state;
	/* vpmd:... names the net_vpmd vdev that vnetsink creates on that device. */
	assert_int_equal(parse_str(&cfg, "--port vpmd:0000:00:01.0"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, VNS_PORT_VPMD_NAME);
	assert_string_equal(cfg.port_vpmd_dev, "pci=0000:00:01.0");
	assert_string_equal(vns_config_vpmd_pci(&cfg), "0000:00:01.0");
	assert_string_equal(cfg.port_arg, "vpmd:0000:00:01.0");

	assert_int_equal(
		parse_str(&cfg, "--port=vpmd:vhost-user:/tmp/x.sock --queues 2 --packed off"),
		VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, VNS_PORT_VPMD_NAME);
	assert_string_equal(cfg.port_vpmd_dev, "vhost-user=/tmp/x.sock");
	assert_null(vns_config_vpmd_pci(&cfg));
	assert_int_equal(vns_config_vpmd_devargs(&cfg, devargs, sizeof(devargs)), 0);
	assert_string_equal(devargs, "vhost-user=/tmp/x.sock,queues=2,packed=off");
	assert_int_equal(vns_config_vpmd_devargs(&cfg, devargs, 20), -1);

	/* the short PCI form becomes the full one, as EAL names the device */
	assert_int_equal(parse_str(&cfg, "--port vpmd:pci:00:01.0"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_vpmd_dev, "pci=0000:00:01.0");

	/* any ethdev by name or id; the ethdev: prefix of earlier releases still works */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, "0");
	assert_string_equal(cfg.port_vpmd_dev, "");

	assert_int_equal(parse_str(&cfg, "--port ethdev:net_tap0"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, "net_tap0");

	assert_int_equal(parse_str(&cfg, "--port net_vpmd0"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, "net_vpmd0");
	assert_string_equal(cfg.port_vpmd_dev, "");

	assert_int_equal(parse_str(&cfg, "--port 3"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, "3");

	/* a PCI device's ethdev name starts with a digit and is still a name */
	assert_int_equal(parse_str(&cfg, "--port 0000:00:01.0"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, "0000:00:01.0");

	/* a later --port replaces an earlier vpmd: one entirely */
	assert_int_equal(parse_str(&cfg, "--port vpmd:00:01.0 --port net_tap0"), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_vpmd_dev, "");
	assert_null(vns_config_vpmd_pci(&cfg));
}

static void
test_good_values(void **state)
{
	struct vns_config cfg;
	struct rte_ether_addr want = { { 0x02, 0x00, 0xc6, 0x12, 0x00, 0x02 } };

	(void)state;
	assert_int_equal(
		parse_str(
			&cfg,
			"--port ethdev:0 --queues 4 --ip 198.19.1.7/16 --mac 02:00:c6:12:00:02 "
			"--iperf-port 5301 --discard-port 0 --ring-size 512 --mbufs 8192 "
			"--stats-interval 0 --stats-json /tmp/s.json --packed off --max-flows 64"),
		VNS_CONFIG_OK);
	assert_int_equal(cfg.nb_queues, 4);
	assert_int_equal(ntohl(cfg.ip), 0xc6130107);
	assert_int_equal(cfg.prefix_len, 16);
	assert_true(cfg.mac_set);
	assert_memory_equal(&cfg.mac, &want, sizeof(want));
	assert_int_equal(cfg.iperf_port, 5301);
	assert_int_equal(cfg.discard_port, 0);
	assert_int_equal(cfg.ring_size, 512);
	assert_int_equal(cfg.mbufs, 8192);
	assert_int_equal(cfg.stats_interval, 0);
	assert_string_equal(cfg.stats_json, "/tmp/s.json");
	assert_int_equal(cfg.packed, VNS_PACKED_OFF);
	assert_int_equal(cfg.max_flows, 64);
	assert_int_equal(cfg.max_senders, 64); /* the defaults */
	assert_int_equal(cfg.send_window, 4u << 20);
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --max-senders 0 --send-window 65536"),
			 VNS_CONFIG_OK);
	assert_int_equal(cfg.max_senders, 0);
	assert_int_equal(cfg.send_window, 65536);
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --max-senders 8"), VNS_CONFIG_OK);
	assert_int_equal(cfg.max_senders, 8);

	/* An address without /LEN keeps the default prefix. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --ip 198.18.5.5"), VNS_CONFIG_OK);
	assert_int_equal(cfg.prefix_len, 24);

	/* Flag forms of --sha256. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --sha256"), VNS_CONFIG_OK);
	assert_true(cfg.sha256);
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --sha256 --sha256=off"), VNS_CONFIG_OK);
	assert_false(cfg.sha256);

	/* The last occurrence wins. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --queues 2 --queues 3"), VNS_CONFIG_OK);
	assert_int_equal(cfg.nb_queues, 3);
}

static void
test_lcore_map(void **state)
{
	struct vns_config cfg;

	(void)state;
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --lcore-map 1@3,0@2"), VNS_CONFIG_OK);
	assert_int_equal(cfg.nb_mapped, 2);
	assert_int_equal(cfg.queue_lcore[0], 2);
	assert_int_equal(cfg.queue_lcore[1], 3);
	/* Two queues on one lcore is allowed (one worker polls both). */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --lcore-map 0@1,1@1 --queues 2"),
			 VNS_CONFIG_OK);
	assert_int_equal(cfg.nb_mapped, 2);
}

static void
test_help(void **state)
{
	struct vns_config cfg;

	(void)state;
	assert_int_equal(parse_str(&cfg, "--queues 0 --help"), VNS_CONFIG_HELP);
	assert_int_equal(parse_str(&cfg, "-h"), VNS_CONFIG_HELP);
}

/* Each bad value: an error, one line, naming the option (and for values, the value). */
/* Client mode: the server, iperf3's short options, one queue by default. */
static void
test_client_mode(void **state)
{
	struct vns_config cfg;

	(void)state;
	assert_int_equal(parse_str(&cfg, "--port ethdev:0"), VNS_CONFIG_OK);
	assert_false(cfg.client);
	assert_int_equal(cfg.nb_queues, 0);
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --iperf-client 198.18.0.1"),
			 VNS_CONFIG_OK);
	assert_true(cfg.client);
	assert_int_equal(cfg.client_ip, inet_addr("198.18.0.1"));
	assert_int_equal(cfg.client_port, 5201);
	assert_int_equal(cfg.client_streams, 1);
	assert_int_equal(cfg.client_time, 10);
	assert_false(cfg.client_reverse);
	assert_int_equal(cfg.nb_queues, 1);
	assert_int_equal(parse_str(&cfg,
				   "--port ethdev:0 --iperf-client 198.18.0.1:5999 -P 4 -t 30 "
				   "-R -l 64K --iperf-json -"),
			 VNS_CONFIG_OK);
	assert_int_equal(cfg.client_port, 5999);
	assert_int_equal(cfg.client_streams, 4);
	assert_int_equal(cfg.client_time, 30);
	assert_true(cfg.client_reverse);
	assert_int_equal(cfg.client_len, 65536);
	assert_string_equal(cfg.client_json, "-");
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --iperf-client 198.18.0.1 --parallel 2 "
					 "--time 5 --reverse=off --length 1000 --queues 1"),
			 VNS_CONFIG_OK);
	assert_int_equal(cfg.client_streams, 2);
	assert_int_equal(cfg.client_time, 5);
	assert_false(cfg.client_reverse);
	assert_int_equal(cfg.client_len, 1000);
}

static void
test_bad_values(void **state)
{
	static const struct {
		const char *args;
		const char *must_name;
	} cases[] = {
		{ "--port ethdev:0 --queues 0", "--queues" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1:0", "--iperf-client" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1:70000", "--iperf-client" },
		{ "--port ethdev:0 --iperf-client host.example", "--iperf-client" },
		{ "--port ethdev:0 --iperf-client 224.0.0.1", "--iperf-client" },
		{ "--port ethdev:0 --iperf-client 198.18.0.2", "--iperf-client" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -P 0", "--parallel" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -P 129", "--parallel" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -t 0", "--time" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -t 86401", "--time" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -l 0", "--length" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -l 2M", "--length" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -l 1Q", "--length" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -b 10M", "--bitrate" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 -b x", "--bitrate" },
		{ "--port ethdev:0 --iperf-client 198.18.0.1 --queues 2", "--iperf-client" },
		{ "--port ethdev:0 -P 4", "--iperf-client" },
		{ "--port ethdev:0 -R", "--iperf-client" },
		{ "--port ethdev:0 --queues 65", "--queues" },
		{ "--port ethdev:0 --queues two", "--queues" },
		{ "--port ethdev:0 --queues -1", "--queues" },
		{ "--port ethdev:0 --queues 1x", "--queues" },
		{ "--port ethdev:0 --queues", "--queues" },
		{ "--port bogus:0", "--port" },
		{ "--port vpmd:", "--port" },
		{ "--port vpmd:0000:00:zz.0", "--port" },
		{ "--port vpmd:0000:00:40.0", "--port" },
		{ "--port vpmd:vhost-user:", "--port" },
		{ "--port ethdev:", "--port" },
		{ "--port ethdev:99999", "--port" },
		{ "--port ethdev:a/b", "--port" },
		{ "--queues 1", "--port" },
		{ "--port ethdev:0 --lcore-map 0", "--lcore-map" },
		{ "--port ethdev:0 --lcore-map 0@1,0@2", "--lcore-map" },
		{ "--port ethdev:0 --lcore-map 0@1,2@2", "--lcore-map" },
		{ "--port ethdev:0 --lcore-map 0@x", "--lcore-map" },
		{ "--port ethdev:0 --lcore-map 99@1", "--lcore-map" },
		{ "--port ethdev:0 --lcore-map 0@1,1@2 --queues 3", "--lcore-map" },
		{ "--port ethdev:0 --ip 198.18.0.300", "--ip" },
		{ "--port ethdev:0 --ip 198.18.0.2/33", "--ip" },
		{ "--port ethdev:0 --ip 198.18.0.2/0", "--ip" },
		{ "--port ethdev:0 --ip 224.0.0.1/24", "--ip" },
		{ "--port ethdev:0 --ip 0.1.2.3", "--ip" },
		{ "--port ethdev:0 --ip fe80::1", "--ip" },
		{ "--port ethdev:0 --mac 01:00:5e:00:00:01", "--mac" },
		{ "--port ethdev:0 --mac 00:00:00:00:00:00", "--mac" },
		{ "--port ethdev:0 --mac 02:00:c6:12:00", "--mac" },
		{ "--port ethdev:0 --mac 02:00:c6:12:00:02:03", "--mac" },
		{ "--port ethdev:0 --iperf-port 65536", "--iperf-port" },
		{ "--port ethdev:0 --discard-port -9", "--discard-port" },
		{ "--port ethdev:0 --discard-port 5201", "--discard-port" },
		{ "--port ethdev:0 --ring-size 1000", "--ring-size" },
		{ "--port ethdev:0 --ring-size 32", "--ring-size" },
		{ "--port ethdev:0 --ring-size 65536", "--ring-size" },
		{ "--port ethdev:0 --mbufs 100", "--mbufs" },
		{ "--port ethdev:0 --mbufs 99999999", "--mbufs" },
		{ "--port ethdev:0 --stats-interval 3601", "--stats-interval" },
		{ "--port ethdev:0 --stats-interval 1.5", "--stats-interval" },
		{ "--port ethdev:0 --stats-json=", "--stats-json" },
		{ "--port ethdev:0 --stats-json /nonexistent-vns-dir/s.json", "--stats-json" },
		{ "--port ethdev:0 --packed maybe", "--packed" },
		{ "--port ethdev:0 --sha256=perhaps", "--sha256" },
		{ "--port ethdev:0 --discard-port 0 --sha256", "--sha256" },
		{ "--port ethdev:0 --max-flows 1", "--max-flows" },
		{ "--port ethdev:0 --max-senders 65537", "--max-senders" },
		{ "--port ethdev:0 --max-senders -1", "--max-senders" },
		{ "--port ethdev:0 --send-window 1000", "--send-window" },
		{ "--port ethdev:0 --send-window 2000000000", "--send-window" },
		{ "--port ethdev:0 --help=yes", "--help" },
		{ "--port ethdev:0 --frobnicate 3", "--frobnicate" },
		{ "--port ethdev:0 stray", "stray" },
		{ "--port ethdev:0 --config /nonexistent/vnetsink.ini", "--config" },
	};
	struct vns_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum vns_config_status st = parse_str(&cfg, cases[i].args);

		if (st != VNS_CONFIG_ERROR || strstr(err, cases[i].must_name) == NULL ||
		    strchr(err, '\n') != NULL || strlen(err) < 20)
			fail_msg("args '%s': status %d, message '%s' (must name %s)", cases[i].args,
				 st, err, cases[i].must_name);
	}
}

static const char full_ini[] = "# vnetsink test config\n"
			       "[port]\n"
			       "port = vpmd:vhost-user:/tmp/vns.sock\n"
			       "queues = 2\n"
			       "ring-size = 256\n"
			       "mbufs = 4096\n"
			       "packed = on\n"
			       "\n"
			       "[net]\n"
			       "ip = 198.18.7.1/20   # our address\n"
			       "mac = 02:00:00:00:00:07\n"
			       "max-flows = 128\n"
			       "[services]\n"
			       "iperf-port = 5202\n"
			       "discard-port = 19\n"
			       "sha256 = yes\n"
			       "[stats]\n"
			       "stats-interval = 5\n"
			       "stats-json = /tmp/vns-stats.json\n";

static void
test_file(void **state)
{
	struct vns_config cfg;
	char args[600];

	(void)state;
	snprintf(args, sizeof(args), "--config %s", write_file("full.ini", full_ini));
	assert_int_equal(parse_str(&cfg, args), VNS_CONFIG_OK);
	assert_string_equal(cfg.port_spec, VNS_PORT_VPMD_NAME);
	assert_string_equal(cfg.port_vpmd_dev, "vhost-user=/tmp/vns.sock");
	assert_int_equal(cfg.nb_queues, 2);
	assert_int_equal(cfg.ring_size, 256);
	assert_int_equal(cfg.mbufs, 4096);
	assert_int_equal(cfg.packed, VNS_PACKED_ON);
	assert_int_equal(ntohl(cfg.ip), 0xc6120701);
	assert_int_equal(cfg.prefix_len, 20);
	assert_true(cfg.mac_set);
	assert_int_equal(cfg.max_flows, 128);
	assert_int_equal(cfg.iperf_port, 5202);
	assert_int_equal(cfg.discard_port, 19);
	assert_true(cfg.sha256);
	assert_int_equal(cfg.stats_interval, 5);
	assert_string_equal(cfg.stats_json, "/tmp/vns-stats.json");
}

static void
test_cli_overrides_file(void **state)
{
	struct vns_config cfg;
	char args[800];
	const char *path = write_file("over.ini", full_ini);

	(void)state;
	/* --config anywhere on the line: the file is applied first, the command line after. */
	snprintf(args, sizeof(args),
		 "--queues 1 --iperf-port 6000 --config %s --port ethdev:1 --sha256=off", path);
	assert_int_equal(parse_str(&cfg, args), VNS_CONFIG_OK);
	assert_int_equal(cfg.nb_queues, 1);
	assert_int_equal(cfg.iperf_port, 6000);
	assert_string_equal(cfg.port_spec, "1");
	assert_string_equal(cfg.port_vpmd_dev, "");
	assert_false(cfg.sha256);
	/* Untouched file values stay. */
	assert_int_equal(cfg.discard_port, 19);
	assert_int_equal(cfg.ring_size, 256);

	/* A command-line --lcore-map replaces the file's queue count. */
	snprintf(args, sizeof(args), "--config=%s --lcore-map 0@1,1@2,2@3", path);
	assert_int_equal(parse_str(&cfg, args), VNS_CONFIG_OK);
	assert_int_equal(cfg.nb_queues, 0);
	assert_int_equal(cfg.nb_mapped, 3);

	/* A command-line --queues replaces the file's lcore map. */
	path = write_file("map.ini", "[port]\nport = ethdev:0\nlcore-map = 0@1,1@2\n");
	snprintf(args, sizeof(args), "--config %s --queues 4", path);
	assert_int_equal(parse_str(&cfg, args), VNS_CONFIG_OK);
	assert_int_equal(cfg.nb_queues, 4);
	assert_int_equal(cfg.nb_mapped, 0);
}

static void
test_file_errors(void **state)
{
	static const struct {
		const char *text;
		const char *must_name;
	} cases[] = {
		{ "[port]\nport = ethdev:0\n[bogus]\nx = 1\n", "[bogus]" },
		{ "[port]\nport = ethdev:0\nfrobnicate = 1\n", "frobnicate" },
		{ "[port]\nport = ethdev:0\nip = 198.18.0.2/24\n", "[net]" },
		{ "[port]\nport = ethdev:0\nqueues = many\n", "[port] queues" },
		{ "[stats]\nstats-interval = -1\n[port]\nport = ethdev:0\n",
		  "[stats] stats-interval" },
		{ "[port]\nport = ethdev:0\n[services]\nsha256 = sometimes\n",
		  "[services] sha256" },
		{ "[port]\nport = ethdev:0\nconfig = other.ini\n", "config" },
		{ "port = ethdev:0\n", "INI" },
	};
	struct vns_config cfg;
	char args[600], name[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path;
		enum vns_config_status st;

		snprintf(name, sizeof(name), "bad%zu.ini", i);
		path = write_file(name, cases[i].text);
		snprintf(args, sizeof(args), "--config %s", path);
		st = parse_str(&cfg, args);
		if (st != VNS_CONFIG_ERROR || strstr(err, cases[i].must_name) == NULL ||
		    strstr(err, path) == NULL || strchr(err, '\n') != NULL)
			fail_msg("file %zu: status %d, message '%s' (must name %s and the file)", i,
				 st, err, cases[i].must_name);
	}
}

static void
test_resolve_lcores(void **state)
{
	struct vns_config cfg;
	bool en[8] = { true, true, true, false, true, false, false, false };

	(void)state;
	/* Default: one queue per worker (1, 2, 4), main lcore 0 runs none. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0"), VNS_CONFIG_OK);
	assert_int_equal(vns_config_resolve_lcores(&cfg, en, 8, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg.nb_queues, 3);
	assert_int_equal(cfg.queue_lcore[0], 1);
	assert_int_equal(cfg.queue_lcore[1], 2);
	assert_int_equal(cfg.queue_lcore[2], 4);

	/* More queues than workers: round-robin. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --queues 5"), VNS_CONFIG_OK);
	assert_int_equal(vns_config_resolve_lcores(&cfg, en, 8, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg.nb_queues, 5);
	assert_int_equal(cfg.queue_lcore[3], 1);
	assert_int_equal(cfg.queue_lcore[4], 2);

	/* Main lcore elsewhere. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --queues 2"), VNS_CONFIG_OK);
	assert_int_equal(vns_config_resolve_lcores(&cfg, en, 8, 2, err, sizeof(err)), 0);
	assert_int_equal(cfg.queue_lcore[0], 0);
	assert_int_equal(cfg.queue_lcore[1], 1);

	/* An explicit map is kept. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --lcore-map 0@4,1@1"), VNS_CONFIG_OK);
	assert_int_equal(vns_config_resolve_lcores(&cfg, en, 8, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg.nb_queues, 2);
	assert_int_equal(cfg.queue_lcore[0], 4);

	/* Refusals name the option and the usable lcores. */
	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --lcore-map 0@0"), VNS_CONFIG_OK);
	assert_int_equal(vns_config_resolve_lcores(&cfg, en, 8, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--lcore-map"));
	assert_non_null(strstr(err, "main lcore"));
	assert_non_null(strstr(err, "1,2,4"));

	assert_int_equal(parse_str(&cfg, "--port ethdev:0 --lcore-map 0@3"), VNS_CONFIG_OK);
	assert_int_equal(vns_config_resolve_lcores(&cfg, en, 8, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--lcore-map"));
	assert_non_null(strstr(err, "not in the EAL lcore list"));

	bool only_main[8] = { true, false };
	assert_int_equal(parse_str(&cfg, "--port ethdev:0"), VNS_CONFIG_OK);
	assert_int_equal(vns_config_resolve_lcores(&cfg, only_main, 8, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-l"));
	assert_non_null(strstr(err, "worker lcore"));
}

/* conf/vnetsink.ini documents the defaults: parsing it must give exactly them (plus its port). */
static void
test_shipped_ini_matches_defaults(void **state)
{
	struct vns_config cfg, def;
	const char *src = getenv("VNS_SRC");
	char args[600];

	(void)state;
	snprintf(args, sizeof(args), "--config %s/conf/vnetsink.ini",
		 src != NULL ? src : VNS_SRC_DEFAULT);
	if (parse_str(&cfg, args) != VNS_CONFIG_OK)
		fail_msg("conf/vnetsink.ini: %s", err);
	vns_config_defaults(&def);
	assert_string_equal(cfg.port_spec, VNS_PORT_VPMD_NAME);
	assert_string_equal(cfg.port_vpmd_dev, "pci=0000:00:01.0");
	memcpy(def.port_spec, cfg.port_spec, sizeof(def.port_spec));
	memcpy(def.port_arg, cfg.port_arg, sizeof(def.port_arg));
	memcpy(def.port_vpmd_dev, cfg.port_vpmd_dev, sizeof(def.port_vpmd_dev));
	memcpy(def.config_file, cfg.config_file, sizeof(def.config_file));
	assert_memory_equal(&cfg, &def, sizeof(cfg));
}

static void
test_usage_lists_every_option(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	static const char *const opts[] = { "--config",     "--port",         "--queues",
					    "--lcore-map",  "--ip",           "--mac",
					    "--iperf-port", "--discard-port", "--sha256",
					    "--ring-size",  "--mbufs",        "--stats-interval",
					    "--stats-json", "--packed",       "--max-flows",
					    "--help" };

	(void)state;
	assert_non_null(f);
	vns_config_usage(f, "vnetsink");
	fclose(f);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strstr(buf, opts[i]) == NULL)
			fail_msg("--help does not mention %s", opts[i]);
	free(buf);
}

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
remove_dir(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_port_forms),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_lcore_map),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_client_mode),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_cli_overrides_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_resolve_lcores),
		cmocka_unit_test(test_shipped_ini_matches_defaults),
		cmocka_unit_test(test_usage_lists_every_option),
	};

	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
