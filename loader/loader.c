// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Steering loader: attach/detach/status of bpf/steer.bpf.c per interface (see
 * user/include/hybridpath/loader.h for the contract).
 *
 * Crash safety. Everything the kernel holds for us is reachable from exactly one pin, created
 * last: <bpffs>/hybridpath/<netns-cookie>/<ifindex>/link (single program), or .../prog when
 * libxdp's dispatcher holds the program (libxdp pins its own dispatcher state first). Until that
 * pin exists, the program, maps and link live only in this process's fds, so a SIGKILL at any
 * step makes the kernel free them. Maps are never pinned; they are recovered with
 * link -> program -> map ids. A pin whose link lost its device (netns deleted) is stale and is
 * removed by the next attach, status or list.
 *
 * Test hook: HP_TEST_STALL_AT=<step> makes attach print "hp: stall at <step>" to stderr and
 * sleep at that step (open, load, config, attach, mkdir, pin), so a test can SIGKILL it there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/netdev.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <hybridpath/loader.h>
#include "util/fs.h"
#include "util/log.h"
#include "steer.skel.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define HP_BPFFS	HP_BPFFS_ROOT
#define HP_RUN_DIR	"/run/hybridpath"
#define HP_PROG_NAME	"hp_steer"

/* ---- small helpers ---------------------------------------------------------------------- */

static void stall(const char *step)
{
	const char *at = getenv("HP_TEST_STALL_AT");
	int i;

	if (!at || strcmp(at, step))
		return;
	fprintf(stderr, "hp: stall at %s (pid %d)\n", step, getpid());
	fflush(stderr);
	/* bounded: the test kills us long before this ends */
	for (i = 0; i < 300; i++)
		usleep(100 * 1000);
}

int hp_bpffs_ensure(char *path, size_t len, bool *mounted)
{
	int m = 0, err;

	if (path)
		snprintf(path, len, "%s", HP_BPFFS);
	err = hp_fs_bpffs_mount(&m);
	if (mounted)
		*mounted = m;
	return err;
}

int hp_netns_id(__u64 *id, bool *is_inode)
{
	socklen_t sl = sizeof(*id);
	struct stat st;
	int fd, err;

	*is_inode = false;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, id, &sl);
	close(fd);
	if (!err)
		return 0;
	/* kernels before 5.14: fall back to the namespace inode (unique while it lives) */
	if (stat("/proc/self/ns/net", &st))
		return -errno;
	hp_info("SO_NETNS_COOKIE unsupported; keying pins by netns inode %lu\n",
		(unsigned long)st.st_ino);
	*id = st.st_ino;
	*is_inode = true;
	return 0;
}

