/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec.h - the spec model: one description of a container that both the OCI
 * config.json reader (spec_oci.c) and the native system-container config
 * reader compile to. Everything downstream (launcher, rootfs, process,
 * cgroups) reads only this.
 *
 * Conventions:
 *  - Arrays are a pointer plus a count (n_*); string vectors (args, env) are
 *    NULL-terminated char **.
 *  - Optional scalars have a has_* flag; unset means "leave the default".
 *  - Every pointer is owned by the struct; spec_free() releases it all.
 *  - Values are already validated and converted (capabilities to numbers,
 *    mount options to flags, seccomp actions to libseccomp constants), so
 *    consumers never parse strings again.
 */
#ifndef CTR_SPEC_H
#define CTR_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* -std=gnu11 predefines "linux" as 1, which would turn struct spec's
 * "linux" member into a syntax error. */
#undef linux

struct spec_kv {
	char *key;
	char *value;
};

struct spec_id_map {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

/* Mount options are split at parse time into what mount(2) and
 * mount_setattr(2) take. */
struct spec_mount {
	char *destination; /* absolute inside the container, cleaned */
	char *source;      /* may be NULL (tmpfs, proc ...); relative to the bundle for binds */
	char *type;        /* "bind" for bind mounts without a type; NULL never */
	unsigned long flags;       /* MS_* to set (MS_BIND|MS_REC for rbind) */
	unsigned long clear_flags; /* MS_* explicitly cleared (e.g. "rw", "suid") */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (|MS_REC) or 0 */
	char *data;                /* remaining fs-specific options joined by ',' or NULL */
	bool bind;                 /* "bind" or "rbind" in options, or type "bind" */
	bool recursive_ro;         /* "rro" (MOUNT_ATTR_RDONLY with AT_RECURSIVE) */
	bool idmap;                /* "idmap"/"ridmap" */
	bool tmpcopyup;            /* tmpfs starts with a copy of the directory it covers */
	struct spec_id_map *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_map *gid_mappings;
	size_t n_gid_mappings;
};

/* Capability sets as bitmasks of CAP_* numbers (bit n = capability n). */
struct spec_caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

struct spec_user {
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	bool has_umask;
	mode_t umask;
	char *username; /* informational (Windows field in OCI); may be NULL */
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	unsigned int console_height;
	unsigned int console_width;
	struct spec_user user;
	char **args; /* non-empty */
	char **env;  /* may be NULL */
	char *cwd;   /* absolute */
	bool has_caps; /* false: no capabilities object at all (keep none) */
	struct spec_caps caps;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile; /* NULL if unset */
	char *selinux_label;    /* NULL if unset */
	/* Not from config.json: set by the front end (exec --cap, --preserve-fds). */
};

enum spec_hook_kind {
	SPEC_HOOK_PRESTART,
	SPEC_HOOK_CREATE_RUNTIME,
	SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER,
	SPEC_HOOK_POSTSTART,
	SPEC_HOOK_POSTSTOP,
	SPEC_HOOK__COUNT
};

struct spec_hook {
	char *path; /* absolute */
	char **args;
	char **env;
	int timeout; /* seconds, 0 = none */
};

struct spec_hook_list {
	struct spec_hook *hooks;
	size_t n;
};

/* One namespace entry: a CLONE_NEW* flag, and a path to join instead of
 * creating a new one (NULL = create). */
struct spec_namespace {
	int type;
	char *path;
};

struct spec_device {
	char *path;
	char type; /* 'c', 'b', 'u' or 'p' */
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	mode_t file_mode;
	bool has_uid;
	uid_t uid;
	bool has_gid;
	gid_t gid;
};

/* linux.resources.devices[] entry (device cgroup rule). */
struct spec_device_rule {
	bool allow;
	char type;     /* 'a', 'c' or 'b' */
	int64_t major; /* -1 = wildcard */
	int64_t minor; /* -1 = wildcard */
	char access[4]; /* subset of "rwm" */
};

struct spec_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct spec_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB", "1GB" */
	uint64_t limit;
};

/* linux.resources; an unset limit is left at the host's default.
 * Memory values are bytes, -1 meaning "max"/unlimited. */
struct spec_resources {
	struct spec_device_rule *devices;
	size_t n_devices;

	bool has_memory_limit, has_memory_reservation, has_memory_swap, has_memory_kernel,
		has_memory_swappiness, has_disable_oom_killer, has_use_hierarchy;
	int64_t memory_limit, memory_reservation, memory_swap, memory_kernel;
	uint64_t memory_swappiness;
	bool disable_oom_killer;

