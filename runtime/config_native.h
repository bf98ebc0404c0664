/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_native.h - the native config of a system container, ctr-config(5):
 * `key = value` lines, `#` comments, some keys repeatable (env, mount).
 *
 *   config_native_parse()     text -> struct native_config; every value is
 *                             checked where it is read and the keys that
 *                             depend on each other are checked at the end,
 *                             so errors name the line: "web/config:7:
 *                             limits.memory: invalid size '12Q'".
 *   config_native_to_spec()   native_config + what the store knows
 *                             (native_defaults) -> a complete, validated
 *                             spec for a system container.
 *   config_native_format()    native_config -> text that parses back to the
 *                             same config (comments are not kept).
 *
 * A native_config holds what the file says: unset values stay unset (NULL,
 * has_* false) so the writer does not spell out defaults; the native_*
 * accessors below give the effective value of the ones the front end needs.
 */
#ifndef CTR_CONFIG_NATIVE_H
#define CTR_CONFIG_NATIVE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum native_idmap {
	NATIVE_IDMAP_ISOLATED, /* a user namespace with the container's own id range */
	NATIVE_IDMAP_SHARED,   /* a user namespace with the range all shared containers use */
	NATIVE_IDMAP_NONE,     /* no user namespace: container root is host root */
};

enum native_net_type {
	NATIVE_NET_UNSET,
	NATIVE_NET_NONE,    /* own network namespace with loopback only */
	NATIVE_NET_VETH,    /* veth pair, host end on the bridge net.N.link (if any) */
	NATIVE_NET_MACVLAN, /* macvlan on the host device net.N.link */
	NATIVE_NET_HOST,    /* the host's network namespace */
	NATIVE_NET_NETNS,   /* join the namespace net.N.link (/run/netns name or path) */
};

enum native_seccomp {
	NATIVE_SECCOMP_DEFAULT,	   /* process_default_seccomp() */
	NATIVE_SECCOMP_UNCONFINED, /* no filter */
	NATIVE_SECCOMP_PROFILE,	   /* an OCI linux.seccomp JSON file */
};

/* One `mount = SOURCE DEST TYPE [OPTIONS]` line, unescaped (fstab's \040). */
struct native_mount {
	char *source;
	char *destination; /* absolute and clean */
	char *type;
	char *options; /* comma-separated; NULL for none */
};

/* One interface, net.N.*; set up by netns/ (not part of struct spec). */
struct native_net {
	unsigned int index; /* N */
	enum native_net_type type;
	char *link; /* see enum native_net_type; NULL if unset */
	char *name; /* inside the container; NULL = "eth<N>" */
	bool has_hwaddr;
	uint8_t hwaddr[6];
	bool has_ipv4, has_ipv4_gateway, has_ipv6, has_ipv6_gateway;
	struct in_addr ipv4, ipv4_gateway;
	unsigned int ipv4_prefix;
	struct in6_addr ipv6, ipv6_gateway;
	unsigned int ipv6_prefix;
	unsigned int mtu; /* 0 = the kernel's default */
	/* veth on a bridge: the bridge's own address when ctr creates it, also
	 * the pool addresses are allocated from (default NATIVE_BRIDGE_IPV4). */
	bool has_bridge_ipv4;
	struct in_addr bridge_ipv4;
	unsigned int bridge_ipv4_prefix;
	bool nat; /* masquerade the bridge's subnet while the container has a lease */
};

/* Sizes in bytes and pids: -1 means "max". cpu_quota is µs per
 * UNITS_CPU_PERIOD (config_units.h). Weights use cgroup v2's 1..10000. */
struct native_limits {
	bool has_memory, has_memory_swap, has_memory_high;
	int64_t memory, memory_swap, memory_high;
	bool has_cpu, has_cpu_weight, has_pids, has_io_weight;
	int64_t cpu_quota;
	uint64_t cpu_weight;
	int64_t pids;
	uint64_t io_weight;
	char *cpuset; /* "0-3,6"; NULL if unset */
};

/* hook.pre-checkpoint ... hook.post-restore: commands ctr runs around a
 * checkpoint or restore, with the container's name, its state and the
 * image directory as arguments (ctr-config(5)). */
enum native_hook_point {
	NATIVE_HOOK_PRE_CHECKPOINT,
	NATIVE_HOOK_POST_CHECKPOINT,
	NATIVE_HOOK_PRE_RESTORE,
	NATIVE_HOOK_POST_RESTORE,
	NATIVE_N_HOOK_POINTS
};

