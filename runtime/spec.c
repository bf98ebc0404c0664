/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec.c - the spec model's lifetime (new/free), lookups, and the checks
 * that hold whatever config format the spec was read from.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "spec.h"
#include "util.h"

/* The kernel's __NEW_UTS_LEN. */
#define UTS_NAME_MAX 64

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int type;
} namespace_table[] = {
    {"pid", CLONE_NEWPID},	 {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},	 {"uts", CLONE_NEWUTS},	    {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int spec_namespace_type(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespace_table); i++)
		if (strcmp(name, namespace_table[i].name) == 0)
			return namespace_table[i].type;
	return -EINVAL;
}

const char *spec_namespace_name(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespace_table); i++)
		if (namespace_table[i].type == type)
			return namespace_table[i].name;
	return NULL;
}

struct spec *spec_new(void)
{
	return xzalloc(sizeof(struct spec));
}

static void kv_free(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void spec_process_free(struct spec_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	memset(p, 0, sizeof(*p));
}

void spec_seccomp_free(struct spec_seccomp *s)
{
	if (!s)
		return;
	free(s->archs);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_rules; i++) {
		strv_free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s);
}

static void mounts_free(struct spec_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].destination);
		free(m[i].source);
		free(m[i].type);
		free(m[i].data);
		free(m[i].uid_mappings);
		free(m[i].gid_mappings);
	}
	free(m);
}

static void resources_free(struct spec_resources *r)
{
	free(r->devices);
	free(r->cpuset_cpus);
	free(r->cpuset_mems);
	free(r->blkio_weight_devices);
	free(r->throttle_read_bps);
	free(r->throttle_write_bps);
	free(r->throttle_read_iops);
	free(r->throttle_write_iops);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	kv_free(r->unified, r->n_unified);
}

static void linux_free(struct spec_linux *l)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	free(l->time_offsets);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	resources_free(&l->resources);
	kv_free(l->sysctl, l->n_sysctl);
	spec_seccomp_free(l->seccomp);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	free(l->intel_rdt_clos_id);
}

void spec_free(struct spec *spec)
{
	if (!spec)
		return;
	free(spec->oci_version);
	free(spec->root_path);
	free(spec->root_overlay);
	free(spec->hostname);
	free(spec->domainname);
	mounts_free(spec->mounts, spec->n_mounts);
	spec_process_free(&spec->process);
	for (int k = 0; k < SPEC_HOOK__COUNT; k++) {
		struct spec_hook_list *list = &spec->hooks[k];

		for (size_t i = 0; i < list->n; i++) {
			free(list->hooks[i].path);
			strv_free(list->hooks[i].args);
			strv_free(list->hooks[i].env);
		}
		free(list->hooks);
	}
	kv_free(spec->annotations, spec->n_annotations);
	linux_free(&spec->linux);
	free(spec->bundle);
	free(spec);
}

const struct spec_namespace *spec_find_namespace(const struct spec *spec, int type)
{
	for (size_t i = 0; i < spec->linux.n_namespaces; i++)
		if (spec->linux.namespaces[i].type == type)
			return &spec->linux.namespaces[i];
	return NULL;
}

const char *spec_annotation(const struct spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (strcmp(spec->annotations[i].key, key) == 0)
			return spec->annotations[i].value;
	return NULL;
}

void spec_clean_path(char *path)
{
	char *out = path;
	const char *in = path;

	while (*in) {
		if (in[0] == '/' && (in[1] == '/' || (in[1] == '.' && (in[2] == '/' || !in[2])))) {
			in += in[1] == '/' ? 1 : 2;
			continue;
		}
		*out++ = *in++;
	}
	if (out > path + 1 && out[-1] == '/')
		out--;
	if (out == path && path[0] == '/')
		out++; /* "/." and "//" clean to "/" */
	*out = '\0';
}

static bool path_has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

