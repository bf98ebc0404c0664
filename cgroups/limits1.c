/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * limits1.c - linux.resources onto cgroup v1 files, one function per row of
 * the limits table. The values keep OCI's v1 meaning (memory.swap is
 * memory+swap, -1 is unlimited); reservation is the soft limit.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_internal.h"
#include "util.h"

static int host_file_check(const struct cg_hier *hier, const char *file, const char *field,
			   const char *why, struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", hier->mountpoint, file);

	if (access(path, F_OK) < 0)
		return ctr_error(err, ENOTSUP, "linux.resources.%s: %s", field, why);
	return 0;
}

static bool swap_set(const struct spec_resources *r)
{
	return r->has_memory_swap && r->memory_swap != 0;
}

static int check_memory(const struct cg_hier *hier, const struct spec_resources *r,
			struct ctr_error *err)
{
	if (!swap_set(r))
		return 0;
	if (r->memory_swap > 0 && r->has_memory_limit && r->memory_limit > 0 &&
	    r->memory_swap < r->memory_limit)
		return ctr_error(err, EINVAL,
				 "linux.resources.memory.swap: %" PRId64
				 " is below memory.limit %" PRId64
				 " (swap counts memory plus swap)",
				 r->memory_swap, r->memory_limit);
	return host_file_check(hier, "memory.memsw.limit_in_bytes", "memory.swap",
			       "swap accounting is not enabled on this host", err);
}

static int apply_memory(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	char limit[32], swap[32];
	int ret;

	cg_format_limit(r->memory_limit, limit, sizeof(limit), false);
	cg_format_limit(r->memory_swap, swap, sizeof(swap), false);
	if (!swap_set(r))
		return cg_write(fd, "memory.limit_in_bytes", limit, err);
	if (!r->has_memory_limit)
		return cg_write(fd, "memory.memsw.limit_in_bytes", swap, err);
	/* memsw may never be below the memory limit: when raising both, the
	 * limit write fails until memsw has been raised first. */
	ret = cg_write(fd, "memory.limit_in_bytes", limit, err);
	if (ret == -EINVAL) {
		ctr_error_clear(err);
		ret = cg_write(fd, "memory.memsw.limit_in_bytes", swap, err);
		return ret < 0 ? ret : cg_write(fd, "memory.limit_in_bytes", limit, err);
	}
	return ret < 0 ? ret : cg_write(fd, "memory.memsw.limit_in_bytes", swap, err);
}

static int apply_reservation(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	char v[32];

	cg_format_limit(r->memory_reservation, v, sizeof(v), false);
	return cg_write(fd, "memory.soft_limit_in_bytes", v, err);
}

static int check_kernel(const struct cg_hier *hier, const struct spec_resources *r,
			struct ctr_error *err)
{
	return host_file_check(hier, "memory.kmem.limit_in_bytes", "memory.kernel",
			       "kernel memory accounting is not available on this host", err);
}

static int apply_kernel(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	char v[32];

	cg_format_limit(r->memory_kernel, v, sizeof(v), false);
	return cg_write(fd, "memory.kmem.limit_in_bytes", v, err);
}

static int check_swappiness(const struct cg_hier *hier, const struct spec_resources *r,
			    struct ctr_error *err)
{
	if (r->memory_swappiness > 100)
		return ctr_error(err, EINVAL,
				 "linux.resources.memory.swappiness: %" PRIu64 " is above 100",
				 r->memory_swappiness);
	return 0;
}

static int apply_swappiness(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_writef(fd, err, "memory.swappiness", "%" PRIu64, r->memory_swappiness);
}

static int apply_oom_killer(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_write(fd, "memory.oom_control", "1", err);
}

/* spec.h carries only has_use_hierarchy: the readers set it for
 * "useHierarchy": true, the one value modern kernels accept anyway. */
static int apply_hierarchy(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_write(fd, "memory.use_hierarchy", "1", err);
}

