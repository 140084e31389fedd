// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdpctl: the hybridpath control tool, in the style of ip(8) and bpftool:
 *
 *	xdpctl [-n NETNS] [-v] [--version] OBJECT VERB ... [-h]
 *
 * main() handles the global options, enters the network namespace, and dispatches to the
 * object's cmd_*() through the table below. Commands live in their own files (xdpctl.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <hybridpath/common.h>
#include "xdpctl.h"

int xdpctl_verbose;
const char *xdpctl_netns;

struct xobject {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the object name */
	const char *help;
};

/* One line per object. Keep the steering verbs first: they are what most users want. */
static const struct xobject objects[] = {
	{ "attach", cmd_attach, "attach IFACE [--mode native|skb] [--default pass|drop]" },
	{ "detach", cmd_detach, "detach IFACE: remove steering and free its maps" },
	{ "status", cmd_status, "status [IFACE] [--json]: where steering is attached" },
	{ "rule", cmd_rule, "rule add|del|list IFACE ...: steering rules" },
	{ "stats", cmd_stats, "stats IFACE [--json] [--watch SECONDS]: counters and rates" },
	{ "features", cmd_features, "features IFACE [--json]: XDP features the driver reports" },
	{ "cc", cmd_cc, "cc load|unload|list ...: TCP congestion control policies in BPF" },
	{ "sched", cmd_sched, "sched load|status|unload|isolate ...: sched_ext schedulers" },
	{ "xsk", cmd_xsk, "xsk serve --uid USER: hand AF_XDP sockets to unprivileged apps" },
	{ "nic", cmd_nic, "nic bind|unbind|status BDF: move a NIC to vfio-pci (vfio: ports) and back" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: xdpctl [-n NETNS] [-v] [--version] OBJECT VERB ... [-h]\n\n"
		"  -n, --netns NAME   run in network namespace /run/netns/NAME (like ip -n)\n"
		"  -v, --verbose      more messages (-vv: libbpf/libxdp debug output)\n"
		"  --version          print the version\n\nobjects:\n");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "  %-9s %s\n", objects[i].name, objects[i].help);
	fprintf(f, "\n'xdpctl OBJECT [VERB] -h' shows the options of a command.\n");
}

/* ---- helpers for the command files ----------------------------------------------------- */

int xdpctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("xdpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return XDPCTL_FAIL;
}

int xdpctl_usage_err(const struct xcmd *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpctl %s: ", spec->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	xdpctl_usage(spec, stderr);
	return XDPCTL_USAGE;
}

