// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit test runner. Usage: hp_unit [-v] [-t FILTER]... [-l]
 * FILTER is a substring of "test" or "test/subtest". HP_TEST_SEED=N changes the random seed.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"

#define DEFINE_TEST(name) void name(void);
#include "unit_list.h"
#undef DEFINE_TEST

struct test_def {
	const char *name;
	void (*fn)(void);
};

#define DEFINE_TEST(name) { #name, name },
static const struct test_def tests[] = {
#include "unit_list.h"
};
#undef DEFINE_TEST

static const char *filters[64];
static int nfilters;
static bool verbose;

static const char *cur_test;
static char cur_sub[128];
static bool in_sub, sub_failed, sub_skipped, test_failed, test_skipped, had_sub;
static char skip_reason[256];
static int npass, nfail, nskip;
static unsigned long long seed, rng;

unsigned long long test__seed(void) { return seed; }
bool test__verbose(void) { return verbose; }

unsigned long long test__rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static bool selected(const char *name)
{
	int i;

	if (!nfilters)
		return true;
	for (i = 0; i < nfilters; i++)
		if (strstr(name, filters[i]) || strstr(filters[i], name) == filters[i])
			return true;
	return false;
}

static void report(const char *name, bool failed, bool skipped)
{
	if (failed) {
		printf("FAIL unit/%s\n", name);
		nfail++;
	} else if (skipped) {
		printf("SKIP unit/%s: %s\n", name, skip_reason);
		nskip++;
	} else {
		printf("PASS unit/%s\n", name);
		npass++;
	}
	fflush(stdout);
}

static void end_subtest(void)
{
	char full[256];

	if (!in_sub)
		return;
	snprintf(full, sizeof(full), "%s/%s", cur_test, cur_sub);
	report(full, sub_failed, sub_skipped);
	in_sub = false;
}

bool test__start_subtest(const char *name)
{
	char full[256];

	end_subtest();
	snprintf(full, sizeof(full), "%s/%s", cur_test, name);
	if (!selected(full) && !selected(cur_test))
		return false;
	snprintf(cur_sub, sizeof(cur_sub), "%s", name);
	in_sub = true;
	had_sub = true;
	sub_failed = sub_skipped = false;
	return true;
}

void test__fail(void)
{
	if (in_sub)
		sub_failed = true;
	else
		test_failed = true;
}

void test__skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	if (in_sub)
		sub_skipped = true;
	else
		test_skipped = true;
}

int main(int argc, char **argv)
{
	const char *s = getenv("HP_TEST_SEED");
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "vt:l")) != -1) {
		switch (opt) {
		case 'v': verbose = true; break;
		case 't':
			if (nfilters < 64)
				filters[nfilters++] = optarg;
			break;
		case 'l':
			for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
				printf("%s\n", tests[i].name + 5);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-v] [-t FILTER]... [-l]\n", argv[0]);
			return 2;
		}
	}
	seed = s ? strtoull(s, NULL, 0) : 0x68796272696470ULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		cur_test = tests[i].name + 5;	/* drop "test_" */
		if (!selected(cur_test) && nfilters) {
			/* a filter may name a subtest: run the test, subtests filter themselves */
			int j; bool any = false;

			for (j = 0; j < nfilters; j++)
				if (!strncmp(filters[j], cur_test, strlen(cur_test)))
					any = true;
			if (!any)
				continue;
		}
		rng = seed ^ (0x9E3779B97F4A7C15ULL * (i + 1));
		test_failed = test_skipped = had_sub = in_sub = false;
		tests[i].fn();
		end_subtest();
		if (!had_sub || test_failed || test_skipped)
			report(cur_test, test_failed, test_skipped);
	}
	fprintf(stderr, "unit: %d passed, %d failed, %d skipped (seed 0x%llx)\n",
		npass, nfail, nskip, seed);
	return nfail ? 1 : 0;
}
