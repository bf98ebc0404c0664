/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci_json.c - json-c access with field paths in errors, and the
 * document parser that turns json-c's byte offset into line:column.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spec_oci_json.h"
#include "util.h"

void oci_push(struct oci_ctx *c, const char *key)
{
	/* Deeper paths than the spec has are still parsed, just named shorter. */
	if (c->depth < OCI_PATH_MAX) {
		c->path[c->depth].key = key;
		c->path[c->depth].index = 0;
	}
	c->depth++;
}

void oci_push_index(struct oci_ctx *c, size_t index)
{
	if (c->depth < OCI_PATH_MAX) {
		c->path[c->depth].key = NULL;
		c->path[c->depth].index = index;
	}
	c->depth++;
}

void oci_pop(struct oci_ctx *c)
{
	c->depth--;
}

static size_t append_segment(char *buf, size_t size, size_t at, const char *key, size_t index)
{
	int n;

	if (at >= size)
		return at;
	if (key)
		n = snprintf(buf + at, size - at, "%s%s", at ? "." : "", key);
	else
		n = snprintf(buf + at, size - at, "[%zu]", index);
	return n < 0 ? at : at + (size_t)n;
}

int oci_fail(struct oci_ctx *c, const char *key, const char *fmt, ...)
{
	char path[512], msg[1024];
	size_t at = 0;
	va_list ap;
	int depth = c->depth < OCI_PATH_MAX ? c->depth : OCI_PATH_MAX;

	path[0] = '\0';
	for (int i = 0; i < depth; i++)
		at = append_segment(path, sizeof(path), at, c->path[i].key, c->path[i].index);
	if (key)
		append_segment(path, sizeof(path), at, key, 0);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!path[0])
		return ctr_error(c->err, EINVAL, "%s: %s", c->filename, msg);
	return ctr_error(c->err, EINVAL, "%s: %s: %s", c->filename, path, msg);
}

json_object *oci_field(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v; /* json null is a NULL json_object */
}

static const char *const type_wanted[] = {
    [json_type_null] = "null",	      [json_type_boolean] = "a boolean",
    [json_type_double] = "a number",  [json_type_int] = "an integer",
    [json_type_object] = "an object", [json_type_array] = "an array",
    [json_type_string] = "a string",
};

int oci_expect(struct oci_ctx *c, json_object *v, const char *key, enum json_type type)
{
	if (!json_object_is_type(v, type))
		return oci_fail(c, key, "expected %s", type_wanted[type]);
	return 0;
}