/* "" when the path is absolute and clean, else why not. */
static const char *path_problem(const char *p)
{
	size_t len;

	if (!p || p[0] != '/')
		return "must be an absolute path";
	if (path_has_dotdot(p))
		return "must not contain '..'";
	len = strlen(p);
	if (strstr(p, "//") || strstr(p, "/./") || (len > 1 && p[len - 1] == '/') ||
	    (len >= 2 && strcmp(p + len - 2, "/.") == 0))
		return "must be a clean path (no '//', '/./' or trailing '/')";
	return "";
}

static int check_path(const char *path, const char *field, size_t idx, const char *leaf,
		      struct ctr_error *err)
{
	const char *why = path_problem(path);

	if (!*why)
		return 0;
	if (idx == (size_t)-1)
		return ctr_error(err, EINVAL, "%s: %s", field, why);
	return ctr_error(err, EINVAL, "%s[%zu]%s: %s", field, idx, leaf, why);
}

static int validate_process(const struct spec_process *p, const char *field, struct ctr_error *err)
{
	if (!p->args || !p->args[0])
		return ctr_error(err, EINVAL, "%s.args: must not be empty", field);
	if (!p->cwd || p->cwd[0] != '/')
		return ctr_error(err, EINVAL, "%s.cwd: must be an absolute path", field);
	for (size_t i = 0; p->env && p->env[i]; i++) {
		const char *eq = strchr(p->env[i], '=');

		if (!eq || eq == p->env[i])
			return ctr_error(err, EINVAL,
					 "%s.env[%zu]: '%s' is not of the form KEY=VALUE", field, i,
					 p->env[i]);
	}
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (p->rlimits[i].soft > p->rlimits[i].hard)
			return ctr_error(err, EINVAL,
					 "%s.rlimits[%zu]: soft limit exceeds hard limit", field,
					 i);
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return ctr_error(err, EINVAL, "%s.oomScoreAdj: must be between -1000 and 1000",
				 field);
	return 0;
}

static int validate_id_maps(const struct spec_id_map *maps, size_t n, const char *field,
			    struct ctr_error *err)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t last_container = (uint64_t)maps[i].container_id + maps[i].size - 1;
		uint64_t last_host = (uint64_t)maps[i].host_id + maps[i].size - 1;

		if (maps[i].size == 0)
			return ctr_error(err, EINVAL, "%s[%zu].size: must be greater than 0", field,
					 i);
		/* The kernel takes ids up to 2^32-2; -1 is "no id". */
		if (last_container >= UINT32_MAX || last_host >= UINT32_MAX)
			return ctr_error(err, EINVAL, "%s[%zu]: range ends past id 4294967294",
					 field, i);
	}
	return 0;
}

static int validate_mount(const struct spec_mount *m, size_t i, struct ctr_error *err)
{
	char field[64];
	int ret = check_path(m->destination, "mounts", i, ".destination", err);

	if (ret < 0)
		return ret;
	if (!m->type)
		return ctr_error(err, EINVAL, "mounts[%zu].type: required", i);
	if (m->idmap && !m->n_uid_mappings && !m->n_gid_mappings)
		return ctr_error(err, EINVAL, "mounts[%zu].uidMappings: required by option idmap",
				 i);
	if ((m->n_uid_mappings || m->n_gid_mappings) && !m->idmap)
		return ctr_error(err, EINVAL,
				 "mounts[%zu].uidMappings: only allowed with option idmap", i);
	if (m->idmap && !m->bind)
		return ctr_error(err, EINVAL,
				 "mounts[%zu].options: idmap is only supported on bind mounts", i);
	snprintf(field, sizeof(field), "mounts[%zu].uidMappings", i);
	ret = validate_id_maps(m->uid_mappings, m->n_uid_mappings, field, err);
	if (ret < 0)
		return ret;
	snprintf(field, sizeof(field), "mounts[%zu].gidMappings", i);
	return validate_id_maps(m->gid_mappings, m->n_gid_mappings, field, err);
}