struct native_hook_list {
	char ***argv; /* each an argv, its first word an absolute path */
	size_t n;
};

struct native_config {
	char *origin; /* display name from parse ("web/config"), for messages */
	char *rootfs; /* absolute, or relative to the container's directory */
	char *image;  /* exactly one of rootfs and image is set */
	char **init;  /* NULL = {"/sbin/init"} */
	char *hostname;
	char **env; /* KEY=VALUE in file order; later ones win */
	char *cwd;
	bool has_user;
	uid_t uid;
	gid_t gid;
	struct native_mount *mounts;
	size_t n_mounts;
	struct native_limits limits;
	struct native_net *nets; /* sorted by index */
	size_t n_nets;
	bool has_idmap, has_privileged, has_autostart, has_seccomp;
	enum native_idmap idmap;
	/* idmap.uid, idmap.gid: first host id of the container's range of
	 * NATIVE_IDMAP_SIZE ids, written by `ctr create` (the effective range,
	 * kept so a restart gets the same ids). */
	bool has_idmap_uid, has_idmap_gid;
	uint32_t idmap_uid, idmap_gid;
	bool privileged;
	bool autostart;
	enum native_seccomp seccomp;
	char *seccomp_profile; /* NATIVE_SECCOMP_PROFILE: absolute path */
	bool has_caps_keep;    /* keep is a whitelist; absent = the system set */
	uint64_t caps_keep, caps_drop;
	bool has_halt_signal, has_reboot_signal, has_stop_timeout;
	int halt_signal, reboot_signal;
	unsigned int stop_timeout; /* seconds */
	char **dns;	/* net.dns: nameservers for /etc/resolv.conf; NULL: not written */
	bool has_hosts; /* net.hosts: write /etc/hosts */
	bool hosts;
	struct native_hook_list hooks[NATIVE_N_HOOK_POINTS];
};

/* What the config cannot say and the store or front end knows. */
struct native_defaults {
	const char *name;      /* container name: the default hostname */
	const char *dir;       /* container directory: base of a relative rootfs (may be NULL) */
	const char *root_path; /* root the store prepared (an image's overlay); wins over rootfs */
	/* The id range of the container's user namespace, required when it
	 * gets one (idmap isolated or shared, not privileged): its own range
	 * for isolated, the range shared containers have in common for shared.
	 * The front end allocates it; when it passes none, the config's
	 * idmap.uid and idmap.gid (0 -> those, NATIVE_IDMAP_SIZE ids) are used. */
	const struct spec_id_map *uid_mappings;
	size_t n_uid_mappings;
	const struct spec_id_map *gid_mappings;
	size_t n_gid_mappings;
};

#define NATIVE_DEFAULT_INIT	    "/sbin/init"
#define NATIVE_IDMAP_SIZE	    65536u
#define NATIVE_DEFAULT_STOP_TIMEOUT 30
#define NATIVE_DEFAULT_BRIDGE	    "ctrbr0"
#define NATIVE_BRIDGE_IPV4	    "10.0.3.1/24"

/* Parse a whole config; display_name prefixes messages ("web/config").
 * Returns 0 or -EINVAL (err: "web/config:LINE: key: what"). */
int config_native_parse(const char *text, size_t len, const char *display_name,
			struct native_config **out, struct ctr_error *err);
void native_config_free(struct native_config *c);

/* A complete spec for a system container; the result passed spec_validate.
 * d must not be NULL. Reads the seccomp profile file when the config names
 * one. process.terminal is set (the console); a front end running init in
 * the foreground without one may clear it. Errors are prefixed with the
 * config's display name ("web/config: image debian: ..."). */
int config_native_to_spec(const struct native_config *c, const struct native_defaults *d,
			  struct spec **out, struct ctr_error *err);

/* The config as text, one key a line in ctr-config(5)'s order; malloc'd. */
char *config_native_format(const struct native_config *c);

/* Effective values (the default where the config is silent). */
int native_halt_signal(const struct native_config *c);	 /* SIGRTMIN+3 */
int native_reboot_signal(const struct native_config *c); /* SIGINT */
unsigned int native_stop_timeout(const struct native_config *c);

/* The documented keys in order ("net.N.type" spelled with N) with a line of
 * help each, for `ctr` to list; NULL past the last. */
const char *config_native_key(size_t i, const char **help);

#endif