static int apply_shares(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_writef(fd, err, "cpu.shares", "%" PRIu64, r->cpu_shares);
}

static int apply_cpu_max(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	int ret = 0;

	if (r->has_cpu_period && r->cpu_period)
		ret = cg_writef(fd, err, "cpu.cfs_period_us", "%" PRIu64, r->cpu_period);
	if (ret == 0 && r->has_cpu_quota && r->cpu_quota)
		ret = cg_writef(fd, err, "cpu.cfs_quota_us", "%" PRId64,
				r->cpu_quota < 0 ? -1 : r->cpu_quota);
	return ret;
}

static int apply_burst(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_writef(fd, err, "cpu.cfs_burst_us", "%" PRIu64, r->cpu_burst);
}

static int check_rt(const struct cg_hier *hier, const struct spec_resources *r,
		    struct ctr_error *err)
{
	return host_file_check(hier, "cpu.rt_runtime_us", "cpu.realtimeRuntime",
			       "the kernel has no real-time group scheduling", err);
}

/* Period first: the runtime is checked against it. */
static int apply_rt(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	int ret = 0;

	if (r->has_cpu_rt_period)
		ret = cg_writef(fd, err, "cpu.rt_period_us", "%" PRIu64, r->cpu_rt_period);
	if (ret == 0 && r->has_cpu_rt_runtime)
		ret = cg_writef(fd, err, "cpu.rt_runtime_us", "%" PRId64, r->cpu_rt_runtime);
	return ret;
}

/* CFQ had blkio.weight; BFQ (the only proportional scheduler left) names
 * its knobs blkio.bfq.*. */
static int write_either(int fd, const char *file, const char *fallback, const char *value,
			struct ctr_error *err)
{
	if (!cg_file_exists(fd, file) && cg_file_exists(fd, fallback))
		file = fallback;
	return cg_write(fd, file, value, err);
}

static int apply_blkio_weight(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", (unsigned int)r->blkio_weight);
	return write_either(fd, "blkio.weight", "blkio.bfq.weight", v, err);
}

static int check_leaf_weight(const struct cg_hier *hier, const struct spec_resources *r,
			     struct ctr_error *err)
{
	return host_file_check(hier, "blkio.leaf_weight", "blockIO.leafWeight",
			       "leaf weights need the CFQ scheduler, which this kernel lacks", err);
}

static int apply_leaf_weight(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	int ret = 0;

	if (r->has_blkio_leaf_weight && r->blkio_leaf_weight)
		ret = cg_writef(fd, err, "blkio.leaf_weight", "%u",
				(unsigned int)r->blkio_leaf_weight);
	for (size_t i = 0; ret == 0 && i < r->n_blkio_weight_devices; i++) {
		const struct spec_weight_device *w = &r->blkio_weight_devices[i];

		if (w->has_leaf_weight)
			ret = cg_writef(fd, err, "blkio.leaf_weight_device",
					"%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
					(unsigned int)w->leaf_weight);
	}
	return ret;
}

static int apply_weight_device(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
		const struct spec_weight_device *w = &r->blkio_weight_devices[i];
		char line[64];

		if (!w->has_weight)
			continue;
		snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
			 (unsigned int)w->weight);
		if (write_either(fd, "blkio.weight_device", "blkio.bfq.weight_device", line, err) <
		    0)
			return -err->code;
	}
	return 0;
}

