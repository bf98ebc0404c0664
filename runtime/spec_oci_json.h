/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci_json.h - typed access to a parsed config.json that knows where it
 * is, so every error names its field ("process.rlimits[1].soft: expected an
 * integer"). Internal to the spec_oci*.c readers.
 *
 * The path is a stack of keys and indices, formatted only when an error is
 * reported, so a successful parse never builds a string for it.
 * Getters leave their output untouched and report "absent" when a key is
 * missing or JSON null; runtime-spec treats both as "not set".
 */
#ifndef CTR_SPEC_OCI_JSON_H
#define CTR_SPEC_OCI_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

#define OCI_PATH_MAX 16

static inline void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

struct oci_ctx {
	const char *filename;
	struct ctr_error *err;
	int depth;
	struct {
		const char *key; /* NULL: an array index */
		size_t index;
	} path[OCI_PATH_MAX];
};

void oci_push(struct oci_ctx *c, const char *key);
void oci_push_index(struct oci_ctx *c, size_t index);
void oci_pop(struct oci_ctx *c);

/* "FILE: PATH[.key]: message"; key may be NULL. Returns -EINVAL. */
int oci_fail(struct oci_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The member, or NULL when absent or null. */
json_object *oci_field(json_object *obj, const char *key);

/* Type checks of a value at the current path (key names the leaf). */
int oci_expect(struct oci_ctx *c, json_object *v, const char *key, enum json_type type);

/* Getters of obj[key]. has (may be NULL) says whether the key was set. */
int oci_object(struct oci_ctx *c, json_object *obj, const char *key, json_object **out);
int oci_array(struct oci_ctx *c, json_object *obj, const char *key, json_object **out, size_t *n);
int oci_string(struct oci_ctx *c, json_object *obj, const char *key, char **out);
int oci_string_required(struct oci_ctx *c, json_object *obj, const char *key, char **out);
int oci_bool(struct oci_ctx *c, json_object *obj, const char *key, bool *out, bool *has);
int oci_u64(struct oci_ctx *c, json_object *obj, const char *key, uint64_t *out, bool *has);
int oci_i64(struct oci_ctx *c, json_object *obj, const char *key, int64_t *out, bool *has);
/* Integer within [min, max]. */
int oci_int(struct oci_ctx *c, json_object *obj, const char *key, int64_t min, int64_t max,
	    int64_t *out, bool *has);

/* Value-level conversions for array elements and map values. */
int oci_value_string(struct oci_ctx *c, json_object *v, const char *key, char **out);
int oci_value_int(struct oci_ctx *c, json_object *v, const char *key, int64_t min, int64_t max,
		  int64_t *out);

/* Array of strings into a NULL-terminated vector (absent: *out untouched). */
int oci_strv(struct oci_ctx *c, json_object *obj, const char *key, char ***out);
/* Object of strings into key/value pairs, in document order. */
int oci_kv(struct oci_ctx *c, json_object *obj, const char *key, struct spec_kv **out, size_t *n);
/* [{containerID, hostID, size}] */
int oci_id_maps(struct oci_ctx *c, json_object *obj, const char *key, struct spec_id_map **out,
		size_t *n);

/* Parse each element of the array obj[key] with fn into a zeroed array of
 * elem_size entries; *out and *n are set before the first element, so a
 * failure leaves everything owned by the caller's struct. */
typedef int (*oci_elem_fn)(struct oci_ctx *c, json_object *v, void *elem);
int oci_each(struct oci_ctx *c, json_object *obj, const char *key, size_t elem_size, void *out,
	     size_t *n, oci_elem_fn fn);

/* Parse a whole document; syntax errors as "FILE:LINE:COL: what". */
int oci_parse_document(const char *json, size_t len, const char *filename, json_object **out,
		       struct ctr_error *err);

/* Readers of the parts (spec_oci_*.c). */
int oci_parse_process(struct oci_ctx *c, json_object *obj, struct spec_process *p);
int oci_parse_mounts(struct oci_ctx *c, json_object *root, struct spec *spec);
int oci_parse_linux(struct oci_ctx *c, json_object *linux_obj, struct spec_linux *l);
int oci_parse_resources(struct oci_ctx *c, json_object *obj, struct spec_resources *r);
int oci_parse_seccomp(struct oci_ctx *c, json_object *obj, struct spec_seccomp **out);

#endif
