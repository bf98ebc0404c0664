/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_native_limits.c - the limits.* keys: sizes, cpu counts, weights,
 * a cpu list and a process count, read into struct native_limits (units in
 * config_units.c) and written back in their canonical spelling.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config_native_internal.h"
#include "config_units.h"
#include "util.h"

static int parse_size(struct native_parse *p, const char *v, int64_t min, int64_t *out, bool *has)
{
	int r = units_parse_size(v, out);

	if (r == -ERANGE)
		return native_fail(p, "size '%s' is too large", v);
	if (r < 0)
		return native_fail(p, "invalid size '%s'", v);
	if (*out >= 0 && *out < min)
		return native_fail(p, "size must be at least %" PRId64 " bytes, not '%s'", min, v);
	*has = true;
	return 0;
}

static void format_size(FILE *out, const char *key, bool has, int64_t bytes)
{
	char buf[UNITS_BUF_MAX];

	if (!has)
		return;
	units_format_size(bytes, buf, sizeof(buf));
	native_put(out, key, "%s", buf);
}

/* Weights on cgroup v2's scale (1..10000, default 100). */
static int parse_weight(struct native_parse *p, const char *v, uint64_t *out, bool *has)
{
	if (parse_u64(v, out) < 0 || *out < 1 || *out > 10000)
		return native_fail(p, "weight must be 1 to 10000, not '%s'", v);
	*has = true;
	return 0;
}

static void format_u64(FILE *out, const char *key, bool has, uint64_t v)
{
	if (has)
		native_put(out, key, "%" PRIu64, v);
}

PARSE(memory)
{
	struct native_limits *l = &p->c->limits;

	return parse_size(p, v, 1, &l->memory, &l->has_memory);
}

FORMAT(memory)
{
	format_size(out, key, c->limits.has_memory, c->limits.memory);
}

PARSE(memory_swap)
{
	struct native_limits *l = &p->c->limits;

	return parse_size(p, v, 0, &l->memory_swap, &l->has_memory_swap);
}

FORMAT(memory_swap)
{
	format_size(out, key, c->limits.has_memory_swap, c->limits.memory_swap);
}

PARSE(memory_high)
{
	struct native_limits *l = &p->c->limits;

	return parse_size(p, v, 1, &l->memory_high, &l->has_memory_high);
}

FORMAT(memory_high)
{
	format_size(out, key, c->limits.has_memory_high, c->limits.memory_high);
}

PARSE(cpu)
{
	struct native_limits *l = &p->c->limits;
	int r = units_parse_cpus(v, &l->cpu_quota);

	if (r == -ERANGE)
		return native_fail(p, "cpu count '%s' is out of range (at least 0.01)", v);
	if (r < 0)
		return native_fail(p, "invalid cpu count '%s' (e.g. 1.5 or max)", v);
	l->has_cpu = true;
	return 0;
}

FORMAT(cpu)
{
	char buf[UNITS_BUF_MAX];

	if (!c->limits.has_cpu)
		return;
	units_format_cpus(c->limits.cpu_quota, buf, sizeof(buf));
	native_put(out, key, "%s", buf);
}

PARSE(cpu_weight)
{
	return parse_weight(p, v, &p->c->limits.cpu_weight, &p->c->limits.has_cpu_weight);
}

FORMAT(cpu_weight)
{
	format_u64(out, key, c->limits.has_cpu_weight, c->limits.cpu_weight);
}

/* "0-3,6": numbers and ascending ranges, comma-separated. */
static bool valid_cpu_list(const char *s)
{
	for (;;) {
		char *end;
		unsigned long first, last;

		if (*s < '0' || *s > '9')
			return false;
		first = last = strtoul(s, &end, 10);
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return false;
			last = strtoul(s, &end, 10);
		}
		if (last < first || last > 65535)
			return false;
		if (*end == '\0')
			return true;
		if (*end != ',')
			return false;
		s = end + 1;
	}
}

PARSE(cpuset)
{
	if (!valid_cpu_list(v))
		return native_fail(p, "invalid cpu list '%s' (e.g. 0-3,6)", v);
	p->c->limits.cpuset = xstrdup(v);
	return 0;
}

FORMAT(cpuset)
{
	if (c->limits.cpuset)
		native_put(out, key, "%s", c->limits.cpuset);
}

PARSE(pids)
{
	struct native_limits *l = &p->c->limits;
	uint64_t n;

	if (strcmp(v, "max") == 0) {
		l->pids = -1;
	} else {
		if (parse_u64(v, &n) < 0 || n < 1 || n > INT64_MAX)
			return native_fail(p, "expected a number of processes or max, not '%s'", v);
		l->pids = (int64_t)n;
	}
	l->has_pids = true;
	return 0;
}

FORMAT(pids)
{
	if (!c->limits.has_pids)
		return;
	if (c->limits.pids < 0)
		native_put(out, key, "max");
	else
		native_put(out, key, "%" PRId64, c->limits.pids);
}

PARSE(io_weight)
{
	return parse_weight(p, v, &p->c->limits.io_weight, &p->c->limits.has_io_weight);
}

FORMAT(io_weight)
{
	format_u64(out, key, c->limits.has_io_weight, c->limits.io_weight);
}

#define LIMIT(name, fn, help)                                                                      \
	{                                                                                          \
		"limits." name, parse_##fn, format_##fn, false, 0, help                            \
	}

const struct native_key native_limit_keys[] = {
    LIMIT("memory", memory, "memory limit: a size (512M, 1.5G) or max"),
    LIMIT("memory.swap", memory_swap, "swap allowed beyond limits.memory, or max"),
    LIMIT("memory.high", memory_high, "memory above which the container is throttled"),
    LIMIT("cpu", cpu, "cpu time, in cpus (1.5) or max"),
    LIMIT("cpu.weight", cpu_weight, "relative cpu share, 1 to 10000 (default 100)"),
    LIMIT("cpuset", cpuset, "cpus the container may run on (0-3,6)"),
    LIMIT("pids", pids, "maximum number of processes, or max"),
    LIMIT("io.weight", io_weight, "relative block I/O share, 1 to 10000 (default 100)"),
};

const size_t native_n_limit_keys = ARRAY_SIZE(native_limit_keys);
