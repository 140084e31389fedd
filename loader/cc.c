// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP congestion control policies (cc/NAME.bpf.c): load a built-in skeleton or a .bpf.o file,
 * register its tcp_congestion_ops through a struct_ops link, pin the link (and the policy's
 * counters map) so the policy outlives the loader, unload, list, and switch the default.
 *
 * Unloading while sockets use a policy: the kernel allows it (the struct_ops map stays alive,
 * referenced by each socket, until the last of them closes; only new sockets can no longer pick
 * the name). We refuse by default with the count of sockets and namespaces, and unload anyway
 * with force.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <hybridpath/cc.h>
#include "util/fs.h"
#include "util/log.h"
#include "../cc/hp_cc.h"

/*
 * bpftool 7.5 writes skeletons for libbpf 1.5, whose bpf_map_skeleton has a `link` member (for
 * auto-attaching struct_ops); libbpf 1.4's has not. The skeleton already sets map_skel_sz to the
 * larger size and libbpf 1.4 walks the array with that stride, so give the skeleton code the
 * 1.5 layout under the 1.4 name. We attach struct_ops ourselves, so libbpf never reads `link`.
 */
struct hp_map_skeleton_v15 {
	const char *name;
	struct bpf_map **map;
	void **mmaped;
	struct bpf_link **link;
};
#define bpf_map_skeleton hp_map_skeleton_v15
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wincompatible-pointer-types"
#include "hp_cubic.skel.h"
#include "hp_dctcp.skel.h"
#include "hp_vegas.skel.h"
#pragma GCC diagnostic pop
#undef bpf_map_skeleton

#define BPFFS HP_BPFFS_ROOT
#define PIN_ROOT BPFFS "/hybridpath"
#define SYSCTL_AVAIL "/proc/sys/net/ipv4/tcp_available_congestion_control"
#define SYSCTL_DEFAULT "/proc/sys/net/ipv4/tcp_congestion_control"
#define SYSCTL_ALLOWED "/proc/sys/net/ipv4/tcp_allowed_congestion_control"

/* --- built-in policies: skeletons embedded in the library --- */
struct builtin {
	const char *name;
	void *(*open)(void);
	void (*destroy)(void *skel);
	size_t obj_off;		/* offsetof(skeleton, obj) */
};
#define BUILTIN(n) { #n, (void *(*)(void))n##__open, (void (*)(void *))n##__destroy, \
		     offsetof(struct n, obj) }
static const struct builtin builtins[] = {
	BUILTIN(hp_cubic), BUILTIN(hp_dctcp), BUILTIN(hp_vegas),
};
static const char *const builtin_names[] = { "hp_cubic", "hp_dctcp", "hp_vegas", NULL };

const char *const *hp_cc_builtin(void)
{
	return builtin_names;
}

/* --- counters: names and offsets of struct hp_cc_stats --- */
/* Counters (summed over CPUs) and gauges (last values), in the order hp_cc_info lists them. */
#define CTR(f) { #f, false, offsetof(struct hp_cc_stats, f) }
#define GAUGE(f) { #f, true, offsetof(struct hp_cc_gauges, f) }
static const struct { const char *name; bool gauge; size_t off; } counters[] = {
	CTR(init), CTR(release), CTR(ssthresh), CTR(cong_avoid), CTR(set_state), CTR(cwnd_event),
	CTR(in_ack_event), CTR(pkts_acked), CTR(undo_cwnd), CTR(loss_state), CTR(hystart_train),
	CTR(hystart_delay), CTR(ecn_fallback), GAUGE(alpha), GAUGE(alpha_max), CTR(alpha_updates),
	CTR(alpha_sum), CTR(ce_reductions), GAUGE(base_rtt_us), CTR(delay_decreases),
	CTR(delay_increases),
};
_Static_assert(HP_ARRAY_SIZE(counters) <= HP_CC_MAX_COUNTERS, "raise HP_CC_MAX_COUNTERS");
_Static_assert(HP_ARRAY_SIZE(counters) * 8 ==
	       sizeof(struct hp_cc_stats) + sizeof(struct hp_cc_gauges),
	       "one table entry per field of hp_cc_stats and hp_cc_gauges");

