/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small test_progs-style harness. A test is `void test_NAME(void)` in any .c file of tests/unit;
 * the build finds it (no list to keep). Subtests: `if (test__start_subtest("x")) { ... }`.
 * ASSERT_* print file:line and the values on failure and return false, so they guard cleanup:
 *	if (!ASSERT_OK(err, "load")) goto out;
 * Output: one "PASS unit/test/subtest", "FAIL ..." or "SKIP ...: reason" line per (sub)test.
 */
#ifndef HP_UNIT_TEST_H
#define HP_UNIT_TEST_H
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

bool test__start_subtest(const char *name);
void test__skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test__fail(void);
/* Seeded, reproducible randomness for tests (xorshift64*); seed from HP_TEST_SEED or fixed. */
unsigned long long test__rand(void);
unsigned long long test__seed(void);
bool test__verbose(void);

#define _CHECK(cond, name, fmt, ...) ({						\
	bool ___ok = !!(cond);							\
	if (!___ok) {								\
		fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__,	\
			(name), ##__VA_ARGS__);					\
		test__fail();							\
	}									\
	___ok; })

#define ASSERT_TRUE(a, name) _CHECK((a), name, "expected true")
#define ASSERT_FALSE(a, name) _CHECK(!(a), name, "expected false")
#define ASSERT_EQ(a, b, name) ({ long long ___a = (long long)(a), ___b = (long long)(b);	\
	_CHECK(___a == ___b, name, "%lld != %lld", ___a, ___b); })
#define ASSERT_NEQ(a, b, name) ({ long long ___a = (long long)(a), ___b = (long long)(b);	\
	_CHECK(___a != ___b, name, "both %lld", ___a); })
#define ASSERT_LT(a, b, name) ({ long long ___a = (long long)(a), ___b = (long long)(b);	\
	_CHECK(___a < ___b, name, "%lld >= %lld", ___a, ___b); })
#define ASSERT_LE(a, b, name) ({ long long ___a = (long long)(a), ___b = (long long)(b);	\
	_CHECK(___a <= ___b, name, "%lld > %lld", ___a, ___b); })
#define ASSERT_GE(a, b, name) ({ long long ___a = (long long)(a), ___b = (long long)(b);	\
	_CHECK(___a >= ___b, name, "%lld < %lld", ___a, ___b); })
#define ASSERT_OK(err, name) ({ long long ___e = (long long)(err);			\
	_CHECK(___e == 0, name, "unexpected error %lld (%s)", ___e,			\
	       strerror(___e < 0 ? (int)-___e : (int)___e)); })
#define ASSERT_ERR(err, name) ({ long long ___e = (long long)(err);			\
	_CHECK(___e < 0, name, "unexpected success (%lld)", ___e); })
#define ASSERT_OK_PTR(p, name) _CHECK((p) != NULL, name, "NULL (errno %d: %s)", errno, strerror(errno))
#define ASSERT_STREQ(a, b, name) ({ const char *___a = (a), *___b = (b);		\
	_CHECK(___a && ___b && !strcmp(___a, ___b), name, "\"%s\" != \"%s\"",		\
	       ___a ? ___a : "(null)", ___b ? ___b : "(null)"); })
#define ASSERT_MEMEQ(a, b, n, name) _CHECK(!memcmp((a), (b), (n)), name, "memory differs")

#endif
