/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_native_spec.c - a native config compiled to the spec model: a
 * system container with every namespace, the system capability set, the
 * hardening of DESIGN.md, the mounts an init expects (proc, sys, dev,
 * devpts, shm, mqueue, cgroup) and the config's limits. Whatever the spec
 * model cannot express (interfaces, stop signals) stays in native_config
 * for the front end.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include "caps.h"
#include "config_native_internal.h"
#include "config_units.h"
#include "process.h"
#include "spec_oci.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int native_mount_to_spec(const struct native_mount *m, struct spec_mount *out,
			 struct ctr_error *err)
{
	_cleanup_free_ char *opts = m->options ? xstrdup(m->options) : NULL;
	char *save = NULL;

	memset(out, 0, sizeof(*out));
	out->destination = xstrdup(m->destination);
	out->type = xstrdup(m->type);
	if (strcmp(m->type, "bind") == 0) {
		out->bind = true;
		out->flags |= MS_BIND;
	}
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		if (spec_oci_mount_option(out, o))
			continue;
		if (out->data) {
			char *joined = xasprintf("%s,%s", out->data, o);

			free(out->data);
			out->data = joined;
		} else {
			out->data = xstrdup(o);
		}
	}
	/* The source of a bind is a host path: never relative to where ctr
	 * happens to run. */
	if (out->bind && m->source[0] != '/') {
		free(out->destination);
		free(out->type);
		free(out->data);
		memset(out, 0, sizeof(*out));
		return ctr_error(err, EINVAL, "bind source '%s' must be an absolute path",
				 m->source);
	}
	out->source = xstrdup(m->source);
	return 0;
}

