/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vnetsink: parse the options, start the EAL, open the port, give each queue a stack and a
 * pinned loop, report stats on the main lcore until SIGINT/SIGTERM, then shut down cleanly.
 *
 *     vnetsink [EAL options] -- [vnetsink options]      (vnetsink -- --help)
 *
 * Exit status: 0 after a clean shutdown, 2 for a bad option or value (nothing started), 1 when
 * the EAL, the port or memory could not be set up (one line says what and what to do). In
 * client mode (--iperf-client) the run ends with the test: 0 if it passed, 1 if it failed
 * (one line says why) or was interrupted.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "vns_client.h"
#include "vns_err.h"
#include "vns_config.h"
#include "vns_port.h"
#include "vns_services.h"
#include "vns_stack.h"
#include "vns_stats.h"
#include "vns_telemetry.h"
#include "vns_worker.h"

#define VNS_MAIN_TICK_US 100000 /* main lcore: stats, closed records, signals */

struct vns_app {
	struct vns_config cfg;
	struct vns_port *port;
	bool pdump; /* rte_pdump_init() done */
	struct rte_mempool *pool;
	struct vns_shared *shared;
	struct vns_stack *stacks[VNS_MAX_QUEUES];
	struct vns_queue *queues[VNS_MAX_QUEUES];
	struct vns_worker workers[RTE_MAX_LCORE];
	struct vns_ip3c_result *client; /* client mode: the test's result, NULL otherwise */
};

/* First SIGINT/SIGTERM: stop the loops and shut down cleanly. A second one: die at once. */
static void
on_signal(int sig)
{
	if (vns_worker_stopping()) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	vns_worker_stop();
}

/* Print one failure: the only place the app writes an error line. */
static void
report(const char *err)
{
	fprintf(stderr, "vnetsink: %s\n", err);
}

/* Turn rte_eal_init()'s rte_errno into the one thing the user should do. */
static void
eal_error(int e)
{
	char err[512];
	const char *what;

	switch (e) {
	case EACCES:
		what = "permission denied: run as root (hugepages, /dev/vfio, tap devices need it)";
		break;
	case ENOMEM:
		what = "no hugepage memory: reserve and mount hugepages (dpdk-hugepages.py -p 2M "
		       "--setup 1G), or run with EAL --no-huge -m 512";
		break;
	case EALREADY:
	case EBUSY:
		what = "another DPDK process uses the same runtime directory: give each process "
		       "its own EAL --file-prefix";
		break;
	case ENOTSUP:
		what = "a device could not be probed: check the EAL lines above (a --vdev name or "
		       "tap interface in use by another process, or a PCI device not bound to "
		       "vfio-pci/uio)";
		break;
	case EINVAL:
		what = "bad EAL option (see the EAL lines above); EAL options go before --, "
		       "vnetsink's after it";
		break;
	case 0:
		/* DPDK 22.11 leaves rte_errno unset when it cannot lock its runtime config. */
		what = "most likely another DPDK process runs with the same --file-prefix (see "
		       "the EAL lines above): give each process its own EAL --file-prefix";
		break;
	default:
		what = "see the EAL lines above";
		break;
	}
	snprintf(err, sizeof(err), "EAL initialisation failed (%s): %s",
		 e ? rte_strerror(e) : "no reason given", what);
	report(err);
}

/* Enough mbufs for full rx rings, a full tx ring and tx buffer and the out-of-order store per
 * queue, plus caches. */
static uint32_t
pool_size(const struct vns_config *cfg, uint16_t nb_queues)
{
	uint64_t per_queue = 2u * cfg->ring_size + VNS_TXBUF_MAX + VNS_RX_BURST +
			     VNS_STACK_OOO_MBUFS;
	uint64_t n = (uint64_t)nb_queues * per_queue + (uint64_t)rte_lcore_count() * 256 + 2048;

	if (cfg->mbufs != 0)
		return cfg->mbufs;
	return (uint32_t)RTE_MIN(n, 4194304u);
}

/*
 * --port vpmd:PCI_ADDRESS: our driver maps the device itself, so no PCI driver of the EAL
 * (DPDK's net_virtio matches it too) may take it: block it, unless the user chose the EAL's
 * PCI devices with an allow list (which cannot be combined with a block list); then
 * vpmd_pci_check() refuses a device the EAL gave to another driver.
 */
static char **
eal_args(int argc, char **argv, const struct vns_config *cfg, int *argc_out)
{
	const char *pci = vns_config_vpmd_pci(cfg);
	char **out;

	*argc_out = argc;
	for (int i = 1; i < argc && pci != NULL; i++)
		if (strcmp(argv[i], "-a") == 0 || strncmp(argv[i], "--allow", 7) == 0)
			pci = NULL;
	if (pci == NULL)
		return argv;
	out = calloc((size_t)argc + 3, sizeof(*out));
	if (out == NULL)
		return argv;
	memcpy(out, argv, (size_t)argc * sizeof(*out));
	out[argc] = "-b";
	out[argc + 1] = (char *)(uintptr_t)pci;
	*argc_out = argc + 2;
	return out;
}