int hp_cc_counter_count(void)
{
	return HP_ARRAY_SIZE(counters);
}

const char *hp_cc_counter_name(int i)
{
	return i >= 0 && i < (int)HP_ARRAY_SIZE(counters) ? counters[i].name : NULL;
}

/* --- libbpf messages: keep the first warning so an error can quote it in one line --- */
static char libbpf_last[256];

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	va_list aq;
	size_t n;

	va_copy(aq, ap);
	vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	/* libbpf's first warning names the cause; later ones only say what gave up */
	if (level == LIBBPF_WARN && n && !libbpf_last[0] && !strstr(buf, "-- BEGIN"))
		snprintf(libbpf_last, sizeof(libbpf_last), "%.255s",
			 strncmp(buf, "libbpf: ", 8) ? buf : buf + 8);
	if (level != LIBBPF_DEBUG)
		hp_debug("libbpf: %s\n", buf);
	return 0;
}

/* --- small helpers --- */
static const char *pin_root_of(const char *root)
{
	return root && *root ? root : PIN_ROOT;
}

/*
 * Options structs from callers built against another version: fields past their sz are
 * defaulted (HP_OPTS_GET); bytes past the fields we know must be zero, or the caller asked for
 * something this library cannot do.
 */
static bool opts_ok(const void *opts, size_t sz, size_t known)
{
	const char *p = opts;
	size_t i;

	if (!opts)
		return true;
	if (sz < sizeof(size_t))
		return false;
	for (i = known; i < sz; i++)
		if (p[i])
			return false;
	return true;
}
#define OPTS_OK(opts, type)						\
	opts_ok(opts, (opts) ? (opts)->sz : 0,				\
		offsetof(struct type, type##__last_field) +		\
		sizeof(((struct type *)0)->type##__last_field))

/* Is /sys the per-command sysfs that `ip netns exec` mounts (source = the namespace's name)? */
static bool private_sys(void)
{
	char line[1024], mnt[256], fstype[64], src[256], path[PATH_MAX];
	bool priv = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && !priv && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    strcmp(mnt, "/sys") ||
		    sscanf(sep + 3, "%63s %255s", fstype, src) != 2 || strcmp(fstype, "sysfs") ||
		    strchr(src, '/'))
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", src);
		priv = !access(path, F_OK);
	}
	if (f)
		fclose(f);
	return priv;
}

/* Mount bpffs at /sys/fs/bpf when the pin root lives there and nothing is mounted, unless this
 * is a private mount namespace where the mount (and every pin in it) dies with us. */
static int bpffs_ensure(const char *root)
{
	struct stat self, init;
	struct statfs st;

	if (strncmp(root, BPFFS "/", strlen(BPFFS) + 1))
		return 0;
	if (!statfs(BPFFS, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (private_sys() || (!stat("/proc/self/ns/mnt", &self) && !stat("/proc/1/ns/mnt", &init) &&
			      self.st_ino != init.st_ino)) {
		/* e.g. under `ip netns exec`, which gives each command a private /sys */
		hp_warn("bpffs is not mounted at %s in this mount namespace: a pin made here would "
			"vanish (and unregister the policy) when this process exits, and the pins "
			"of other processes are not visible; use `xdpctl -n NETNS` instead of `ip "
			"netns exec`, or mount bpffs at %s first\n", BPFFS, BPFFS);
		return -ENOENT;
	}
	return hp_fs_bpffs_mount(NULL);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Is name in the space-separated list of sysctl file? 1 yes, 0 no, <0 error. */
static int in_sysctl_list(const char *file, const char *name)
{
	char buf[4096], *tok, *save;
	int err = hp_fs_read_line(file, buf, sizeof(buf));

	if (err)
		return err;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strcmp(tok, name))
			return 1;
	return 0;
}

static int cc_available(const char *name)
{
	return in_sysctl_list(SYSCTL_AVAIL, name);
}

int hp_cc_get_default(char *name, size_t len)
{
	return hp_fs_read_line(SYSCTL_DEFAULT, name, len);
}

int hp_cc_set_default(const char *name, char *prev)
{
	char cur[HP_CC_NAME_MAX] = "";
	int err;

	err = hp_cc_get_default(cur, sizeof(cur));
	if (err)
		return err;
	if (prev)
		memcpy(prev, cur, sizeof(cur));
	err = write_str(SYSCTL_DEFAULT, name);
	if (err)
		return err;
	err = hp_cc_get_default(cur, sizeof(cur));
	if (!err && strcmp(cur, name))
		err = -EAGAIN;	/* someone else changed it meanwhile */
	return err;
}

static bool valid_name(const char *n)
{
	size_t len = strlen(n);

	if (!len || len >= HP_CC_NAME_MAX)
		return false;
	for (; *n; n++)
		if (*n <= ' ' || *n == '/' || *n > '~')
			return false;
	return true;
}

#define TCP_CONG_NON_RESTRICTED 0x1	/* include/net/tcp.h */

/* Find the one tcp_congestion_ops struct_ops map of obj, the offsets of .name and .flags. */
static struct bpf_map *find_ops_map(struct bpf_object *obj, const char *what, size_t *name_off,
				    size_t *flags_off)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map, *found = NULL;

	bpf_object__for_each_map(map, obj) {
		const struct btf_type *t;
		const struct btf_member *m;
		int i;

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || !btf)
			continue;
		t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		if (!t || !btf_is_struct(t) ||
		    strcmp(btf__name_by_offset(btf, t->name_off), "tcp_congestion_ops"))
			continue;
		if (found) {
			hp_warn("%s: more than one tcp_congestion_ops (%s, %s); put one policy per "
				"object\n", what, bpf_map__name(found), bpf_map__name(map));
			errno = EINVAL;
			return NULL;
		}
		m = btf_members(t);
		for (i = 0; i < btf_vlen(t); i++, m++) {
			const char *mn = btf__name_by_offset(btf, m->name_off);

			if (!strcmp(mn, "name")) {
				*name_off = btf_member_bit_offset(t, i) / 8;
				found = map;
			} else if (!strcmp(mn, "flags")) {
				*flags_off = btf_member_bit_offset(t, i) / 8;
			}
		}
	}
	if (!found) {
		hp_warn("%s: no tcp_congestion_ops struct_ops map in this object (declare one in "
			"SEC(\".struct_ops.link\"))\n", what);
		errno = EINVAL;
	}
	return found;
}

static void pin_paths(const char *root, const char *name, char *link, char *stats)
{
	snprintf(link, PATH_MAX, "%s/cc/%s", root, name);
	snprintf(stats, PATH_MAX, "%s/cc-stats/%s", root, name);
}

static void gauges_path(const char *root, const char *name, char *gauges)
{
	snprintf(gauges, PATH_MAX, "%s/cc-gauges/%s", root, name);
}

/* Pin map of obj called map_name at path if its value is size bytes; absent maps are fine. */
static int pin_map(struct bpf_object *obj, const char *map_name, size_t size, const char *path)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, map_name);
	int err;

	if (!m || bpf_map__value_size(m) != size)
		return 0;
	err = bpf_map__pin(m, path);
	if (err)
		hp_warn("pinning map %s at %s failed: %s\n", map_name, path, strerror(-err));
	return err;
}

