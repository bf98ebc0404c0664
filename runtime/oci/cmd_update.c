/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_update.c - `update`: new limits for a live container, from a
 * runtime-spec LinuxResources JSON (-r FILE, "-" for stdin) and/or flags.
 * Flags override the file. Every value is parsed before the cgroup is
 * touched, and the cgroup driver checks them all before it writes one.
 */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "oci.h"
#include "opts.h"
#include "spec_oci.h"
#include "util.h"

enum {
	U_RESOURCES,
	U_MEMORY,
	U_MEMORY_RES,
	U_MEMORY_SWAP,
	U_KERNEL,
	U_KERNEL_TCP,
	U_CPU_SHARES,
	U_CPU_QUOTA,
	U_CPU_PERIOD,
	U_CPU_RT_PERIOD,
	U_CPU_RT_RUNTIME,
	U_CPUS,
	U_MEMS,
	U_PIDS,
	U_BLKIO_WEIGHT,
	U_L3,
	U_MEMBW
};

static const struct opt_def update_opts[] = {
    {"resources", 'r', true, U_RESOURCES, "LinuxResources JSON file, or - for stdin"},
    {"memory", 0, true, U_MEMORY, "memory limit (bytes, or 512M, 1G; -1 unlimited)"},
    {"memory-reservation", 0, true, U_MEMORY_RES, "memory soft limit"},
    {"memory-swap", 0, true, U_MEMORY_SWAP, "memory plus swap limit (-1 unlimited)"},
    {"kernel-memory", 0, true, U_KERNEL, NULL},
    {"kernel-memory-tcp", 0, true, U_KERNEL_TCP, NULL},
    {"cpu-shares", 0, true, U_CPU_SHARES, "relative cpu weight"},
    {"cpu-quota", 0, true, U_CPU_QUOTA, "cpu time (us) per period; -1 unlimited"},
    {"cpu-period", 0, true, U_CPU_PERIOD, "cpu period (us)"},
    {"cpu-rt-period", 0, true, U_CPU_RT_PERIOD, "realtime period (us)"},
    {"cpu-rt-runtime", 0, true, U_CPU_RT_RUNTIME, "realtime runtime (us) per period"},
    {"cpuset-cpus", 0, true, U_CPUS, "cpus the container may use (0-1,3)"},
    {"cpuset-mems", 0, true, U_MEMS, "memory nodes the container may use"},
    {"pids-limit", 0, true, U_PIDS, "maximum number of tasks; 0 or -1 unlimited"},
    {"blkio-weight", 0, true, U_BLKIO_WEIGHT, "block io weight (10-1000)"},
    {"l3-cache-schema", 0, true, U_L3, NULL},
    {"mem-bw-schema", 0, true, U_MEMBW, NULL},
    {NULL, 0, false, 0, NULL},
};

struct update_args {
	const char *resources_file;
	struct spec_resources flags; /* only the has_* fields set by flags */
	char *cpus, *mems;
};

/* "1073741824", "512M", "1g", "64KiB", "-1": bytes (binary units). */
static int parse_bytes(const char *s, int64_t *out)
{
	static const char units[] = "kmgt";
	const char *u;
	char *end;
	long long v;
	int shift = 0;

	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v > (INT64_MAX >> shift))
		return -EINVAL;
	*out = (int64_t)v << shift;
	return 0;
}