int hp_lock(void)
{
	int fd;

	if (mkdir(HP_RUN_DIR, 0755) && errno != EEXIST)
		return -errno;
	fd = open(HP_RUN_DIR "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void hp_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* <bpffs>/hybridpath/<netns id>[/<ifindex>] */
static int pin_dir(char *buf, size_t len, int ifindex)
{
	bool is_inode;
	__u64 id;
	int err;

	err = hp_bpffs_ensure(NULL, 0, NULL);
	if (err)
		return err;
	err = hp_netns_id(&id, &is_inode);
	if (err)
		return err;
	if (ifindex > 0)
		snprintf(buf, len, "%s/hybridpath/%s%llu/%d", HP_BPFFS, is_inode ? "ino-" : "",
			 (unsigned long long)id, ifindex);
	else
		snprintf(buf, len, "%s/hybridpath/%s%llu", HP_BPFFS, is_inode ? "ino-" : "",
			 (unsigned long long)id);
	return 0;
}

/*
 * Remove dir and then its parents while they are empty, up to (not including)
 * <bpffs>/hybridpath, which other parts (e.g. cc) share.
 */
static void rmdir_up(const char *dir)
{
	char tmp[PATH_MAX], *slash;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	while (strlen(tmp) > strlen(HP_BPFFS "/hybridpath")) {
		if (rmdir(tmp))
			return;
		slash = strrchr(tmp, '/');
		if (!slash)
			return;
		*slash = 0;
	}
}

/* dir/name into buf; -ENAMETOOLONG when it does not fit (the caller then skips the entry). */
/* noinline: keeps gcc from guessing truncation at call sites; the result is checked */
static __attribute__((noinline)) int join(char *buf, size_t len, const char *dir, const char *name)
{
	if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- finding what is attached ---------------------------------------------------------- */

/* What the pin dir of an interface holds. */
struct attached {
	char dir[PATH_MAX - 32];
	int link_fd;		/* single-program path */
	int prog_fd;		/* steering program */
	__u32 link_id, prog_id;
	bool dispatcher;
};

static void attached_close(struct attached *a)
{
	if (a->link_fd >= 0)
		close(a->link_fd);
	if (a->prog_fd >= 0)
		close(a->prog_fd);
	a->link_fd = a->prog_fd = -1;
}

static void unpin_all(const char *dir)
{
	char p[PATH_MAX];

	join(p, sizeof(p), dir, "link");
	unlink(p);
	join(p, sizeof(p), dir, "prog");
	unlink(p);
	rmdir_up(dir);
}

/*
 * Open what is pinned in dir. Returns 0, -ENOENT when nothing (valid) is attached. With clean
 * (only under hp_lock(): a concurrent attach may be between its mkdir and its pin), stale pins
 * (the link lost its device, or belongs to another ifindex) and empty directories are removed.
 */
static int open_attached(const char *dir, int ifindex, struct attached *a, bool clean)
{
	struct bpf_link_info li;
	struct bpf_prog_info pi;
	__u32 len;
	char p[PATH_MAX];
	int err;

	memset(a, 0, sizeof(*a));
	a->link_fd = a->prog_fd = -1;
	snprintf(a->dir, sizeof(a->dir), "%s", dir);

	join(p, sizeof(p), dir, "link");
	a->link_fd = bpf_obj_get(p);
	if (a->link_fd >= 0) {
		memset(&li, 0, sizeof(li));
		len = sizeof(li);
		err = bpf_link_get_info_by_fd(a->link_fd, &li, &len);
		if (err)
			goto stale;
		/* the device went away (e.g. its netns was deleted): ifindex reads 0 */
		if (li.type != BPF_LINK_TYPE_XDP || (int)li.xdp.ifindex != ifindex)
			goto stale;
		a->link_id = li.id;
		a->prog_id = li.prog_id;
		a->prog_fd = bpf_prog_get_fd_by_id(li.prog_id);
		if (a->prog_fd < 0)
			goto stale;
		return 0;
	}
	join(p, sizeof(p), dir, "prog");
	a->prog_fd = bpf_obj_get(p);
	if (a->prog_fd >= 0) {
		struct hp_xdp_features f;

		memset(&pi, 0, sizeof(pi));
		len = sizeof(pi);
		if (bpf_prog_get_info_by_fd(a->prog_fd, &pi, &len))
			goto stale;
		/* dispatcher path: still attached only if an XDP program runs on ifindex */
		if (hp_xdp_features(ifindex, &f) || !f.attached_prog_id)
			goto stale;
		a->prog_id = pi.id;
		a->dispatcher = true;
		return 0;
	}
	/* an empty directory left by a kill between mkdir and pin */
	if (clean)
		rmdir_up(dir);
	return -ENOENT;
stale:
	attached_close(a);
	if (clean) {
		hp_debug("removing stale steering pins in %s\n", dir);
		unpin_all(dir);
	}
	return -ENOENT;
}

static int map_fds_from_prog(int prog_fd, struct hp_steer_maps *m)
{
	struct { const char *name; int *fd; } want[] = {
		{ "rules", &m->rules }, { "tuples", &m->tuples }, { "order", &m->order },
		{ "flows", &m->flows }, { "rule_cnt", &m->rule_cnt }, { "act_cnt", &m->act_cnt },
		{ "config", &m->config }, { "xsks", &m->xsks },
	};
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	__u32 ids[64], len, i, j;
	int fd, err = 0;

	for (j = 0; j < HP_ARRAY_SIZE(want); j++)
		*want[j].fd = -1;
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = HP_ARRAY_SIZE(ids);
	pi.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(pi);
	if (bpf_prog_get_info_by_fd(prog_fd, &pi, &len))
		return -errno;
	for (i = 0; i < pi.nr_map_ids && i < HP_ARRAY_SIZE(ids); i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_map_get_info_by_fd(fd, &mi, &len)) {
			close(fd);
			continue;
		}
		for (j = 0; j < HP_ARRAY_SIZE(want); j++) {
			if (!strcmp(mi.name, want[j].name) && *want[j].fd < 0) {
				*want[j].fd = fd;
				fd = -1;
				break;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	for (j = 0; j < HP_ARRAY_SIZE(want); j++) {
		if (*want[j].fd < 0) {
			hp_warn("steering program (fd %d) has no map '%s': built from another "
				"version of steer.bpf.c? detach and attach again\n", prog_fd,
				want[j].name);
			err = -ENOENT;
		}
	}
	if (err)
		hp_steer_maps_close(m);
	return err;
}

void hp_steer_maps_close(struct hp_steer_maps *m)
{
	int *fds[] = { &m->rules, &m->tuples, &m->order, &m->flows, &m->rule_cnt, &m->act_cnt,
		       &m->config, &m->xsks };
	size_t i;

	for (i = 0; i < HP_ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int hp_steer_maps_open(int ifindex, struct hp_steer_maps *maps)
{
	struct attached a;
	char dir[PATH_MAX];
	int err;

	err = pin_dir(dir, sizeof(dir), ifindex);
	if (err)
		return err;
	err = open_attached(dir, ifindex, &a, false);
	if (err)
		return err;
	err = map_fds_from_prog(a.prog_fd, maps);
	attached_close(&a);
	return err;
}

int hp_steer_set_default(const struct hp_steer_maps *maps, __u32 action)
{
	struct hp_config cfg = { .default_action = action };
	__u32 zero = 0;

	if (action != HP_ACT_PASS && action != HP_ACT_DROP)
		return -EINVAL;
	if (bpf_map_update_elem(maps->config, &zero, &cfg, BPF_ANY))
		return -errno;
	return 0;
}

/* ---- attach ---------------------------------------------------------------------------- */

static const char *const dispatcher_dirs[] = {
	"/usr/lib/x86_64-linux-gnu/bpf", "/usr/lib/bpf", "/usr/local/lib/bpf", "/usr/lib64/bpf",
};

/*
 * Can libxdp's dispatcher take our program on this kernel? libxdp loads its dispatcher and then
 * each component as a freplace (BPF_PROG_TYPE_EXT) program of one of the dispatcher's slots. Do
 * exactly that here, without attaching anything, with every map shrunk to one entry. Returns 0
 * or -errno and a reason in why.
 */
static int dispatcher_probe(char *why, size_t len)
{
	struct bpf_object *disp = NULL;
	struct bpf_program *dprog;
	struct steer *skel = NULL;
	struct bpf_map *map;
	char path[PATH_MAX];
	const char *env = getenv("LIBXDP_OBJECT_PATH");
	size_t i;
	int err;

	/* libxdp's components are freplace programs: without that program type, no dispatcher */
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_EXT, NULL) == 0) {
		snprintf(why, len, "the kernel does not load freplace (BPF_PROG_TYPE_EXT) "
			 "programs, which the dispatcher's components are");
		return -EOPNOTSUPP;
	}
	path[0] = 0;
	if (env)
		snprintf(path, sizeof(path), "%s/xdp-dispatcher.o", env);
	for (i = 0; (!path[0] || access(path, R_OK)) && i < HP_ARRAY_SIZE(dispatcher_dirs); i++)
		snprintf(path, sizeof(path), "%s/xdp-dispatcher.o", dispatcher_dirs[i]);
	if (access(path, R_OK)) {
		snprintf(why, len, "libxdp's xdp-dispatcher.o not found (install libxdp1)");
		return -ENOENT;
	}
	disp = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(disp);
	if (err) {
		disp = NULL;
		snprintf(why, len, "cannot open %s: %s", path, strerror(-err));
		goto out;
	}
	err = bpf_object__load(disp);
	if (err) {
		snprintf(why, len, "loading libxdp's dispatcher failed: %s", strerror(-err));
		goto out;
	}
	dprog = bpf_object__next_program(disp, NULL);
	skel = steer__open();
	if (!dprog || !skel) {
		err = -errno ?: -ENOMEM;
		snprintf(why, len, "cannot open the steering object: %s", strerror(-err));
		goto out;
	}
	bpf_object__for_each_map(map, skel->obj)
		if (!bpf_map__is_internal(map))
			bpf_map__set_max_entries(map, 1);
	bpf_program__set_autoload(skel->progs.hp_steer_mb, false);
	bpf_program__set_type(skel->progs.hp_steer, BPF_PROG_TYPE_EXT);
	bpf_program__set_expected_attach_type(skel->progs.hp_steer, 0);
	err = bpf_program__set_attach_target(skel->progs.hp_steer, bpf_program__fd(dprog),
					     "prog0");
	if (!err)
		err = steer__load(skel);
	if (err)
		snprintf(why, len, "loading the steering program as an extension (freplace) of "
			 "libxdp's dispatcher failed: %s", strerror(-err));
out:
	steer__destroy(skel);
	bpf_object__close(disp);
	return err;
}

/*
 * Frames larger than a page minus XDP headroom and skb_shared_info (~3.5 KB) arrive as several
 * buffers, and drivers refuse a program without xdp.frags support on such an MTU: use
 * hp_steer_mb (SEC("xdp.frags")) there, hp_steer otherwise.
 */
#define HP_LINEAR_MTU 3498

static struct bpf_program *pick_prog(struct steer *skel, const char *ifname)
{
	struct ifreq ifr;
	int fd, mtu = 1500;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		if (!ioctl(fd, SIOCGIFMTU, &ifr))
			mtu = ifr.ifr_mtu;
		close(fd);
	}
	if (mtu > HP_LINEAR_MTU) {
		hp_debug("%s: MTU %d, using the multi-buffer program hp_steer_mb\n", ifname, mtu);
		return skel->progs.hp_steer_mb;
	}
	return skel->progs.hp_steer;
}

/*
 * Maps only user space touches (e.g. "rules", the rule table the compiler keeps) are not in the
 * program's map list, so they would be freed with the skeleton and could not be found again from
 * the link. BPF_PROG_BIND_MAP ties every map of the object to the program: they live exactly as
 * long as it does. Binding a map the program already uses is a no-op.
 */
static int bind_maps(struct steer *skel, int prog_fd)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__fd(map) < 0)
			continue;
		if (bpf_prog_bind_map(prog_fd, bpf_map__fd(map), NULL)) {
			int err = -errno;

			hp_warn("cannot bind map '%s' to the steering program: %s\n",
				bpf_map__name(map), strerror(-err));
			return err;
		}
	}
	return 0;
}

static int busy_msg(int ifindex, const char *ifname)
{
	struct hp_xdp_features f;

	if (!hp_xdp_features(ifindex, &f) && f.attached_prog_id)
		hp_warn("%s already runs XDP program id %u attached without libxdp's dispatcher: "
			"remove it first (xdp-loader unload %s --all, or ip link set dev %s xdp "
			"off)\n", ifname, f.attached_prog_id, ifname, ifname);
	return -EBUSY;
}

static int attach_single(struct bpf_program *prog, int ifindex, const char *ifname,
			 enum hp_xdp_mode mode, const char *dir)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	char p[PATH_MAX];
	int link_fd, err;

	lo.flags = mode == HP_XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	stall("attach");
	link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lo);
	if (link_fd < 0) {
		err = -errno;
		if (err == -EBUSY || err == -EEXIST)
			return busy_msg(ifindex, ifname);
		if (err == -EOPNOTSUPP || err == -EINVAL)
			hp_warn("%s does not support XDP in %s mode (%s): try --mode %s\n", ifname,
				mode == HP_XDP_MODE_SKB ? "skb" : "native", strerror(-err),
				mode == HP_XDP_MODE_SKB ? "native" : "skb");
		return err;
	}
	stall("mkdir");
	err = hp_fs_mkdir_p(dir);
	if (err) {
		hp_warn("cannot create pin directory %s: %s\n", dir, strerror(-err));
		goto fail;
	}
	stall("pin");
	join(p, sizeof(p), dir, "link");
	if (bpf_obj_pin(link_fd, p)) {
		err = -errno;
		hp_warn("cannot pin the XDP link at %s: %s\n", p, strerror(-err));
		rmdir_up(dir);
		goto fail;
	}
	close(link_fd);
	return 0;
