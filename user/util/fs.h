/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Internal: the small file-system helpers the loaders share (pin folders, sysfs/procfs lines,
 * mounting bpffs). Hidden from the shared library's ABI; never exit()/abort(); -errno on error.
 */
#ifndef HP_UTIL_FS_H
#define HP_UTIL_FS_H
#include <stddef.h>

#define HP_INTERNAL __attribute__((visibility("hidden")))
#define HP_BPFFS_ROOT "/sys/fs/bpf"

/* mkdir -p with mode 0700 for every component created; an existing folder is fine. */
HP_INTERNAL int hp_fs_mkdir_p(const char *path);
/* First line of a file without its newline; -ENODATA when the file is empty. */
HP_INTERNAL int hp_fs_read_line(const char *path, char *buf, size_t len);
/* Make sure bpffs is mounted at HP_BPFFS_ROOT (mounting it, mode 0700, when nothing is);
 * *mounted (may be NULL) says whether this call mounted it. Warns with the fix on failure. */
HP_INTERNAL int hp_fs_bpffs_mount(int *mounted);
#endif