/* What an init expects to find mounted, in mount order. */
static const struct native_mount system_mounts[] = {
    {"proc", "/proc", "proc", "nosuid,noexec,nodev"},
    {"sysfs", "/sys", "sysfs", "nosuid,noexec,nodev,ro"},
    {"tmpfs", "/dev", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"},
    {"devpts", "/dev/pts", "devpts", "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"},
    {"shm", "/dev/shm", "tmpfs", "nosuid,noexec,nodev,mode=1777"},
    {"mqueue", "/dev/mqueue", "mqueue", "nosuid,noexec,nodev"},
    /* The unified hierarchy alone, writable and delegated to the
     * container's root (lifecycle.c), rooted at the container's cgroup by
     * its cgroup namespace: systemd then runs in its unified mode, builds
     * init.scope and system.slice below, and is notified of empty cgroups
     * through cgroup.events. Also on a hybrid host (v1 controllers plus a
     * cgroup2 with no controllers at /sys/fs/cgroup/unified): there the
     * v1 layout would put systemd in hybrid mode, where it needs the named
     * "systemd" v1 hierarchy writable as well and creates directories in
     * every v1 controller it sees, which a user namespace cannot own. The
     * limits stay enforced from outside, on the container's cgroup in
     * every hierarchy; services inside get no per-unit limits on such a
     * host, which is what the unified hierarchy there can offer. */
    {"cgroup2", "/sys/fs/cgroup", "cgroup2", "nosuid,noexec,nodev,relatime"},
    /* An init finds /run (and Debian /run/lock) fresh at every boot, as
     * on a machine; systemd would otherwise mount /run itself. */
    {"tmpfs", "/run", "tmpfs", "nosuid,nodev,mode=755,size=20%"},
    {"tmpfs", "/run/lock", "tmpfs", "nosuid,nodev,noexec,mode=1777,size=5m"},
};

static struct spec_id_map *copy_maps(const struct spec_id_map *maps, size_t n, size_t *n_out)
{
	struct spec_id_map *copy = xcalloc(n, sizeof(*copy));

	memcpy(copy, maps, n * sizeof(*copy));
	*n_out = n;
	return copy;
}

/* The config's idmap option takes the container's own id range. */
static int give_mount_maps(struct spec_mount *sm, const struct native_defaults *d, bool userns,
			   struct ctr_error *err)
{
	if (!sm->idmap)
		return 0;
	if (!userns)
		return ctr_error(err, EINVAL, "option idmap needs a user namespace");
	sm->uid_mappings = copy_maps(d->uid_mappings, d->n_uid_mappings, &sm->n_uid_mappings);
	sm->gid_mappings = copy_maps(d->gid_mappings, d->n_gid_mappings, &sm->n_gid_mappings);
	return 0;
}

static int add_mounts(struct spec *s, const struct native_config *c,
		      const struct native_defaults *d, bool userns, struct ctr_error *err)
{
	size_t n_sys = ARRAY_SIZE(system_mounts);

	s->mounts = xcalloc(n_sys + c->n_mounts, sizeof(struct spec_mount));
	for (size_t i = 0; i < n_sys + c->n_mounts; i++) {
		const struct native_mount *m =
		    i < n_sys ? &system_mounts[i] : &c->mounts[i - n_sys];
		struct spec_mount *sm = &s->mounts[i];
		int r = native_mount_to_spec(m, sm, err);

		if (r == 0) {
			s->n_mounts++;
			r = give_mount_maps(sm, d, userns, err);
		}
		if (r < 0)
			return ctr_error_prefix(err, "mount %s", m->destination);
		/* Privileged: the host's /sys is the container's to change. */
		if (c->privileged && strcmp(sm->destination, "/sys") == 0)
			sm->flags &= ~MS_RDONLY;
	}
	return 0;
}

/* The defaults first, then the config's, a later KEY replacing an earlier. */
static char **build_env(const struct native_config *c)
{
	static const char *const defaults[] = {"PATH=" DEFAULT_PATH, "TERM=linux", "container=ctr",
					       NULL};
	char **env = strv_dup((char *const *)defaults);

	for (size_t i = 0; c->env && c->env[i]; i++) {
		size_t klen = strcspn(c->env[i], "=") + 1;
		size_t j;

		for (j = 0; env[j]; j++)
			if (strncmp(env[j], c->env[i], klen) == 0)
				break;
		if (env[j]) {
			free(env[j]);
			env[j] = xstrdup(c->env[i]);
		} else {
			strv_append(&env, c->env[i]);
		}
	}
	return env;
}

/* What this process may still hand on: a container never gets more, and
 * asking for more makes capset fail (some hosts drop sys_resource from
 * every bounding set). */
static uint64_t runtime_bounding_set(void)
{
	uint64_t mask = 0;

	for (int cap = 0; cap <= cap_table_last(); cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			mask |= UINT64_C(1) << cap;
	return mask;
}

static uint64_t effective_caps(const struct native_config *c)
{
	uint64_t caps;

	if (c->has_caps_keep)
		caps = c->caps_keep;
	else if (c->privileged)
		caps = (UINT64_C(1) << (cap_table_last() + 1)) - 1;
	else
		caps = cap_system_default_mask();
	return caps & ~c->caps_drop & runtime_bounding_set();
}

static void fill_process(struct spec_process *proc, const struct native_config *c)
{
	static const char *const default_init[] = {NATIVE_DEFAULT_INIT, NULL};
	uint64_t caps = effective_caps(c);

	/* A console: `ctr console` attaches to it and the log records it. */
	proc->terminal = true;
	proc->args = strv_dup(c->init ? c->init : (char *const *)default_init);
	proc->env = build_env(c);
	proc->cwd = xstrdup(c->cwd ? c->cwd : "/");
	proc->user.uid = c->uid;
	proc->user.gid = c->gid;
	proc->has_caps = true;
	proc->caps.bounding = proc->caps.effective = proc->caps.permitted = caps;
	/* no_new_privs stays off: a whole distribution needs setuid programs
	 * (su, sudo, passwd) and file capabilities (ping) to work. */
	proc->no_new_privileges = false;
}

static int add_namespace(struct spec_linux *l, int type, const char *path)
{
	l->namespaces = xrealloc(l->namespaces, (l->n_namespaces + 1) * sizeof(*l->namespaces));
	l->namespaces[l->n_namespaces++] =
	    (struct spec_namespace){type, path ? xstrdup(path) : NULL};
	return 0;
}

static bool wants_userns(const struct native_config *c)
{
	return !c->privileged && (!c->has_idmap || c->idmap != NATIVE_IDMAP_NONE);
}

/* Host networking shares the host's namespace; netns joins a named one. */
static void add_net_namespace(struct spec_linux *l, const struct native_config *c)
{
	const struct native_net *n = c->n_nets ? &c->nets[0] : NULL;
	_cleanup_free_ char *path = NULL;

	if (n && n->type == NATIVE_NET_HOST)
		return;
	if (n && n->type == NATIVE_NET_NETNS)
		path = n->link[0] == '/' ? xstrdup(n->link) : xasprintf("/run/netns/%s", n->link);
	add_namespace(l, CLONE_NEWNET, path);
}

static int add_namespaces(struct spec *s, const struct native_config *c,
			  const struct native_defaults *d, struct ctr_error *err)
{
	static const int always[] = {CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC,
				     CLONE_NEWCGROUP};
	struct spec_linux *l = &s->linux;

	for (size_t i = 0; i < ARRAY_SIZE(always); i++)
		add_namespace(l, always[i], NULL);
	add_net_namespace(l, c);
	if (!wants_userns(c))
		return 0;
	if (!d->n_uid_mappings || !d->n_gid_mappings)
		return ctr_error(
		    err, EINVAL, "idmap = %s: no subordinate id range for this container",
		    c->has_idmap && c->idmap == NATIVE_IDMAP_SHARED ? "shared" : "isolated");
	add_namespace(l, CLONE_NEWUSER, NULL);
	l->uid_mappings = copy_maps(d->uid_mappings, d->n_uid_mappings, &l->n_uid_mappings);
	l->gid_mappings = copy_maps(d->gid_mappings, d->n_gid_mappings, &l->n_gid_mappings);
	return 0;
}

/* Beyond the nodes every container may use (lifecycle.c adds those):
 * the console init writes to, fuse and tun, which distributions use. */
static const struct spec_device_rule system_device_rules[] = {
    {false, 'a', -1, -1, "rwm"},
    {true, 'c', 5, 1, "rwm"},	 /* console */
    {true, 'c', 10, 229, "rwm"}, /* fuse */
    {true, 'c', 10, 200, "rwm"}, /* net/tun */
};

/* cgroup v2 weight (1..10000) to the spec's cpu shares (2..262144): the
 * smallest shares the cgroup drivers convert back to the same weight. */
static uint64_t weight_to_shares(uint64_t weight)
{
	return 2 + ((weight - 1) * 262142 + 9998) / 9999;
}

/* cgroup v2 io weight to blkio's 10..1000 scale, rounded to nearest. */
static uint16_t weight_to_blkio(uint64_t weight)
{
	return (uint16_t)(10 + ((weight - 1) * 990 + 4999) / 9999);
}

static void fill_memory(struct spec_resources *r, const struct native_limits *l)
{
	r->has_memory_limit = l->has_memory;
	r->memory_limit = l->memory;
	if (l->has_memory_swap) {
		r->has_memory_swap = true;
		/* The spec counts memory plus swap; a sum past int64 is no limit. */
		r->memory_swap = l->memory_swap < 0 || l->memory > INT64_MAX - l->memory_swap
				     ? -1
				     : l->memory + l->memory_swap;
	}
	if (l->has_memory_high) {
		char buf[UNITS_BUF_MAX];

		snprintf(buf, sizeof(buf), "%" PRId64, l->memory_high);
		r->unified = xcalloc(1, sizeof(struct spec_kv));
		r->unified[0].key = xstrdup("memory.high");
		r->unified[0].value = xstrdup(l->memory_high < 0 ? "max" : buf);
		r->n_unified = 1;
	}
}

static void fill_resources(struct spec_resources *r, const struct native_limits *l)
{
	fill_memory(r, l);
	if (l->has_cpu) {
		r->has_cpu_quota = r->has_cpu_period = true;
		r->cpu_quota = l->cpu_quota;
		r->cpu_period = UNITS_CPU_PERIOD;
	}
	if (l->has_cpu_weight) {
		r->has_cpu_shares = true;
		r->cpu_shares = weight_to_shares(l->cpu_weight);
	}
	if (l->cpuset)
		r->cpuset_cpus = xstrdup(l->cpuset);
	if (l->has_pids) {
		r->has_pids_limit = true;
		r->pids_limit = l->pids;
	}
	if (l->has_io_weight) {
		r->has_blkio_weight = true;
		r->blkio_weight = weight_to_blkio(l->io_weight);
	}
	r->devices = xcalloc(ARRAY_SIZE(system_device_rules), sizeof(*r->devices));
	memcpy(r->devices, system_device_rules, sizeof(system_device_rules));
	r->n_devices = ARRAY_SIZE(system_device_rules);
}

static int fill_seccomp(struct spec_linux *l, const struct native_config *c, struct ctr_error *err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int r;

	if (!c->has_seccomp && c->privileged)
		return 0;
	if (!c->has_seccomp || c->seccomp == NATIVE_SECCOMP_DEFAULT) {
		l->seccomp = process_default_seccomp();
		return 0;
	}
	if (c->seccomp == NATIVE_SECCOMP_UNCONFINED)
		return 0;
	r = read_file_at(AT_FDCWD, c->seccomp_profile, &json, &len, err);
	if (r < 0)
		return ctr_error_prefix(err, "seccomp profile");
	return spec_oci_parse_seccomp(json, len, c->seccomp_profile, &l->seccomp, err);
}

static void fill_hardening(struct spec_linux *l, const struct native_config *c)
{
	if (c->privileged)
		return;
	l->masked_paths = strv_dup((char *const *)spec_default_masked_paths);
	l->readonly_paths = strv_dup((char *const *)spec_default_readonly_paths);
}

static bool id_mapped(uint32_t id, const struct spec_id_map *maps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
			return true;
	return false;
}

/* An id outside the user namespace's maps would fail setresuid in the
 * child, long after the host was changed. */
static int check_user_mapped(const struct native_config *c, const struct native_defaults *d,
			     struct ctr_error *err)
{
	if (!id_mapped(c->uid, d->uid_mappings, d->n_uid_mappings))
		return ctr_error(err, EINVAL, "user: uid %u is not mapped in the container",
				 (unsigned int)c->uid);
	if (!id_mapped(c->gid, d->gid_mappings, d->n_gid_mappings))
		return ctr_error(err, EINVAL, "user: gid %u is not mapped in the container",
				 (unsigned int)c->gid);
	return 0;
}

static int fill_root(struct spec *s, const struct native_config *c, const struct native_defaults *d,
		     struct ctr_error *err)
{
	if (d->root_path)
		s->root_path = xstrdup(d->root_path);
	else if (c->image)
		return ctr_error(err, EINVAL, "image %s: the store has not prepared a root for it",
				 c->image);
	else if (c->rootfs[0] == '/')
		s->root_path = xstrdup(c->rootfs);
	else if (d->dir)
		s->root_path = xasprintf("%s/%s", d->dir, c->rootfs);
	else
		return ctr_error(err, EINVAL, "rootfs %s: relative, and no container directory",
				 c->rootfs);
	spec_clean_path(s->root_path);
	return 0;
}

static int build_spec(struct spec *s, const struct native_config *c,
		      const struct native_defaults *d, struct ctr_error *err)
{
	int r;

	s->oci_version = xstrdup("1.0.2");
	r = fill_root(s, c, d, err);
	if (r < 0)
		return r;
	if (c->hostname || d->name)
		s->hostname = xstrdup(c->hostname ? c->hostname : d->name);
	s->has_process = true;
	fill_process(&s->process, c);
	r = add_namespaces(s, c, d, err);
	if (r < 0)
		return r;
	r = wants_userns(c) ? check_user_mapped(c, d, err) : 0;
	if (r < 0)
		return r;
	r = add_mounts(s, c, d, wants_userns(c), err);
	if (r < 0)
		return r;
	fill_hardening(&s->linux, c);
	s->linux.has_resources = true;
	fill_resources(&s->linux.resources, &c->limits);
	r = fill_seccomp(&s->linux, c, err);
	if (r < 0)
		return r;
	return spec_validate(s, err);
}

/* Without a range from the front end, the one the config records. */
static int config_range(const struct native_config *c, struct native_defaults *d,
			struct spec_id_map *uid, struct spec_id_map *gid, struct ctr_error *err)
{
	if (d->n_uid_mappings || d->n_gid_mappings || !wants_userns(c))
		return 0;
	if (c->has_idmap_uid != c->has_idmap_gid)
		return ctr_error(err, EINVAL, "idmap.uid and idmap.gid: one without the other");
	if (!c->has_idmap_uid)
		return 0;
	*uid = (struct spec_id_map){0, c->idmap_uid, NATIVE_IDMAP_SIZE};
	*gid = (struct spec_id_map){0, c->idmap_gid, NATIVE_IDMAP_SIZE};
	d->uid_mappings = uid;
	d->gid_mappings = gid;
	d->n_uid_mappings = d->n_gid_mappings = 1;
	return 0;
}

int config_native_to_spec(const struct native_config *c, const struct native_defaults *defaults,
			  struct spec **out, struct ctr_error *err)
{
	struct native_defaults d = *defaults;
	struct spec_id_map uid, gid;
	struct spec *s = spec_new();
	int r = config_range(c, &d, &uid, &gid, err);

	if (r == 0)
		r = build_spec(s, c, &d, err);

	if (r < 0) {
		ctr_error_prefix(err, "%s", c->origin ? c->origin : "config");
		spec_free(s);
		return r;
	}
	*out = s;
	return 0;
}