fail:
	close(link_fd);	/* the last reference: the kernel detaches the program */
	return err;
}

/*
 * A kill between libxdp's attach and our marker pin leaves hp_steer in the dispatcher with no
 * marker. Called under the lock when no marker exists: any hp_steer there is such an orphan.
 */
static void reap_orphans(int ifindex)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;

	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp))
		return;
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp)) {
		if (strcmp(xdp_program__name(p), "hp_steer") &&
		    strcmp(xdp_program__name(p), "hp_steer_mb"))
			continue;
		hp_info("removing orphaned steering program id %u from the dispatcher\n",
			xdp_program__id(p));
		xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
	}
	xdp_multiprog__close(mp);
}

/*
 * libxdp loads the object (as an extension of its dispatcher) and attaches; then the config and
 * the map binding, and last our marker pin. libxdp's own pins hold the program meanwhile; a kill
 * before the marker is undone by reap_orphans() at the next attach.
 */
static int attach_dispatcher(struct steer *skel, struct bpf_program *prog, int ifindex,
			     enum hp_xdp_mode mode, const struct hp_config *cfg, const char *dir)
{
	enum xdp_attach_mode xm = mode == HP_XDP_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	struct xdp_program *xp;
	char p[PATH_MAX];
	__u32 zero = 0;
	int err;