static int parse_int(const char *s, int64_t min, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Flags that take a number, the field they fill, and what they accept. */
struct num_flag {
	int id;
	bool bytes;
	int64_t min;
	size_t value_off, has_off;
	bool is_u64; /* else int64_t */
};
#define NUM(i, b, m, field, has, u)                                                                \
	{                                                                                          \
		i, b, m, offsetof(struct spec_resources, field),                                   \
		    offsetof(struct spec_resources, has), u                                        \
	}
static const struct num_flag num_flags[] = {
    NUM(U_MEMORY, true, -1, memory_limit, has_memory_limit, false),
    NUM(U_MEMORY_RES, true, -1, memory_reservation, has_memory_reservation, false),
    NUM(U_MEMORY_SWAP, true, -1, memory_swap, has_memory_swap, false),
    NUM(U_CPU_SHARES, false, 2, cpu_shares, has_cpu_shares, true),
    NUM(U_CPU_QUOTA, false, -1, cpu_quota, has_cpu_quota, false),
    NUM(U_CPU_PERIOD, false, 1000, cpu_period, has_cpu_period, true),
    NUM(U_CPU_RT_PERIOD, false, 0, cpu_rt_period, has_cpu_rt_period, true),
    NUM(U_CPU_RT_RUNTIME, false, -1, cpu_rt_runtime, has_cpu_rt_runtime, false),
    NUM(U_PIDS, false, -1, pids_limit, has_pids_limit, false),
};

static int number_flag(struct spec_resources *r, const struct num_flag *f, const char *name,
		       const char *value, struct ctr_error *err)
{
	int64_t v;
	int ret = f->bytes ? parse_bytes(value, &v) : parse_int(value, f->min, &v);

	if (ret < 0 || v < f->min)
		return ctr_error(err, EINVAL, "--%s: not a valid %s: '%s'", name,
				 f->bytes ? "size (bytes, or e.g. 512M)" : "number", value);
	if (f->is_u64)
		*(uint64_t *)((char *)r + f->value_off) = (uint64_t)v;
	else
		*(int64_t *)((char *)r + f->value_off) = v;
	*(bool *)((char *)r + f->has_off) = true;
	return 0;
}

static const char *flag_name(int id)
{
	for (const struct opt_def *o = update_opts; o->name; o++)
		if (o->id == id)
			return o->name;
	return "?";
}

static int update_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct update_args *a = data;
	int64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(num_flags); i++)
		if (num_flags[i].id == id)
			return number_flag(&a->flags, &num_flags[i], flag_name(id), value, err);
	switch (id) {
	case U_RESOURCES:
		a->resources_file = value;
		break;
	case U_CPUS:
		free(a->cpus);
		a->cpus = xstrdup(value);
		break;
	case U_MEMS:
		free(a->mems);
		a->mems = xstrdup(value);
		break;
	case U_BLKIO_WEIGHT:
		if (parse_int(value, 10, &v) < 0 || v > 1000)
			return ctr_error(err, EINVAL,
					 "--blkio-weight: expected 10 to 1000, not '%s'", value);
		a->flags.blkio_weight = (uint16_t)v;
		a->flags.has_blkio_weight = true;
		break;
	default:
		return ctr_error(err, ENOTSUP, "--%s is not supported", flag_name(id));
	}
	return 0;
}

/* Flags win over the file, field by field. */
static void merge_flags(struct spec_resources *r, struct update_args *a)
{
	const struct spec_resources *f = &a->flags;

	for (size_t i = 0; i < ARRAY_SIZE(num_flags); i++) {
		const struct num_flag *n = &num_flags[i];
		if (!*(const bool *)((const char *)f + n->has_off))
			continue;
		memcpy((char *)r + n->value_off, (const char *)f + n->value_off, 8);
		*(bool *)((char *)r + n->has_off) = true;
	}
	if (f->has_blkio_weight) {
		r->blkio_weight = f->blkio_weight;
		r->has_blkio_weight = true;
	}
	if (a->cpus) {
		free(r->cpuset_cpus);
		r->cpuset_cpus = steal_ptr(a->cpus);
	}
	if (a->mems) {
		free(r->cpuset_mems);
		r->cpuset_mems = steal_ptr(a->mems);
	}
}

static int load_resources(const char *file, struct spec **out, struct ctr_error *err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int ret;

	if (!file) {
		*out = spec_new();
		(*out)->linux.has_resources = true;
		return 0;
	}
	ret = read_file_at(AT_FDCWD, strcmp(file, "-") ? file : "/dev/stdin", &json, &len, err);
	if (ret < 0)
		return ret;
	return spec_oci_parse_resources(json, len, strcmp(file, "-") ? file : "stdin", out, err);
}

int cmd_update(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct update_args a = {0};
	struct spec *spec = NULL;
	const char *id;
	int first, ret;

	first = opts_parse(update_opts, argc, argv, update_option, &a, err);
	ret = first < 0 ? first : oci_one_id(argc, argv, first, &id, err);
	if (ret == 0)
		ret = load_resources(a.resources_file, &spec, err);
	if (ret == 0) {
		merge_flags(&spec->linux.resources, &a);
		ret = oci_open_runtime(g, false, err);
	}
	if (ret == 0)
		ret = container_update(&g->rt, id, &spec->linux.resources, err);
	spec_free(spec);
	free(a.cpus);
	free(a.mems);
	return ret;
}
