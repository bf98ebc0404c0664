/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci_linux.c - config.json "linux": namespaces, id maps, time offsets,
 * devices, sysctl, rootfs propagation, masked/read-only paths, personality.
 * resources and seccomp have their own files.
 */
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <time.h>

#include "spec_oci_json.h"
#include "util.h"

static int parse_namespace(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_namespace *ns = elem;
	_cleanup_free_ char *type = NULL;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_string_required(c, v, "type", &type) < 0)
		return -EINVAL;
	ns->type = spec_namespace_type(type);
	if (ns->type < 0)
		return oci_fail(c, "type", "unknown namespace type '%s'", type);
	if (oci_string(c, v, "path", &ns->path) < 0)
		return -EINVAL;
	if (ns->path && ns->path[0] != '/')
		return oci_fail(c, "path", "must be an absolute path");
	return 0;
}

static const struct {
	const char *key;
	int clock;
} time_clocks[] = {
    {"monotonic", CLOCK_MONOTONIC},
    {"boottime", CLOCK_BOOTTIME},
};

static int parse_time_offset(struct oci_ctx *c, const char *clock_name, json_object *v,
			     struct spec_time_offset *t)
{
	size_t i;
	int64_t x = 0;

	for (i = 0; i < ARRAY_SIZE(time_clocks); i++)
		if (strcmp(clock_name, time_clocks[i].key) == 0)
			break;
	if (i == ARRAY_SIZE(time_clocks))
		return oci_fail(c, clock_name, "unknown clock (expected monotonic or boottime)");
	t->clock = time_clocks[i].clock;
	if (oci_expect(c, v, clock_name, json_type_object) < 0)
		return -EINVAL;
	oci_push(c, clock_name);
	if (oci_i64(c, v, "secs", &t->secs, NULL) < 0)
		return -EINVAL;
	if (oci_int(c, v, "nanosecs", 0, 999999999, &x, NULL) < 0)
		return -EINVAL;
	t->nanosecs = (uint32_t)x;
	oci_pop(c);
	return 0;
}

static int parse_time_offsets(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	json_object *map;
	size_t i = 0;

	if (oci_object(c, obj, "timeOffsets", &map) < 0)
		return -EINVAL;
	if (!map)
		return 0;
	l->time_offsets = xcalloc((size_t)json_object_object_length(map), sizeof(*l->time_offsets));
	oci_push(c, "timeOffsets");
	json_object_object_foreach(map, key, v)
	{
		if (parse_time_offset(c, key, v, &l->time_offsets[i]) < 0)
			return -EINVAL;
		l->n_time_offsets = ++i;
	}
	oci_pop(c);
	return 0;
}

static int parse_device_numbers(struct oci_ctx *c, json_object *v, struct spec_device *d)
{
	bool has_major, has_minor;

	if (oci_int(c, v, "major", 0, INT64_MAX, &d->major, &has_major) < 0 ||
	    oci_int(c, v, "minor", 0, INT64_MAX, &d->minor, &has_minor) < 0)
		return -EINVAL;
	/* A fifo has no numbers; every other node needs both. */
	if (d->type != 'p' && !has_major)
		return oci_fail(c, "major", "required for a device of type '%c'", d->type);
	if (d->type != 'p' && !has_minor)
		return oci_fail(c, "minor", "required for a device of type '%c'", d->type);
	return 0;
}

static int parse_device(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_device *d = elem;
	_cleanup_free_ char *type = NULL;
	int64_t x;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_string_required(c, v, "path", &d->path) < 0)
		return -EINVAL;
	if (d->path[0] != '/')
		return oci_fail(c, "path", "must be an absolute path");
	spec_clean_path(d->path);
	if (oci_string_required(c, v, "type", &type) < 0)
		return -EINVAL;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return oci_fail(c, "type", "unknown device type '%s' (expected c, b, u or p)",
				type);
	d->type = type[0];
	if (parse_device_numbers(c, v, d) < 0)
		return -EINVAL;
	if (oci_int(c, v, "fileMode", 0, 07777, &x, &d->has_file_mode) < 0)
		return -EINVAL;
	d->file_mode = (mode_t)x;
	if (oci_int(c, v, "uid", 0, UINT32_MAX - 1, &x, &d->has_uid) < 0)
		return -EINVAL;
	d->uid = (uid_t)x;
	if (oci_int(c, v, "gid", 0, UINT32_MAX - 1, &x, &d->has_gid) < 0)
		return -EINVAL;
	d->gid = (gid_t)x;
	return 0;
}