static bool is_file_arg(const char *what)
{
	size_t n = strlen(what);

	return strchr(what, '/') || (n > 2 && !strcmp(what + n - 2, ".o"));
}

int hp_cc_load(const char *what, const struct hp_cc_load_opts *opts, char *name_out)
{
	const char *root = pin_root_of(HP_OPTS_GET(opts, pin_root, NULL));
	const char *rename = HP_OPTS_GET(opts, name, NULL);
	bool set_default = HP_OPTS_GET(opts, set_default, false);
	char link_pin[PATH_MAX], stats_pin[PATH_MAX], gauges_pin[PATH_MAX], dir[PATH_MAX];
	char name[HP_CC_NAME_MAX] = "", prev[HP_CC_NAME_MAX] = "";
	libbpf_print_fn_t old_print;
	const struct builtin *b = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct bpf_map *map;
	bool pinned = false;
	void *skel = NULL;
	size_t name_off = 0, flags_off = SIZE_MAX, sz = 0;
	char *data;
	int err;
	size_t i;

	if (!what || !*what || !OPTS_OK(opts, hp_cc_load_opts))
		return -EINVAL;
	libbpf_last[0] = 0;
	old_print = libbpf_set_print(capture_print);

	if (is_file_arg(what)) {
		if (access(what, R_OK)) {
			err = -errno;
			hp_warn("cannot read %s: %s\n", what, strerror(-err));
			goto out;
		}
		obj = bpf_object__open_file(what, NULL);
		if (!obj) {
			char msg[128];

			libbpf_strerror(-errno, msg, sizeof(msg));
			hp_warn("%s is not a valid BPF object: %s (%s; build it with clang -target "
				"bpf -g)\n", what, libbpf_last[0] ? libbpf_last : "no detail", msg);
			err = -EINVAL;
			goto out;
		}
	} else {
		for (i = 0; i < HP_ARRAY_SIZE(builtins); i++)
			if (!strcmp(builtins[i].name, what))
				b = &builtins[i];
		if (!b) {
			hp_warn("unknown policy '%s': built-in ones are hp_cubic, hp_dctcp, "
				"hp_vegas (or give a path to a .bpf.o file)\n", what);
			err = -ENOENT;
			goto out;
		}
		skel = b->open();
		if (!skel) {
			err = -errno;
			hp_warn("opening built-in %s failed: %s\n", what, strerror(-err));
			goto out;
		}
		obj = *(struct bpf_object **)((char *)skel + b->obj_off);
	}

	map = find_ops_map(obj, what, &name_off, &flags_off);
	if (!map) {
		err = -EINVAL;
		goto out;
	}
	data = bpf_map__initial_value(map, &sz);
	if (!data || name_off + HP_CC_NAME_MAX > sz) {
		hp_warn("%s: cannot read the struct_ops data of map %s (libbpf >= 1.4 needed)\n",
			what, bpf_map__name(map));
		err = -EINVAL;
		goto out;
	}
	if (rename) {
		if (!valid_name(rename)) {
			hp_warn("bad name '%s': 1 to %d printable characters, no spaces or '/'\n",
				rename, HP_CC_NAME_MAX - 1);
			err = -EINVAL;
			goto out;
		}
		memset(data + name_off, 0, HP_CC_NAME_MAX);
		memcpy(data + name_off, rename, strlen(rename));
	}
	if (HP_OPTS_GET(opts, unrestricted, false)) {
		__u32 flags;

		if (flags_off == SIZE_MAX || flags_off + sizeof(flags) > sz) {
			hp_warn("%s: its tcp_congestion_ops has no flags member; cannot mark it "
				"unrestricted\n", what);
			err = -EINVAL;
			goto out;
		}
		memcpy(&flags, data + flags_off, sizeof(flags));
		flags |= TCP_CONG_NON_RESTRICTED;
		memcpy(data + flags_off, &flags, sizeof(flags));
	}
	/* An object written with SEC(".struct_ops") (no link) would be registered through the map
	 * alone, which cannot be pinned as a link nor detached later: ask for a link. */
	if (!(bpf_map__map_flags(map) & BPF_F_LINK))
		bpf_map__set_map_flags(map, bpf_map__map_flags(map) | BPF_F_LINK);
	memcpy(name, data + name_off, HP_CC_NAME_MAX - 1);
	if (!valid_name(name)) {
		hp_warn("%s: the tcp_congestion_ops .name is empty or invalid; set it in the "
			"object or pass a name\n", what);
		err = -EINVAL;
		goto out;
	}

	err = cc_available(name);
	if (err < 0) {
		hp_warn("cannot read %s: %s\n", SYSCTL_AVAIL, strerror(-err));
		goto out;
	}
	pin_paths(root, name, link_pin, stats_pin);
	gauges_path(root, name, gauges_pin);
	if (err == 1) {
		hp_warn("a congestion control named '%s' is already registered (%s); unload it "
			"first or load under another name\n", name,
			access(link_pin, F_OK) ? "not by hybridpath: built in or another loader"
					       : "by hybridpath");
		err = -EEXIST;
		goto out;
	}

	err = bpf_object__load(obj);
	if (err) {
		if (err == -ENOTSUP || err == -ESRCH || err == -ENOENT)
			hp_warn("%s: its tcp_congestion_ops does not match the running kernel: %s "
				"(rebuild it against this kernel's BTF)\n", what,
				libbpf_last[0] ? libbpf_last : strerror(-err));
		else
			hp_warn("%s: loading into the kernel failed: %s (%s; run with -v for the "
				"verifier log)\n", what, libbpf_last[0] ? libbpf_last : "no detail",
				strerror(-err));
		if (err != -EPERM && err != -EACCES && err != -ENOMEM)
			err = err == -ENOENT || err == -ESRCH ? -ENOTSUP : err;
		goto out;
	}

	link = bpf_map__attach_struct_ops(map);
	if (!link) {
		err = -errno;
		if (err == -EEXIST)
			hp_warn("a congestion control named '%s' was registered meanwhile by "
				"someone else\n", name);
		else
			hp_warn("registering %s failed: %s (%s)\n", name, strerror(-err),
				libbpf_last[0] ? libbpf_last : "the kernel rejected the ops");
		goto out;
	}

	err = bpffs_ensure(root);
	if (err)
		goto out;
	snprintf(dir, sizeof(dir), "%s/cc", root);
	err = hp_fs_mkdir_p(dir);
	if (!err) {
		snprintf(dir, sizeof(dir), "%s/cc-stats", root);
		err = hp_fs_mkdir_p(dir);
	}
	if (!err) {
		snprintf(dir, sizeof(dir), "%s/cc-gauges", root);
		err = hp_fs_mkdir_p(dir);
	}
	if (err) {
		hp_warn("cannot create %s: %s\n", dir, strerror(-err));
		goto out;
	}
	/* The name was free, so pins of that name are stale: left by a policy whose link was
	 * detached some other way (bpftool link detach). */
	if (!access(link_pin, F_OK))
		hp_info("removing stale pin %s\n", link_pin);
	unlink(link_pin);
	unlink(stats_pin);
	unlink(gauges_pin);
	err = bpf_link__pin(link, link_pin);
	if (err) {
		hp_warn("pinning the link of %s at %s failed: %s (is %s a bpffs?)\n", name,
			link_pin, strerror(-err), root);
		goto out;
	}
	pinned = true;
	err = pin_map(obj, HP_CC_STATS_MAP, sizeof(struct hp_cc_stats), stats_pin);
	if (!err)
		err = pin_map(obj, HP_CC_GAUGES_MAP, sizeof(struct hp_cc_gauges), gauges_pin);
	if (err)
		goto out;

	if (set_default) {
		err = hp_cc_set_default(name, prev);
		if (err) {
			char now[HP_CC_NAME_MAX] = "";

			if (err == -EPERM)
				hp_warn("cannot make %s the default here: the kernel lets a "
					"network namespace other than the initial one default only "
					"to an unrestricted congestion control (%s is restricted; "
					"see --unrestricted); %s stays the default and %s was "
					"unloaded\n", name, name,
					prev[0] ? prev : "the previous one", name);
			else
				hp_warn("cannot make %s the default: %s; restoring %s and "
					"unloading %s\n", name, strerror(-err), prev, name);
			if (prev[0] && (hp_cc_get_default(now, sizeof(now)) || strcmp(now, prev)) &&
			    write_str(SYSCTL_DEFAULT, prev))
				hp_warn("restoring the default congestion control %s failed: %s "
					"(set it: sysctl net.ipv4.tcp_congestion_control=%s)\n",
					prev, strerror(errno), prev);
			goto out;
		}
	}
	if (name_out)
		memcpy(name_out, name, HP_CC_NAME_MAX);
	hp_info("registered %s, pinned at %s\n", name, link_pin);
	err = 0;
out:
	if (err && pinned) {
		unlink(link_pin);
		unlink(stats_pin);
		unlink(gauges_pin);
	}
	if (err && link)
		bpf_link__detach(link);	/* unregister now, not when the last fd closes */
	bpf_link__destroy(link);	/* closes our fd; the pin keeps it registered */
	if (skel)
		b->destroy(skel);
	else
		bpf_object__close(obj);
	libbpf_set_print(old_print);
	return err;
}