static const char *const hook_fields[SPEC_HOOK__COUNT] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int validate_hooks(const struct spec *spec, struct ctr_error *err)
{
	for (int k = 0; k < SPEC_HOOK__COUNT; k++)
		for (size_t i = 0; i < spec->hooks[k].n; i++) {
			const struct spec_hook *h = &spec->hooks[k].hooks[i];

			if (!h->path || h->path[0] != '/')
				return ctr_error(err, EINVAL,
						 "hooks.%s[%zu].path: must be an absolute path",
						 hook_fields[k], i);
			if (h->timeout < 0)
				return ctr_error(err, EINVAL,
						 "hooks.%s[%zu].timeout: must be greater than 0",
						 hook_fields[k], i);
		}
	return 0;
}

static int validate_namespaces(const struct spec_linux *l, struct ctr_error *err)
{
	int seen = 0;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		const char *name = spec_namespace_name(ns->type);

		if (!name)
			return ctr_error(err, EINVAL, "linux.namespaces[%zu].type: unknown", i);
		if (seen & ns->type)
			return ctr_error(err, EINVAL,
					 "linux.namespaces[%zu].type: duplicate namespace '%s'", i,
					 name);
		seen |= ns->type;
		if (ns->path && ns->path[0] != '/')
			return ctr_error(err, EINVAL,
					 "linux.namespaces[%zu].path: must be an absolute path", i);
	}
	return 0;
}

/* A user namespace the runtime creates needs maps to be useful; maps without
 * any user namespace would be silently ignored, which hides a mistake. */
static int validate_user_namespace(const struct spec *spec, struct ctr_error *err)
{
	const struct spec_linux *l = &spec->linux;
	const struct spec_namespace *userns = spec_find_namespace(spec, CLONE_NEWUSER);
	int ret;

	ret = validate_id_maps(l->uid_mappings, l->n_uid_mappings, "linux.uidMappings", err);
	if (ret < 0)
		return ret;
	ret = validate_id_maps(l->gid_mappings, l->n_gid_mappings, "linux.gidMappings", err);
	if (ret < 0)
		return ret;
	if (!userns) {
		if (l->n_uid_mappings)
			return ctr_error(err, EINVAL,
					 "linux.uidMappings: requires a user namespace");
		if (l->n_gid_mappings)
			return ctr_error(err, EINVAL,
					 "linux.gidMappings: requires a user namespace");
		return 0;
	}
	if (userns->path)
		return 0;
	if (!l->n_uid_mappings)
		return ctr_error(err, EINVAL,
				 "linux.uidMappings: required when a user namespace is created");
	if (!l->n_gid_mappings)
		return ctr_error(err, EINVAL,
				 "linux.gidMappings: required when a user namespace is created");
	return 0;
}

static int validate_uts(const struct spec *spec, struct ctr_error *err)
{
	bool uts = spec_find_namespace(spec, CLONE_NEWUTS) != NULL;

	if (spec->hostname && !uts)
		return ctr_error(err, EINVAL, "hostname: requires a UTS namespace");
	if (spec->domainname && !uts)
		return ctr_error(err, EINVAL, "domainname: requires a UTS namespace");
	/* sethostname() would refuse it much later, inside the container. */
	if (spec->hostname && strlen(spec->hostname) > UTS_NAME_MAX)
		return ctr_error(err, EINVAL, "hostname: longer than %d characters", UTS_NAME_MAX);
	if (spec->domainname && strlen(spec->domainname) > UTS_NAME_MAX)
		return ctr_error(err, EINVAL, "domainname: longer than %d characters",
				 UTS_NAME_MAX);
	return 0;
}

/* Only sysctls that belong to a namespace the container owns may be set;
 * anything else would change the host. */
