/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * limits.c - linux.resources as a table: which fields each limit reads,
 * which controller takes it, and the walk that checks every set limit
 * against the host (before anything is made) and then applies it through
 * the v1 or v2 table of the hierarchy that owns the controller. The value
 * conversions both drivers share live here too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cg_internal.h"
#include "util.h"

/* runc and crun treat 0 as "unset" for swap, quota and period (Docker sends
 * 0 for "no limit"); ctr follows them, so 0 never reaches the kernel. */
static bool memory_set(const struct spec_resources *r)
{
	return r->has_memory_limit || (r->has_memory_swap && r->memory_swap != 0);
}
static bool reservation_set(const struct spec_resources *r)
{
	return r->has_memory_reservation;
}
static bool kernel_set(const struct spec_resources *r)
{
	return r->has_memory_kernel;
}
static bool swappiness_set(const struct spec_resources *r)
{
	return r->has_memory_swappiness;
}
static bool oom_killer_set(const struct spec_resources *r)
{
	return r->has_disable_oom_killer && r->disable_oom_killer;
}
static bool hierarchy_set(const struct spec_resources *r)
{
	return r->has_use_hierarchy;
}
static bool shares_set(const struct spec_resources *r)
{
	return r->has_cpu_shares && r->cpu_shares != 0;
}
static bool cpu_max_set(const struct spec_resources *r)
{
	return (r->has_cpu_quota && r->cpu_quota != 0) || (r->has_cpu_period && r->cpu_period != 0);
}
static bool burst_set(const struct spec_resources *r)
{
	return r->has_cpu_burst;
}
static bool idle_set(const struct spec_resources *r)
{
	return r->has_cpu_idle;
}
static bool rt_set(const struct spec_resources *r)
{
	return r->has_cpu_rt_runtime || r->has_cpu_rt_period;
}
static bool cpuset_set(const struct spec_resources *r)
{
	return (r->cpuset_cpus && *r->cpuset_cpus) || (r->cpuset_mems && *r->cpuset_mems);
}
static bool pids_set(const struct spec_resources *r)
{
	return r->has_pids_limit;
}
static bool blkio_weight_set(const struct spec_resources *r)
{
	return r->has_blkio_weight && r->blkio_weight != 0;
}
static bool leaf_weight_set(const struct spec_resources *r)
{
	bool any = r->has_blkio_leaf_weight && r->blkio_leaf_weight != 0;

	for (size_t i = 0; i < r->n_blkio_weight_devices; i++)
		any |= r->blkio_weight_devices[i].has_leaf_weight;
	return any;
}
static bool weight_device_set(const struct spec_resources *r)
{
	for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
		if (r->blkio_weight_devices[i].has_weight)
			return true;
	}
	return false;
}
static bool throttle_set(const struct spec_resources *r)
{
	return r->n_throttle_read_bps || r->n_throttle_write_bps || r->n_throttle_read_iops ||
	       r->n_throttle_write_iops;
}
static bool hugetlb_set(const struct spec_resources *r)
{
	return r->n_hugepage_limits > 0;
}
static bool classid_set(const struct spec_resources *r)
{
	return r->has_net_class_id;
}
static bool devices_set(const struct spec_resources *r)
{
	return r->n_devices > 0;
}
static bool unified_set(const struct spec_resources *r)
{
	return r->n_unified > 0;
}