/* --- sockets using each congestion control: NETLINK_SOCK_DIAG with INET_DIAG_CONG --- */
struct cc_count {
	char name[HP_CC_NAME_MAX];
	int n;
};

static void count_add(struct cc_count *c, size_t max, size_t *used, const char *name)
{
	size_t i;

	for (i = 0; i < *used; i++) {
		if (!strcmp(c[i].name, name)) {
			c[i].n++;
			return;
		}
	}
	if (*used < max) {
		snprintf(c[*used].name, HP_CC_NAME_MAX, "%s", name);
		c[(*used)++].n = 1;
	}
}

/* Dump TCP sockets of family through diag socket fd, counting their congestion controls. */
static int diag_dump(int fd, int family, struct cc_count *c, size_t max, size_t *used)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh.nlmsg_len = sizeof(req),
		.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY,
		.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nlh.nlmsg_seq = 1,
		.r.sdiag_family = family,
		.r.sdiag_protocol = IPPROTO_TCP,
		.r.idiag_states = ~0U,
		.r.idiag_ext = 1 << (INET_DIAG_CONG - 1),
	};
	static char buf[32768] __attribute__((aligned(8)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct inet_diag_msg *m = NLMSG_DATA(h);
			struct rtattr *a;
			int alen;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
			for (a = (struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type == INET_DIAG_CONG)
					count_add(c, max, used, RTA_DATA(a));
		}
	}
}

