/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hooks.h - running OCI hooks: each hook is executed with its args and env,
 * the container state JSON on stdin, and killed when its timeout passes.
 * Hooks run in order; the first failure stops the list.
 */
#ifndef CTR_HOOKS_H
#define CTR_HOOKS_H

#include "error.h"
#include "spec.h"

/* "prestart", "createRuntime", ... as the runtime-spec names them. */
const char *hooks_kind_name(enum spec_hook_kind kind);

/* Error: "hook createRuntime[1] /usr/bin/x: exited with status 3" (or
 * "killed by signal 9", "timed out after 5s"). */
int hooks_run(const struct spec *spec, enum spec_hook_kind kind, const char *state_json,
	      struct ctr_error *err);

#endif
