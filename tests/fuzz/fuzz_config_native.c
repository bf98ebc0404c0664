/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_config_native.c - libFuzzer harness for the native config reader:
 * any input either parses, compiles to a spec (without a profile file) and
 * writes back to text that parses to the same text again, or fails with a
 * message; never a crash, a leak or an out-of-bounds read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_native.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct spec_id_map range = {0, 100000, 65536};
static const struct native_defaults defaults = {
    .name = "fuzz",
    .dir = "/var/lib/ctr/containers/fuzz",
    .root_path = "/var/lib/ctr/containers/fuzz/rootfs",
    .uid_mappings = &range,
    .n_uid_mappings = 1,
    .gid_mappings = &range,
    .n_gid_mappings = 1,
};

static void check_round_trip(const struct native_config *c)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *again = NULL;
	char *text = config_native_format(c), *text2;

	if (config_native_parse(text, strlen(text), "fuzz/config", &again, &err) < 0)
		abort(); /* what the writer writes, the reader reads */
	text2 = config_native_format(again);
	if (strcmp(text, text2) != 0)
		abort();
	free(text);
	free(text2);
	native_config_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = NULL;
	struct spec *spec = NULL;

	if (config_native_parse((const char *)data, size, "fuzz/config", &c, &err) < 0) {
		if (!err.msg[0])
			abort(); /* every failure must say why */
		return 0;
	}
	check_round_trip(c);
	if (c->seccomp != NATIVE_SECCOMP_PROFILE) {
		ctr_error_clear(&err);
		if (config_native_to_spec(c, &defaults, &spec, &err) == 0)
			spec_free(spec);
		else if (!err.msg[0])
			abort();
	}
	native_config_free(c);
	return 0;
}