static int diag_count(struct cc_count *c, size_t max, size_t *used)
{
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	err = diag_dump(fd, AF_INET, c, max, used);
	if (!err)
		err = diag_dump(fd, AF_INET6, c, max, used);
	close(fd);
	return err;
}

struct users {
	const char *name;
	int self;		/* our own network namespace */
	ino_t seen[1024];	/* namespaces counted already */
	size_t nseen;
	int sockets, defaults, nets;
};

/* Count in the network namespace at path (once per namespace). Returns 0, or -errno when we
 * cannot get back into our own namespace. Namespaces we cannot enter are skipped. */
static int count_netns(struct users *u, const char *path, bool own)
{
	char def[HP_CC_NAME_MAX] = "";
	struct cc_count c[64];
	size_t used = 0, i;
	struct stat st;
	int fd, hit = 0;

	if (stat(path, &st) || u->nseen == HP_ARRAY_SIZE(u->seen))
		return 0;
	for (i = 0; i < u->nseen; i++)
		if (u->seen[i] == st.st_ino)
			return 0;
	u->seen[u->nseen++] = st.st_ino;
	if (!own) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		i = setns(fd, CLONE_NEWNET);
		close(fd);
		if (i)
			return 0;
	}
	/* sock_diag sockets and /proc/sys/net belong to the namespace current at creation */
	diag_count(c, HP_ARRAY_SIZE(c), &used);
	hp_cc_get_default(def, sizeof(def));
	if (!own && setns(u->self, CLONE_NEWNET)) {
		hp_warn("cannot return to our network namespace: %s\n", strerror(errno));
		return -errno;
	}
	for (i = 0; i < used; i++)
		if (!strcmp(c[i].name, u->name))
			hit = c[i].n;
	u->sockets += hit;
	u->nets += hit > 0;
	u->defaults += !strcmp(def, u->name);
	return 0;
}

