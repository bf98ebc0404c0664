/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.c - usage counters and the OOM-kill count of a container cgroup.
 *
 * Every hierarchy of the handle contributes what its controllers count: a
 * hybrid host reads memory, cpu and io from v1 files and nothing from the
 * unified hierarchy (which only has hugetlb there), a v2 host reads all of
 * it from one directory. The text parsers are pure and unit-tested.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cg_internal.h"
#include "util.h"

/* "123\n" or "max\n" (UINT64_MAX). */
int cg_parse_value(const char *text, uint64_t *out)
{
	char buf[32];
	size_t len = strcspn(text, "\n");

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (strcmp(buf, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	return parse_u64(buf, out) < 0 ? -EINVAL : 0;
}

/* The value of "key N" in a flat keyed file (memory.stat, cpu.stat, ...). */
int cg_keyed_value(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return cg_parse_value(line + klen + 1, out);
	}
	return -ENOENT;
}

static struct cg_io_dev *io_dev(struct cg_stats *s, uint32_t major, uint32_t minor)
{
	for (size_t i = 0; i < s->io.n; i++) {
		if (s->io.devs[i].major == major && s->io.devs[i].minor == minor)
			return &s->io.devs[i];
	}
	s->io.devs = xrealloc(s->io.devs, (s->io.n + 1) * sizeof(*s->io.devs));
	s->io.devs[s->io.n] = (struct cg_io_dev){.major = major, .minor = minor};
	return &s->io.devs[s->io.n++];
}

/* v1 blkio.throttle.io_service_bytes / io_serviced: "8:0 Read 4096" lines;
 * bytes selects which pair of counters the lines fill. */
int cg_parse_blkio_v1(const char *text, bool bytes, struct cg_stats *s)
{
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned int major, minor;
		char op[16];
		uint64_t v;
		struct cg_io_dev *d;

		if (sscanf(line, "%u:%u %15s %" SCNu64, &major, &minor, op, &v) != 4)
			continue; /* "Total N" */
		if (strcmp(op, "Read") && strcmp(op, "Write"))
			continue;
		d = io_dev(s, major, minor);
		if (op[0] == 'R')
			*(bytes ? &d->read_bytes : &d->read_ios) = v;
		else
			*(bytes ? &d->write_bytes : &d->write_ios) = v;
	}
	return 0;
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
int cg_parse_io_v2(const char *text, struct cg_stats *s)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"rbytes=", offsetof(struct cg_io_dev, read_bytes)},
	    {"wbytes=", offsetof(struct cg_io_dev, write_bytes)},
	    {"rios=", offsetof(struct cg_io_dev, read_ios)},
	    {"wios=", offsetof(struct cg_io_dev, write_ios)},
	};

	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned int major, minor;
		const char *end = line + strcspn(line, "\n");
		struct cg_io_dev *d;

		if (sscanf(line, "%u:%u ", &major, &minor) != 2)
			continue;
		d = io_dev(s, major, minor);
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			const char *p = strstr(line, keys[k].key);
			if (p && p < end)
				sscanf(p + strlen(keys[k].key), "%" SCNu64,
				       (uint64_t *)((char *)d + keys[k].off));
		}
	}
	return 0;
}

/* Every "key N" line of memory.stat, kept as runc's memory.raw. */
int cg_parse_raw(const char *text, struct cg_stat_kv **out, size_t *n)
{
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char key[64];
		uint64_t v;

		if (sscanf(line, "%63s %" SCNu64, key, &v) != 2)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n] = (struct cg_stat_kv){.key = xstrdup(key), .value = v};
		(*n)++;
	}
	return 0;
}

/* Optional files: a missing one (an older kernel, no swap accounting)
 * leaves the field as it was. */
static void read_value(int fd, const char *file, uint64_t *out)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL;

	if (cg_read(fd, file, &text, &ignored) == 0)
		cg_parse_value(text, out);
}

static void read_keyed(int fd, const char *file, const char *key, uint64_t *out)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL;

	if (cg_read(fd, file, &text, &ignored) == 0)
		cg_keyed_value(text, key, out);
}

static int read_text(int fd, const char *file, char **text)
{
	struct ctr_error ignored = CTR_ERROR_INIT;

	return cg_read(fd, file, text, &ignored);
}

