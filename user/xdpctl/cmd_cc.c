// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdpctl cc: TCP congestion control policies in BPF (libhybridpath's hp_cc_* API).
 *
 *	xdpctl cc load NAME|FILE.bpf.o [--default] [--name NEW] [--unrestricted]
 *	xdpctl cc unload NAME [--force]
 *	xdpctl cc list [--json]
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <hybridpath/cc.h>
#include "xdpctl.h"
#include "json.h"

static int cc_load(int argc, char **argv)
{
	static struct { bool def, unrestricted; const char *name; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("default", 'd', &o.def, "also make it the default of this network "
			  "namespace (restores the previous default if that fails)"),
		XOPT_STR("name", 0, &o.name, "NEW",
			 "register under NEW instead of the object's name"),
		XOPT_FLAG("unrestricted", 'u', &o.unrestricted,
			  "let unprivileged sockets select it and other network namespaces make "
			  "it their default"),
		XOPT_END
	};
	static const struct xcmd spec = {
		"cc load", "NAME|FILE.bpf.o", 1, 1, opts,
		"register a congestion control (built in: hp_cubic, hp_dctcp, hp_vegas); it stays "
		"registered after xdpctl exits (pinned link)"
	};
	char *pos[1], name[HP_CC_NAME_MAX];
	int rc = xdpctl_parse(&spec, argc, argv, pos), err;

	if (rc != XDPCTL_CONTINUE)
		return rc;
	HP_OPTS(hp_cc_load_opts, lo, .name = o.name, .set_default = o.def,
		.unrestricted = o.unrestricted);
	err = hp_cc_load(pos[0], &lo, name);
	if (err)
		return xdpctl_err("cc load %s failed: %s", pos[0], hp_strerror(err));
	printf("%s%s\n", name, o.def ? " (default)" : "");
	return XDPCTL_OK;
}

static int cc_unload(int argc, char **argv)
{
	static struct { bool force; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("force", 'f', &o.force, "unload even if sockets use it (they keep it "
			  "until they close)"),
		XOPT_END
	};
	static const struct xcmd spec = {
		"cc unload", "NAME", 1, 1, opts, "unregister a congestion control loaded by xdpctl"
	};
	char *pos[1];
	int rc = xdpctl_parse(&spec, argc, argv, pos), err;

	if (rc != XDPCTL_CONTINUE)
		return rc;
	HP_OPTS(hp_cc_unload_opts, uo, .force = o.force);
	err = hp_cc_unload(pos[0], &uo);
	if (err)
		return xdpctl_err("cc unload %s failed: %s", pos[0], hp_strerror(err));
	return XDPCTL_OK;
}

static int cc_list(int argc, char **argv)
{
	static struct { bool json; } o;
	static const struct xopt opts[] = {
		XOPT_FLAG("json", 'j', &o.json, "print JSON"),
		XOPT_END
	};
	static const struct xcmd spec = {
		"cc list", NULL, 0, 0, opts,
		"congestion controls of the kernel and ours, the default, sockets using each "
		"(this network namespace), counters of ours"
	};
	struct hp_cc_info *v = NULL;
	size_t n = 0, i;
	int rc = xdpctl_parse(&spec, argc, argv, NULL), err, c;

	if (rc != XDPCTL_CONTINUE)
		return rc;
	err = hp_cc_list(&v, &n, NULL);
	if (err)
		return xdpctl_err("cc list failed: %s", hp_strerror(err));
	if (o.json) {
		struct jw *w = jw_new(stdout);

		jw_arr_open(w, NULL);
		for (i = 0; i < n; i++) {
			jw_obj_open(w, NULL);
			jw_str(w, "name", v[i].name);
			jw_bool(w, "available", v[i].available);
			jw_bool(w, "default", v[i].is_default);
			jw_bool(w, "allowed", v[i].allowed);
			jw_str(w, "owner", v[i].ours ? "hybridpath" : "kernel");
			if (v[i].sockets >= 0)
				jw_i64(w, "sockets", v[i].sockets);
			else
				jw_null(w, "sockets");
			if (v[i].ours) {
				jw_u64(w, "link_id", v[i].link_id);
				jw_u64(w, "map_id", v[i].map_id);
			}
			if (v[i].has_counters) {
				jw_obj_open(w, "counters");
				for (c = 0; c < hp_cc_counter_count(); c++)
					jw_u64(w, hp_cc_counter_name(c), v[i].counters[c]);
				jw_obj_close(w);
			}
			jw_obj_close(w);
		}
		jw_arr_close(w);
		jw_free(w);
	} else {
		printf("%-16s %-10s %-7s %-7s %7s  %s\n", "NAME", "OWNER", "DEFAULT", "ALLOWED",
		       "SOCKETS", "CALLBACKS (init/cong_avoid/ssthresh/acked)");
		for (i = 0; i < n; i++) {
			char socks[16] = "?";

			if (v[i].sockets >= 0)
				snprintf(socks, sizeof(socks), "%d", v[i].sockets);
			printf("%-16s %-10s %-7s %-7s %7s", v[i].name,
			       v[i].ours ? (v[i].available ? "hybridpath" : "stale-pin") : "kernel",
			       v[i].is_default ? "yes" : "", v[i].allowed ? "yes" : "", socks);
			if (v[i].has_counters)
				printf("  %llu/%llu/%llu/%llu",
				       (unsigned long long)v[i].counters[0],
				       (unsigned long long)v[i].counters[3],
				       (unsigned long long)v[i].counters[2],
				       (unsigned long long)v[i].counters[7]);
			printf("\n");
		}
	}
	free(v);
	return XDPCTL_OK;
}

int cmd_cc(int argc, char **argv)
{
	static const struct xverb verbs[] = {
		{ "load", cc_load, "NAME|FILE.bpf.o [--default] [--name NEW] [--unrestricted]" },
		{ "unload", cc_unload, "NAME [--force]" },
		{ "list", cc_list, "[--json]" },
		{ NULL, NULL, NULL }
	};

	return xdpctl_dispatch("cc", verbs, argc, argv);
}