int oci_object(struct oci_ctx *c, json_object *obj, const char *key, json_object **out)
{
	json_object *v = oci_field(obj, key);

	if (v && oci_expect(c, v, key, json_type_object) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int oci_array(struct oci_ctx *c, json_object *obj, const char *key, json_object **out, size_t *n)
{
	json_object *v = oci_field(obj, key);

	*n = 0;
	if (v && oci_expect(c, v, key, json_type_array) < 0)
		return -EINVAL;
	if (v)
		*n = json_object_array_length(v);
	*out = v;
	return 0;
}

int oci_value_string(struct oci_ctx *c, json_object *v, const char *key, char **out)
{
	const char *s;
	size_t len;

	if (oci_expect(c, v, key, json_type_string) < 0)
		return -EINVAL;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	/* A NUL inside would silently cut a path or an argument short. */
	if (memchr(s, '\0', len))
		return oci_fail(c, key, "must not contain a NUL character");
	free(*out);
	*out = xstrndup(s, len);
	return 0;
}

int oci_string(struct oci_ctx *c, json_object *obj, const char *key, char **out)
{
	json_object *v = oci_field(obj, key);

	if (!v)
		return 0;
	return oci_value_string(c, v, key, out);
}

int oci_string_required(struct oci_ctx *c, json_object *obj, const char *key, char **out)
{
	json_object *v = oci_field(obj, key);

	if (!v)
		return oci_fail(c, key, "required");
	return oci_value_string(c, v, key, out);
}

int oci_bool(struct oci_ctx *c, json_object *obj, const char *key, bool *out, bool *has)
{
	json_object *v = oci_field(obj, key);

	if (has)
		*has = v != NULL;
	if (!v)
		return 0;
	if (oci_expect(c, v, key, json_type_boolean) < 0)
		return -EINVAL;
	*out = json_object_get_boolean(v);
	return 0;
}

/* json-c keeps integers above INT64_MAX as unsigned; get_int64 saturates. */
static bool above_int64(json_object *v)
{
	return json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > INT64_MAX;
}

int oci_u64(struct oci_ctx *c, json_object *obj, const char *key, uint64_t *out, bool *has)
{
	json_object *v = oci_field(obj, key);

	if (has)
		*has = v != NULL;
	if (!v)
		return 0;
	if (oci_expect(c, v, key, json_type_int) < 0)
		return -EINVAL;
	if (json_object_get_int64(v) < 0)
		return oci_fail(c, key, "must not be negative");
	*out = json_object_get_uint64(v);
	return 0;
}

int oci_value_int(struct oci_ctx *c, json_object *v, const char *key, int64_t min, int64_t max,
		  int64_t *out)
{
	int64_t x;

	if (oci_expect(c, v, key, json_type_int) < 0)
		return -EINVAL;
	x = json_object_get_int64(v);
	if (above_int64(v) || x < min || x > max)
		return oci_fail(c, key, "must be between %" PRId64 " and %" PRId64, min, max);
	*out = x;
	return 0;
}

int oci_int(struct oci_ctx *c, json_object *obj, const char *key, int64_t min, int64_t max,
	    int64_t *out, bool *has)
{
	json_object *v = oci_field(obj, key);

	if (has)
		*has = v != NULL;
	if (!v)
		return 0;
	return oci_value_int(c, v, key, min, max, out);
}

int oci_i64(struct oci_ctx *c, json_object *obj, const char *key, int64_t *out, bool *has)
{
	return oci_int(c, obj, key, INT64_MIN, INT64_MAX, out, has);
}

int oci_each(struct oci_ctx *c, json_object *obj, const char *key, size_t elem_size, void *out,
	     size_t *n, oci_elem_fn fn)
{
	json_object *arr;
	char *elems;
	size_t len;
	int ret;

	ret = oci_array(c, obj, key, &arr, &len);
	if (ret < 0 || !arr)
		return ret;
	elems = xcalloc(len, elem_size);
	*(void **)out = elems;
	*n = len;
	oci_push(c, key);
	for (size_t i = 0; i < len; i++) {
		oci_push_index(c, i);
		ret = fn(c, json_object_array_get_idx(arr, i), elems + i * elem_size);
		if (ret < 0)
			return ret;
		oci_pop(c);
	}
	oci_pop(c);
	return 0;
}

int oci_strv(struct oci_ctx *c, json_object *obj, const char *key, char ***out)
{
	json_object *arr;
	size_t len;
	char **v;
	int ret;

	ret = oci_array(c, obj, key, &arr, &len);
	if (ret < 0 || !arr)
		return ret;
	v = xcalloc(len + 1, sizeof(char *));
	strv_free(*out);
	*out = v;
	oci_push(c, key);
	for (size_t i = 0; i < len; i++) {
		oci_push_index(c, i);
		ret = oci_value_string(c, json_object_array_get_idx(arr, i), NULL, &v[i]);
		if (ret < 0)
			return ret;
		oci_pop(c);
	}
	oci_pop(c);
	return 0;
}

int oci_kv(struct oci_ctx *c, json_object *obj, const char *key, struct spec_kv **out, size_t *n)
{
	json_object *map;
	struct spec_kv *kv;
	size_t i = 0;
	int ret;

	ret = oci_object(c, obj, key, &map);
	if (ret < 0 || !map)
		return ret;
	kv = xcalloc((size_t)json_object_object_length(map), sizeof(*kv));
	*out = kv;
	*n = 0;
	oci_push(c, key);
	json_object_object_foreach(map, k, v)
	{
		kv[i].key = xstrdup(k);
		*n = ++i;
		ret = oci_value_string(c, v, k, &kv[i - 1].value);
		if (ret < 0)
			return ret;
	}
	oci_pop(c);
	return 0;
}

static int parse_id_map(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_id_map *m = elem;
	int64_t x;
	bool has;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_int(c, v, "containerID", 0, UINT32_MAX, &x, &has) < 0)
		return -EINVAL;
	if (!has)
		return oci_fail(c, "containerID", "required");
	m->container_id = (uint32_t)x;
	if (oci_int(c, v, "hostID", 0, UINT32_MAX, &x, &has) < 0)
		return -EINVAL;
	if (!has)
		return oci_fail(c, "hostID", "required");
	m->host_id = (uint32_t)x;
	if (oci_int(c, v, "size", 1, UINT32_MAX, &x, &has) < 0)
		return -EINVAL;
	if (!has)
		return oci_fail(c, "size", "required");
	m->size = (uint32_t)x;
	return 0;
}

int oci_id_maps(struct oci_ctx *c, json_object *obj, const char *key, struct spec_id_map **out,
		size_t *n)
{
	return oci_each(c, obj, key, sizeof(**out), out, n, parse_id_map);
}

/* json-c's own descriptions read like its internals; say what was expected. */
static const char *const syntax_messages[] = {
    [json_tokener_error_depth] = "nesting too deep",
    [json_tokener_error_parse_eof] = "unexpected end of input",
    [json_tokener_error_parse_unexpected] = "unexpected character",
    [json_tokener_error_parse_null] = "invalid literal (expected null)",
    [json_tokener_error_parse_boolean] = "invalid literal (expected true or false)",
    [json_tokener_error_parse_number] = "invalid number",
    [json_tokener_error_parse_array] = "expected ',' or ']'",
    [json_tokener_error_parse_object_key_name] = "expected a quoted property name",
    [json_tokener_error_parse_object_key_sep] = "expected ':'",
    [json_tokener_error_parse_object_value_sep] = "expected ',' or '}'",
    [json_tokener_error_parse_string] = "invalid string",
    [json_tokener_error_parse_comment] = "comments are not allowed",
    [json_tokener_error_parse_utf8_string] = "invalid UTF-8",
    [json_tokener_error_size] = "document too large",
};

/* The common mistakes get a message that names them. */
static const char *describe_syntax_error(const char *json, size_t len, size_t end,
					 enum json_tokener_error jerr, char *buf, size_t size)
{
	size_t prev = end;

	if (jerr == json_tokener_continue)
		return len ? "unexpected end of input" : "empty document";
	if (jerr == json_tokener_error_parse_unexpected && end < len) {
		while (prev > 0 && strchr(" \t\r\n", json[prev - 1]))
			prev--;
		if ((json[end] == '}' || json[end] == ']') && prev > 0 && json[prev - 1] == ',')
			return "trailing ',' before the closing bracket";
		if (json[end] > ' ' && json[end] < 127) {
			snprintf(buf, size, "unexpected character '%c'", json[end]);
			return buf;
		}
	}
	if ((size_t)jerr < ARRAY_SIZE(syntax_messages) && syntax_messages[jerr])
		return syntax_messages[jerr];
	return json_tokener_error_desc(jerr);
}

static int syntax_error(const char *json, size_t len, size_t offset, const char *filename,
			const char *what, struct ctr_error *err)
{
	size_t line = 1, col = 1;

	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (json[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return ctr_error(err, EINVAL, "%s:%zu:%zu: %s", filename, line, col, what);
}

int oci_parse_document(const char *json, size_t len, const char *filename, json_object **out,
		       struct ctr_error *err)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *doc;
	size_t end;
	char buf[64];
	const char *what;

	if (len > INT32_MAX)
		return ctr_error(err, EFBIG, "%s: document too large", filename);
	tok = json_tokener_new();
	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_success) {
		*out = doc;
		return 0;
	}
	/* json-c stops at the offending character, or at the end of input. */
	what = describe_syntax_error(json, len, end, jerr, buf, sizeof(buf));
	return syntax_error(json, len, end, filename, what, err);
}
