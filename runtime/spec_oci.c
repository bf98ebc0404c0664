/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci.c - the OCI config.json reader: the document, ociVersion, root,
 * process, hostname, hooks and annotations. Mounts, linux and seccomp have
 * their own files; spec_oci_json.c holds the typed, path-aware access.
 *
 * One pass over json-c's tree: each value is checked and converted where it
 * is read, then spec_validate() checks what spans several fields.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "caps.h"
#include "hooks.h"
#include "spec_oci.h"
#include "spec_oci_json.h"
#include "util.h"

static int parse_gid(struct oci_ctx *c, json_object *v, void *elem)
{
	int64_t x;

	if (oci_value_int(c, v, NULL, 0, UINT32_MAX - 1, &x) < 0)
		return -EINVAL;
	*(gid_t *)elem = (gid_t)x;
	return 0;
}

static int parse_user(struct oci_ctx *c, json_object *obj, struct spec_user *u)
{
	int64_t x = 0;

	/* (uid_t)-1 means "unchanged" to setresuid; it is never a real id. */
	if (oci_int(c, obj, "uid", 0, UINT32_MAX - 1, &x, NULL) < 0)
		return -EINVAL;
	u->uid = (uid_t)x;
	x = 0;
	if (oci_int(c, obj, "gid", 0, UINT32_MAX - 1, &x, NULL) < 0)
		return -EINVAL;
	u->gid = (gid_t)x;
	if (oci_int(c, obj, "umask", 0, 0777, &x, &u->has_umask) < 0)
		return -EINVAL;
	if (u->has_umask)
		u->umask = (mode_t)x;
	if (oci_each(c, obj, "additionalGids", sizeof(gid_t), &u->additional_gids,
		     &u->n_additional_gids, parse_gid) < 0)
		return -EINVAL;
	return oci_string(c, obj, "username", &u->username);
}

static int parse_console_size(struct oci_ctx *c, json_object *obj, struct spec_process *p)
{
	int64_t h = 0, w = 0;

	if (oci_int(c, obj, "height", 0, UINT_MAX, &h, NULL) < 0 ||
	    oci_int(c, obj, "width", 0, UINT_MAX, &w, NULL) < 0)
		return -EINVAL;
	p->has_console_size = true;
	p->console_height = (unsigned int)h;
	p->console_width = (unsigned int)w;
	return 0;
}

static const struct {
	const char *key;
	size_t offset;
} cap_sets[] = {
    {"bounding", offsetof(struct spec_caps, bounding)},
    {"effective", offsetof(struct spec_caps, effective)},
    {"inheritable", offsetof(struct spec_caps, inheritable)},
    {"permitted", offsetof(struct spec_caps, permitted)},
    {"ambient", offsetof(struct spec_caps, ambient)},
};

static int parse_cap_set(struct oci_ctx *c, json_object *obj, const char *key, uint64_t *mask)
{
	json_object *arr;
	size_t n;

	if (oci_array(c, obj, key, &arr, &n) < 0)
		return -EINVAL;
	oci_push(c, key);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		int cap;

		oci_push_index(c, i);
		if (oci_expect(c, v, NULL, json_type_string) < 0)
			return -EINVAL;
		cap = cap_from_name(json_object_get_string(v));
		if (cap < 0)
			return oci_fail(c, NULL, "unknown capability '%s'",
					json_object_get_string(v));
		*mask |= UINT64_C(1) << cap;
		oci_pop(c);
	}
	oci_pop(c);
	return 0;
}

