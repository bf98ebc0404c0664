/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cg_internal.h - what the files of cgroups/ share and nobody else sees.
 *
 * The host is a list of hierarchies (one on a v2 host; one per v1 mount plus
 * an optional cgroup2 mount on a hybrid host). Each hierarchy points at the
 * driver of its kind, so a hybrid host applies v1 semantics in the memory
 * hierarchy and v2 semantics in the unified one (hugetlb lives there on some
 * hosts) without a third driver.
 */
#ifndef CTR_CG_INTERNAL_H
#define CTR_CG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cgroup.h"
#include "error.h"
#include "spec.h"

#define CG_ROOT "/sys/fs/cgroup"

/* Controllers as bits, v1 and v2 names mapped onto one set (io == blkio). */
enum cg_ctrl {
	CG_CPU = 1u << 0,
	CG_CPUACCT = 1u << 1,
	CG_CPUSET = 1u << 2,
	CG_MEMORY = 1u << 3,
	CG_DEVICES = 1u << 4,
	CG_FREEZER = 1u << 5,
	CG_IO = 1u << 6,
	CG_PIDS = 1u << 7,
	CG_HUGETLB = 1u << 8,
	CG_NET_CLS = 1u << 9,
	CG_NET_PRIO = 1u << 10,
	CG_PERF_EVENT = 1u << 11,
	CG_RDMA = 1u << 12,
	CG_MISC = 1u << 13,
};

struct cg_driver;

struct cg_hier {
	char
	    *name; /* directory under /sys/fs/cgroup: "memory", "cpu,cpuacct", "unified", "" (v2) */
	char *mountpoint; /* absolute, no trailing slash */
	unsigned int ctrls;
	bool v2;
	const struct cg_driver *drv;
	bool self_root; /* this process is in the hierarchy's root cgroup (probed) */
};

struct cg_host {
	enum cg_driver_kind kind;
	struct cg_hier *hiers;
	size_t n;
	int v2_index; /* the cgroup2 hierarchy (whole host or hybrid "unified"), -1 if none */
};

/* The container's directory in one hierarchy. */
struct cg_dir {
	const struct cg_hier *hier;
	char *abs;    /* mountpoint + path */
	int fd;	      /* O_DIRECTORY on abs */
	int tasks_fd; /* v1: "tasks" open for writing, for cg_attach(h, 0, ...); else -1 */
	char **made;  /* directories cg_create made, outermost first (NULL-terminated) */
};

struct cg_handle {
	char *path;
	const struct cg_host *host;
	struct cg_dir *dirs;
	size_t n;
	int v2_dir; /* index into dirs of the cgroup2 directory, -1 if none */
	/* Between cg_create_begin and cg_create_finish: the v1 hierarchies
	 * still to make, each with an O_PATH fd on its root, through which an
	 * init cloned meanwhile attaches itself once they exist. */
	const struct cg_hier **pending;
	int *pending_root;
	size_t n_pending;
};

/*
 * What differs between v1 and v2 in one hierarchy. Limits are not here: they
 * are tables (limits1.c, limits2.c) indexed by enum cg_limit.
 */
struct cg_driver {
	const char *name;
	/* Before limits: v2 enables controllers in the ancestors'
	 * cgroup.subtree_control; v1 seeds cpuset.cpus/mems of new cpuset dirs. */
	int (*prepare)(const struct cg_dir *d, unsigned int needed, struct ctr_error *err);
	/* Freeze or thaw, waiting (bounded) until the kernel says it is done;
	 * NULL when the hierarchy cannot (v1 without the freezer). */
	int (*freeze)(const struct cg_dir *d, bool frozen, struct ctr_error *err);
	int (*is_frozen)(const struct cg_dir *d, bool *frozen, struct ctr_error *err);
	/* SIGKILL everything below d at once (v2 cgroup.kill); -EOPNOTSUPP if not. */
	int (*kill_all)(const struct cg_dir *d, struct ctr_error *err);
	/* Stats and OOM events are not slots: stats.c reads a few files per
	 * controller and picks the v1 or v2 names by hier->v2, which keeps
	 * each controller's two spellings side by side. */
};

extern const struct cg_driver cg_driver_v1;
extern const struct cg_driver cg_driver_v2;

/* cgroup.c: probing (exposed for unit tests on canned mountinfo text). */
int cg_host_from_mountinfo(const char *mountinfo, bool v2_root, struct cg_host *out,
			   struct ctr_error *err);
void cg_host_clear(struct cg_host *host);
const struct cg_host *cg_host_get(struct ctr_error *err);
unsigned int cg_ctrl_from_name(const char *name);
const char *cg_ctrl_name(unsigned int ctrl, bool v2);