static int
vpmd_pci_check(const struct vns_config *cfg, char *err, size_t errlen)
{
	const char *pci = vns_config_vpmd_pci(cfg);
	uint16_t port_id;

	if (pci == NULL || rte_eth_dev_get_port_by_name(pci, &port_id) != 0)
		return 0;
	return vns_fail(err, errlen,
			"--port %s: the EAL already gave %s to another driver (port %u); drop "
			"it from the EAL's -a list or start the EAL with --no-pci",
			cfg->port_arg, pci, port_id);
}

/* Open the port, create the mbuf pool and set up cfg->nb_queues queue pairs. -ENODEV for a
 * --port that names no port (a usage error). */
static int
setup_port(struct vns_app *app, int socket, char *err, size_t errlen)
{
	const struct vns_config *cfg = &app->cfg;
	const struct vns_port_conf port_conf = {
		.ring_size = cfg->ring_size,
		.mac_set = cfg->mac_set,
		.mac = cfg->mac,
		.tso = cfg->max_senders > 0,
	};
	uint32_t nb_mbufs = pool_size(cfg, cfg->nb_queues);
	char devargs[VNS_PORT_SPEC_MAX + 64], why[VNS_PORT_SPEC_MAX + 256];
	int rc;

	if (cfg->port_vpmd_dev[0] != '\0') {
		if (vpmd_pci_check(cfg, err, errlen) != 0)
			return -1;
		if (vns_config_vpmd_devargs(cfg, devargs, sizeof(devargs)) != 0)
			return vns_fail(err, errlen, "--port %s: too long", cfg->port_arg);
		if (vns_port_vpmd_create(cfg->port_spec, devargs, why, sizeof(why)) != 0)
			return vns_fail(err, errlen, "--port %s: %s", cfg->port_arg, why);
	}
	app->port = vns_port_open(cfg->port_spec, &rc, err, errlen);
	if (app->port == NULL)
		return rc == -ENODEV ? -ENODEV : -1;
	app->pool = rte_pktmbuf_pool_create("vns_mbufs", nb_mbufs, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (app->pool == NULL)
		return vns_fail(
			err, errlen,
			"cannot allocate %u mbufs (%u MB of hugepage memory): %s; "
			"lower --mbufs/--ring-size or reserve more hugepages",
			nb_mbufs,
			(unsigned int)((uint64_t)nb_mbufs * (RTE_MBUF_DEFAULT_BUF_SIZE + 256) >>
				       20),
			rte_strerror(rte_errno));
	return vns_port_setup(app->port, &port_conf, cfg->nb_queues, app->pool, err, errlen);
}

/* Give each queue its stack and loop state, and its worker lcore the queue. */
static int
setup_queues(struct vns_app *app, int socket, char *err, size_t errlen)
{
	const struct vns_config *cfg = &app->cfg;
	const struct vns_discard_conf discard_conf = { .sha256 = cfg->sha256 };
	const struct vns_iperf3_conf iperf3_conf = { .rcv_timeout_s = cfg->iperf_rcv_timeout };
	struct vns_ip3c_conf client_conf;
	const struct vns_service_bind services[] = {
		{ cfg->iperf_port, &vns_iperf3_ops, &iperf3_conf },
		{ cfg->discard_port, &vns_discard_ops, &discard_conf },
		/* client mode: on its one queue, listening on no port */
		{ 0, &vns_iperf3_client_ops, &client_conf },
	};
	char why[256];

	if (cfg->client) {
		app->client = calloc(1, sizeof(*app->client));
		if (app->client == NULL)
			return vns_fail(err, errlen, "out of memory for the client's result");
		vns_client_conf(cfg, app->client, &client_conf);
	}

	app->shared = vns_shared_create(cfg->nb_queues, socket, err, errlen);
	if (app->shared == NULL)
		return -1;
	for (uint16_t q = 0; q < cfg->nb_queues; q++) {
		struct vns_stack_conf sc = {
			.ip = cfg->ip,
			.mac = cfg->mac_set ? cfg->mac : app->port->info.mac,
			.max_flows = cfg->max_flows,
			.pool = app->pool,
			.queue_id = q,
			.tx_offloads = app->port->info.tx_offloads,
			.mtu = app->port->info.mtu,
			.max_senders = cfg->max_senders,
			.tso_frame_max = app->port->info.tso_frame_max,
			.send_window = cfg->send_window,
			.tx_ring_size = cfg->ring_size,
			.services = services,
			.nb_services = (uint8_t)(cfg->client ? RTE_DIM(services)
							     : RTE_DIM(services) - 1),
		};
		unsigned int lcore = cfg->queue_lcore[q];
		int qsocket = (int)rte_lcore_to_socket_id(lcore);
		struct vns_port_queue pq;
		struct vns_worker *w = &app->workers[lcore];

		app->stacks[q] = vns_stack_create(&sc, app->shared, qsocket, why, sizeof(why));
		if (app->stacks[q] == NULL)
			return vns_fail(err, errlen, "queue %u: cannot create its stack: %s", q,
					why);
		vns_port_queue_get(app->port, q, &pq);
		app->queues[q] = vns_queue_create(q, lcore, &pq, app->stacks[q], qsocket);
		if (app->queues[q] == NULL)
			return vns_fail(err, errlen,
					"queue %u: out of hugepage memory for its loop "
					"state",
					q);
		w->lcore_id = lcore;
		w->queues[w->nb_queues++] = app->queues[q];
	}
	return 0;
}

/* Stats on the main lcore and, when the EAL has telemetry, the telemetry commands. */
static int
setup_reporting(struct vns_app *app, char *err, size_t errlen)
{
	const struct vns_stats_src src = {
		.cfg = &app->cfg,
		.port = app->port,
		.nb_queues = app->cfg.nb_queues,
		.queues = app->queues,
		.pool = app->pool,
		.start_tsc = rte_rdtsc(),
	};

	if (vns_stats_init(&src, err, errlen) != 0)
		return -1;
	/* Not fatal: the stats stay on stdout and in the JSON file. */
	if (vns_telemetry_init(&src, err, errlen) != 0)
		report(err);
	return 0;
}

/* Everything before the loops start. 0, or the exit status after one line on stderr. */
static int
app_setup(struct vns_app *app)
{
	struct vns_config *cfg = &app->cfg;
	bool enabled[RTE_MAX_LCORE];
	char err[512];
	int socket = (int)rte_socket_id();
	int rc;

	for (unsigned int i = 0; i < RTE_MAX_LCORE; i++)
		enabled[i] = rte_lcore_is_enabled(i);
	if (vns_config_resolve_lcores(cfg, enabled, RTE_MAX_LCORE, rte_get_main_lcore(), err,
				      sizeof(err)) != 0) {
		report(err);
		return VNS_EXIT_USAGE;
	}
	rc = setup_port(app, socket, err, sizeof(err));
	if (rc == -ENODEV) {
		report(err);
		return VNS_EXIT_USAGE;
	}
	/* The stacks' memory exists before the port starts: a vhost-user backend reaches only
	 * the memory there was at start. */
	if (rc != 0 || setup_queues(app, socket, err, sizeof(err)) != 0 ||
	    vns_port_start(app->port, err, sizeof(err)) != 0 ||
	    setup_reporting(app, err, sizeof(err)) != 0) {
		report(err);
		return 1;
	}
	/* dpdk-dumpcap (a secondary process) captures through callbacks on our bursts. Not
	 * fatal: everything else runs without it. */
	app->pdump = rte_pdump_init() == 0;
	if (!app->pdump) {
		snprintf(err, sizeof(err), "packet capture unavailable: rte_pdump_init: %s",
			 rte_strerror(rte_errno));
		report(err);
	}
	return 0;
}

static void
app_teardown(struct vns_app *app)
{
	/* Whatever telemetry registered must stop reading before the queues go; so must a
	 * capture's callbacks (rte_pdump_uninit: no new ones; the port stops next). */
	vns_telemetry_detach();
	if (app->pdump)
		(void)rte_pdump_uninit();
	/* The device may still hold transmitted mbufs until it is closed; some come from the
	 * stacks' own pools (bulk senders), which go with the stacks: close it first. */
	vns_port_close(app->port);
	app->port = NULL;
	for (uint16_t q = 0; q < VNS_MAX_QUEUES; q++) {
		vns_queue_free(app->queues[q]);
		if (app->stacks[q] != NULL)
			vns_stack_free(app->stacks[q]);
	}
	if (app->shared != NULL)
		vns_shared_free(app->shared);
	rte_mempool_free(app->pool);
}

/*
 * Sleeps until the next tick, on an absolute deadline. A relative sleep restarted after each
 * signal (rte_delay_us_sleep) does not count the time spent in the handlers, so a steady
 * stream of them keeps it from ever ending: net_tap queues a real-time signal per frame it
 * receives, and under a flood the main lcore stopped for as long as the flood lasted (no stats,
 * no closed records, no JSON file).
 */
static void
main_tick_sleep(struct timespec *next)
{
	const int64_t tick_ns = (int64_t)VNS_MAIN_TICK_US * 1000;
	struct timespec now;
	int64_t late_ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	next->tv_nsec += tick_ns;
	next->tv_sec += next->tv_nsec / 1000000000L;
	next->tv_nsec %= 1000000000L;
	late_ns = ((int64_t)now.tv_sec - next->tv_sec) * 1000000000L +
		  (now.tv_nsec - next->tv_nsec);
	/* More than a tick behind (a stopped process, a slow stats write): start afresh. */
	if (late_ns > tick_ns) {
		*next = now;
		return;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

static void
app_run(struct vns_app *app)
{
	struct timespec next_tick;
	unsigned int lcore;
	char err[512];

	printf("vnetsink: starting with this configuration:\n");
	vns_config_print(&app->cfg, stdout);
	vns_port_dump(app->port, stdout);
	if (app->cfg.max_senders > 0) {
		uint32_t tx = app->port->info.tx_offloads, mbufs;
		uint64_t bytes;

		vns_stack_snd_pool_size(app->stacks[0], &mbufs, &bytes);
		printf("vnetsink: bulk send: %s; a pool of %u mbufs (%.1f MiB) per queue\n",
		       !(tx & VNS_TXOFF_MULTI_SEGS)
			       ? "the payload copied into one mbuf a segment (the port takes no "
				 "chained mbufs), segmented by the stack at the peer's MSS"
		       : (tx & VNS_TXOFF_TCP_TSO) != 0
			       ? "TSO (the port segments up to 64 KB per frame)"
			       : "segmented by the stack at the peer's MSS",
		       mbufs, (double)bytes / (1 << 20));
	}
	fflush(stdout);

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (app->workers[lcore].nb_queues == 0)
			continue;
		if (rte_eal_remote_launch(vns_worker_main, &app->workers[lcore], lcore) != 0) {
			snprintf(err, sizeof(err),
				 "lcore %u is busy and cannot run its queues; "
				 "stopping",
				 lcore);
			report(err);
			vns_worker_stop();
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &next_tick);
	while (!vns_worker_stopping()) {
		if (app->client != NULL && vns_ip3c_done(app->client))
			vns_worker_stop();
		if (vns_stats_tick(rte_rdtsc(), err, sizeof(err)) != 0)
			report(err);
		vns_port_health_check(app->port);
		main_tick_sleep(&next_tick);
	}
	rte_eal_mp_wait_lcore();
	printf("vnetsink: stopping\n");
	if (vns_stats_final(stdout, err, sizeof(err)) != 0)
		report(err);
}

/* Client mode: the summary, the JSON, and the exit status the test earned. */
static int
client_report(struct vns_app *app)
{
	const struct vns_ip3c_result *res = app->client;
	char err[512];
	int rc = 0;

	vns_client_print(&app->cfg, res, stdout);
	if (app->cfg.client_json[0] != '\0' &&
	    vns_client_json(&app->cfg, res, err, sizeof(err)) != 0) {
		report(err);
		rc = 1;
	}
	if (!vns_ip3c_done(res)) {
		report("iperf3 client: interrupted before the test ended");
		return 1;
	}
	if (res->status != 0) {
		snprintf(err, sizeof(err), "iperf3 client: %s", res->err);
		report(err);
		return 1;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static struct vns_app app; /* large (per-lcore worker table): not on the stack */
	enum vns_config_status st;
	char err[1024];
	char **eal_argv;
	int dashes = argc, eal_argc, rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashes = i;
			break;
		}
	/* `vnetsink --help` without EAL arguments is common enough to answer directly. */
	if (dashes == argc && argc == 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		vns_config_usage(stdout, argv[0]);
		return 0;
	}

	vns_config_defaults(&app.cfg);
	st = vns_config_parse(&app.cfg, dashes < argc ? argc - dashes - 1 : 0, argv + dashes + 1,
			      err, sizeof(err));
	if (st == VNS_CONFIG_HELP) {
		vns_config_usage(stdout, argv[0]);
		return 0;
	}
	if (st == VNS_CONFIG_ERROR) {
		report(err);
		return VNS_EXIT_USAGE;
	}

	eal_argv = eal_args(dashes, argv, &app.cfg, &eal_argc);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		eal_error(rte_errno);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* After rte_eal_init(): its control threads were started with them unblocked. */
	vns_lcore_block_rt_signals();

	rc = app_setup(&app);
	if (rc == 0)
		app_run(&app);
	else
		vns_worker_stop();
	if (rc == 0 && app.client != NULL)
		rc = client_report(&app);
	app_teardown(&app);
	free(app.client);
	rte_eal_cleanup();
	return rc;
}
