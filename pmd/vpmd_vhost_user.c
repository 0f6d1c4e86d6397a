/* SPDX-License-Identifier: BSD-3-Clause */
/* Placeholder until the transport lands: fails cleanly so the library links. */
#include <errno.h>
#include <stdio.h>

#include "vpmd_transport.h"

int vpmd_vhost_user_probe(const char *path, const struct vpmd_transport_ops **ops, void **priv, char *err,
	size_t errlen)
{
	(void)ops;
	(void)priv;
	snprintf(err, errlen, "%s: transport not built yet", path);
	return -ENOTSUP;
}