const struct cg_limit_desc cg_limits[CG_LIMIT__COUNT] = {
    [CG_LIMIT_MEMORY] = {"memory.limit", CG_MEMORY, memory_set},
    [CG_LIMIT_MEMORY_RESERVATION] = {"memory.reservation", CG_MEMORY, reservation_set},
    [CG_LIMIT_MEMORY_KERNEL] = {"memory.kernel", CG_MEMORY, kernel_set},
    [CG_LIMIT_MEMORY_SWAPPINESS] = {"memory.swappiness", CG_MEMORY, swappiness_set},
    [CG_LIMIT_MEMORY_OOM_KILLER] = {"memory.disableOOMKiller", CG_MEMORY, oom_killer_set},
    [CG_LIMIT_MEMORY_HIERARCHY] = {"memory.useHierarchy", CG_MEMORY, hierarchy_set},
    [CG_LIMIT_CPU_SHARES] = {"cpu.shares", CG_CPU, shares_set},
    [CG_LIMIT_CPU_MAX] = {"cpu.quota", CG_CPU, cpu_max_set},
    [CG_LIMIT_CPU_BURST] = {"cpu.burst", CG_CPU, burst_set},
    [CG_LIMIT_CPU_IDLE] = {"cpu.idle", CG_CPU, idle_set},
    [CG_LIMIT_CPU_RT] = {"cpu.realtimeRuntime", CG_CPU, rt_set},
    [CG_LIMIT_CPUSET] = {"cpu.cpus", CG_CPUSET, cpuset_set},
    [CG_LIMIT_PIDS] = {"pids.limit", CG_PIDS, pids_set},
    [CG_LIMIT_BLKIO_WEIGHT] = {"blockIO.weight", CG_IO, blkio_weight_set},
    [CG_LIMIT_BLKIO_LEAF_WEIGHT] = {"blockIO.leafWeight", CG_IO, leaf_weight_set},
    [CG_LIMIT_BLKIO_WEIGHT_DEVICE] = {"blockIO.weightDevice", CG_IO, weight_device_set},
    [CG_LIMIT_BLKIO_THROTTLE] = {"blockIO.throttle*Device", CG_IO, throttle_set},
    [CG_LIMIT_HUGETLB] = {"hugepageLimits", CG_HUGETLB, hugetlb_set},
    [CG_LIMIT_NET_CLASSID] = {"network.classID", CG_NET_CLS, classid_set},
    [CG_LIMIT_DEVICES] = {"devices", CG_DEVICES, devices_set},
    [CG_LIMIT_UNIFIED] = {"unified", 0, unified_set},
};

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_weight_to_io_weight(uint64_t weight)
{
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

void cg_format_limit(int64_t v, char *buf, size_t len, bool v2)
{
	if (v < 0)
		snprintf(buf, len, "%s", v2 ? "max" : "-1");
	else
		snprintf(buf, len, "%" PRId64, v);
}

int cg_swap_v2_value(const struct spec_resources *r, char *buf, size_t len, struct ctr_error *err)
{
	if (r->memory_swap < 0) {
		snprintf(buf, len, "max");
		return 0;
	}
	if (!r->has_memory_limit || r->memory_limit < 0)
		return ctr_error(
		    err, EINVAL,
		    "linux.resources.memory.swap: a swap limit needs a memory limit (swap counts "
		    "memory plus swap)");
	if (r->memory_swap < r->memory_limit)
		return ctr_error(err, EINVAL,
				 "linux.resources.memory.swap: %" PRId64
				 " is below memory.limit %" PRId64
				 " (swap counts memory plus swap)",
				 r->memory_swap, r->memory_limit);
	snprintf(buf, len, "%" PRId64, r->memory_swap - r->memory_limit);
	return 0;
}

static void format_dev_number(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, v);
}

void cg_device_rule_line(const struct spec_device_rule *rule, char *buf, size_t len)
{
	char major[24], minor[24];

	format_dev_number(rule->major, major, sizeof(major));
	format_dev_number(rule->minor, minor, sizeof(minor));
	snprintf(buf, len, "%c %s:%s %s", rule->type ? rule->type : 'a', major, minor,
		 rule->access[0] ? rule->access : "rwm");
}

uint64_t cg_hugepage_size_bytes(const char *size)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
	    {"KB", 1ull << 10}, {"kB", 1ull << 10}, {"MB", 1ull << 20}, {"GB", 1ull << 30}};
	char *end;
	unsigned long long n;

	if (!size || *size < '0' || *size > '9')
		return 0;
	n = strtoull(size, &end, 10);
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (n && strcmp(end, units[i].unit) == 0)
			return n * units[i].mult;
	}
	return 0;
}