void xdpctl_usage(const struct xcmd *spec, FILE *f)
{
	const struct xopt *o;
	char left[64];

	fprintf(f, "usage: xdpctl %s%s%s [OPTIONS]\n", spec->name, spec->args ? " " : "",
		spec->args ? spec->args : "");
	if (spec->summary)
		fprintf(f, "  %s\n", spec->summary);
	fprintf(f, "options:\n");
	for (o = spec->opts; o && o->name; o++) {
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fprintf(f, "  %-28s %s\n", "-h, --help", "show this help");
}

static int parse_u32(const char *s, __u32 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -ERANGE;
	*out = v;
	return 0;
}

int xdpctl_parse(const struct xcmd *spec, int argc, char **argv, char **pos)
{
	struct option lopts[64];
	char sopts[3 * 64 + 4];
	const struct xopt *o;
	int n = 0, s = 0, c, idx, npos = 0, i;

	sopts[s++] = ':';	/* report a missing argument as ':' */
	for (o = spec->opts; o && o->name && n < 62; o++, n++) {
		lopts[n] = (struct option){ o->name,
			o->type == XOPT_T_FLAG ? no_argument : required_argument,
			NULL, 256 + n };
		if (o->short_name) {
			sopts[s++] = o->short_name;
			if (o->type != XOPT_T_FLAG)
				sopts[s++] = ':';
		}
	}
	lopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n] = (struct option){ NULL, 0, NULL, 0 };
	sopts[s++] = 'h';
	sopts[s] = 0;

	optind = 0;	/* full reset of getopt's state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, &idx)) != -1) {
		if (c == 'h') {
			xdpctl_usage(spec, stdout);
			return XDPCTL_OK;
		}
		if (c == '?')
			return xdpctl_usage_err(spec, "unknown option '%s'", argv[optind - 1]);
		if (c == ':')
			return xdpctl_usage_err(spec, "option '%s' needs a value",
						argv[optind - 1]);
		o = NULL;
		if (c >= 256) {
			o = &spec->opts[c - 256];
		} else {
			for (i = 0; spec->opts[i].name; i++)
				if (spec->opts[i].short_name == c)
					o = &spec->opts[i];
		}
		if (!o)
			return xdpctl_usage_err(spec, "unknown option '-%c'", c);
		switch (o->type) {
		case XOPT_T_FLAG:
			*(bool *)o->dst = true;
			break;
		case XOPT_T_STR:
			*(const char **)o->dst = optarg;
			break;
		case XOPT_T_U32:
			if (parse_u32(optarg, o->dst))
				return xdpctl_usage_err(spec,
					"--%s '%s': expected a number from 0 to 4294967295",
					o->name, optarg);
			break;
		default:
			break;
		}
	}
	for (i = optind; i < argc; i++) {
		if (npos >= spec->max_pos)
			return xdpctl_usage_err(spec, "unexpected argument '%s'", argv[i]);
		pos[npos++] = argv[i];
	}
	if (npos < spec->min_pos)
		return xdpctl_usage_err(spec, "missing %s", spec->args ? spec->args : "argument");
	for (i = npos; i < spec->max_pos; i++)
		pos[i] = NULL;
	return XDPCTL_CONTINUE;
}

int xdpctl_dispatch(const char *object, const struct xverb *verbs, int argc, char **argv)
{
	const struct xverb *v;
	FILE *f = stderr;

	if (argc >= 2 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help") &&
	    strcmp(argv[1], "help")) {
		for (v = verbs; v->name; v++)
			if (!strcmp(v->name, argv[1]))
				return v->fn(argc - 1, argv + 1);
		fprintf(stderr, "xdpctl %s: unknown verb '%s'\n", object, argv[1]);
	} else if (argc >= 2) {
		f = stdout;
	}
	fprintf(f, "usage: xdpctl %s VERB ...\nverbs:\n", object);
	for (v = verbs; v->name; v++)
		fprintf(f, "  %-8s %s\n", v->name, v->help);
	return f == stdout ? XDPCTL_OK : XDPCTL_USAGE;
}

int xdpctl_ifindex(const char *ifname, int *ifindex)
{
	unsigned int idx;

	if (strlen(ifname) >= IF_NAMESIZE) {
		xdpctl_err("interface name '%s' is longer than %d characters", ifname,
			   IF_NAMESIZE - 1);
		return -EINVAL;
	}
	idx = if_nametoindex(ifname);
	if (!idx) {
		xdpctl_err("unknown interface '%s'%s%s: check the name with 'ip link'%s", ifname,
			   xdpctl_netns ? " in network namespace " : "",
			   xdpctl_netns ? xdpctl_netns : "",
			   xdpctl_netns ? "" : " (or pass -n NETNS)");
		return -ENODEV;
	}
	*ifindex = idx;
	return 0;
}

const char *xdpctl_si(double v, char *buf, size_t len)
{
	static const char units[] = " kMGT";
	int i = 0;

	while (v >= 1000.0 && i < 4) {
		v /= 1000.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2f%c", v, units[i]);
	return buf;
}

/* ---- global options -------------------------------------------------------------------- */

static int hp_print(enum hp_print_level level, const char *fmt, va_list ap)
{
	/* warnings and notes (e.g. the dispatcher fallback) always; debug with -v */
	if ((int)level > xdpctl_verbose + HP_INFO)
		return 0;
	fputs("xdpctl: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf/libxdp warnings are noise next to our own messages unless -v is given */
	if (xdpctl_verbose < 1 || (level == LIBBPF_DEBUG && xdpctl_verbose < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	if (xdpctl_verbose < 1 || (level == LIBXDP_DEBUG && xdpctl_verbose < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Enter /run/netns/NAME for networking only; the mount namespace (and so bpffs) stays ours. */
static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		fprintf(stderr, "xdpctl: bad network namespace name '%s'\n", name);
		return XDPCTL_USAGE;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xdpctl_err("network namespace '%s' not found (%s: %s): list them with "
				  "'ip netns list'", name, path, strerror(errno));
	if (setns(fd, CLONE_NEWNET)) {
		err = errno;
		close(fd);
		return xdpctl_err("cannot enter network namespace '%s': %s%s", name,
				  strerror(err), err == EPERM ? " (run as root)" : "");
	}
	close(fd);
	return XDPCTL_OK;
}

int main(int argc, char **argv)
{
	const char *obj;
	size_t i;
	int ai = 1, rc;

	while (ai < argc && argv[ai][0] == '-') {
		const char *a = argv[ai];

		if (!strcmp(a, "-n") || !strcmp(a, "--netns")) {
			if (ai + 1 >= argc) {
				fprintf(stderr, "xdpctl: %s needs a namespace name\n", a);
				return XDPCTL_USAGE;
			}
			xdpctl_netns = argv[++ai];
		} else if (!strncmp(a, "--netns=", 8)) {
			xdpctl_netns = a + 8;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			xdpctl_verbose++;
		} else if (!strcmp(a, "-vv")) {
			xdpctl_verbose += 2;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("xdpctl %s (libbpf %s)\n", HP_VERSION, libbpf_version_string());
			return XDPCTL_OK;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return XDPCTL_OK;
		} else {
			fprintf(stderr, "xdpctl: unknown global option '%s'\n", a);
			usage(stderr);
			return XDPCTL_USAGE;
		}
		ai++;
	}
	if (ai >= argc) {
		usage(stderr);
		return XDPCTL_USAGE;
	}
	hp_set_print(hp_print);
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
	if (xdpctl_netns) {
		rc = enter_netns(xdpctl_netns);
		if (rc)
			return rc;
	}
	obj = argv[ai];
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(objects[i].name, obj))
			return objects[i].fn(argc - ai, argv + ai);
	if (!strcmp(obj, "help")) {
		usage(stdout);
		return XDPCTL_OK;
	}
	fprintf(stderr, "xdpctl: unknown object '%s'\n", obj);
	usage(stderr);
	return XDPCTL_USAGE;
}
