/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_pmd_vpmd.h: what net_vpmd tells an application beyond the ethdev API (DPDK's
 * rte_pmd_<driver>.h habit). Each call takes any port id: a port net_vpmd does not drive
 * answers as a healthy one, so an application may call them on whatever port it runs.
 */
#ifndef RTE_PMD_VPMD_H
#define RTE_PMD_VPMD_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * 1 when the device broke the ring protocol of queue pair queue_id (vpmd then stops the
 * queue: its bursts return 0 until the port is stopped and started again), 0 when it did not,
 * the port is stopped or not net_vpmd's; -ENODEV for no such port, -EINVAL for no such queue.
 * A read of the queue's state: safe from the lcore that polls the queue, off its burst path.
 */
int rte_pmd_vpmd_queue_broken(uint16_t port_id, uint16_t queue_id);

/*
 * Control path (the thread that configures the port): logs each broken queue of the port once
 * (bursts never log) and returns how many are broken; 0 for a stopped port or one that is not
 * net_vpmd's, -ENODEV for no such port.
 */
int rte_pmd_vpmd_health_check(uint16_t port_id);

/*
 * Control path: writes vpmd's view of the port to f (transport, features offered and
 * negotiated, ring layout and sizes, queue pairs, rx/tx path names; vpmd_info_dump()), the
 * same text as rte_eth_dev_priv_dump(). 0 when written, 1 when the port is not net_vpmd's
 * (nothing written), -ENODEV for no such port, -EINVAL for no file.
 */
int rte_pmd_vpmd_info_dump(uint16_t port_id, FILE *f);

#ifdef __cplusplus
}
#endif
#endif /* RTE_PMD_VPMD_H */
