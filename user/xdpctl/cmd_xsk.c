// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdpctl xsk serve: the privileged helper that creates AF_XDP sockets for permitted users and
 * hands them over a UNIX socket (SCM_RIGHTS), so that apps run without CAP_NET_ADMIN, CAP_NET_RAW
 * or CAP_BPF (user/afxdp/serve.c does the work; apps use hp_port_open() with opts.serve_path or
 * hp_xsk_serve_request()). Runs until SIGINT/SIGTERM; sockets already handed over keep working
 * while their owner holds them, and so does the fallback XDP program while this helper runs.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <hybridpath/xsk.h>
#include "xdpctl.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int resolve(const char *s, bool user, __u32 *id)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s && !*end) {
		*id = v;
		return 0;
	}
	if (user) {
		struct passwd *pw = getpwnam(s);

		if (pw) {
			*id = pw->pw_uid;
			return 0;
		}
	} else {
		struct group *gr = getgrnam(s);

		if (gr) {
			*id = gr->gr_gid;
			return 0;
		}
	}
	return -ENOENT;
}

static int xsk_serve(int argc, char **argv)
{
	static struct { const char *path, *uid, *gid; __u32 count; } o;
	static const struct xopt opts[] = {
		XOPT_STR("path", 'p', &o.path, "PATH", "UNIX socket to listen on (default "
			 HP_XSK_SERVE_PATH ")"),
		XOPT_STR("uid", 'u', &o.uid, "USER", "user allowed to get sockets (name or uid)"),
		XOPT_STR("gid", 'g', &o.gid, "GROUP", "group allowed to get sockets (name or gid)"),
		XOPT_U32("count", 'c', &o.count, "N", "stop accepting after N hand-overs (keeps "
			 "running until SIGTERM)"),
		XOPT_END
	};
	static const struct xcmd spec = {
		"xsk serve", "", 0, 0, opts,
		"create AF_XDP sockets for a permitted user/group and pass them over a UNIX socket"
	};
	struct sigaction sa = { .sa_handler = on_signal };
	__u32 uid = (__u32)-1, gid = (__u32)-1, served = 0;
	char *pos[1];
	int rc, lfd, c;

	rc = xdpctl_parse(&spec, argc, argv, pos);
	if (rc != XDPCTL_CONTINUE)
		return rc;
	if (!o.uid && !o.gid)
		return xdpctl_usage_err(&spec, "say who may get sockets: --uid USER and/or "
					"--gid GROUP (root always may)");
	if (o.uid && resolve(o.uid, true, &uid))
		return xdpctl_err("unknown user '%s'", o.uid);
	if (o.gid && resolve(o.gid, false, &gid))
		return xdpctl_err("unknown group '%s'", o.gid);
	lfd = hp_xsk_serve_listen(o.path);
	if (lfd < 0)
		return xdpctl_err("cannot listen on %s: %s", o.path ?: HP_XSK_SERVE_PATH,
				  strerror(-lfd));
	/* no SA_RESTART: accept() returns EINTR on the signal */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("serving AF_XDP sockets on %s to uid %d gid %d\n", o.path ?: HP_XSK_SERVE_PATH,
	       (int)uid, (int)gid);
	fflush(stdout);
	while (!stop && (!o.count || served < o.count)) {
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			xdpctl_err("accept: %s", strerror(errno));
			break;
		}
		if (!hp_xsk_serve_one(c, uid, gid))
			served++;
		close(c);
	}
	close(lfd);
	unlink(o.path ?: HP_XSK_SERVE_PATH);
	/* With --count: keep the fallback program (if any) attached until told to stop. */
	while (!stop && o.count)
		pause();
	return XDPCTL_OK;
}

int cmd_xsk(int argc, char **argv)
{
	static const struct xverb verbs[] = {
		{ "serve", xsk_serve, "--uid USER|--gid GROUP [--path PATH]: hand AF_XDP sockets "
		  "to unprivileged apps" },
		{ NULL, NULL, NULL }
	};

	return xdpctl_dispatch("xsk", verbs, argc, argv);
}
