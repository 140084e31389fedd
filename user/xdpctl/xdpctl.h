/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * xdpctl internals shared by the command files in user/xdpctl/.
 *
 * Adding an object: write `int cmd_foo(int argc, char **argv)` in user/xdpctl/foo.c, declare it
 * below and add one line to the table in main.c. argv[0] is the object name ("foo"), argv[1] the
 * verb. Return XDPCTL_OK, XDPCTL_FAIL or XDPCTL_USAGE (the process exit code).
 *
 * Options: each verb declares its options once in a table and calls xdpctl_parse(), which gives
 * it usage text, -h/--help, and checked integer parsing:
 *
 *	static struct { bool json; __u32 secs; } o;
 *	static const struct xopt opts[] = {
 *		XOPT_FLAG("json", 'j', &o.json, "print JSON"),
 *		XOPT_U32("watch", 'w', &o.secs, "SECONDS", "refresh every SECONDS"),
 *		XOPT_END
 *	};
 *	static const struct xcmd spec = { "stats", "IFACE", 1, 1, opts, "show counters" };
 *	char *pos[1];
 *	int rc = xdpctl_parse(&spec, argc, argv, pos);	(argv[0]: the verb)
 *	if (rc != XDPCTL_CONTINUE)
 *		return rc;
 */
#ifndef XDPCTL_H
#define XDPCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

enum {
	XDPCTL_OK = 0,		/* success */
	XDPCTL_FAIL = 1,	/* the operation failed (message on stderr) */
	XDPCTL_USAGE = 2,	/* bad command line (message and usage on stderr) */
	XDPCTL_CONTINUE = -1,	/* xdpctl_parse(): go on with the command */
};

/* Global options, set by main() before dispatching. */
extern int xdpctl_verbose;		/* -v count */
extern const char *xdpctl_netns;	/* -n NAME, or NULL */

enum xopt_type { XOPT_T_END, XOPT_T_FLAG, XOPT_T_STR, XOPT_T_U32 };

struct xopt {
	const char *name;	/* long name, without "--" */
	int short_name;		/* 0 when none */
	enum xopt_type type;
	void *dst;		/* bool *, const char **, __u32 * */
	const char *metavar;	/* e.g. "IFACE" (NULL for flags) */
	const char *help;
};

#define XOPT_FLAG(n, s, d, h)		{ n, s, XOPT_T_FLAG, d, NULL, h }
#define XOPT_STR(n, s, d, m, h)		{ n, s, XOPT_T_STR, d, m, h }
#define XOPT_U32(n, s, d, m, h)		{ n, s, XOPT_T_U32, d, m, h }
#define XOPT_END			{ NULL, 0, XOPT_T_END, NULL, NULL, NULL }

struct xcmd {
	const char *name;	/* "rule add" */
	const char *args;	/* positional arguments for the usage line, e.g. "IFACE ID" */
	int min_pos, max_pos;	/* number of positional arguments accepted */
	const struct xopt *opts;
	const char *summary;
};

/*
 * Parse argv (argv[0] is the verb, as printed in errors) against spec. Positional arguments are
 * stored in pos[0..max_pos). Returns XDPCTL_CONTINUE to go on, XDPCTL_OK after printing help for
 * -h, or XDPCTL_USAGE after printing the error and the usage text to stderr.
 */
int xdpctl_parse(const struct xcmd *spec, int argc, char **argv, char **pos);
void xdpctl_usage(const struct xcmd *spec, FILE *f);

/* Sub-verb dispatch for objects with verbs ("rule add", "cc load"): */
struct xverb {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the verb */
	const char *help;
};
int xdpctl_dispatch(const char *object, const struct xverb *verbs, int argc, char **argv);

/* Errors to stderr, prefixed with "xdpctl: ". Always return XDPCTL_FAIL / XDPCTL_USAGE. */
int xdpctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int xdpctl_usage_err(const struct xcmd *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Resolve an interface name in the current netns; prints "unknown interface" with the fix. */
int xdpctl_ifindex(const char *ifname, int *ifindex);
/* Format 1234567 as "1.23M" (SI units) into buf. */
const char *xdpctl_si(double v, char *buf, size_t len);

/* Objects: one line each in main.c's table. */
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_rule(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_cc(int argc, char **argv);
int cmd_sched(int argc, char **argv);
int cmd_xsk(int argc, char **argv);
int cmd_nic(int argc, char **argv);

#endif
