// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of the cc loader's input checks and tables: everything here fails before the
 * kernel is asked for anything, so no privileges are needed and nothing gets registered. */
#include <stdlib.h>
#include <unistd.h>
#include <linux/types.h>
#include <hybridpath/cc.h>
#include "test.h"
#include "../../cc/hp_cc.h"

static int quiet(enum hp_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

void test_cc_tables(void)
{
	const char *const *b = hp_cc_builtin();
	int i, j, n = hp_cc_counter_count();

	if (test__start_subtest("counters_match_stats_layout")) {
		ASSERT_EQ(n * sizeof(__u64), sizeof(struct hp_cc_stats) + sizeof(struct hp_cc_gauges),
			  "one name per counter and gauge");
		ASSERT_LE(n, HP_CC_MAX_COUNTERS, "fits hp_cc_info");
		ASSERT_STREQ(hp_cc_counter_name(0), "init", "first");
		ASSERT_TRUE(hp_cc_counter_name(n) == NULL, "past the end");
		ASSERT_TRUE(hp_cc_counter_name(-1) == NULL, "negative");
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				ASSERT_TRUE(strcmp(hp_cc_counter_name(i), hp_cc_counter_name(j)),
					    "unique names");
	}
	if (test__start_subtest("builtins")) {
		ASSERT_STREQ(b[0], "hp_cubic", "cubic");
		ASSERT_STREQ(b[1], "hp_dctcp", "dctcp");
		ASSERT_STREQ(b[2], "hp_vegas", "vegas");
		ASSERT_TRUE(b[3] == NULL, "terminated");
	}
}

void test_cc_load_rejects(void)
{
	hp_print_fn_t old = hp_set_print(quiet);
	char path[] = "/tmp/hp-unit-cc-XXXXXX.bpf.o", name[HP_CC_NAME_MAX];
	int fd;

	if (test__start_subtest("null_and_bad_opts")) {
		struct hp_cc_load_opts o = { .sz = 1 };

		ASSERT_EQ(hp_cc_load(NULL, NULL, name), -EINVAL, "NULL");
		ASSERT_EQ(hp_cc_load("", NULL, name), -EINVAL, "empty");
		ASSERT_EQ(hp_cc_load("hp_cubic", &o, name), -EINVAL, "opts.sz too small");
	}
	if (test__start_subtest("opts_from_a_newer_caller")) {
		/* a caller built against a future header, using a field we do not know */
		struct {
			struct hp_cc_load_opts o;
			int future;
		} big = { .o.sz = sizeof(big), .future = 1 };

		/* rejected before the name is even looked up ... */
		ASSERT_EQ(hp_cc_load("hp_nosuch", &big.o, name), -EINVAL, "unknown field set");
		/* ... while zero bytes there are accepted and the lookup fails */
		big.future = 0;
		ASSERT_EQ(hp_cc_load("hp_nosuch", &big.o, name), -ENOENT, "unknown field zero");
	}
	if (test__start_subtest("unknown_builtin"))
		ASSERT_EQ(hp_cc_load("hp_nosuch", NULL, name), -ENOENT, "unknown name");
	if (test__start_subtest("missing_file"))
		ASSERT_EQ(hp_cc_load("/nonexistent/x.bpf.o", NULL, name), -ENOENT, "no file");
	if (test__start_subtest("bad_names")) {
		HP_OPTS(hp_cc_load_opts, o1, .name = "");
		HP_OPTS(hp_cc_load_opts, o2, .name = "sixteen_chars_xx");
		HP_OPTS(hp_cc_load_opts, o3, .name = "has space");

		ASSERT_EQ(hp_cc_load("hp_cubic", &o1, name), -EINVAL, "empty name");
		ASSERT_EQ(hp_cc_load("hp_cubic", &o2, name), -EINVAL, "16 characters");
		ASSERT_EQ(hp_cc_load("hp_cubic", &o3, name), -EINVAL, "space");
	}
	if (test__start_subtest("malformed_object")) {
		fd = mkstemps(path, 6);
		if (ASSERT_GE(fd, 0, "mkstemps")) {
			ASSERT_EQ(write(fd, "not an ELF object\n", 18), 18, "write");
			close(fd);
			ASSERT_EQ(hp_cc_load(path, NULL, name), -EINVAL, "garbage");
			unlink(path);
		}
	}
	if (test__start_subtest("unload_bad_name")) {
		ASSERT_EQ(hp_cc_unload(NULL, NULL), -EINVAL, "NULL");
		ASSERT_EQ(hp_cc_unload("a/b", NULL), -EINVAL, "slash");
	}
	hp_set_print(old);
}