/*
 * Count sockets using name and namespaces defaulting to it, over every network namespace we can
 * enter: ours, those named under /run/netns, those of every process (/proc/PID/ns/net).
 */
static int count_users(struct users *u)
{
	char path[PATH_MAX];
	struct dirent *e;
	int err;
	DIR *d;

	u->self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (u->self < 0)
		return -errno;
	err = count_netns(u, "/proc/self/ns/net", true);
	d = opendir("/run/netns");
	while (!err && d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		err = count_netns(u, path, false);
	}
	if (d)
		closedir(d);
	d = opendir("/proc");
	while (!err && d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", e->d_name);
		err = count_netns(u, path, false);
	}
	if (d)
		closedir(d);
	close(u->self);
	return err;
}

int hp_cc_unload(const char *name, const struct hp_cc_unload_opts *opts)
{
	const char *root = pin_root_of(HP_OPTS_GET(opts, pin_root, NULL));
	bool force = HP_OPTS_GET(opts, force, false);
	char link_pin[PATH_MAX], stats_pin[PATH_MAX], gauges_pin[PATH_MAX];
	struct users u = { .name = name };
	int fd = -1, err;

	if (!name || !valid_name(name) || !OPTS_OK(opts, hp_cc_unload_opts))
		return -EINVAL;
	err = bpffs_ensure(root);
	if (err)
		return err;
	pin_paths(root, name, link_pin, stats_pin);
	gauges_path(root, name, gauges_pin);
	fd = bpf_obj_get(link_pin);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			hp_warn("%s was not loaded by hybridpath (no pin at %s)%s\n", name,
				link_pin, cc_available(name) == 1 ?
				"; it is built into the kernel or owned by another loader" :
				"; it is not registered at all");
		else
			hp_warn("cannot open %s: %s\n", link_pin, strerror(-err));
		return err;
	}
	err = count_users(&u);
	if (err)
		goto out;
	if ((u.sockets || u.defaults) && !force) {
		hp_warn("%s is in use: %d TCP socket(s) in %d network namespace(s) use it and %d "
			"namespace(s) have it as default; close them or set another default, or "
			"unload with --force (the kernel keeps it alive for existing sockets until "
			"they close)\n", name, u.sockets, u.nets, u.defaults);
		err = -EBUSY;
		goto out;
	}
	if (bpf_link_detach(fd)) {
		err = -errno;
		hp_warn("unregistering %s failed: %s\n", name, strerror(-err));
		goto out;
	}
	unlink(link_pin);
	unlink(stats_pin);
	unlink(gauges_pin);
	if (cc_available(name) == 1) {
		hp_warn("%s is still listed in %s after detaching its link\n", name, SYSCTL_AVAIL);
		err = -EBUSY;
	}