/* limits.c: resource -> value conversions (pure, unit-tested). */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_weight_to_io_weight(uint64_t weight);
/* v2 memory.swap.max from OCI's memory+swap: "max", a number, or an error. */
int cg_swap_v2_value(const struct spec_resources *r, char *buf, size_t len, struct ctr_error *err);
void cg_format_limit(int64_t v, char *buf, size_t len, bool v2); /* -1 -> "max"/"-1" */
/* One linux.resources.devices entry as a v1 devices.allow/deny line. */
void cg_device_rule_line(const struct spec_device_rule *rule, char *buf, size_t len);
/* "2MB" -> 2097152; 0 on a malformed size. */
uint64_t cg_hugepage_size_bytes(const char *size);
/* The kernel's name for a page size ("2MB", "1GB", "64KB"). */
void cg_hugepage_name(const char *size, char *buf, size_t len);
/* Every hugepageLimits size exists on this host (a cg_limit_ops check). */
int cg_check_hugepages(const struct cg_hier *hier, const struct spec_resources *r,
		       struct ctr_error *err);
/* Knobs whose file and value are the same on v1 and v2. */
int cg_apply_cpuset_same(int fd, const struct spec_resources *r, struct ctr_error *err);
int cg_apply_pids_same(int fd, const struct spec_resources *r, struct ctr_error *err);
int cg_apply_idle_same(int fd, const struct spec_resources *r, struct ctr_error *err);
/* hugetlb.<size>.<suffix> for every limit: "limit_in_bytes" (v1), "max" (v2). */
int cg_write_hugetlb(int fd, const struct spec_resources *r, const char *suffix,
		     struct ctr_error *err);

/* Limits: a table of what linux.resources can ask for. */
enum cg_limit {
	CG_LIMIT_MEMORY, /* limit + swap, written together for v1's ordering rule */
	CG_LIMIT_MEMORY_RESERVATION,
	CG_LIMIT_MEMORY_KERNEL,
	CG_LIMIT_MEMORY_SWAPPINESS,
	CG_LIMIT_MEMORY_OOM_KILLER,
	CG_LIMIT_MEMORY_HIERARCHY,
	CG_LIMIT_CPU_SHARES,
	CG_LIMIT_CPU_MAX,
	CG_LIMIT_CPU_BURST,
	CG_LIMIT_CPU_IDLE,
	CG_LIMIT_CPU_RT,
	CG_LIMIT_CPUSET,
	CG_LIMIT_PIDS,
	CG_LIMIT_BLKIO_WEIGHT,
	CG_LIMIT_BLKIO_LEAF_WEIGHT,
	CG_LIMIT_BLKIO_WEIGHT_DEVICE,
	CG_LIMIT_BLKIO_THROTTLE,
	CG_LIMIT_HUGETLB,
	CG_LIMIT_NET_CLASSID,
	CG_LIMIT_DEVICES,
	CG_LIMIT_UNIFIED, /* last: raw v2 keys override what the fields set */
	CG_LIMIT__COUNT
};

struct cg_limit_desc {
	const char *field; /* after "linux.resources.", for error messages */
	unsigned int ctrl; /* hierarchy that takes it; 0 = the cgroup2 one */
	bool (*is_set)(const struct spec_resources *r);
};
extern const struct cg_limit_desc cg_limits[CG_LIMIT__COUNT];

struct cg_limit_ops {
	/* Can this host enforce it? Runs before any directory is made. */
	int (*check)(const struct cg_hier *hier, const struct spec_resources *r,
		     struct ctr_error *err);
	int (*apply)(int dirfd, const struct spec_resources *r, struct ctr_error *err);
};
/* NULL apply = this hierarchy kind has no such knob (an error when set). */
extern const struct cg_limit_ops cg_limits_v1[CG_LIMIT__COUNT];
extern const struct cg_limit_ops cg_limits_v2[CG_LIMIT__COUNT];

/* limits.c: validation and application over a handle's hierarchies. */
int cg_limits_check(const struct cg_host *host, const struct spec_resources *r,
		    unsigned int *v2_needed, struct ctr_error *err);
int cg_limits_apply(struct cg_handle *h, const struct spec_resources *r, struct ctr_error *err);
/* Controllers that the limits set in r are written to. */
unsigned int cg_limits_ctrls(const struct spec_resources *r);

/* Small file helpers on a cgroup directory fd. */
int cg_write(int dirfd, const char *file, const char *value, struct ctr_error *err);
int cg_writef(int dirfd, struct ctr_error *err, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cg_read(int dirfd, const char *file, char **out, struct ctr_error *err);
bool cg_file_exists(int dirfd, const char *file);

static inline long cg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline void cg_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* stats.c: text of cgroup files -> counters (pure, unit-tested). */
int cg_parse_value(const char *text, uint64_t *out);		      /* "max" -> UINT64_MAX */
int cg_keyed_value(const char *text, const char *key, uint64_t *out); /* -ENOENT if absent */
int cg_parse_blkio_v1(const char *text, bool bytes, struct cg_stats *s);
int cg_parse_io_v2(const char *text, struct cg_stats *s);
int cg_parse_raw(const char *text, struct cg_stat_kv **out, size_t *n);

/* devices_bpf.c */
struct bpf_insn;
/* Build the device filter for rules (last match wins; default allow unless a
 * blanket "a *:* rwm" rule resets it). Returns the instruction count. */
size_t cg_devices_bpf_build(const struct spec_device_rule *rules, size_t n, struct bpf_insn **out);
/* Load the program and attach it to dirfd, replacing one ctr attached before. */
int cg_devices_bpf_apply(int dirfd, const struct spec_device_rule *rules, size_t n,
			 struct ctr_error *err);

#endif
