/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_test_helpers.h - shared by the spec unit tests: write JSON with single
 * quotes (turned into double quotes here) and check parse results.
 */
#ifndef CTR_SPEC_TEST_HELPERS_H
#define CTR_SPEC_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spec_oci.h"
#include "util.h"

/* The smallest valid config, to prefix a test's own fields. */
#define MINIMAL "'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}"

static inline char *quotes(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static inline struct spec *parse_ok(const char *text)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = NULL;
	char *json = quotes(text);
	int ret = spec_oci_parse(json, strlen(json), "config.json", "/bundle", &spec, &err);

	if (ret < 0)
		fail_msg("unexpected error: %s", err.msg);
	free(json);
	return spec;
}

static inline void parse_fails(const char *text, const char *expected)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = NULL;
	char *json = quotes(text);
	int ret = spec_oci_parse(json, strlen(json), "config.json", "/bundle", &spec, &err);

	free(json);
	if (ret == 0) {
		spec_free(spec);
		fail_msg("parsed, expected: %s", expected);
	}
	assert_int_equal(ret, -EINVAL);
	assert_null(spec);
	assert_string_equal(err.msg, expected);
}

#endif