static int write_throttle(int fd, const char *file, const struct spec_throttle_device *t, size_t n,
			  struct ctr_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int ret = cg_writef(fd, err, file, "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major,
				    t[i].minor, t[i].rate);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int apply_throttle(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	int ret;

	ret = write_throttle(fd, "blkio.throttle.read_bps_device", r->throttle_read_bps,
			     r->n_throttle_read_bps, err);
	if (ret == 0)
		ret = write_throttle(fd, "blkio.throttle.write_bps_device", r->throttle_write_bps,
				     r->n_throttle_write_bps, err);
	if (ret == 0)
		ret = write_throttle(fd, "blkio.throttle.read_iops_device", r->throttle_read_iops,
				     r->n_throttle_read_iops, err);
	if (ret == 0)
		ret = write_throttle(fd, "blkio.throttle.write_iops_device", r->throttle_write_iops,
				     r->n_throttle_write_iops, err);
	return ret;
}

static int apply_hugetlb(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_write_hugetlb(fd, r, "limit_in_bytes", err);
}

static int apply_classid(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_writef(fd, err, "net_cls.classid", "%u", r->net_class_id);
}

/* In order: v1 keeps a default plus exceptions, and "a" rules reset both,
 * which is the same outcome as evaluating the list last-match-wins. */
static int apply_devices(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	/* Each write is one rule; the files stay open across the list (a
	 * container's list is ~20 rules, every open a cgroupfs lookup). */
	static const char *const files[2] = {"devices.deny", "devices.allow"};
	_cleanup_close_ int deny = -1;
	_cleanup_close_ int allow = -1;

	for (size_t i = 0; i < r->n_devices; i++) {
		const struct spec_device_rule *rule = &r->devices[i];
		int *out = rule->allow ? &allow : &deny;
		char line[80];
		int ret;

		cg_device_rule_line(rule, line, sizeof(line));
		if (*out < 0 && (*out = openat(fd, files[rule->allow], O_WRONLY | O_CLOEXEC)) < 0)
			return ctr_errno(err, "devices[%zu] '%s': open %s", i, line,
					 files[rule->allow]);
		ret = write_all(*out, line, strlen(line));
		if (ret < 0)
			return ctr_errnum(err, ret, "devices[%zu] '%s': write %s", i, line,
					  files[rule->allow]);
	}
	return 0;
}

const struct cg_limit_ops cg_limits_v1[CG_LIMIT__COUNT] = {
    [CG_LIMIT_MEMORY] = {check_memory, apply_memory},
    [CG_LIMIT_MEMORY_RESERVATION] = {NULL, apply_reservation},
    [CG_LIMIT_MEMORY_KERNEL] = {check_kernel, apply_kernel},
    [CG_LIMIT_MEMORY_SWAPPINESS] = {check_swappiness, apply_swappiness},
    [CG_LIMIT_MEMORY_OOM_KILLER] = {NULL, apply_oom_killer},
    [CG_LIMIT_MEMORY_HIERARCHY] = {NULL, apply_hierarchy},
    [CG_LIMIT_CPU_SHARES] = {NULL, apply_shares},
    [CG_LIMIT_CPU_MAX] = {NULL, apply_cpu_max},
    [CG_LIMIT_CPU_BURST] = {NULL, apply_burst},
    [CG_LIMIT_CPU_IDLE] = {NULL, cg_apply_idle_same},
    [CG_LIMIT_CPU_RT] = {check_rt, apply_rt},
    [CG_LIMIT_CPUSET] = {NULL, cg_apply_cpuset_same},
    [CG_LIMIT_PIDS] = {NULL, cg_apply_pids_same},
    [CG_LIMIT_BLKIO_WEIGHT] = {NULL, apply_blkio_weight},
    [CG_LIMIT_BLKIO_LEAF_WEIGHT] = {check_leaf_weight, apply_leaf_weight},
    [CG_LIMIT_BLKIO_WEIGHT_DEVICE] = {NULL, apply_weight_device},
    [CG_LIMIT_BLKIO_THROTTLE] = {NULL, apply_throttle},
    [CG_LIMIT_HUGETLB] = {cg_check_hugepages, apply_hugetlb},
    [CG_LIMIT_NET_CLASSID] = {NULL, apply_classid},
    [CG_LIMIT_DEVICES] = {NULL, apply_devices},
    [CG_LIMIT_UNIFIED] = {NULL, NULL},
};