static int parse_caps(struct oci_ctx *c, json_object *obj, struct spec_caps *caps)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_sets); i++)
		if (parse_cap_set(c, obj, cap_sets[i].key,
				  (uint64_t *)((char *)caps + cap_sets[i].offset)) < 0)
			return -EINVAL;
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimit(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_rlimit *r = elem;
	json_object *type;
	bool has_soft, has_hard;
	size_t i;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	type = oci_field(v, "type");
	if (!type)
		return oci_fail(c, "type", "required");
	if (oci_expect(c, type, "type", json_type_string) < 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(rlimit_table); i++)
		if (strcmp(json_object_get_string(type), rlimit_table[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(rlimit_table))
		return oci_fail(c, "type", "unknown resource limit '%s'",
				json_object_get_string(type));
	r->resource = rlimit_table[i].resource;
	if (oci_u64(c, v, "soft", &r->soft, &has_soft) < 0 ||
	    oci_u64(c, v, "hard", &r->hard, &has_hard) < 0)
		return -EINVAL;
	if (!has_soft)
		return oci_fail(c, "soft", "required");
	if (!has_hard)
		return oci_fail(c, "hard", "required");
	if (r->soft > r->hard)
		return oci_fail(c, "soft", "must not exceed hard (%" PRIu64 " > %" PRIu64 ")",
				r->soft, r->hard);
	return 0;
}

static int parse_rlimits(struct oci_ctx *c, json_object *obj, struct spec_process *p)
{
	if (oci_each(c, obj, "rlimits", sizeof(struct spec_rlimit), &p->rlimits, &p->n_rlimits,
		     parse_rlimit) < 0)
		return -EINVAL;
	/* A second entry would silently win over the first; say so instead. */
	for (size_t i = 1; i < p->n_rlimits; i++)
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[i].resource == p->rlimits[j].resource) {
				oci_push(c, "rlimits");
				oci_push_index(c, i);
				return oci_fail(c, "type", "duplicate of rlimits[%zu]", j);
			}
	return 0;
}

static int parse_env(struct oci_ctx *c, json_object *obj, struct spec_process *p)
{
	if (oci_strv(c, obj, "env", &p->env) < 0)
		return -EINVAL;
	for (size_t i = 0; p->env && p->env[i]; i++) {
		const char *eq = strchr(p->env[i], '=');

		if (!eq || eq == p->env[i]) {
			oci_push(c, "env");
			oci_push_index(c, i);
			return oci_fail(c, NULL, "'%s' is not of the form KEY=VALUE", p->env[i]);
		}
	}
	return 0;
}

static int parse_process_identity(struct oci_ctx *c, json_object *obj, struct spec_process *p)
{
	json_object *sub;

	if (oci_object(c, obj, "user", &sub) < 0)
		return -EINVAL;
	if (sub) {
		oci_push(c, "user");
		if (parse_user(c, sub, &p->user) < 0)
			return -EINVAL;
		oci_pop(c);
	}
	if (oci_object(c, obj, "capabilities", &sub) < 0)
		return -EINVAL;
	if (sub) {
		p->has_caps = true;
		oci_push(c, "capabilities");
		if (parse_caps(c, sub, &p->caps) < 0)
			return -EINVAL;
		oci_pop(c);
	}
	if (oci_string(c, obj, "apparmorProfile", &p->apparmor_profile) < 0 ||
	    oci_string(c, obj, "selinuxLabel", &p->selinux_label) < 0)
		return -EINVAL;
	return 0;
}

static int parse_process_command(struct oci_ctx *c, json_object *obj, struct spec_process *p)
{
	if (oci_strv(c, obj, "args", &p->args) < 0)
		return -EINVAL;
	if (!p->args || !p->args[0])
		return oci_fail(c, "args", "must not be empty");
	if (parse_env(c, obj, p) < 0)
		return -EINVAL;
	if (oci_string_required(c, obj, "cwd", &p->cwd) < 0)
		return -EINVAL;
	if (p->cwd[0] != '/')
		return oci_fail(c, "cwd", "must be an absolute path");
	return 0;
}

int oci_parse_process(struct oci_ctx *c, json_object *obj, struct spec_process *p)
{
	json_object *sub;
	int64_t x;

	if (oci_expect(c, obj, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_bool(c, obj, "terminal", &p->terminal, NULL) < 0)
		return -EINVAL;
	if (oci_object(c, obj, "consoleSize", &sub) < 0)
		return -EINVAL;
	if (sub) {
		oci_push(c, "consoleSize");
		if (parse_console_size(c, sub, p) < 0)
			return -EINVAL;
		oci_pop(c);
	}
	if (parse_process_command(c, obj, p) < 0 || parse_process_identity(c, obj, p) < 0 ||
	    parse_rlimits(c, obj, p) < 0)
		return -EINVAL;
	if (oci_bool(c, obj, "noNewPrivileges", &p->no_new_privileges, NULL) < 0)
		return -EINVAL;
	if (oci_int(c, obj, "oomScoreAdj", -1000, 1000, &x, &p->has_oom_score_adj) < 0)
		return -EINVAL;
	if (p->has_oom_score_adj)
		p->oom_score_adj = (int)x;
	return 0;
}


static int parse_hook(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_hook *h = elem;
	int64_t timeout = 0;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_string_required(c, v, "path", &h->path) < 0)
		return -EINVAL;
	if (h->path[0] != '/')
		return oci_fail(c, "path", "must be an absolute path");
	if (oci_strv(c, v, "args", &h->args) < 0 || oci_strv(c, v, "env", &h->env) < 0)
		return -EINVAL;
	if (oci_int(c, v, "timeout", 1, INT_MAX, &timeout, NULL) < 0)
		return -EINVAL;
	h->timeout = (int)timeout;
	return 0;
}

static int parse_hooks(struct oci_ctx *c, json_object *doc, struct spec *spec)
{
	json_object *hooks;

	if (oci_object(c, doc, "hooks", &hooks) < 0)
		return -EINVAL;
	if (!hooks)
		return 0;
	oci_push(c, "hooks");
	for (int k = 0; k < SPEC_HOOK__COUNT; k++)
		if (oci_each(c, hooks, hooks_kind_name(k), sizeof(struct spec_hook),
			     &spec->hooks[k].hooks, &spec->hooks[k].n, parse_hook) < 0)
			return -EINVAL;
	oci_pop(c);
	return 0;
}

/* An absolute, cleaned copy of path; relative paths are taken from base
 * (or the working directory), like runc's filepath.Abs: no symlinks followed. */
static char *absolute_path(const char *base, const char *path)
{
	char cwd[PATH_MAX];
	char *abs;

	if (path[0] == '/') {
		abs = xstrdup(path);
	} else {
		if (!base)
			base = getcwd(cwd, sizeof(cwd)) ? cwd : "/";
		abs = xasprintf("%s/%s", base, path);
	}
	spec_clean_path(abs);
	return abs;
}

static int parse_root(struct oci_ctx *c, json_object *doc, const char *bundle, struct spec *spec)
{
	json_object *root;
	_cleanup_free_ char *path = NULL;

	if (oci_object(c, doc, "root", &root) < 0)
		return -EINVAL;
	if (!root)
		return oci_fail(c, "root", "required");
	oci_push(c, "root");
	if (oci_string_required(c, root, "path", &path) < 0)
		return -EINVAL;
	if (!path[0])
		return oci_fail(c, "path", "must not be empty");
	if (oci_bool(c, root, "readonly", &spec->root_readonly, NULL) < 0)
		return -EINVAL;
	oci_pop(c);
	spec->root_path = absolute_path(bundle, path);
	return 0;
}

static int parse_version(struct oci_ctx *c, json_object *doc, struct spec *spec)
{
	if (oci_string_required(c, doc, "ociVersion", &spec->oci_version) < 0)
		return -EINVAL;
	/* Minor releases only add fields, which are ignored when unknown. */
	if (strncmp(spec->oci_version, "1.", 2) != 0)
		return oci_fail(c, "ociVersion", "unsupported version '%s' (expected 1.x)",
				spec->oci_version);
	return 0;
}

static int parse_spec_process(struct oci_ctx *c, json_object *doc, struct spec *spec)
{
	json_object *proc = oci_field(doc, "process");

	if (!proc)
		return 0;
	spec->has_process = true;
	oci_push(c, "process");
	if (oci_parse_process(c, proc, &spec->process) < 0)
		return -EINVAL;
	oci_pop(c);
	return 0;
}

static int parse_linux_section(struct oci_ctx *c, json_object *doc, struct spec *spec)
{
	json_object *linux_obj;

	if (oci_object(c, doc, "linux", &linux_obj) < 0)
		return -EINVAL;
	if (!linux_obj)
		return 0;
	oci_push(c, "linux");
	if (oci_parse_linux(c, linux_obj, &spec->linux) < 0)
		return -EINVAL;
	oci_pop(c);
	return 0;
}

static int parse_spec(struct oci_ctx *c, json_object *doc, const char *bundle, struct spec *spec)
{
	if (!json_object_is_type(doc, json_type_object))
		return oci_fail(c, NULL, "expected a JSON object at the top level");
	if (parse_version(c, doc, spec) < 0 || parse_root(c, doc, bundle, spec) < 0 ||
	    parse_spec_process(c, doc, spec) < 0)
		return -EINVAL;
	if (oci_string(c, doc, "hostname", &spec->hostname) < 0 ||
	    oci_string(c, doc, "domainname", &spec->domainname) < 0)
		return -EINVAL;
	if (oci_parse_mounts(c, doc, spec) < 0 || parse_hooks(c, doc, spec) < 0)
		return -EINVAL;
	if (oci_kv(c, doc, "annotations", &spec->annotations, &spec->n_annotations) < 0)
		return -EINVAL;
	return parse_linux_section(c, doc, spec);
}

int spec_oci_parse(const char *json, size_t len, const char *filename, const char *bundle,
		   struct spec **out, struct ctr_error *err)
{
	_cleanup_json_ json_object *doc = NULL;
	struct oci_ctx c = {.filename = filename, .err = err};
	struct spec *spec;
	int ret;

	ret = oci_parse_document(json, len, filename, &doc, err);
	if (ret < 0)
		return ret;
	spec = spec_new();
	if (bundle)
		spec->bundle = absolute_path(NULL, bundle);
	ret = parse_spec(&c, doc, spec->bundle, spec);
	if (ret == 0) {
		ret = spec_validate(spec, err);
		if (ret < 0)
			ctr_error_prefix(err, "%s", filename);
	}
	if (ret < 0) {
		spec_free(spec);
		return ret;
	}
	*out = spec;
	return 0;
}

/* A document that is one object: a process (exec -p) or resources (update -r). */
static int parse_top_object(struct oci_ctx *c, const char *json, size_t len, json_object **doc)
{
	int ret = oci_parse_document(json, len, c->filename, doc, c->err);

	if (ret == 0 && !json_object_is_type(*doc, json_type_object))
		return oci_fail(c, NULL, "expected a JSON object at the top level");
	return ret;
}

int spec_oci_parse_process(const char *json, size_t len, const char *filename,
			   struct spec_process *out, struct ctr_error *err)
{
	_cleanup_json_ json_object *doc = NULL;
	struct oci_ctx c = {.filename = filename, .err = err};
	int ret;

	memset(out, 0, sizeof(*out));
	ret = parse_top_object(&c, json, len, &doc);
	if (ret < 0)
		return ret;
	ret = oci_parse_process(&c, doc, out);
	if (ret < 0)
		spec_process_free(out);
	return ret;
}

int spec_oci_parse_resources(const char *json, size_t len, const char *filename,
			     struct spec **out, struct ctr_error *err)
{
	_cleanup_json_ json_object *doc = NULL;
	struct oci_ctx c = {.filename = filename, .err = err};
	struct spec *spec;
	int ret;

	ret = parse_top_object(&c, json, len, &doc);
	if (ret < 0)
		return ret;
	spec = spec_new();
	ret = oci_parse_resources(&c, doc, &spec->linux.resources);
	if (ret < 0) {
		spec_free(spec);
		return ret;
	}
	spec->linux.has_resources = true;
	*out = spec;
	return 0;
}

int spec_oci_load(const char *bundle, struct spec **out, struct ctr_error *err)
{
	return spec_oci_load_text(bundle, out, NULL, NULL, err);
}

int spec_oci_load_text(const char *bundle, struct spec **out, char **text, size_t *text_len,
		       struct ctr_error *err)
{
	_cleanup_free_ char *abs = absolute_path(NULL, bundle);
	_cleanup_free_ char *path = xasprintf("%s/config.json", abs);
	_cleanup_free_ char *json = NULL;
	struct spec *spec;
	struct stat st;
	size_t len;
	int ret;

	ret = read_file_at(AT_FDCWD, path, &json, &len, err);
	if (ret < 0)
		return ret;
	ret = spec_oci_parse(json, len, "config.json", abs, &spec, err);
	if (ret < 0)
		return ret;
	/* Checked here, before anything on the host changes, so a typo in
	 * root.path is reported as such and not as a failed mount later. */
	if (stat(spec->root_path, &st) < 0)
		ret = -errno;
	else if (!S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	if (ret < 0) {
		ctr_errnum(err, ret, "config.json: root.path: %s", spec->root_path);
		spec_free(spec);
		return ret;
	}
	*out = spec;
	if (text) {
		*text = steal_ptr(json);
		*text_len = len;
	}
	return 0;
}