static void memory_v1(int fd, struct cg_stats *s)
{
	_cleanup_free_ char *stat = NULL;

	read_value(fd, "memory.usage_in_bytes", &s->memory.usage);
	read_value(fd, "memory.max_usage_in_bytes", &s->memory.max_usage);
	read_value(fd, "memory.limit_in_bytes", &s->memory.limit);
	read_value(fd, "memory.failcnt", &s->memory.failcnt);
	read_value(fd, "memory.memsw.usage_in_bytes", &s->memory.swap_usage);
	read_value(fd, "memory.memsw.limit_in_bytes", &s->memory.swap_limit);
	if (read_text(fd, "memory.stat", &stat) == 0) {
		cg_keyed_value(stat, "total_cache", &s->memory.cache);
		cg_keyed_value(stat, "total_rss", &s->memory.rss);
		cg_parse_raw(stat, &s->memory.raw, &s->memory.n_raw);
	}
}

static void memory_v2(int fd, struct cg_stats *s)
{
	_cleanup_free_ char *stat = NULL;

	read_value(fd, "memory.current", &s->memory.usage);
	read_value(fd, "memory.peak", &s->memory.max_usage);
	read_value(fd, "memory.max", &s->memory.limit);
	read_keyed(fd, "memory.events", "max", &s->memory.failcnt);
	read_value(fd, "memory.swap.current", &s->memory.swap_usage);
	read_value(fd, "memory.swap.max", &s->memory.swap_limit);
	if (read_text(fd, "memory.stat", &stat) == 0) {
		cg_keyed_value(stat, "file", &s->memory.cache);
		cg_keyed_value(stat, "anon", &s->memory.rss);
		cg_parse_raw(stat, &s->memory.raw, &s->memory.n_raw);
	}
}

static void percpu_v1(int fd, struct cg_stats *s)
{
	_cleanup_free_ char *text = NULL;
	char *p, *end;

	if (read_text(fd, "cpuacct.usage_percpu", &text) < 0)
		return;
	for (p = text;; p = end) {
		uint64_t v = strtoull(p, &end, 10);
		if (end == p)
			break;
		s->cpu.percpu = xrealloc(s->cpu.percpu, (s->cpu.n_percpu + 1) * sizeof(uint64_t));
		s->cpu.percpu[s->cpu.n_percpu++] = v;
	}
}

static void cpuacct_v1(int fd, struct cg_stats *s)
{
	read_value(fd, "cpuacct.usage", &s->cpu.total);
	read_value(fd, "cpuacct.usage_user", &s->cpu.user);
	read_value(fd, "cpuacct.usage_sys", &s->cpu.system);
	percpu_v1(fd, s);
}

static void cpu_throttling(int fd, struct cg_stats *s, bool v2)
{
	_cleanup_free_ char *stat = NULL;

	if (read_text(fd, "cpu.stat", &stat) < 0)
		return;
	cg_keyed_value(stat, "nr_periods", &s->cpu.periods);
	cg_keyed_value(stat, "nr_throttled", &s->cpu.throttled_periods);
	if (v2 && cg_keyed_value(stat, "throttled_usec", &s->cpu.throttled_time) == 0)
		s->cpu.throttled_time *= 1000;
	else if (!v2)
		cg_keyed_value(stat, "throttled_time", &s->cpu.throttled_time);
}

static void cpu_v2(int fd, struct cg_stats *s)
{
	_cleanup_free_ char *stat = NULL;

	if (read_text(fd, "cpu.stat", &stat) < 0)
		return;
	if (cg_keyed_value(stat, "usage_usec", &s->cpu.total) == 0)
		s->cpu.total *= 1000;
	if (cg_keyed_value(stat, "user_usec", &s->cpu.user) == 0)
		s->cpu.user *= 1000;
	if (cg_keyed_value(stat, "system_usec", &s->cpu.system) == 0)
		s->cpu.system *= 1000;
}

static void pids_any(int fd, struct cg_stats *s)
{
	read_value(fd, "pids.current", &s->pids.current);
	read_value(fd, "pids.max", &s->pids.limit);
	if (s->pids.limit == UINT64_MAX)
		s->pids.limit = 0;
}

static void io_v1(int fd, struct cg_stats *s)
{
	_cleanup_free_ char *bytes = NULL;
	_cleanup_free_ char *ios = NULL;

	if (read_text(fd, "blkio.throttle.io_service_bytes_recursive", &bytes) == 0 ||
	    read_text(fd, "blkio.throttle.io_service_bytes", &bytes) == 0)
		cg_parse_blkio_v1(bytes, true, s);
	if (read_text(fd, "blkio.throttle.io_serviced_recursive", &ios) == 0 ||
	    read_text(fd, "blkio.throttle.io_serviced", &ios) == 0)
		cg_parse_blkio_v1(ios, false, s);
}

