/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci_mount.c - config.json mounts[]: the option strings split once
 * into what mount(2) and mount_setattr(2) take, so the rootfs code never
 * parses an option again.
 */
#include <string.h>
#include <sys/mount.h>

#include "spec_oci.h"
#include "spec_oci_json.h"
#include "util.h"

enum mount_opt_kind {
	OPT_SET,	 /* flags |= flag */
	OPT_CLEAR,	 /* flags &= ~flag, remembered in clear_flags */
	OPT_PROPAGATION, /* propagation = flag */
	OPT_BIND,	 /* bind mount; flag is MS_BIND or MS_BIND|MS_REC */
	OPT_RRO,	 /* recursive read-only via mount_setattr (1) or not (0) */
	OPT_IDMAP,	 /* idmapped bind mount */
	OPT_TMPCOPYUP,	 /* tmpfs seeded from the directory it covers */
	OPT_NONE,	 /* accepted, nothing to do */
};

struct mount_opt {
	const char *name;
	enum mount_opt_kind kind;
	unsigned long flag;
};

static const struct mount_opt mount_opts[] = {
    {"defaults", OPT_NONE, 0},
    {"ro", OPT_SET, MS_RDONLY},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"nosuid", OPT_SET, MS_NOSUID},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"nodev", OPT_SET, MS_NODEV},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"noexec", OPT_SET, MS_NOEXEC},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"sync", OPT_SET, MS_SYNCHRONOUS},
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"dirsync", OPT_SET, MS_DIRSYNC},
    {"remount", OPT_SET, MS_REMOUNT},
    {"mand", OPT_SET, MS_MANDLOCK},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    {"noatime", OPT_SET, MS_NOATIME},
    {"atime", OPT_CLEAR, MS_NOATIME},
    {"nodiratime", OPT_SET, MS_NODIRATIME},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"relatime", OPT_SET, MS_RELATIME},
    {"norelatime", OPT_CLEAR, MS_RELATIME},
    {"strictatime", OPT_SET, MS_STRICTATIME},
    {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
    {"lazytime", OPT_SET, MS_LAZYTIME},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"nosymfollow", OPT_SET, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
    {"silent", OPT_SET, MS_SILENT},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"bind", OPT_BIND, MS_BIND},
    {"rbind", OPT_BIND, MS_BIND | MS_REC},
    {"private", OPT_PROPAGATION, MS_PRIVATE},
    {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
    {"shared", OPT_PROPAGATION, MS_SHARED},
    {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
    {"slave", OPT_PROPAGATION, MS_SLAVE},
    {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
    {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
    {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},
    {"rro", OPT_RRO, 1},
    {"rrw", OPT_RRO, 0},
    {"idmap", OPT_IDMAP, 0},
    {"ridmap", OPT_IDMAP, 0},
    {"tmpcopyup", OPT_TMPCOPYUP, 0},
};

static const struct mount_opt *find_mount_opt(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_opts); i++)
		if (strcmp(name, mount_opts[i].name) == 0)
			return &mount_opts[i];
	return NULL;
}

static void apply_mount_opt(struct spec_mount *m, const struct mount_opt *o)
{
	switch (o->kind) {
	case OPT_SET:
		m->flags |= o->flag;
		m->clear_flags &= ~o->flag;
		break;
	case OPT_CLEAR:
		m->flags &= ~o->flag;
		m->clear_flags |= o->flag;
		break;
	case OPT_PROPAGATION:
		m->propagation = o->flag;
		break;
	case OPT_BIND:
		m->bind = true;
		m->flags |= o->flag;
		break;
	case OPT_RRO:
		m->recursive_ro = o->flag != 0;
		break;
	case OPT_IDMAP:
		m->idmap = true;
		break;
	case OPT_TMPCOPYUP:
		m->tmpcopyup = true;
		break;
	case OPT_NONE:
		break;
	}
}

bool spec_oci_mount_option(struct spec_mount *m, const char *opt)
{
	const struct mount_opt *o = find_mount_opt(opt);

	if (o)
		apply_mount_opt(m, o);
	return o != NULL;
}

/* Append an fs-specific option ("mode=755") to data, which was sized for
 * all options at once. */
static void append_data(char *data, size_t *len, const char *opt, size_t opt_len)
{
	if (*len)
		data[(*len)++] = ',';
	memcpy(data + *len, opt, opt_len);
	*len += opt_len;
	data[*len] = '\0';
}

static int parse_mount_options(struct oci_ctx *c, json_object *obj, struct spec_mount *m)
{
	json_object *arr;
	size_t n, total = 0, data_len = 0;
	_cleanup_free_ char *data = NULL;

	if (oci_array(c, obj, "options", &arr, &n) < 0)
		return -EINVAL;
	oci_push(c, "options");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		oci_push_index(c, i);
		if (oci_expect(c, v, NULL, json_type_string) < 0)
			return -EINVAL;
		oci_pop(c);
		total += (size_t)json_object_get_string_len(v) + 1;
	}
	oci_pop(c);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *opt = json_object_get_string(v);

		if (spec_oci_mount_option(m, opt))
			continue;
		if (!data)
			data = xmalloc(total);
		append_data(data, &data_len, opt, strlen(opt));
	}
	m->data = steal_ptr(data);
	return 0;
}

static int parse_mount_type(struct oci_ctx *c, json_object *obj, struct spec_mount *m)
{
	if (oci_string(c, obj, "type", &m->type) < 0)
		return -EINVAL;
	if (m->type && strcmp(m->type, "bind") == 0) {
		m->bind = true;
		m->flags |= MS_BIND;
	}
	if (!m->type || !m->type[0]) {
		if (!m->bind)
			return oci_fail(c, "type", "required for a mount that is not a bind mount");
		free(m->type);
		m->type = xstrdup("bind");
	}
	return 0;
}

static int parse_mount(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_mount *m = elem;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_string_required(c, v, "destination", &m->destination) < 0)
		return -EINVAL;
	if (m->destination[0] != '/')
		return oci_fail(c, "destination", "must be an absolute path");
	spec_clean_path(m->destination);
	if (oci_string(c, v, "source", &m->source) < 0)
		return -EINVAL;
	if (parse_mount_options(c, v, m) < 0 || parse_mount_type(c, v, m) < 0)
		return -EINVAL;
	if (oci_id_maps(c, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
	    oci_id_maps(c, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
		return -EINVAL;
	return 0;
}

int oci_parse_mounts(struct oci_ctx *c, json_object *root, struct spec *spec)
{
	return oci_each(c, root, "mounts", sizeof(struct spec_mount), &spec->mounts,
			&spec->n_mounts, parse_mount);
}