static const struct {
	const char *name;
	unsigned long flags;
} propagation_table[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static int parse_rootfs_propagation(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	_cleanup_free_ char *name = NULL;

	if (oci_string(c, obj, "rootfsPropagation", &name) < 0)
		return -EINVAL;
	if (!name || !name[0])
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(propagation_table); i++)
		if (strcmp(name, propagation_table[i].name) == 0) {
			l->rootfs_propagation = propagation_table[i].flags;
			return 0;
		}
	return oci_fail(c, "rootfsPropagation", "unknown propagation '%s'", name);
}

static int parse_personality(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	json_object *pers;
	_cleanup_free_ char *domain = NULL;

	if (oci_object(c, obj, "personality", &pers) < 0)
		return -EINVAL;
	if (!pers)
		return 0;
	oci_push(c, "personality");
	if (oci_string_required(c, pers, "domain", &domain) < 0)
		return -EINVAL;
	if (strcmp(domain, "LINUX") == 0)
		l->personality = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		l->personality = PER_LINUX32;
	else
		return oci_fail(c, "domain", "unknown domain '%s' (expected LINUX or LINUX32)",
				domain);
	l->has_personality = true;
	oci_pop(c);
	return 0;
}

static int parse_resources_object(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	l->has_resources = true;
	return oci_parse_resources(c, obj, &l->resources);
}

static int parse_seccomp_object(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	return oci_parse_seccomp(c, obj, &l->seccomp);
}

static int parse_intel_rdt(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	return oci_string(c, obj, "closID", &l->intel_rdt_clos_id);
}

static const struct {
	const char *key;
	int (*parse)(struct oci_ctx *c, json_object *obj, struct spec_linux *l);
} linux_objects[] = {
    {"resources", parse_resources_object},
    {"seccomp", parse_seccomp_object},
    {"intelRdt", parse_intel_rdt},
};

static int parse_linux_objects(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	for (size_t i = 0; i < ARRAY_SIZE(linux_objects); i++) {
		json_object *sub;

		if (oci_object(c, obj, linux_objects[i].key, &sub) < 0)
			return -EINVAL;
		if (!sub)
			continue;
		oci_push(c, linux_objects[i].key);
		if (linux_objects[i].parse(c, sub, l) < 0)
			return -EINVAL;
		oci_pop(c);
	}
	return 0;
}

static int parse_linux_paths(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	if (oci_strv(c, obj, "maskedPaths", &l->masked_paths) < 0 ||
	    oci_strv(c, obj, "readonlyPaths", &l->readonly_paths) < 0)
		return -EINVAL;
	if (oci_string(c, obj, "cgroupsPath", &l->cgroups_path) < 0 ||
	    oci_string(c, obj, "mountLabel", &l->mount_label) < 0)
		return -EINVAL;
	return parse_rootfs_propagation(c, obj, l);
}

int oci_parse_linux(struct oci_ctx *c, json_object *obj, struct spec_linux *l)
{
	if (oci_each(c, obj, "namespaces", sizeof(struct spec_namespace), &l->namespaces,
		     &l->n_namespaces, parse_namespace) < 0)
		return -EINVAL;
	if (oci_id_maps(c, obj, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
	    oci_id_maps(c, obj, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0)
		return -EINVAL;
	if (parse_time_offsets(c, obj, l) < 0)
		return -EINVAL;
	if (oci_each(c, obj, "devices", sizeof(struct spec_device), &l->devices, &l->n_devices,
		     parse_device) < 0)
		return -EINVAL;
	if (oci_kv(c, obj, "sysctl", &l->sysctl, &l->n_sysctl) < 0)
		return -EINVAL;
	if (parse_linux_objects(c, obj, l) < 0)
		return -EINVAL;
	if (parse_linux_paths(c, obj, l) < 0)
		return -EINVAL;
	return parse_personality(c, obj, l);
}
