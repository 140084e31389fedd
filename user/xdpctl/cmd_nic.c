// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdpctl nic bind BDF [--force] | nic unbind BDF | nic status BDF: hand a NIC to vfio-pci for
 * the "vfio:BDF" port backend (user/nic/) and give it back to its kernel driver.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <hybridpath/common.h>
#include "nic/nic.h"
#include "xdpctl.h"

static int nic_bind(int argc, char **argv)
{
	static struct { bool force; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("force", 'f', &o.force, "move it even if its interface has an address or "
			  "the default route"),
		XOPT_END
	};
	static const struct xcmd spec = {
		"nic bind", "BDF", 1, 1, opts, "bind a PCI NIC to vfio-pci (for vfio:BDF ports)"
	};
	char *pos[1], before[64] = "", after[64] = "";
	int rc = xdpctl_parse(&spec, argc, argv, pos), err;

	if (rc != XDPCTL_CONTINUE)
		return rc;
	hp_nic_driver(pos[0], before, sizeof(before));
	err = hp_nic_bind(pos[0], o.force);
	if (err)
		return xdpctl_err("nic bind %s failed: %s", pos[0], hp_strerror(err));
	hp_nic_driver(pos[0], after, sizeof(after));
	printf("%s: %s -> %s\n", pos[0], before[0] ? before : "(none)", after);
	return XDPCTL_OK;
}

static int nic_unbind(int argc, char **argv)
{
	static const struct xopt opts[] = { XOPT_END };
	static const struct xcmd spec = {
		"nic unbind", "BDF", 1, 1, opts, "give a NIC back from vfio-pci to its kernel driver"
	};
	char *pos[1], before[64] = "", after[64] = "";
	int rc = xdpctl_parse(&spec, argc, argv, pos), err;

	if (rc != XDPCTL_CONTINUE)
		return rc;
	hp_nic_driver(pos[0], before, sizeof(before));
	err = hp_nic_unbind(pos[0]);
	if (err)
		return xdpctl_err("nic unbind %s failed: %s", pos[0], hp_strerror(err));
	hp_nic_driver(pos[0], after, sizeof(after));
	printf("%s: %s -> %s\n", pos[0], before[0] ? before : "(none)", after);
	return XDPCTL_OK;
}

static int nic_status(int argc, char **argv)
{
	static const struct xopt opts[] = { XOPT_END };
	static const struct xcmd spec = {
		"nic status", "BDF", 1, 1, opts, "which driver holds a PCI NIC"
	};
	char *pos[1], drv[64] = "";
	int rc = xdpctl_parse(&spec, argc, argv, pos), err;

	if (rc != XDPCTL_CONTINUE)
		return rc;
	err = hp_nic_driver(pos[0], drv, sizeof(drv));
	if (err)
		return xdpctl_err("nic status %s failed: %s", pos[0], hp_strerror(err));
	printf("%s: %s\n", pos[0], drv[0] ? drv : "(no driver)");
	return XDPCTL_OK;
}

int cmd_nic(int argc, char **argv)
{
	static const struct xverb verbs[] = {
		{ "bind", nic_bind, "BDF [--force]: move a NIC to vfio-pci" },
		{ "unbind", nic_unbind, "BDF: give it back to its kernel driver" },
		{ "status", nic_status, "BDF: the driver that holds it" },
		{ NULL, NULL, NULL }
	};

	return xdpctl_dispatch("nic", verbs, argc, argv);
}