static const struct {
	const char *prefix; /* with '.' separators; a trailing '.' matches a subtree */
	int ns;
} sysctl_table[] = {
    {"kernel.msgmax", CLONE_NEWIPC},	 {"kernel.msgmnb", CLONE_NEWIPC},
    {"kernel.msgmni", CLONE_NEWIPC},	 {"kernel.sem", CLONE_NEWIPC},
    {"kernel.shmall", CLONE_NEWIPC},	 {"kernel.shmmax", CLONE_NEWIPC},
    {"kernel.shmmni", CLONE_NEWIPC},	 {"kernel.shm_rmid_forced", CLONE_NEWIPC},
    {"fs.mqueue.", CLONE_NEWIPC},	 {"kernel.hostname", CLONE_NEWUTS},
    {"kernel.domainname", CLONE_NEWUTS}, {"net.", CLONE_NEWNET},
};

static int sysctl_namespace(const char *key)
{
	char name[256];
	size_t len = strlen(key);

	if (len >= sizeof(name))
		return -EINVAL;
	/* "net/ipv4/ip_forward" is the same key as "net.ipv4.ip_forward". */
	for (size_t i = 0; i <= len; i++)
		name[i] = key[i] == '/' ? '.' : key[i];
	for (size_t i = 0; i < ARRAY_SIZE(sysctl_table); i++) {
		const char *p = sysctl_table[i].prefix;
		size_t plen = strlen(p);

		if (p[plen - 1] == '.' ? strncmp(name, p, plen) == 0 && name[plen]
				       : strcmp(name, p) == 0)
			return sysctl_table[i].ns;
	}
	return -EINVAL;
}

static int validate_sysctl(const struct spec *spec, struct ctr_error *err)
{
	for (size_t i = 0; i < spec->linux.n_sysctl; i++) {
		const char *key = spec->linux.sysctl[i].key;
		int ns = sysctl_namespace(key);

		if (ns < 0)
			return ctr_error(err, EINVAL,
					 "linux.sysctl.%s: not a namespaced sysctl; setting it "
					 "would change the host",
					 key);
		if (!spec_find_namespace(spec, ns))
			return ctr_error(err, EINVAL,
					 "linux.sysctl.%s: requires its own %s namespace", key,
					 spec_namespace_name(ns));
	}
	return 0;
}

static int validate_linux_paths(const struct spec_linux *l, struct ctr_error *err)
{
	int ret;

	for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++)
		if (l->masked_paths[i][0] != '/')
			return ctr_error(err, EINVAL,
					 "linux.maskedPaths[%zu]: must be an absolute path", i);
	for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++)
		if (l->readonly_paths[i][0] != '/')
			return ctr_error(err, EINVAL,
					 "linux.readonlyPaths[%zu]: must be an absolute path", i);
	for (size_t i = 0; i < l->n_devices; i++) {
		ret = check_path(l->devices[i].path, "linux.devices", i, ".path", err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int validate_linux(const struct spec *spec, struct ctr_error *err)
{
	int ret;

	ret = validate_namespaces(&spec->linux, err);
	if (ret == 0)
		ret = validate_user_namespace(spec, err);
	if (ret == 0)
		ret = validate_uts(spec, err);
	if (ret == 0)
		ret = validate_sysctl(spec, err);
	if (ret == 0)
		ret = validate_linux_paths(&spec->linux, err);
	if (ret == 0 && spec->linux.n_time_offsets && !spec_find_namespace(spec, CLONE_NEWTIME))
		ret = ctr_error(err, EINVAL, "linux.timeOffsets: requires a time namespace");
	return ret;
}

int spec_validate(const struct spec *spec, struct ctr_error *err)
{
	int ret;

	if (!spec->root_path || spec->root_path[0] != '/')
		return ctr_error(err, EINVAL, "root.path: must be an absolute path");
	if (spec->has_process) {
		ret = validate_process(&spec->process, "process", err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < spec->n_mounts; i++) {
		ret = validate_mount(&spec->mounts[i], i, err);
		if (ret < 0)
			return ret;
	}
	ret = validate_hooks(spec, err);
	if (ret < 0)
		return ret;
	return validate_linux(spec, err);
}
