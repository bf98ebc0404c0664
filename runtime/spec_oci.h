/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci.h - reading an OCI runtime-spec config.json into the spec model.
 *
 * All validation happens here, before anything on the host changes. JSON
 * syntax errors give file:line:col ("config.json:14:9: expected ',' or '}'");
 * semantic errors give the field path ("config.json: process.args: must not
 * be empty"). Any ociVersion 1.x is accepted; unknown properties are ignored.
 */
#ifndef CTR_SPEC_OCI_H
#define CTR_SPEC_OCI_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "spec.h"

/* Read BUNDLE/config.json; root.path is resolved against the bundle and the
 * bundle is stored absolute in spec->bundle. */
int spec_oci_load(const char *bundle, struct spec **out, struct ctr_error *err);

/* The same, also handing back the config text it read (malloc'd), for a
 * runtime that keeps a copy beside the container's state. */
int spec_oci_load_text(const char *bundle, struct spec **out, char **text, size_t *text_len,
		       struct ctr_error *err);

/* Parse a config from memory; filename is used in messages only. */
int spec_oci_parse(const char *json, size_t len, const char *filename, const char *bundle,
		   struct spec **out, struct ctr_error *err);

/* Parse a process object (exec --process FILE) into *out (zeroed first). */
int spec_oci_parse_process(const char *json, size_t len, const char *filename,
			   struct spec_process *out, struct ctr_error *err);

/* Parse a linux.seccomp object on its own (a seccomp profile file);
 * filename is used in messages only. */
int spec_oci_parse_seccomp(const char *json, size_t len, const char *filename,
			   struct spec_seccomp **out, struct ctr_error *err);

/* Apply one of config.json's generic mount options ("ro", "nosuid",
 * "rbind", "rprivate", "idmap", "tmpcopyup", ...) to m. False when opt is
 * none of them: a filesystem's own option ("mode=755") for m->data. */
bool spec_oci_mount_option(struct spec_mount *m, const char *opt);

/* DESIGN.md's hardening lists (NULL-terminated): the paths every container
 * gets masked and read-only unless its config says otherwise. */
extern const char *const spec_default_masked_paths[];
extern const char *const spec_default_readonly_paths[];

/* Parse a LinuxResources object (`update -r FILE`) into a new spec's
 * linux.resources (a spec, so spec_free releases it). */
int spec_oci_parse_resources(const char *json, size_t len, const char *filename,
			     struct spec **out, struct ctr_error *err);

/* The config.json that `ctr-oci spec` writes (rootless: user namespace with
 * the caller's ids mapped, no cgroup limits). malloc'd JSON text. */
char *spec_oci_default_config(int rootless);

#endif
