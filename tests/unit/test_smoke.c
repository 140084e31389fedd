// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The harness itself: assertions report, seeded randomness is reproducible. */
#include <hybridpath/common.h>
#include "test.h"

void test_harness(void)
{
	unsigned long long a, b;

	if (test__start_subtest("rand_differs")) {
		a = test__rand();
		b = test__rand();
		ASSERT_NEQ(a, b, "two draws");
	}
	if (test__start_subtest("strerror")) {
		ASSERT_STREQ(hp_strerror(-ENOENT), strerror(ENOENT), "hp_strerror");
	}
}