	reap_orphans(ifindex);
	xp = xdp_program__from_bpf_obj(skel->obj, bpf_program__section_name(prog));
	err = libxdp_get_error(xp);
	if (err)
		return err;
	stall("attach");
	err = xdp_program__attach(xp, ifindex, xm, 0);
	if (err)
		goto out;
	stall("config");
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, cfg, BPF_ANY))
		err = -errno;
	if (!err)
		err = bind_maps(skel, xdp_program__fd(xp));
	stall("mkdir");
	if (!err)
		err = hp_fs_mkdir_p(dir);
	if (!err) {
		stall("pin");
		join(p, sizeof(p), dir, "prog");
		if (bpf_obj_pin(xdp_program__fd(xp), p))
			err = -errno;
	}
	if (err) {
		hp_warn("attaching through libxdp's dispatcher failed after the attach: %s\n",
			strerror(-err));
		xdp_program__detach(xp, ifindex, xm, 0);
		rmdir_up(dir);
	}
out:
	/* the skeleton owns the bpf_object: xdp_program__close() does not free it here */
	xdp_program__close(xp);
	return err;
}

static void gc_stale(void);

int hp_steer_attach(int ifindex, const struct hp_attach_opts *opts)
{
	enum hp_xdp_mode mode = HP_OPTS_GET(opts, mode, HP_XDP_MODE_NATIVE);
	__u32 def = HP_OPTS_GET(opts, default_action, HP_ACT_PASS);
	bool no_disp = HP_OPTS_GET(opts, no_dispatcher, false);
	struct hp_config cfg = { .default_action = def };
	struct steer *skel = NULL;
	struct bpf_program *prog;
	char dir[PATH_MAX], ifname[IF_NAMESIZE] = "?", why[256];
	struct attached a;
	__u32 zero = 0;
	int lock, err;

	if (opts && opts->sz < sizeof(size_t))
		return -EINVAL;
	if (def != HP_ACT_PASS && def != HP_ACT_DROP)
		return -EINVAL;
	if (mode != HP_XDP_MODE_NATIVE && mode != HP_XDP_MODE_SKB)
		return -EINVAL;
	if (ifindex <= 0 || !if_indextoname(ifindex, ifname))
		return -ENODEV;
	lock = hp_lock();
	if (lock < 0)
		return lock;
	err = pin_dir(dir, sizeof(dir), ifindex);
	if (err)
		goto out;
	gc_stale();
	if (!open_attached(dir, ifindex, &a, true)) {
		attached_close(&a);
		err = -EEXIST;
		goto out;
	}
	if (!no_disp && getenv("HP_NO_DISPATCHER"))
		no_disp = true;
	if (!no_disp) {
		err = dispatcher_probe(why, sizeof(why));
		if (err) {
			hp_info("libxdp dispatcher unavailable on this kernel (%s): attaching "
				"a single program with a bpf_link; other XDP programs cannot "
				"share %s\n", why, ifname);
			no_disp = true;
		}
	}
	stall("open");
	skel = steer__open();
	if (!skel) {
		err = -errno;
		goto out;
	}
	prog = pick_prog(skel, ifname);
	/* load only the program that gets attached */
	bpf_program__set_autoload(prog == skel->progs.hp_steer ? skel->progs.hp_steer_mb :
				  skel->progs.hp_steer, false);
	stall("load");
	if (no_disp) {
		err = steer__load(skel);
		if (err) {
			hp_warn("loading the steering program failed: %s (run with -vv for the "
				"verifier log)\n", strerror(-err));
			goto out;
		}
		stall("config");
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, &cfg, BPF_ANY)) {
			err = -errno;
			goto out;
		}
		err = bind_maps(skel, bpf_program__fd(prog));
		if (err)
			goto out;
		err = attach_single(prog, ifindex, ifname, mode, dir);
	} else {
		err = attach_dispatcher(skel, prog, ifindex, mode, &cfg, dir);
	}
