/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe.c - find out once per process what the host's cgroups look like:
 * statfs on /sys/fs/cgroup picks the driver, /proc/self/mountinfo lists the
 * hierarchies and their controllers. Also the small file helpers every
 * driver uses on a cgroup directory fd.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "cg_internal.h"
#include "mountinfo.h"
#include "util.h"

static const struct {
	const char *v1, *v2;
	unsigned int bit;
} ctrl_names[] = {
    {"cpu", "cpu", CG_CPU},
    {"cpuacct", NULL, CG_CPUACCT},
    {"cpuset", "cpuset", CG_CPUSET},
    {"memory", "memory", CG_MEMORY},
    {"devices", NULL, CG_DEVICES},
    {"freezer", NULL, CG_FREEZER},
    {"blkio", "io", CG_IO},
    {"pids", "pids", CG_PIDS},
    {"hugetlb", "hugetlb", CG_HUGETLB},
    {"net_cls", NULL, CG_NET_CLS},
    {"net_prio", NULL, CG_NET_PRIO},
    {"perf_event", "perf_event", CG_PERF_EVENT},
    {"rdma", "rdma", CG_RDMA},
    {"misc", "misc", CG_MISC},
};

unsigned int cg_ctrl_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctrl_names); i++) {
		if (strcmp(name, ctrl_names[i].v1) == 0 ||
		    (ctrl_names[i].v2 && strcmp(name, ctrl_names[i].v2) == 0))
			return ctrl_names[i].bit;
	}
	return 0;
}

const char *cg_ctrl_name(unsigned int ctrl, bool v2)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctrl_names); i++) {
		if (ctrl_names[i].bit == ctrl)
			return v2 && ctrl_names[i].v2 ? ctrl_names[i].v2 : ctrl_names[i].v1;
	}
	return "?";
}

static unsigned int ctrls_from_list(const char *list, const char *seps)
{
	_cleanup_free_ char *copy = xstrdup(list);
	unsigned int bits = 0;
	char *save = NULL;

	for (char *tok = strtok_r(copy, seps, &save); tok; tok = strtok_r(NULL, seps, &save))
		bits |= cg_ctrl_from_name(tok);
	return bits;
}

static void add_hier(struct cg_host *host, const char *mountpoint, bool v2, unsigned int ctrls)
{
	const char *base = strrchr(mountpoint, '/') + 1;
	struct cg_hier *hier;

	/* A later mount on the same point hides the earlier one. */
	for (size_t i = 0; i < host->n; i++) {
		if (strcmp(host->hiers[i].mountpoint, mountpoint) == 0) {
			host->hiers[i].v2 = v2;
			host->hiers[i].ctrls = ctrls;
			host->hiers[i].drv = v2 ? &cg_driver_v2 : &cg_driver_v1;
			return;
		}
	}
	host->hiers = xrealloc(host->hiers, (host->n + 1) * sizeof(*host->hiers));
	hier = &host->hiers[host->n++];
	hier->name = xstrdup(strcmp(mountpoint, CG_ROOT) == 0 ? "" : base);
	hier->mountpoint = xstrdup(mountpoint);
	hier->v2 = v2;
	hier->ctrls = ctrls;
	hier->drv = v2 ? &cg_driver_v2 : &cg_driver_v1;
}

/* Any other filesystem mounted later on or above a hierarchy's mount point
 * hides it (e.g. a tmpfs over /sys/fs/cgroup/unified, as the benchmark and
 * some hosts set up to keep v1-only tools working). */
static void hide_hiers(struct cg_host *host, const char *mountpoint)
{
	size_t len = strlen(mountpoint);

	for (size_t i = 0; i < host->n;) {
		const char *mp = host->hiers[i].mountpoint;

		if (strncmp(mp, mountpoint, len) != 0 || (mp[len] != '\0' && mp[len] != '/')) {
			i++;
			continue;
		}
		free(host->hiers[i].name);
		free(host->hiers[i].mountpoint);
		memmove(&host->hiers[i], &host->hiers[i + 1],
			(host->n - i - 1) * sizeof(*host->hiers));
		host->n--;
	}
}

static void consider_mount(struct cg_host *host, const struct mountinfo_entry *m, bool v2_root)
{
	bool v2 = strcmp(m->fstype, "cgroup2") == 0;

	if (!v2 && strcmp(m->fstype, "cgroup") != 0) {
		hide_hiers(host, m->mountpoint);
		return;
	}

	if (v2_root) {
		if (v2 && strcmp(m->mountpoint, CG_ROOT) == 0)
			add_hier(host, m->mountpoint, true, 0);
		return;
	}
	if (!str_has_prefix(m->mountpoint, CG_ROOT "/") || strchr(m->mountpoint + 15, '/'))
		return;
	if (v2)
		add_hier(host, m->mountpoint, true, 0);
	else if (strcmp(m->fstype, "cgroup") == 0)
		add_hier(host, m->mountpoint, false, ctrls_from_list(m->super_opts, ","));
}