out:
	close(fd);
	return err;
}

/* --- list --- */
/* Sum the per-CPU counters pinned at stats_pin, read the gauges at gauges_pin (if any). */
static int read_counters(const char *stats_pin, const char *gauges_pin, __u64 *out)
{
	struct hp_cc_gauges g = {};
	struct hp_cc_stats *s;
	int fd, err = 0, ncpu, c;
	__u32 zero = 0;
	size_t i;

	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	/* per-CPU values come rounded up to 8 bytes each; hp_cc_stats is all __u64 */
	s = calloc(ncpu, sizeof(*s));
	if (!s)
		return -ENOMEM;
	fd = bpf_obj_get(stats_pin);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, s))
		err = -errno;
	if (fd >= 0)
		close(fd);
	fd = err ? -1 : bpf_obj_get(gauges_pin);
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &zero, &g);
		close(fd);
	}
	for (i = 0; !err && i < HP_ARRAY_SIZE(counters); i++) {
		out[i] = 0;
		if (counters[i].gauge) {
			out[i] = *(__u64 *)((char *)&g + counters[i].off);
			continue;
		}
		for (c = 0; c < ncpu; c++)
			out[i] += *(__u64 *)((char *)&s[c] + counters[i].off);
	}
	free(s);
	return err;
}

