// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: hp_rule_parse on an argv cut from the input at NUL and newline bytes.
 * Properties: no crash or sanitizer report; an error leaves a message and the rule untouched;
 * an accepted rule formats to text that parses back to the same rule.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hybridpath/steer.h>

#define MAXARGS 32

static int split_parse(char *text, struct hp_rule *r, char *err, size_t errlen)
{
	char *argv[MAXARGS], *save = NULL, *t;
	int argc = 0;

	for (t = strtok_r(text, " ", &save); t && argc < MAXARGS; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return hp_rule_parse(argc, argv, r, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAXARGS], err[256], text[512], err2[256];
	struct hp_rule r, r2, canary;
	int argc = 0, rc;
	size_t i, start = 0;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (i = 0; i <= size && argc < MAXARGS; i++) {
		if (i == size || buf[i] == 0 || buf[i] == '\n') {
			buf[i] = 0;
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	memset(&r, 0xa5, sizeof(r));
	canary = r;
	rc = hp_rule_parse(argc, argv, &r, err, sizeof(err));
	if (rc) {
		if (!err[0] || memchr(err, 0, sizeof(err)) == NULL)
			abort();	/* every refusal says why */
		if (memcmp(&r, &canary, sizeof(r)))
			abort();	/* and leaves the rule alone */
	} else {
		if (hp_rule_format(&r, text, sizeof(text)) < 0)
			abort();
		rc = split_parse(text, &r2, err2, sizeof(err2));
		if (rc || memcmp(&r, &r2, sizeof(r))) {
			fprintf(stderr, "round trip failed: '%s': %s\n", text, rc ? err2 : "differs");
			abort();
		}
	}
	free(buf);
	return 0;
}
