// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unprivileged hand-over of AF_XDP sockets. A privileged helper (`xdpctl xsk serve`) listens on a
 * UNIX stream socket; a client sends one struct hp_xsk_request; the helper checks the client's
 * credentials (SO_PEERCRED), creates the UMEM (a memfd) and the bound socket, makes frames reach
 * it (steering map or fallback program, see prog.c), and replies with struct hp_xsk_reply plus
 * both fds in one SCM_RIGHTS message. The client maps the memfd and the rings itself: mmap of an
 * AF_XDP socket and the fast path need no capability.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <hybridpath/xsk.h>
#include "afxdp/afxdp_priv.h"
#include "util/log.h"

static int send_reply(int conn, const struct hp_xsk_reply *rep, int xsk_fd, int memfd)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))] = {};
	struct iovec iov = { .iov_base = (void *)rep, .iov_len = sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (xsk_fd >= 0) {
		int fds[2] = { xsk_fd, memfd };

		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
	}
	return sendmsg(conn, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*rep) ? 0 : -EIO;
}

static int refuse(int conn, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(int conn, int err, const char *fmt, ...)
{
	struct hp_xsk_reply rep = { .err = err };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep.msg, sizeof(rep.msg), fmt, ap);
	va_end(ap);
	hp_warn("xsk serve: %s\n", rep.msg);
	send_reply(conn, &rep, -1, -1);
	return err;
}

/* Messages printed while serving a client are also what the client sees. */
static __thread char *capture;
static hp_print_fn_t prev_print;
static int capture_print(enum hp_print_level level, const char *fmt, va_list ap)
{
	va_list aq;

	if (capture && level == HP_WARN && !capture[0]) {
		va_copy(aq, ap);
		vsnprintf(capture, sizeof(((struct hp_xsk_reply *)0)->msg), fmt, aq);
		va_end(aq);
		capture[strcspn(capture, "\n")] = 0;
	}
	return prev_print ? prev_print(level, fmt, ap) : 0;
}

int hp_xsk_serve_one(int conn, __u32 allow_uid, __u32 allow_gid)
{
	struct hp_xsk_reply rep = {};
	struct hp_xsk_request req;
	struct afxdp_delivery dlv;
	struct hp_umem *umem = NULL;
	struct hp_xsk *xsk = NULL;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	ssize_t n;
	int err;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return refuse(conn, -errno, "cannot read the client's credentials: %s",
			      strerror(errno));
	if (cr.uid != 0 && cr.uid != allow_uid && cr.gid != allow_gid)
		return refuse(conn, -EPERM, "uid %u gid %u is not permitted (the helper allows uid "
			      "%d gid %d: restart it with --uid/--gid)", cr.uid, cr.gid,
			      (int)allow_uid, (int)allow_gid);
	n = recv(conn, &req, sizeof(req), MSG_WAITALL);
	if (n != (ssize_t)sizeof(req) || req.version != HP_XSK_REQ_VERSION)
		return refuse(conn, -EPROTO, "malformed request (%zd bytes, version %u): client "
			      "and helper from different hybridpath versions?", n,
			      n >= 4 ? req.version : 0);
	req.ifname[sizeof(req.ifname) - 1] = 0;
	if (req.xsk_flags & HP_XSK_F_BUSY_POLL)
		req.xsk_flags &= ~HP_XSK_F_BUSY_POLL;	/* the client sets it on its fd */

	prev_print = hp_set_print(capture_print);
	capture = rep.msg;
	{
		HP_OPTS(hp_umem_opts, uo, .num_frames = req.num_frames,
			.frame_size = req.frame_size, .headroom = req.headroom,
			.flags = req.umem_flags, .fill_size = req.fill_size,
			.comp_size = req.comp_size);
		HP_OPTS(hp_xsk_opts, xo, .rx_size = req.rx_size, .tx_size = req.tx_size,
			.bind_mode = req.bind_mode, .flags = req.xsk_flags);

		umem = hp_umem_create(&uo);
		if (umem)
			xsk = hp_xsk_create(req.ifname, req.queue, umem, &xo);
		err = xsk ? afxdp_deliver(xsk, false, &dlv) : -errno;
	}
	capture = NULL;
	hp_set_print(prev_print);
	if (err) {
		rep.err = err;
		if (!rep.msg[0])
			snprintf(rep.msg, sizeof(rep.msg), "%s", strerror(-err));
		send_reply(conn, &rep, -1, -1);
		goto out;
	}
	rep.zerocopy = hp_xsk_zerocopy(xsk);
	rep.steered = dlv.steered;
	err = send_reply(conn, &rep, hp_xsk_fd(xsk), hp_umem_memfd(umem));
	hp_info("xsk serve: handed %s queue %u to uid %u pid %d\n", req.ifname, req.queue,
		cr.uid, cr.pid);
	/* The fallback program (if used) stays attached while this helper runs. */
out:
	/* Our copies go; the client's fds keep the socket and the UMEM alive. */
	hp_xsk_delete(xsk);
	hp_umem_delete(umem);
	return err;
}

struct hp_xsk *hp_xsk_serve_request(const char *path, const struct hp_xsk_request *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct hp_xsk_reply rep = {};
	struct iovec iov = { .iov_base = &rep, .iov_len = sizeof(rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int fd, err, fds[2] = { -1, -1 };
	struct hp_xsk *xsk = NULL;
	struct cmsghdr *c;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path ?: HP_XSK_SERVE_PATH);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		hp_warn("xsk: cannot reach the socket helper at %s: %s (start `xdpctl xsk "
			"serve`)\n", sa.sun_path, strerror(errno));
		goto out;
	}
	if (send(fd, req, sizeof(*req), MSG_NOSIGNAL) != (ssize_t)sizeof(*req)) {
		err = -errno;
		goto out;
	}
	n = recvmsg(fd, &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(rep)) {
		err = -EPROTO;
		hp_warn("xsk: the socket helper closed the connection without an answer\n");
		goto out;
	}
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(fds)))
			memcpy(fds, CMSG_DATA(c), sizeof(fds));
	}
	rep.msg[sizeof(rep.msg) - 1] = 0;
	if (rep.err) {
		err = rep.err < 0 ? rep.err : -EPROTO;
		hp_warn("xsk: the socket helper refused: %s\n", rep.msg);
		goto out;
	}
	if (fds[0] < 0 || fds[1] < 0) {
		err = -EPROTO;
		hp_warn("xsk: the socket helper sent no file descriptors\n");
		goto out;
	}
	{
		HP_OPTS(hp_umem_opts, uo, .num_frames = req->num_frames,
			.frame_size = req->frame_size, .headroom = req->headroom,
			.flags = req->umem_flags, .fill_size = req->fill_size,
			.comp_size = req->comp_size);
		HP_OPTS(hp_xsk_opts, xo, .rx_size = req->rx_size, .tx_size = req->tx_size,
			.flags = req->xsk_flags);

		xsk = hp_xsk_adopt(fds[0], fds[1], req->ifname, req->queue, &uo, &xo);
		err = xsk ? 0 : -errno;
	}
out:
	if (!xsk) {
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
	}
	close(fd);
	if (err)
		errno = -err;
	return xsk;
}

int hp_xsk_serve_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)], *slash;
	int fd, err;

	path = path ?: HP_XSK_SERVE_PATH;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		hp_warn("xsk serve: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0755);
	}
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0666) || listen(fd, 16)) {
		err = -errno;
		hp_warn("xsk serve: listening on %s: %s\n", path, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}