static void io_v2(int fd, struct cg_stats *s)
{
	_cleanup_free_ char *text = NULL;

	if (read_text(fd, "io.stat", &text) == 0)
		cg_parse_io_v2(text, s);
}

static void stats_v1_dir(const struct cg_dir *d, struct cg_stats *s)
{
	unsigned int c = d->hier->ctrls;

	if (c & CG_MEMORY)
		memory_v1(d->fd, s);
	if (c & CG_CPUACCT)
		cpuacct_v1(d->fd, s);
	if (c & CG_CPU)
		cpu_throttling(d->fd, s, false);
	if (c & CG_PIDS)
		pids_any(d->fd, s);
	if (c & CG_IO)
		io_v1(d->fd, s);
}

/* On a hybrid host the unified directory has cpu.stat without the cpu
 * controller; v1's cpuacct is the one that counts there. */
static void stats_v2_dir(const struct cg_handle *h, const struct cg_dir *d, struct cg_stats *s)
{
	unsigned int c = d->hier->ctrls;

	if (c & CG_MEMORY)
		memory_v2(d->fd, s);
	if (h->host->kind == CG_DRIVER_V2)
		cpu_v2(d->fd, s);
	if (c & CG_CPU)
		cpu_throttling(d->fd, s, true);
	if (c & CG_PIDS)
		pids_any(d->fd, s);
	if (c & CG_IO)
		io_v2(d->fd, s);
}

int cg_stats(struct cg_handle *h, struct cg_stats *out, struct ctr_error *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < h->n; i++) {
		if (h->dirs[i].hier->v2)
			stats_v2_dir(h, &h->dirs[i], out);
		else
			stats_v1_dir(&h->dirs[i], out);
	}
	return 0;
}

void cg_stats_free(struct cg_stats *s)
{
	for (size_t i = 0; i < s->memory.n_raw; i++)
		free(s->memory.raw[i].key);
	free(s->memory.raw);
	free(s->cpu.percpu);
	free(s->io.devs);
	memset(s, 0, sizeof(*s));
}

int cg_oom_count(struct cg_handle *h, uint64_t *n, struct ctr_error *err)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct cg_dir *d = &h->dirs[i];
		const char *file = d->hier->v2 ? "memory.events" : "memory.oom_control";
		_cleanup_free_ char *text = NULL;

		if (!(d->hier->ctrls & CG_MEMORY))
			continue;
		if (cg_read(d->fd, file, &text, err) < 0)
			return ctr_error_prefix(err, "%s", d->abs);
		*n = 0;
		if (cg_keyed_value(text, "oom_kill", n) < 0)
			return ctr_error(err, ENOTSUP, "%s/%s: no oom_kill counter", d->abs, file);
		return 0;
	}
	return ctr_error(err, ENOTSUP, "cgroup %s: no memory controller", h->path);
}

static int oom_fd_v2(const struct cg_dir *d, struct ctr_error *err)
{
	_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	_cleanup_free_ char *path = xasprintf("%s/memory.events", d->abs);

	if (fd < 0)
		return ctr_errno(err, "inotify_init1");
	if (inotify_add_watch(fd, path, IN_MODIFY) < 0)
		return ctr_errno(err, "watch %s", path);
	return steal_fd(fd);
}

/* v1's notification API: "<eventfd> <fd of memory.oom_control>" written to
 * cgroup.event_control; the kernel keeps the registration as long as the
 * eventfd lives. */
static int oom_fd_v1(const struct cg_dir *d, struct ctr_error *err)
{
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	_cleanup_close_ int cfd = openat(d->fd, "memory.oom_control", O_RDONLY | O_CLOEXEC);

	if (efd < 0)
		return ctr_errno(err, "eventfd");
	if (cfd < 0)
		return ctr_errno(err, "open %s/memory.oom_control", d->abs);
	if (cg_writef(d->fd, err, "cgroup.event_control", "%d %d", efd, cfd) < 0)
		return ctr_error_prefix(err, "%s", d->abs);
	return steal_fd(efd);
}

int cg_oom_event_fd(struct cg_handle *h, struct ctr_error *err)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct cg_dir *d = &h->dirs[i];

		if (d->hier->ctrls & CG_MEMORY)
			return d->hier->v2 ? oom_fd_v2(d, err) : oom_fd_v1(d, err);
	}
	return ctr_error(err, ENOTSUP, "cgroup %s: no memory controller", h->path);
}
