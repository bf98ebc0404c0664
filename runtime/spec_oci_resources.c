/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_oci_resources.c - config.json linux.resources: device cgroup rules,
 * memory, cpu, pids, blockIO, hugepage limits, network class, unified.
 * Scalar limits are one table (object, key, kind, where it goes), so adding
 * a limit is one line.
 */
#include <stddef.h>
#include <string.h>

#include "spec_oci_json.h"
#include "util.h"

enum res_kind {
	RES_MEMORY, /* bytes, -1 = unlimited */
	RES_I64,
	RES_U64,
	RES_U16,
	RES_U32,
	RES_PERCENT,
	RES_BOOL,
};

struct res_field {
	const char *group;
	const char *key;
	enum res_kind kind;
	size_t value;
	size_t has;
};

#define RES(group, key, kind, field, has)                                                          \
	{                                                                                          \
		group, key, kind, offsetof(struct spec_resources, field),                          \
		    offsetof(struct spec_resources, has)                                           \
	}

static const struct res_field res_fields[] = {
    RES("memory", "limit", RES_MEMORY, memory_limit, has_memory_limit),
    RES("memory", "reservation", RES_MEMORY, memory_reservation, has_memory_reservation),
    RES("memory", "swap", RES_MEMORY, memory_swap, has_memory_swap),
    RES("memory", "kernel", RES_MEMORY, memory_kernel, has_memory_kernel),
    RES("memory", "swappiness", RES_PERCENT, memory_swappiness, has_memory_swappiness),
    RES("memory", "disableOOMKiller", RES_BOOL, disable_oom_killer, has_disable_oom_killer),
    RES("cpu", "shares", RES_U64, cpu_shares, has_cpu_shares),
    RES("cpu", "quota", RES_I64, cpu_quota, has_cpu_quota),
    RES("cpu", "period", RES_U64, cpu_period, has_cpu_period),
    RES("cpu", "burst", RES_U64, cpu_burst, has_cpu_burst),
    RES("cpu", "idle", RES_I64, cpu_idle, has_cpu_idle),
    RES("cpu", "realtimeRuntime", RES_I64, cpu_rt_runtime, has_cpu_rt_runtime),
    RES("cpu", "realtimePeriod", RES_U64, cpu_rt_period, has_cpu_rt_period),
    RES("pids", "limit", RES_I64, pids_limit, has_pids_limit),
    RES("blockIO", "weight", RES_U16, blkio_weight, has_blkio_weight),
    RES("blockIO", "leafWeight", RES_U16, blkio_leaf_weight, has_blkio_leaf_weight),
    RES("network", "classID", RES_U32, net_class_id, has_net_class_id),
};

static int parse_res_field(struct oci_ctx *c, json_object *obj, const struct res_field *f,
			   struct spec_resources *r)
{
	char *base = (char *)r;
	bool *has = (bool *)(base + f->has);
	int64_t x = 0;
	uint64_t u = 0;

	switch (f->kind) {
	case RES_BOOL:
		return oci_bool(c, obj, f->key, (bool *)(base + f->value), has);
	case RES_U64:
		if (oci_u64(c, obj, f->key, &u, has) < 0)
			return -EINVAL;
		*(uint64_t *)(base + f->value) = u;
		return 0;
	case RES_MEMORY:
		if (oci_int(c, obj, f->key, -1, INT64_MAX, &x, has) < 0)
			return -EINVAL;
		break;
	case RES_I64:
		if (oci_i64(c, obj, f->key, &x, has) < 0)
			return -EINVAL;
		break;
	case RES_U16:
		if (oci_int(c, obj, f->key, 0, UINT16_MAX, &x, has) < 0)
			return -EINVAL;
		*(uint16_t *)(base + f->value) = (uint16_t)x;
		return 0;
	case RES_U32:
		if (oci_int(c, obj, f->key, 0, UINT32_MAX, &x, has) < 0)
			return -EINVAL;
		*(uint32_t *)(base + f->value) = (uint32_t)x;
		return 0;
	case RES_PERCENT:
		if (oci_int(c, obj, f->key, 0, 100, &x, has) < 0)
			return -EINVAL;
		*(uint64_t *)(base + f->value) = (uint64_t)x;
		return 0;
	}
	*(int64_t *)(base + f->value) = x;
	return 0;
}

