// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Internal file-system helpers shared by loader/{loader,cc,sched}.c; see fs.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "util/fs.h"
#include "util/log.h"

int hp_fs_mkdir_p(const char *path)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int hp_fs_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		err = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!err)
		buf[strcspn(buf, "\n")] = 0;
	return err;
}

int hp_fs_bpffs_mount(int *mounted)
{
	struct statfs sfs;
	int err;

	if (mounted)
		*mounted = 0;
	if (!statfs(HP_BPFFS_ROOT, &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(HP_BPFFS_ROOT, 0700) && errno != EEXIST) {
		err = -errno;
		hp_warn("cannot create %s: %s\n", HP_BPFFS_ROOT, strerror(-err));
		return err;
	}
	if (mount("bpf", HP_BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		err = -errno;
		hp_warn("bpffs is not mounted at %s and mounting it failed: %s (run as root, or "
			"mount it: mount -t bpf bpf %s)\n", HP_BPFFS_ROOT, strerror(-err),
			HP_BPFFS_ROOT);
		return err;
	}
	if (mounted)
		*mounted = 1;
	hp_debug("mounted bpffs at %s\n", HP_BPFFS_ROOT);
	return 0;
}
