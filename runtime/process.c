/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process.c - sysctls, resource limits and the final execve. */
#include <ctype.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* "net.ipv4.ip_forward" is /proc/sys/net/ipv4/ip_forward. A key that
 * already uses slashes keeps its dots (interface names like "eth0.100"). */
static char *sysctl_path(const char *key)
{
	char *path = xasprintf("/proc/sys/%s", key);

	if (!strchr(key, '/'))
		for (char *c = path + strlen("/proc/sys/"); *c; c++)
			if (*c == '.')
				*c = '/';
	return path;
}

static bool sysctl_key_is_safe(const char *key)
{
	return *key && key[0] != '/' && key[0] != '.' && !strstr(key, "..") && !strstr(key, "/.") &&
	       !strstr(key, "//");
}

int process_apply_sysctl(const struct spec_linux *linux_spec, struct ctr_error *err)
{
	for (size_t i = 0; i < linux_spec->n_sysctl; i++) {
		const struct spec_kv *kv = &linux_spec->sysctl[i];
		_cleanup_free_ char *path = NULL;
		int ret;

		if (!sysctl_key_is_safe(kv->key))
			return ctr_error(err, EINVAL, "sysctl %s: invalid key", kv->key);
		path = sysctl_path(kv->key);
		ret = write_file_at(AT_FDCWD, path, kv->value, strlen(kv->value), err);
		if (ret < 0)
			return ctr_errnum(err, ret, "sysctl %s", kv->key);
	}
	return 0;
}

struct rlimit_name {
	int resource;
	const char *name;
};

static const struct rlimit_name rlimit_names[] = {
    {RLIMIT_AS, "RLIMIT_AS"},
    {RLIMIT_CORE, "RLIMIT_CORE"},
    {RLIMIT_CPU, "RLIMIT_CPU"},
    {RLIMIT_DATA, "RLIMIT_DATA"},
    {RLIMIT_FSIZE, "RLIMIT_FSIZE"},
    {RLIMIT_LOCKS, "RLIMIT_LOCKS"},
    {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"},
    {RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"},
    {RLIMIT_NICE, "RLIMIT_NICE"},
    {RLIMIT_NOFILE, "RLIMIT_NOFILE"},
    {RLIMIT_NPROC, "RLIMIT_NPROC"},
    {RLIMIT_RSS, "RLIMIT_RSS"},
    {RLIMIT_RTPRIO, "RLIMIT_RTPRIO"},
    {RLIMIT_RTTIME, "RLIMIT_RTTIME"},
    {RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
    {RLIMIT_STACK, "RLIMIT_STACK"},
};

static const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return "RLIMIT_?";
}

static int apply_rlimits(const struct spec_process *p, struct ctr_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *l = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = l->soft, .rlim_max = l->hard};

		if (prlimit(0, (__rlimit_resource_t)l->resource, &rl, NULL) < 0)
			return ctr_errno(err, "setrlimit %s %llu/%llu", rlimit_name(l->resource),
					 (unsigned long long)l->soft, (unsigned long long)l->hard);
	}
	return 0;
}

static int apply_oom_score_adj(const struct spec_process *p, struct ctr_error *err)
{
	char value[16];
	int ret;

	if (!p->has_oom_score_adj)
		return 0;
	snprintf(value, sizeof(value), "%d", p->oom_score_adj);
	ret = write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", value, strlen(value), err);
	if (ret < 0)
		return ctr_errnum(err, ret, "set oom_score_adj %d", p->oom_score_adj);
	return 0;
}

int process_apply_limits(const struct spec *spec, const struct spec_process *p,
			 struct ctr_error *err)
{
	int ret = apply_rlimits(p, err);

	if (ret >= 0)
		ret = apply_oom_score_adj(p, err);
	if (ret >= 0 && spec->linux.has_personality && personality(spec->linux.personality) < 0)
		ret = ctr_errno(err, "personality 0x%lx", spec->linux.personality);
	return ret;
}

static const char *env_path(char *const *env)
{
	for (; env && *env; env++)
		if (str_has_prefix(*env, "PATH="))
			return *env + strlen("PATH=");
	return DEFAULT_PATH;
}

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode) &&
	       faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
}

/* The first executable candidate in PATH (an empty entry is the working
 * directory, as in every shell); NULL if there is none. */
static char *find_in_path(const char *name, const char *path)
{
	const char *dir = path;

	for (;;) {
		size_t len = strcspn(dir, ":");
		_cleanup_free_ char *candidate =
		    len ? xasprintf("%.*s/%s", (int)len, dir, name) : xasprintf("./%s", name);

		if (is_executable_file(candidate))
			return steal_ptr(candidate);
		if (!dir[len])
			return NULL;
		dir += len + 1;
	}
}

/* runc's wording ("exec: \"/bin/x\": permission denied"): podman maps it
 * to exit codes 126/127, so it must stay lower-case and quoted. */
static int exec_error(struct ctr_error *err, int errnum, const char *name)
{
	char reason[128];

	snprintf(reason, sizeof(reason), "%s", strerror(errnum));
	reason[0] = (char)tolower((unsigned char)reason[0]);
	return ctr_error(err, errnum, "exec: \"%s\": %s", name, reason);
}

/* args[0] as execve will see it: searched in the process's PATH unless it
 * names a path. *out is NULL when args[0] is used as is. */
static int resolve_executable(const struct spec_process *p, char **out, struct ctr_error *err)
{
	static char *const empty_env[] = {NULL};
	char *const *env = p->env ? p->env : empty_env;
	const char *file = p->args[0];

	*out = NULL;
	if (strchr(file, '/'))
		return 0;
	*out = find_in_path(file, env_path(env));
	if (!*out)
		return ctr_error(err, ENOENT, "exec: \"%s\": executable file not found in $PATH",
				 file);
	return 0;
}

int process_check_executable(const struct spec_process *p, struct ctr_error *err)
{
	_cleanup_free_ char *found = NULL;
	const char *file;
	struct stat st;
	int ret;

	ret = resolve_executable(p, &found, err);
	if (ret < 0)
		return ret;
	file = found ? found : p->args[0];
	if (stat(file, &st) < 0)
		return exec_error(err, errno, file);
	if (S_ISDIR(st.st_mode) || faccessat(AT_FDCWD, file, X_OK, AT_EACCESS) < 0)
		return exec_error(err, EACCES, file);
	return 0;
}

int process_exec(const struct spec_process *p, struct ctr_error *err)
{
	static char *const empty_env[] = {NULL};
	char *const *env = p->env ? p->env : empty_env;
	_cleanup_free_ char *found = NULL;
	const char *file;
	int ret;

	ret = resolve_executable(p, &found, err);
	if (ret < 0)
		return ret;
	file = found ? found : p->args[0];
	execve(file, p->args, env);
	return exec_error(err, errno, file);
}