/* Knobs with the same file and value on v1 and v2. */
int cg_apply_cpuset_same(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	int ret = 0;

	if (r->cpuset_cpus && *r->cpuset_cpus)
		ret = cg_write(fd, "cpuset.cpus", r->cpuset_cpus, err);
	if (ret == 0 && r->cpuset_mems && *r->cpuset_mems)
		ret = cg_write(fd, "cpuset.mems", r->cpuset_mems, err);
	return ret;
}

int cg_apply_pids_same(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	if (r->pids_limit <= 0)
		return cg_write(fd, "pids.max", "max", err);
	return cg_writef(fd, err, "pids.max", "%" PRId64, r->pids_limit);
}

int cg_apply_idle_same(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_writef(fd, err, "cpu.idle", "%" PRId64, r->cpu_idle);
}

#define HUGEPAGES_SYSFS "/sys/kernel/mm/hugepages"

/* The kernel names sizes "2MB", "1GB", "64KB". */
void cg_hugepage_name(const char *size, char *buf, size_t len)
{
	uint64_t bytes = cg_hugepage_size_bytes(size);

	if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
		snprintf(buf, len, "%" PRIu64 "GB", bytes >> 30);
	else if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
		snprintf(buf, len, "%" PRIu64 "MB", bytes >> 20);
	else
		snprintf(buf, len, "%" PRIu64 "KB", bytes >> 10);
}

int cg_check_hugepages(const struct cg_hier *hier, const struct spec_resources *r,
		       struct ctr_error *err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const char *size = r->hugepage_limits[i].page_size;
		uint64_t bytes = cg_hugepage_size_bytes(size);
		_cleanup_free_ char *dir =
		    xasprintf(HUGEPAGES_SYSFS "/hugepages-%" PRIu64 "kB", bytes >> 10);

		if (!bytes)
			return ctr_error(
			    err, EINVAL,
			    "linux.resources.hugepageLimits[%zu].pageSize: '%s' is not a "
			    "size like 2MB",
			    i, size ? size : "");
		if (access(dir, F_OK) < 0)
			return ctr_error(err, ENOTSUP,
					 "linux.resources.hugepageLimits[%zu]: this host has no %s "
					 "huge pages",
					 i, size);
	}
	return 0;
}

int cg_write_hugetlb(int fd, const struct spec_resources *r, const char *suffix,
		     struct ctr_error *err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		char name[32], file[80];

		cg_hugepage_name(r->hugepage_limits[i].page_size, name, sizeof(name));
		snprintf(file, sizeof(file), "hugetlb.%s.%s", name, suffix);
		if (cg_writef(fd, err, file, "%" PRIu64, r->hugepage_limits[i].limit) < 0)
			return -err->code;
	}
	return 0;
}

static const struct cg_hier *hier_for(const struct cg_host *host, unsigned int ctrl)
{
	for (size_t i = 0; ctrl && i < host->n; i++) {
		if (host->hiers[i].ctrls & ctrl)
			return &host->hiers[i];
	}
	/* No v1 devices controller: cgroup2 filters devices with eBPF. */
	if ((ctrl == 0 || ctrl == CG_DEVICES) && host->v2_index >= 0)
		return &host->hiers[host->v2_index];
	return NULL;
}

/* "memory.max" -> memory; "cgroup.*" keys belong to no controller. */
static int unified_key_ctrl(const struct cg_hier *hier, const char *key, unsigned int *ctrl,
			    struct ctr_error *err)
{
	_cleanup_free_ char *prefix = xstrndup(key, strcspn(key, "."));

	*ctrl = 0;
	if (!*key || strchr(key, '/') || !strchr(key, '.') || str_has_prefix(key, "."))
		return ctr_error(err, EINVAL,
				 "linux.resources.unified: '%s' is not a cgroup file name", key);
	if (strcmp(prefix, "cgroup") == 0)
		return 0;
	*ctrl = cg_ctrl_from_name(prefix);
	if (!*ctrl || !(hier->ctrls & *ctrl))
		return ctr_error(
		    err, ENOTSUP,
		    "linux.resources.unified.%s: the %s controller is not available in the cgroup2 "
		    "hierarchy %s",
		    key, prefix, hier->mountpoint);
	return 0;
}