/* major/minor: absent, null or -1 (as some tools write it) mean "any". */
static int parse_dev_numbers(struct oci_ctx *c, json_object *v, int64_t *major, int64_t *minor)
{
	bool has;

	if (oci_int(c, v, "major", -1, INT64_MAX, major, &has) < 0)
		return -EINVAL;
	if (!has)
		*major = -1;
	if (oci_int(c, v, "minor", -1, INT64_MAX, minor, &has) < 0)
		return -EINVAL;
	if (!has)
		*minor = -1;
	return 0;
}

/* A non-empty subset of "rwm", each letter at most once. */
static bool valid_access(const char *s)
{
	static const char letters[] = "rwm";
	unsigned int seen = 0;

	for (; *s; s++) {
		const char *p = strchr(letters, *s);
		unsigned int bit;

		if (!p)
			return false;
		bit = 1u << (p - letters);
		if (seen & bit)
			return false;
		seen |= bit;
	}
	return seen != 0;
}

static int parse_access(struct oci_ctx *c, json_object *v, struct spec_device_rule *d)
{
	_cleanup_free_ char *access = NULL;

	if (oci_string(c, v, "access", &access) < 0)
		return -EINVAL;
	if (!access || !access[0]) {
		memcpy(d->access, "rwm", 4);
		return 0;
	}
	if (!valid_access(access))
		return oci_fail(c, "access", "'%s' is not a combination of r, w and m", access);
	memcpy(d->access, access, strlen(access) + 1);
	return 0;
}

static int parse_device_rule(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_device_rule *d = elem;
	_cleanup_free_ char *type = NULL;
	bool has_allow;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_bool(c, v, "allow", &d->allow, &has_allow) < 0)
		return -EINVAL;
	if (!has_allow)
		return oci_fail(c, "allow", "required");
	if (oci_string(c, v, "type", &type) < 0)
		return -EINVAL;
	d->type = type && type[0] ? type[0] : 'a';
	if (type && type[0] && (type[1] || !strchr("acb", type[0])))
		return oci_fail(c, "type", "unknown device type '%s' (expected a, c or b)", type);
	if (parse_dev_numbers(c, v, &d->major, &d->minor) < 0)
		return -EINVAL;
	return parse_access(c, v, d);
}

static int parse_weight_device(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_weight_device *d = elem;
	int64_t x = 0;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_int(c, v, "major", 0, INT64_MAX, &d->major, NULL) < 0 ||
	    oci_int(c, v, "minor", 0, INT64_MAX, &d->minor, NULL) < 0)
		return -EINVAL;
	if (oci_int(c, v, "weight", 0, UINT16_MAX, &x, &d->has_weight) < 0)
		return -EINVAL;
	d->weight = (uint16_t)x;
	if (oci_int(c, v, "leafWeight", 0, UINT16_MAX, &x, &d->has_leaf_weight) < 0)
		return -EINVAL;
	d->leaf_weight = (uint16_t)x;
	return 0;
}

static int parse_throttle_device(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_throttle_device *d = elem;
	bool has_rate;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_int(c, v, "major", 0, INT64_MAX, &d->major, NULL) < 0 ||
	    oci_int(c, v, "minor", 0, INT64_MAX, &d->minor, NULL) < 0)
		return -EINVAL;
	if (oci_u64(c, v, "rate", &d->rate, &has_rate) < 0)
		return -EINVAL;
	if (!has_rate)
		return oci_fail(c, "rate", "required");
	return 0;
}

