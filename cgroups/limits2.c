/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * limits2.c - linux.resources onto cgroup v2 files, one function per row of
 * the limits table, converting OCI's v1-shaped values:
 *  - memory.swap (memory+swap) -> memory.swap.max = swap - limit;
 *  - memory.reservation -> memory.low (a protection, as runc and crun do;
 *    memory.high would throttle, which a reservation never did);
 *  - cpu.shares -> cpu.weight, blockIO weights -> io.weight (1..10000), or
 *    io.bfq.weight unconverted where BFQ is the scheduler;
 *  - devices -> an eBPF program (devices_bpf.c).
 * Knobs v2 does not have (swappiness, kernel memory, OOM killer switch,
 * real-time, leaf weights, net_cls) have no row: asking for them is an error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cg_internal.h"
#include "util.h"

static int check_memory(const struct cg_hier *hier, const struct spec_resources *r,
			struct ctr_error *err)
{
	char swap[32];

	if (!r->has_memory_swap || r->memory_swap == 0)
		return 0;
	return cg_swap_v2_value(r, swap, sizeof(swap), err);
}

static int apply_memory(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	char limit[32], swap[32];
	int ret = 0;

	if (r->has_memory_limit) {
		cg_format_limit(r->memory_limit, limit, sizeof(limit), true);
		ret = cg_write(fd, "memory.max", limit, err);
	}
	if (ret < 0 || !r->has_memory_swap || r->memory_swap == 0)
		return ret;
	ret = cg_swap_v2_value(r, swap, sizeof(swap), err);
	if (ret == 0 && cg_write(fd, "memory.swap.max", swap, err) < 0)
		return ctr_error_prefix(err, "memory.swap (is swap accounting enabled?)");
	return ret;
}

static int apply_reservation(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	char v[32];

	cg_format_limit(r->memory_reservation, v, sizeof(v), true);
	return cg_write(fd, "memory.low", v, err);
}

/* useHierarchy true: v2 is always hierarchical. */
static int apply_nothing(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return 0;
}

static int apply_shares(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_writef(fd, err, "cpu.weight", "%" PRIu64, cg_shares_to_weight(r->cpu_shares));
}

/* cpu.max holds both numbers: keep the one the spec leaves out. */
static int apply_cpu_max(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	_cleanup_free_ char *cur = NULL;
	char quota[32] = "max";
	uint64_t period = 100000;

	if (cg_read(fd, "cpu.max", &cur, err) < 0)
		return -err->code;
	sscanf(cur, "%31s %" SCNu64, quota, &period);
	if (r->has_cpu_quota && r->cpu_quota != 0)
		cg_format_limit(r->cpu_quota, quota, sizeof(quota), true);
	if (r->has_cpu_period && r->cpu_period != 0)
		period = r->cpu_period;
	return cg_writef(fd, err, "cpu.max", "%s %" PRIu64, quota, period);
}

static int apply_burst(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_writef(fd, err, "cpu.max.burst", "%" PRIu64, r->cpu_burst);
}

/* With BFQ, io.bfq.weight takes blkio's own 1..1000 scale. */
static int write_weight(int fd, const char *dev, uint16_t weight, struct ctr_error *err)
{
	if (cg_file_exists(fd, "io.bfq.weight"))
		return cg_writef(fd, err, "io.bfq.weight", "%s %u", dev, (unsigned int)weight);
	return cg_writef(fd, err, "io.weight", "%s %" PRIu64, dev,
			 cg_blkio_weight_to_io_weight(weight));
}

static int apply_blkio_weight(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return write_weight(fd, "default", r->blkio_weight, err);
}

static int apply_weight_device(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
		const struct spec_weight_device *w = &r->blkio_weight_devices[i];
		char dev[48];

		if (!w->has_weight)
			continue;
		snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, w->major, w->minor);
		if (write_weight(fd, dev, w->weight, err) < 0)
			return -err->code;
	}
	return 0;
}

static int write_io_max(int fd, const char *key, const struct spec_throttle_device *t, size_t n,
			struct ctr_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char rate[32];
		int ret;

		/* v1 took 0 as "no limit"; v2 spells that "max". */
		if (t[i].rate == 0)
			snprintf(rate, sizeof(rate), "max");
		else
			snprintf(rate, sizeof(rate), "%" PRIu64, t[i].rate);
		ret = cg_writef(fd, err, "io.max", "%" PRId64 ":%" PRId64 " %s=%s", t[i].major,
				t[i].minor, key, rate);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int apply_throttle(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	int ret;

	ret = write_io_max(fd, "rbps", r->throttle_read_bps, r->n_throttle_read_bps, err);
	if (ret == 0)
		ret = write_io_max(fd, "wbps", r->throttle_write_bps, r->n_throttle_write_bps, err);
	if (ret == 0)
		ret =
		    write_io_max(fd, "riops", r->throttle_read_iops, r->n_throttle_read_iops, err);
	if (ret == 0)
		ret = write_io_max(fd, "wiops", r->throttle_write_iops, r->n_throttle_write_iops,
				   err);
	return ret;
}

static int apply_hugetlb(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_write_hugetlb(fd, r, "max", err);
}

static int apply_devices(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	return cg_devices_bpf_apply(fd, r->devices, r->n_devices, err);
}

static int apply_unified(int fd, const struct spec_resources *r, struct ctr_error *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		if (cg_write(fd, r->unified[i].key, r->unified[i].value, err) < 0)
			return -err->code;
	}
	return 0;
}

const struct cg_limit_ops cg_limits_v2[CG_LIMIT__COUNT] = {
    [CG_LIMIT_MEMORY] = {check_memory, apply_memory},
    [CG_LIMIT_MEMORY_RESERVATION] = {NULL, apply_reservation},
    [CG_LIMIT_MEMORY_HIERARCHY] = {NULL, apply_nothing},
    [CG_LIMIT_CPU_SHARES] = {NULL, apply_shares},
    [CG_LIMIT_CPU_MAX] = {NULL, apply_cpu_max},
    [CG_LIMIT_CPU_BURST] = {NULL, apply_burst},
    [CG_LIMIT_CPU_IDLE] = {NULL, cg_apply_idle_same},
    [CG_LIMIT_CPUSET] = {NULL, cg_apply_cpuset_same},
    [CG_LIMIT_PIDS] = {NULL, cg_apply_pids_same},
    [CG_LIMIT_BLKIO_WEIGHT] = {NULL, apply_blkio_weight},
    [CG_LIMIT_BLKIO_WEIGHT_DEVICE] = {NULL, apply_weight_device},
    [CG_LIMIT_BLKIO_THROTTLE] = {NULL, apply_throttle},
    [CG_LIMIT_HUGETLB] = {cg_check_hugepages, apply_hugetlb},
    [CG_LIMIT_DEVICES] = {NULL, apply_devices},
    [CG_LIMIT_UNIFIED] = {NULL, apply_unified},
};