static struct hp_cc_info *info_add(struct hp_cc_info **v, size_t *n, const char *name)
{
	struct hp_cc_info *nv;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return &(*v)[i];
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return NULL;
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	snprintf(nv[*n].name, HP_CC_NAME_MAX, "%s", name);
	nv[*n].sockets = -1;
	return &nv[(*n)++];
}

int hp_cc_list(struct hp_cc_info **out, size_t *count, const struct hp_cc_list_opts *opts)
{
	const char *root = pin_root_of(HP_OPTS_GET(opts, pin_root, NULL));
	char buf[4096], def[HP_CC_NAME_MAX] = "", path[PATH_MAX], stats_pin[PATH_MAX];
	char gauges_pin[PATH_MAX];
	struct hp_cc_info *v = NULL, *x;
	struct cc_count c[64];
	size_t n = 0, used = 0, i;
	char *tok, *save;
	bool diag_ok;
	DIR *d;
	struct dirent *e;
	int err;

	if (!out || !count || !OPTS_OK(opts, hp_cc_list_opts))
		return -EINVAL;
	err = hp_fs_read_line(SYSCTL_AVAIL, buf, sizeof(buf));
	if (err)
		return err;
	hp_cc_get_default(def, sizeof(def));
	diag_ok = !diag_count(c, HP_ARRAY_SIZE(c), &used);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		x = info_add(&v, &n, tok);
		if (!x)
			goto nomem;
		x->available = true;
	}
	if (!bpffs_ensure(root)) {
		snprintf(path, sizeof(path), "%s/cc", root);
		d = opendir(path);
		while (d && (e = readdir(d))) {
			struct bpf_link_info li = {};
			__u32 len = sizeof(li);
			char pin[PATH_MAX + 300];
			int fd;

			if (e->d_name[0] == '.' || !valid_name(e->d_name))
				continue;
			x = info_add(&v, &n, e->d_name);
			if (!x) {
				closedir(d);
				goto nomem;
			}
			x->ours = true;
			snprintf(pin, sizeof(pin), "%s/%s", path, e->d_name);
			fd = bpf_obj_get(pin);
			if (fd >= 0 && !bpf_link_get_info_by_fd(fd, &li, &len)) {
				x->link_id = li.id;
				if (li.type == BPF_LINK_TYPE_STRUCT_OPS)
					x->map_id = li.struct_ops.map_id;
			}
			if (fd >= 0)
				close(fd);
			pin_paths(root, e->d_name, pin, stats_pin);
			gauges_path(root, e->d_name, gauges_pin);
			x->has_counters = !read_counters(stats_pin, gauges_pin, x->counters);
		}
		if (d)
			closedir(d);
	}
	for (i = 0; i < n; i++) {
		size_t j;

		v[i].is_default = !strcmp(v[i].name, def);
		v[i].allowed = in_sysctl_list(SYSCTL_ALLOWED, v[i].name) == 1;
		if (!diag_ok)
			continue;
		v[i].sockets = 0;
		for (j = 0; j < used; j++)
			if (!strcmp(c[j].name, v[i].name))
				v[i].sockets = c[j].n;
	}
	*out = v;
	*count = n;
	return 0;
nomem:
	free(v);
	return -ENOMEM;
}
