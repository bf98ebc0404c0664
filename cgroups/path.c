/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.c - a spec's cgroupsPath to the absolute path ctr uses in every
 * hierarchy.
 *
 *  - NULL or ""          -> <default_parent>/<id>
 *  - "/a/b"              -> "/a/b" (cleaned of repeated and trailing slashes)
 *  - "a/b"               -> <default_parent>/a/b (never below the caller's
 *                           own cgroup, unlike runc)
 *  - "slice:prefix:name" -> the path systemd would give that unit, e.g.
 *    "machine-web.slice:ctr:abc" -> "/machine.slice/machine-web.slice/ctr-abc.scope".
 *    There is no systemd on the hosts ctr targets, so the directories are
 *    plain cgroupfs directories made by ctr; nothing registers a unit.
 *
 * A path with a ".." component, or a malformed systemd form, gives NULL with
 * errno EINVAL.
 */
#include <string.h>

#include "cg_internal.h"
#include "util.h"

/* Append component-wise, dropping empty components; false on "..". */
static bool append_clean(char **out, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		char *joined;

		if (strcmp(c, "..") == 0)
			return false;
		if (strcmp(c, ".") == 0)
			continue;
		joined = xasprintf("%s/%s", *out, c);
		free(*out);
		*out = joined;
	}
	return true;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "". */
static char *expand_slice(const char *slice)
{
	size_t len = strlen(slice);
	_cleanup_free_ char *stem = NULL;
	_cleanup_free_ char *out = xstrdup("");

	if (strcmp(slice, "-.slice") == 0)
		return steal_ptr(out);
	if (len <= 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
		return NULL;
	stem = xstrndup(slice, len - 6);
	if (stem[0] == '-' || stem[strlen(stem) - 1] == '-' || strstr(stem, "--"))
		return NULL;
	for (char *dash = stem;; dash++) {
		dash = strchr(dash, '-');
		_cleanup_free_ char *prefix =
		    xstrndup(stem, dash ? (size_t)(dash - stem) : strlen(stem));
		char *joined = xasprintf("%s/%s.slice", out, prefix);

		free(out);
		out = joined;
		if (!dash)
			return steal_ptr(out);
	}
}

static char *resolve_systemd(const char *spec_path)
{
	_cleanup_free_ char *copy = xstrdup(spec_path);
	_cleanup_free_ char *slice_path = NULL;
	char *slice = copy, *prefix, *name;

	prefix = strchr(slice, ':');
	name = prefix ? strchr(prefix + 1, ':') : NULL;
	if (!name || strchr(name + 1, ':') || strchr(name + 1, '/') || !name[1])
		return NULL;
	*prefix++ = '\0';
	*name++ = '\0';
	if (strchr(prefix, '/'))
		return NULL;
	slice_path = expand_slice(*slice ? slice : "system.slice");
	if (!slice_path)
		return NULL;
	if (str_has_prefix(name, "."))
		return NULL;
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
		return xasprintf("%s/%s", slice_path, name);
	return *prefix ? xasprintf("%s/%s-%s.scope", slice_path, prefix, name)
		       : xasprintf("%s/%s.scope", slice_path, name);
}

static bool valid_id(const char *id)
{
	return id && *id && !strchr(id, '/') && strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

char *cg_resolve_path(const char *spec_path, const char *default_parent, const char *id)
{
	_cleanup_free_ char *out = xstrdup("");
	bool given = spec_path && *spec_path;
	bool ok;

	if (given && spec_path[0] != '/' && strchr(spec_path, ':')) {
		char *result = resolve_systemd(spec_path);

		if (!result)
			errno = EINVAL;
		return result;
	}
	ok = given && spec_path[0] == '/'
		 ? true
		 : append_clean(&out, default_parent ? default_parent : "/");
	if (ok)
		ok = given ? append_clean(&out, spec_path) : valid_id(id) && append_clean(&out, id);
	/* The root of a hierarchy is never a container's. */
	if (!ok || !*out) {
		errno = EINVAL;
		return NULL;
	}
	return steal_ptr(out);
}