out:
	steer__destroy(skel);
	hp_unlock(lock);
	return err;
}

/* ---- detach, status, list --------------------------------------------------------------- */

static int detach_locked(int ifindex)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	struct attached a;
	char dir[PATH_MAX];
	int err;

	err = pin_dir(dir, sizeof(dir), ifindex);
	if (err)
		return err;
	err = open_attached(dir, ifindex, &a, true);
	if (err)
		return err;
	if (a.dispatcher) {
		mp = xdp_multiprog__get_from_ifindex(ifindex);
		err = libxdp_get_error(mp);
		if (!err) {
			err = -ENOENT;
			for (p = xdp_multiprog__next_prog(NULL, mp); p;
			     p = xdp_multiprog__next_prog(p, mp)) {
				if (xdp_program__id(p) != a.prog_id)
					continue;
				err = xdp_program__detach(p, ifindex,
							  xdp_multiprog__attach_mode(mp), 0);
				break;
			}
			xdp_multiprog__close(mp);
		}
		if (err)
			hp_warn("libxdp could not detach program id %u: %s\n", a.prog_id,
				strerror(-err));
	} else {
		/* explicit detach: the program leaves even if someone else holds the link */
		if (bpf_link_detach(a.link_fd))
			hp_info("bpf_link_detach: %s\n", strerror(errno));
	}
	attached_close(&a);
	unpin_all(dir);	/* last pin gone: program and maps are freed */
	return 0;
}