	bool has_cpu_shares, has_cpu_quota, has_cpu_period, has_cpu_burst, has_cpu_idle;
	uint64_t cpu_shares;
	int64_t cpu_quota; /* -1 = max */
	uint64_t cpu_period;
	uint64_t cpu_burst;
	int64_t cpu_idle;
	bool has_cpu_rt_runtime, has_cpu_rt_period;
	int64_t cpu_rt_runtime;
	uint64_t cpu_rt_period;
	char *cpuset_cpus; /* NULL if unset */
	char *cpuset_mems;

	bool has_pids_limit;
	int64_t pids_limit; /* <= 0 = max */

	bool has_blkio_weight, has_blkio_leaf_weight;
	uint16_t blkio_weight, blkio_leaf_weight;
	struct spec_weight_device *blkio_weight_devices;
	size_t n_blkio_weight_devices;
	struct spec_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
		*throttle_write_iops;
	size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
		n_throttle_write_iops;

	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;

	bool has_net_class_id;
	uint32_t net_class_id;

	struct spec_kv *unified; /* cgroup v2 file -> value */
	size_t n_unified;
};

/* One seccomp rule argument comparison (SCMP_CMP_* op). */
struct spec_seccomp_arg {
	unsigned int index;
	uint64_t value;
	uint64_t value_two;
	int op; /* enum scmp_compare */
};

struct spec_seccomp_rule {
	char **names; /* syscall names */
	uint32_t action; /* SCMP_ACT_* value, errno already folded in */
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	uint32_t default_action; /* SCMP_ACT_* value */
	uint32_t *archs;         /* SCMP_ARCH_* values */
	size_t n_archs;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_rule *rules;
	size_t n_rules;
};

struct spec_time_offset {
	int clock; /* CLOCK_MONOTONIC or CLOCK_BOOTTIME */
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_id_map *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_map *gid_mappings;
	size_t n_gid_mappings;
	struct spec_time_offset *time_offsets;
	size_t n_time_offsets;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path; /* as given; NULL = runtime default */
	bool has_resources;
	struct spec_resources resources;
	struct spec_kv *sysctl;
	size_t n_sysctl;
	struct spec_seccomp *seccomp; /* NULL = no seccomp */
	unsigned long rootfs_propagation; /* MS_* or 0 = default (rslave, like runc) */
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	bool has_personality;
	unsigned long personality; /* PER_LINUX or PER_LINUX32 */
	char *intel_rdt_clos_id;
};

struct spec {
	char *oci_version;
	char *root_path;     /* absolute (the reader resolves it against the bundle) */
	/* Not from config.json: overlayfs options ("lowerdir=...,upperdir=...")
	 * that rootfs_prepare mounts at root_path first, inside the container's
	 * mount namespace (ctr's store). NULL: root_path is the root as is. */
	char *root_overlay;
	bool root_readonly;
	char *hostname;      /* NULL if unset */
	char *domainname;    /* NULL if unset */
	struct spec_mount *mounts;
	size_t n_mounts;
	bool has_process;
	struct spec_process process;
	struct spec_hook_list hooks[SPEC_HOOK__COUNT];
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux linux;
	char *bundle; /* absolute bundle directory; NULL for native configs */
};

struct spec *spec_new(void);
void spec_free(struct spec *spec);
void spec_process_free(struct spec_process *p);
void spec_seccomp_free(struct spec_seccomp *s);

/* Find a namespace entry of this CLONE_NEW* type, or NULL. */
const struct spec_namespace *spec_find_namespace(const struct spec *spec, int type);

/* Find an annotation's value, or NULL. */
const char *spec_annotation(const struct spec *spec, const char *key);

/* CLONE_NEW* flag for "pid", "network", "mount", "ipc", "uts", "user",
 * "cgroup", "time" (-EINVAL if unknown), and back (NULL if unknown). */
int spec_namespace_type(const char *name);
const char *spec_namespace_name(int type);

/* Clean an absolute path in place: "//" and "/./" collapse, a trailing "/"
 * goes; ".." is kept (spec_validate rejects it rather than guess). */
void spec_clean_path(char *path);

/* Checks that hold whatever format the spec came from (paths absolute, no
 * "..", id maps present when a user namespace is created, and so on).
 * Error messages name the field path, e.g. "mounts[3].destination: ...". */
int spec_validate(const struct spec *spec, struct ctr_error *err);

#endif
