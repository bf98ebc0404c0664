/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_spec_oci.c - libFuzzer harness for the config.json reader: any input
 * must either parse into a spec that frees cleanly or fail with a message,
 * never crash, leak or read out of bounds. `make fuzz` builds and runs it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "spec_oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = NULL;
	struct spec_process process;

	if (spec_oci_parse((const char *)data, size, "config.json", "/bundle", &spec, &err) == 0)
		spec_free(spec);
	else if (!err.msg[0])
		abort(); /* every failure must say why */
	ctr_error_clear(&err);
	if (spec_oci_parse_process((const char *)data, size, "process.json", &process, &err) == 0)
		spec_process_free(&process);
	else if (!err.msg[0])
		abort();
	return 0;
}
