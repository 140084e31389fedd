// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdpctl attach / detach / status / features: steering on an interface (loader/). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <hybridpath/loader.h>
#include "xdpctl.h"
#include "json.h"
#include "steer_util.h"

/*
 * Is this process in a named network namespace (/run/netns/NAME) with a mount namespace of its
 * own, as `ip netns exec` sets up? Then a bpffs we mount vanishes when we exit. Fills name.
 */
static bool in_private_netns_exec(char *name, size_t len)
{
	struct stat self, other, m1, m2;
	char path[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (xdpctl_netns || stat("/proc/self/ns/net", &self))
		return false;
	/* same mount namespace as init: a bpffs mounted here persists */
	if (!stat("/proc/self/ns/mnt", &m1) && !stat("/proc/1/ns/mnt", &m2) &&
	    m1.st_ino == m2.st_ino && m1.st_dev == m2.st_dev)
		return false;
	d = opendir("/run/netns");
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		if (!stat(path, &other) && other.st_ino == self.st_ino &&
		    other.st_dev == self.st_dev) {
			snprintf(name, len, "%s", e->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

int steer_bpffs(bool refuse_private, char *hint, size_t hint_len)
{
	char ns[NAME_MAX + 1];
	bool mounted;
	int err;

	if (hint && hint_len)
		hint[0] = 0;
	err = hp_bpffs_ensure(NULL, 0, &mounted);
	if (err)
		return xdpctl_err("bpffs is not available at /sys/fs/bpf: %s (run as root)",
				  hp_strerror(err));
	if (!mounted || !in_private_netns_exec(ns, sizeof(ns)))
		return XDPCTL_OK;
	if (refuse_private) {
		umount2("/sys/fs/bpf", MNT_DETACH);
		return xdpctl_err("inside network namespace '%s' with a private /sys (ip "
				  "netns exec?): a bpffs mounted here vanishes when xdpctl exits "
				  "and takes the attachment with it; use xdpctl -n %s ... instead",
				  ns, ns);
	}
	if (hint)
		snprintf(hint, hint_len, " (this process has a private bpffs: use xdpctl -n %s)",
			 ns);
	return XDPCTL_OK;
}

int steer_err(int err, const char *what, const char *ifname, const char *hint)
{
	switch (-err) {
	case ENOENT:
		return xdpctl_err("steering is not attached to %s: run xdpctl attach %s first%s",
				  ifname, ifname, hint ? hint : "");
	case EPERM:
	case EACCES:
		return xdpctl_err("%s %s: permission denied: run as root (needs CAP_BPF, "
				  "CAP_NET_ADMIN and write access to /run/hybridpath)", what,
				  ifname);
	case ENODEV:
		return xdpctl_err("%s: interface %s disappeared", what, ifname);
	default:
		return xdpctl_err("%s %s failed: %s", what, ifname, hp_strerror(err));
	}
}

const char *steer_action_name(__u32 a)
{
	switch (a) {
	case HP_ACT_PASS: return "pass";
	case HP_ACT_DROP: return "drop";
	case HP_ACT_XSK: return "xsk";
	case HP_ACT_REDIRECT: return "redirect";
	case HP_ACT_TX: return "tx";
	default: return "?";
	}
}

int cmd_attach(int argc, char **argv)
{
	static struct { const char *mode, *def; bool no_disp; } o;
	static const struct xopt opts[] = {
		XOPT_STR("mode", 'm', &o.mode, "native|skb", "XDP mode (default native)"),
		XOPT_STR("default", 'd', &o.def, "pass|drop",
			 "action when no rule matches (default pass)"),
		XOPT_FLAG("no-dispatcher", 0, &o.no_disp,
			  "skip libxdp's dispatcher: single program on a bpf_link"),
		XOPT_END
	};
	static const struct xcmd spec = { "attach", "IFACE", 1, 1, opts,
		"load the steering program and attach it to IFACE" };
	HP_OPTS(hp_attach_opts, ao);
	struct hp_steer_status st;
	char *pos[1];
	int rc, ifindex, err;

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	if (!o.mode || !strcmp(o.mode, "native") || !strcmp(o.mode, "drv"))
		ao.mode = HP_XDP_MODE_NATIVE;
	else if (!strcmp(o.mode, "skb") || !strcmp(o.mode, "generic"))
		ao.mode = HP_XDP_MODE_SKB;
	else
		return xdpctl_usage_err(&spec, "bad --mode '%s': use native or skb", o.mode);
	if (!o.def || !strcmp(o.def, "pass"))
		ao.default_action = HP_ACT_PASS;
	else if (!strcmp(o.def, "drop"))
		ao.default_action = HP_ACT_DROP;
	else
		return xdpctl_usage_err(&spec, "bad --default '%s': use pass or drop", o.def);
	ao.no_dispatcher = o.no_disp;
	if (xdpctl_ifindex(pos[0], &ifindex))
		return XDPCTL_FAIL;
	rc = steer_bpffs(true, NULL, 0);
	if (rc)
		return rc;
	err = hp_steer_attach(ifindex, &ao);
	if (err == -EEXIST)
		return xdpctl_err("steering is already attached to %s: run xdpctl detach %s first",
				  pos[0], pos[0]);
	if (err == -EBUSY)
		return xdpctl_err("cannot attach to %s: another XDP program holds the interface",
				  pos[0]);
	if (err)
		return steer_err(err, "attach to", pos[0], NULL);
	if (hp_steer_status(ifindex, &st))
		return xdpctl_err("attached to %s, but reading its status failed", pos[0]);
	printf("attached to %s: %s mode, %s, prog id %u", pos[0],
	       st.mode == HP_XDP_MODE_SKB ? "skb" : "native",
	       st.dispatcher ? "libxdp dispatcher" : "single program (bpf_link)", st.prog_id);
	if (st.link_id)
		printf(", link id %u", st.link_id);
	printf(", default %s\n", steer_action_name(st.default_action));
	return XDPCTL_OK;
}

int cmd_detach(int argc, char **argv)
{
	static const struct xopt opts[] = { XOPT_END };
	static const struct xcmd spec = { "detach", "IFACE", 1, 1, opts,
		"detach steering from IFACE and free its maps and rules" };
	char *pos[1], hint[128];
	int rc, ifindex, err;

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	if (xdpctl_ifindex(pos[0], &ifindex))
		return XDPCTL_FAIL;
	rc = steer_bpffs(false, hint, sizeof(hint));
	if (rc)
		return rc;
	err = hp_steer_detach(ifindex);
	if (err == -ENOENT)
		return xdpctl_err("steering is not attached to %s: nothing to detach%s", pos[0],
				  hint);
	if (err)
		return steer_err(err, "detach from", pos[0], hint);
	printf("detached from %s\n", pos[0]);
	return XDPCTL_OK;
}

static void status_json(struct jw *w, const struct hp_steer_status *st, bool attached)
{
	jw_obj_open(w, NULL);
	jw_str(w, "ifname", st->ifname);
	jw_u64(w, "ifindex", st->ifindex);
	jw_bool(w, "attached", attached);
	if (attached) {
		jw_str(w, "mode", st->mode == HP_XDP_MODE_SKB ? "skb" : "native");
		jw_str(w, "attach", st->dispatcher ? "dispatcher" : "single");
		jw_u64(w, "prog_id", st->prog_id);
		jw_u64(w, "link_id", st->link_id);
		jw_u64(w, "dispatcher_id", st->dispatcher_id);
		jw_u64(w, "rules", st->rule_count);
		jw_str(w, "default", steer_action_name(st->default_action));
		jw_u64(w, "netns_cookie", st->netns_cookie);
		jw_str(w, "pin_dir", st->pin_dir);
	}
	jw_obj_close(w);
}

static void status_line(const struct hp_steer_status *st, bool attached)
{
	if (!attached) {
		printf("%-16s %s\n", st->ifname, "not attached");
		return;
	}
	printf("%-16s %-7s %-11s %8u %8u %8u  %-7s\n", st->ifname,
	       st->mode == HP_XDP_MODE_SKB ? "skb" : "native",
	       st->dispatcher ? "dispatcher" : "single", st->prog_id, st->link_id,
	       st->rule_count, steer_action_name(st->default_action));
}

int cmd_status(int argc, char **argv)
{
	static struct { bool json; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("json", 'j', &o.json, "JSON output (format in user/xdpctl/README.md)"),
		XOPT_END
	};
	static const struct xcmd spec = { "status", "[IFACE]", 0, 1, opts,
		"where steering is attached in this network namespace" };
	struct hp_steer_status st;
	struct jw *w = NULL;
	char *pos[1], hint[128];
	int rc, ifindex, err, n, i, ids[1024];

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	if (pos[0] && xdpctl_ifindex(pos[0], &ifindex))
		return XDPCTL_FAIL;
	rc = steer_bpffs(false, hint, sizeof(hint));
	if (rc)
		return rc;
	if (pos[0]) {
		ids[0] = ifindex;
		n = 1;
	} else {
		n = hp_steer_list(ids, HP_ARRAY_SIZE_X(ids));
		if (n < 0)
			return steer_err(n, "status of", "all interfaces", hint);
		if (n > (int)HP_ARRAY_SIZE_X(ids))
			n = HP_ARRAY_SIZE_X(ids);
	}
	if (o.json) {
		w = jw_new(stdout);
		if (!w)
			return xdpctl_err("out of memory");
		jw_obj_open(w, NULL);
		jw_arr_open(w, "interfaces");
	} else {
		printf("%-16s %-7s %-11s %8s %8s %8s  %-7s\n", "Interface", "Mode", "Attach",
		       "Prog", "Link", "Rules", "Default");
	}
	rc = XDPCTL_OK;
	for (i = 0; i < n; i++) {
		err = hp_steer_status(ids[i], &st);
		if (err && err != -ENOENT) {
			rc = steer_err(err, "status of", pos[0] ? pos[0] : st.ifname, hint);
			continue;
		}
		if (o.json)
			status_json(w, &st, !err);
		else
			status_line(&st, !err);
	}
	if (w) {
		jw_arr_close(w);
		jw_obj_close(w);
		jw_free(w);
	}
	return rc;
}

int cmd_features(int argc, char **argv)
{
	static struct { bool json; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("json", 'j', &o.json, "JSON output"),
		XOPT_END
	};
	static const struct xcmd spec = { "features", "IFACE", 1, 1, opts,
		"XDP features of IFACE as the kernel reports them over netlink" };
	struct hp_xdp_features f;
	const struct { const char *name; bool *v; const char *what; } rows[] = {
		{ "basic", &f.basic, "XDP_PASS/DROP/TX/ABORTED" },
		{ "redirect", &f.redirect, "XDP_REDIRECT from this device" },
		{ "ndo_xmit", &f.ndo_xmit, "target of XDP_REDIRECT (ndo_xdp_xmit)" },
		{ "xsk_zerocopy", &f.xsk_zerocopy, "AF_XDP zero-copy" },
		{ "hw_offload", &f.hw_offload, "XDP hardware offload" },
		{ "rx_sg", &f.rx_sg, "multi-buffer rx (non-linear xdp_buff)" },
		{ "ndo_xmit_sg", &f.ndo_xmit_sg, "multi-buffer redirect target" },
	};
	char *pos[1];
	size_t i;
	int rc, ifindex, err;

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	if (xdpctl_ifindex(pos[0], &ifindex))
		return XDPCTL_FAIL;
	err = hp_xdp_features(ifindex, &f);
	if (err)
		return steer_err(err, "querying XDP features of", pos[0], NULL);
	if (o.json) {
		struct jw *w = jw_new(stdout);

		if (!w)
			return xdpctl_err("out of memory");
		jw_obj_open(w, NULL);
		jw_str(w, "ifname", pos[0]);
		jw_u64(w, "ifindex", ifindex);
		jw_bool(w, "reported", f.known);
		jw_u64(w, "flags", f.flags);
		for (i = 0; i < HP_ARRAY_SIZE_X(rows); i++)
			jw_bool(w, rows[i].name, *rows[i].v);
		jw_u64(w, "zc_max_segs", f.zc_max_segs);
		jw_u64(w, "attached_prog_id", f.attached_prog_id);
		jw_obj_close(w);
		jw_free(w);
		return XDPCTL_OK;
	}
	printf("%s (ifindex %d): XDP features reported by the kernel (flags 0x%llx)%s\n", pos[0],
	       ifindex, (unsigned long long)f.flags,
	       f.known ? "" : " -- none reported (kernel < 6.3 or driver without XDP)");
	for (i = 0; i < HP_ARRAY_SIZE_X(rows); i++)
		printf("  %-13s %-4s %s\n", rows[i].name, *rows[i].v ? "yes" : "no",
		       rows[i].what);
	printf("  %-13s %-4u %s\n", "zc_max_segs", f.zc_max_segs,
	       "zero-copy max segments per AF_XDP packet");
	if (f.attached_prog_id)
		printf("  XDP program attached now: id %u\n", f.attached_prog_id);
	return XDPCTL_OK;
}
