/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device spec syntax, parsed in one place: vpmd_open() picks the transport with it and
 * the PCI probe normalises its address with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpmd_err.h"
#include "vpmd_transport.h"

#define SPEC_PCI_PREFIX        "pci:"
#define SPEC_VHOST_USER_PREFIX "vhost-user:"
#define SPEC_USAGE             "use 0000:00:01.0, pci:0000:00:01.0 or vhost-user:/path/to.sock"

/* Whether s has the shape of a PCI address, in range or not. */
static int
pci_addr_scan(const char *s, unsigned int *dom, unsigned int *bus, unsigned int *dev,
	      unsigned int *fn)
{
	char tail;

	*dom = 0;
	if (sscanf(s, "%x:%x:%x.%x%c", dom, bus, dev, fn, &tail) == 4)
		return 0;
	*dom = 0;
	if (sscanf(s, "%x:%x.%x%c", bus, dev, fn, &tail) == 3)
		return 0;
	return -EINVAL;
}

int
vpmd_pci_addr_parse(const char *in, char out[VPMD_PCI_ADDR_LEN])
{
	unsigned int dom, bus, dev, fn;

	if (pci_addr_scan(in, &dom, &bus, &dev, &fn) != 0 || dom > 0xffff || bus > 0xff ||
	    dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, VPMD_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

int
vpmd_devspec_parse(const char *spec, struct vpmd_devspec *ds, char *err, size_t errlen)
{
	unsigned int dom, bus, dev, fn;
	const char *addr;

	memset(ds, 0, sizeof(*ds));
	if (spec == NULL || *spec == '\0') {
		vpmd_set_err(err, errlen, "empty device spec: " SPEC_USAGE);
		return -EINVAL;
	}
	if (strncmp(spec, SPEC_VHOST_USER_PREFIX, strlen(SPEC_VHOST_USER_PREFIX)) == 0) {
		ds->kind = VPMD_DEVSPEC_VHOST_USER;
		ds->vhost_user = spec + strlen(SPEC_VHOST_USER_PREFIX);
		if (*ds->vhost_user == '\0') {
			vpmd_set_err(err, errlen,
				     "%s: no socket path after " SPEC_VHOST_USER_PREFIX, spec);
			return -EINVAL;
		}
		return 0;
	}
	addr = spec;
	if (strncmp(spec, SPEC_PCI_PREFIX, strlen(SPEC_PCI_PREFIX)) == 0)
		addr += strlen(SPEC_PCI_PREFIX);
	ds->kind = VPMD_DEVSPEC_PCI;
	if (pci_addr_scan(addr, &dom, &bus, &dev, &fn) != 0) {
		vpmd_set_err(err, errlen, "%s: not a device spec: " SPEC_USAGE, spec);
		return -EINVAL;
	}
	if (vpmd_pci_addr_parse(addr, ds->pci_addr) != 0) {
		vpmd_set_err(err, errlen,
			     "'%s' is not a PCI address (expected DDDD:BB:DD.F, e.g. "
			     "0000:00:01.0)",
			     addr);
		return -EINVAL;
	}
	return 0;
}
