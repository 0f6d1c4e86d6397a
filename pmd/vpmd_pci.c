/* SPDX-License-Identifier: BSD-3-Clause */
/* Placeholder until the transport lands: fails cleanly so the library links. */
#include <errno.h>
#include <stdio.h>

#include "vpmd_transport.h"

int vpmd_pci_probe(const char *pci_addr, const struct vpmd_transport_ops **ops, void **priv, char *err,
	size_t errlen)
{
	(void)ops;
	(void)priv;
	snprintf(err, errlen, "%s: transport not built yet", pci_addr);
	return -ENOTSUP;
}