int hp_steer_detach(int ifindex)
{
	int lock, err;

	lock = hp_lock();
	if (lock < 0)
		return lock;
	err = detach_locked(ifindex);
	hp_unlock(lock);
	return err;
}

/* A name made of digits only (after an optional prefix): ours, not another part's pins. */
static bool numeric(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strncmp(s, prefix, n))
		s += n;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * Remove pins whose link lost its device (namespace deleted) in every netns dir
 * (<cookie> or ino-<inode>; other parts keep their own pins next to them, e.g. hybridpath/cc).
 */
static void gc_stale(void)
{
	char base[PATH_MAX], d1[PATH_MAX], d2[PATH_MAX + 16];
	struct dirent *e, *f;
	DIR *top, *sub;

	snprintf(base, sizeof(base), "%s/hybridpath", HP_BPFFS);
	top = opendir(base);
	if (!top)
		return;
	while ((e = readdir(top))) {
		if (!numeric(e->d_name, "ino-") || join(d1, sizeof(d1), base, e->d_name))
			continue;
		sub = opendir(d1);
		if (!sub)
			continue;
		while ((f = readdir(sub))) {
			struct bpf_link_info li;
			__u32 len = sizeof(li);
			char p[PATH_MAX + 32];
			int fd;

			if (!numeric(f->d_name, "") || join(d2, sizeof(d2), d1, f->d_name))
				continue;
			snprintf(p, sizeof(p), "%s/link", d2);
			fd = bpf_obj_get(p);
			if (fd < 0) {
				/* no link: a dispatcher marker (checked in its netns) or empty */
				snprintf(p, sizeof(p), "%s/prog", d2);
				if (access(p, F_OK))
					rmdir(d2);
				continue;
			}
			memset(&li, 0, sizeof(li));
			if (!bpf_link_get_info_by_fd(fd, &li, &len) && li.xdp.ifindex == 0) {
				hp_debug("removing stale steering pin %s (interface gone)\n", p);
				unlink(p);
				rmdir(d2);
			}
			close(fd);
		}
		closedir(sub);
		rmdir(d1);	/* only succeeds when empty */
	}
	closedir(top);
}

/*
 * Rules in use (slots with used == 1), read in batches from the rules array: the loader does not
 * need the rule compiler (user/steer) for this.
 */