int cg_host_from_mountinfo(const char *mountinfo, bool v2_root, struct cg_host *out,
			   struct ctr_error *err)
{
	struct mountinfo mounts;

	memset(out, 0, sizeof(*out));
	out->kind = v2_root ? CG_DRIVER_V2 : CG_DRIVER_V1;
	out->v2_index = -1;
	mountinfo_parse(mountinfo, &mounts);
	for (size_t i = 0; i < mounts.n; i++)
		consider_mount(out, &mounts.v[i], v2_root);
	mountinfo_free(&mounts);
	for (size_t i = 0; i < out->n; i++) {
		if (out->hiers[i].v2)
			out->v2_index = (int)i;
	}
	if (out->n == 0) {
		cg_host_clear(out);
		return ctr_error(err, ENOENT, "no cgroup hierarchy is mounted under " CG_ROOT);
	}
	return 0;
}

void cg_host_clear(struct cg_host *host)
{
	for (size_t i = 0; i < host->n; i++) {
		free(host->hiers[i].name);
		free(host->hiers[i].mountpoint);
	}
	free(host->hiers);
	memset(host, 0, sizeof(*host));
	host->v2_index = -1;
}

/* Mark the v1 hierarchies in whose root cgroup this process runs, from
 * /proc/self/cgroup ("ID:ctrl,ctrl:/path"; "ID:name=systemd:/path"). A
 * hierarchy a container may leave out (cgroup.c) is one where its processes
 * then stay in the root, never in somebody else's cgroup. */
static void probe_self_root(struct cg_host *host)
{
	_cleanup_free_ char *text = NULL;
	struct ctr_error ignored = CTR_ERROR_INIT;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL, &ignored) < 0)
		return; /* none is marked: every hierarchy gets a directory */
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *path;
		unsigned int bits;

		if (!ctrls || !(path = strchr(++ctrls, ':')))
			continue;
		*path++ = '\0';
		bits = ctrls_from_list(ctrls, ",");
		for (size_t i = 0; bits && i < host->n; i++) {
			if (!host->hiers[i].v2 && host->hiers[i].ctrls == bits)
				host->hiers[i].self_root = strcmp(path, "/") == 0;
		}
	}
}

static struct cg_host probed;
static struct ctr_error probe_error;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static int probe(struct ctr_error *err)
{
	_cleanup_free_ char *mountinfo = NULL, *ctrls = NULL;
	struct statfs sfs;
	bool v2_root;
	int ret;

	if (statfs(CG_ROOT, &sfs) < 0)
		return ctr_errno(err, "statfs " CG_ROOT);
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		v2_root = true;
	else if (sfs.f_type == TMPFS_MAGIC)
		v2_root = false;
	else
		return ctr_error(err, ENOTSUP,
				 CG_ROOT " is neither cgroup2 nor a tmpfs of v1 hierarchies");
	ret = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err);
	if (ret < 0)
		return ret;
	ret = cg_host_from_mountinfo(mountinfo, v2_root, &probed, err);
	if (ret < 0)
		return ret;
	if (probed.v2_index >= 0) {
		struct cg_hier *u = &probed.hiers[probed.v2_index];
		_cleanup_free_ char *file = xasprintf("%s/cgroup.controllers", u->mountpoint);

		if (read_file_at(AT_FDCWD, file, &ctrls, NULL, err) < 0)
			return ctr_error_prefix(err, "probe cgroup2 controllers");
		u->ctrls = ctrls_from_list(ctrls, " \n");
	}
	if (!v2_root)
		probe_self_root(&probed);
	return 0;
}

static void probe_once_fn(void)
{
	if (probe(&probe_error) < 0)
		cg_host_clear(&probed);
}

const struct cg_host *cg_host_get(struct ctr_error *err)
{
	pthread_once(&probe_once, probe_once_fn);
	if (probed.n == 0) {
		*err = probe_error;
		return NULL;
	}
	return &probed;
}

enum cg_driver_kind cg_driver_kind(void)
{
	struct ctr_error err = CTR_ERROR_INIT;
	const struct cg_host *host = cg_host_get(&err);

	return host ? host->kind : CG_DRIVER_V2;
}

int cg_write(int dirfd, const char *file, const char *value, struct ctr_error *err)
{
	return write_file_at(dirfd, file, value, strlen(value), err);
}

int cg_writef(int dirfd, struct ctr_error *err, const char *file, const char *fmt, ...)
{
	_cleanup_free_ char *value = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		abort();
	va_end(ap);
	return cg_write(dirfd, file, value, err);
}

int cg_read(int dirfd, const char *file, char **out, struct ctr_error *err)
{
	return read_file_at(dirfd, file, out, NULL, err);
}

bool cg_file_exists(int dirfd, const char *file)
{
	return faccessat(dirfd, file, F_OK, 0) == 0;
}