static int parse_block_io_lists(struct oci_ctx *c, json_object *obj, struct spec_resources *r)
{
	const size_t size = sizeof(struct spec_throttle_device);

	if (oci_each(c, obj, "weightDevice", sizeof(struct spec_weight_device),
		     &r->blkio_weight_devices, &r->n_blkio_weight_devices, parse_weight_device) < 0)
		return -EINVAL;
	if (oci_each(c, obj, "throttleReadBpsDevice", size, &r->throttle_read_bps,
		     &r->n_throttle_read_bps, parse_throttle_device) < 0 ||
	    oci_each(c, obj, "throttleWriteBpsDevice", size, &r->throttle_write_bps,
		     &r->n_throttle_write_bps, parse_throttle_device) < 0 ||
	    oci_each(c, obj, "throttleReadIOPSDevice", size, &r->throttle_read_iops,
		     &r->n_throttle_read_iops, parse_throttle_device) < 0 ||
	    oci_each(c, obj, "throttleWriteIOPSDevice", size, &r->throttle_write_iops,
		     &r->n_throttle_write_iops, parse_throttle_device) < 0)
		return -EINVAL;
	return 0;
}

static int parse_hugepage_limit(struct oci_ctx *c, json_object *v, void *elem)
{
	struct spec_hugepage_limit *h = elem;
	bool has_limit;

	if (oci_expect(c, v, NULL, json_type_object) < 0)
		return -EINVAL;
	if (oci_string_required(c, v, "pageSize", &h->page_size) < 0)
		return -EINVAL;
	if (oci_u64(c, v, "limit", &h->limit, &has_limit) < 0)
		return -EINVAL;
	if (!has_limit)
		return oci_fail(c, "limit", "required");
	return 0;
}

/* Fields of a group that are not plain scalars. */
static int parse_memory_extra(struct oci_ctx *c, json_object *obj, struct spec_resources *r)
{
	bool use_hierarchy = false;

	if (oci_bool(c, obj, "useHierarchy", &use_hierarchy, NULL) < 0)
		return -EINVAL;
	r->has_use_hierarchy = use_hierarchy;
	return 0;
}

static int parse_cpuset(struct oci_ctx *c, json_object *obj, struct spec_resources *r)
{
	if (oci_string(c, obj, "cpus", &r->cpuset_cpus) < 0 ||
	    oci_string(c, obj, "mems", &r->cpuset_mems) < 0)
		return -EINVAL;
	return 0;
}

static const struct {
	const char *key;
	int (*parse_extra)(struct oci_ctx *c, json_object *obj, struct spec_resources *r);
} res_groups[] = {
    {"memory", parse_memory_extra},    {"cpu", parse_cpuset}, {"pids", NULL},
    {"blockIO", parse_block_io_lists}, {"network", NULL},
};

static int parse_res_group(struct oci_ctx *c, size_t g, json_object *obj, struct spec_resources *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(res_fields); i++)
		if (strcmp(res_fields[i].group, res_groups[g].key) == 0 &&
		    parse_res_field(c, obj, &res_fields[i], r) < 0)
			return -EINVAL;
	return res_groups[g].parse_extra ? res_groups[g].parse_extra(c, obj, r) : 0;
}

static int parse_res_groups(struct oci_ctx *c, json_object *obj, struct spec_resources *r)
{
	for (size_t g = 0; g < ARRAY_SIZE(res_groups); g++) {
		json_object *group;

		if (oci_object(c, obj, res_groups[g].key, &group) < 0)
			return -EINVAL;
		if (!group)
			continue;
		oci_push(c, res_groups[g].key);
		if (parse_res_group(c, g, group, r) < 0)
			return -EINVAL;
		oci_pop(c);
	}
	return 0;
}

int oci_parse_resources(struct oci_ctx *c, json_object *obj, struct spec_resources *r)
{
	if (oci_each(c, obj, "devices", sizeof(struct spec_device_rule), &r->devices, &r->n_devices,
		     parse_device_rule) < 0)
		return -EINVAL;
	if (parse_res_groups(c, obj, r) < 0)
		return -EINVAL;
	if (oci_each(c, obj, "hugepageLimits", sizeof(struct spec_hugepage_limit),
		     &r->hugepage_limits, &r->n_hugepage_limits, parse_hugepage_limit) < 0)
		return -EINVAL;
	return oci_kv(c, obj, "unified", &r->unified, &r->n_unified);
}