static __u32 count_rules(int fd)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	enum { CHUNK = 4096 };
	struct hp_rule *vals;
	__u32 *keys, in = 0, out, n, i, total = 0;
	bool first = true;
	int err;

	keys = calloc(CHUNK, sizeof(*keys));
	vals = calloc(CHUNK, sizeof(*vals));
	if (!keys || !vals)
		goto out;
	for (;;) {
		n = CHUNK;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &n, &bo);
		if (err && errno != ENOENT)
			break;
		for (i = 0; i < n; i++)
			total += vals[i].used == 1;
		if (err)	/* ENOENT: that was the last batch */
			break;
		in = out;
		first = false;
	}
out:
	free(keys);
	free(vals);
	return total;
}

int hp_steer_status(int ifindex, struct hp_steer_status *st)
{
	struct hp_steer_maps maps;
	struct hp_config cfg;
	struct hp_xdp_features f;
	struct attached a;
	bool is_inode;
	__u32 zero = 0;
	int err;

	memset(st, 0, sizeof(*st));
	st->ifindex = ifindex;
	if (!if_indextoname(ifindex, st->ifname))
		return -ENODEV;
	err = pin_dir(st->pin_dir, sizeof(st->pin_dir), ifindex);
	if (err)
		return err;
	err = hp_netns_id(&st->netns_cookie, &is_inode);
	if (err)
		return err;
	err = open_attached(st->pin_dir, ifindex, &a, false);
	if (err)
		return err;
	st->prog_id = a.prog_id;
	st->link_id = a.link_id;
	st->dispatcher = a.dispatcher;
	if (!hp_xdp_features(ifindex, &f)) {
		st->mode = f.attach_mode == XDP_ATTACHED_SKB ? HP_XDP_MODE_SKB :
			   HP_XDP_MODE_NATIVE;
		if (a.dispatcher)
			st->dispatcher_id = f.attached_prog_id;
	}
	err = map_fds_from_prog(a.prog_fd, &maps);
	attached_close(&a);
	if (err)
		return err;
	if (!bpf_map_lookup_elem(maps.config, &zero, &cfg))
		st->default_action = cfg.default_action;
	st->rule_count = count_rules(maps.rules);
	hp_steer_maps_close(&maps);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int hp_steer_list(int *ifindexes, int max)
{
	char dir[PATH_MAX], sub[PATH_MAX + 16];
	struct attached a;
	struct dirent *e;
	int n = 0, idx, err, *all = NULL, cap = 0;
	DIR *d;

	err = pin_dir(dir, sizeof(dir), 0);
	if (err)
		return err;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		idx = atoi(e->d_name);
		if (idx <= 0)
			continue;
		if (join(sub, sizeof(sub), dir, e->d_name))
			continue;
		if (open_attached(sub, idx, &a, false))
			continue;
		attached_close(&a);
		if (n == cap) {
			int *na = realloc(all, (cap ? cap * 2 : 16) * sizeof(*all));

			if (!na) {
				err = -ENOMEM;
				break;
			}
			all = na;
			cap = cap ? cap * 2 : 16;
		}
		all[n++] = idx;
	}
	closedir(d);
	if (!err) {
		if (n)
			qsort(all, n, sizeof(*all), cmp_int);
		memcpy(ifindexes, all, (n < max ? n : max) * sizeof(*all));
	}
	free(all);
	return err ?: n;
}

/* ---- features --------------------------------------------------------------------------- */

int hp_xdp_features(int ifindex, struct hp_xdp_features *f)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	memset(f, 0, sizeof(*f));
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	f->flags = q.feature_flags;
	f->known = q.feature_flags != 0;
	f->basic = q.feature_flags & NETDEV_XDP_ACT_BASIC;
	f->redirect = q.feature_flags & NETDEV_XDP_ACT_REDIRECT;
	f->ndo_xmit = q.feature_flags & NETDEV_XDP_ACT_NDO_XMIT;
	f->xsk_zerocopy = q.feature_flags & NETDEV_XDP_ACT_XSK_ZEROCOPY;
	f->hw_offload = q.feature_flags & NETDEV_XDP_ACT_HW_OFFLOAD;
	f->rx_sg = q.feature_flags & NETDEV_XDP_ACT_RX_SG;
	f->ndo_xmit_sg = q.feature_flags & NETDEV_XDP_ACT_NDO_XMIT_SG;
	f->zc_max_segs = q.xdp_zc_max_segs;
	f->attach_mode = q.attach_mode;
	f->attached_prog_id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id :
			      q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
	return 0;
}