static int check_unified(const struct cg_hier *hier, const struct spec_resources *r,
			 unsigned int *v2_needed, struct ctr_error *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		unsigned int ctrl;
		int ret = unified_key_ctrl(hier, r->unified[i].key, &ctrl, err);

		if (ret < 0)
			return ret;
		*v2_needed |= ctrl;
	}
	return 0;
}

static int check_one(const struct cg_host *host, enum cg_limit id, const struct spec_resources *r,
		     unsigned int *v2_needed, struct ctr_error *err)
{
	const struct cg_limit_desc *desc = &cg_limits[id];
	const struct cg_hier *hier = hier_for(host, desc->ctrl);
	const struct cg_limit_ops *ops;

	if (!hier && desc->ctrl == 0)
		return ctr_error(err, ENOTSUP,
				 "linux.resources.%s: this host has no cgroup2 hierarchy",
				 desc->field);
	if (!hier)
		return ctr_error(
		    err, ENOTSUP,
		    "linux.resources.%s: the %s controller is not mounted on this host",
		    desc->field, cg_ctrl_name(desc->ctrl, false));
	ops = hier->v2 ? &cg_limits_v2[id] : &cg_limits_v1[id];
	if (!ops->apply)
		return ctr_error(err, ENOTSUP, "linux.resources.%s: not supported by cgroup %s",
				 desc->field, hier->v2 ? "v2" : "v1");
	/* check() messages name the field in full: "linux.resources.memory.swap: ..." */
	if (ops->check && ops->check(hier, r, err) < 0)
		return -err->code;
	if (hier->v2)
		*v2_needed |= desc->ctrl & hier->ctrls;
	if (id == CG_LIMIT_UNIFIED)
		return check_unified(hier, r, v2_needed, err);
	return 0;
}

int cg_limits_check(const struct cg_host *host, const struct spec_resources *r,
		    unsigned int *v2_needed, struct ctr_error *err)
{
	*v2_needed = 0;
	for (int id = 0; id < CG_LIMIT__COUNT; id++) {
		int ret;

		if (!cg_limits[id].is_set(r))
			continue;
		ret = check_one(host, (enum cg_limit)id, r, v2_needed, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static const struct cg_dir *dir_for(const struct cg_handle *h, const struct cg_hier *hier)
{
	for (size_t i = 0; i < h->n; i++) {
		if (h->dirs[i].hier == hier)
			return &h->dirs[i];
	}
	return NULL;
}

int cg_limits_apply(struct cg_handle *h, const struct spec_resources *r, struct ctr_error *err)
{
	for (int id = 0; id < CG_LIMIT__COUNT; id++) {
		const struct cg_hier *hier;
		const struct cg_dir *d;
		const struct cg_limit_ops *ops;

		if (!cg_limits[id].is_set(r))
			continue;
		hier = hier_for(h->host, cg_limits[id].ctrl);
		d = hier ? dir_for(h, hier) : NULL;
		if (!d)
			return ctr_error(err, ENOENT,
					 "linux.resources.%s: cgroup %s has no directory "
					 "in the hierarchy that takes it",
					 cg_limits[id].field, h->path);
		ops = hier->v2 ? &cg_limits_v2[id] : &cg_limits_v1[id];
		if (!ops->apply)
			return ctr_error(err, ENOTSUP,
					 "linux.resources.%s: not supported by cgroup %s",
					 cg_limits[id].field, hier->v2 ? "v2" : "v1");
		if (ops->apply(d->fd, r, err) < 0)
			return ctr_error_prefix(err, "linux.resources.%s", cg_limits[id].field);
	}
	return 0;
}

unsigned int cg_limits_ctrls(const struct spec_resources *r)
{
	unsigned int ctrls = 0;

	for (int id = 0; r && id < CG_LIMIT__COUNT; id++) {
		if (cg_limits[id].is_set(r))
			ctrls |= cg_limits[id].ctrl;
	}
	return ctrls;
}
