/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_events.c - `events`: a container's cgroup counters and OOM kills as
 * JSON lines, with runc's field names (containerd's runc shim and podman
 * decode them into runc's types).
 */
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "events.h"
#include "oci.h"
#include "opts.h"
#include "util.h"

/* The OOM counter is read on every wake-up: when the OOM notification fd
 * fires (then every RECHECK_MS for a second, since v1 notifies before the
 * kill is counted), and at least every FALLBACK_MS in case it never does. */
#define OOM_RECHECK_MS	50
#define OOM_PENDING_MS	1000
#define OOM_FALLBACK_MS 1000

enum { E_STATS, E_INTERVAL };
static const struct opt_def events_opts[] = {
    {"stats", 0, false, E_STATS, "print the container's stats once and exit"},
    {"interval", 0, true, E_INTERVAL, "time between stats events (default 5s)"},
    {NULL, 0, false, 0, NULL},
};

struct events_args {
	bool stats_once;
	long interval_ms;
};

/* Go's duration syntax as runc takes it: "5s", "500ms", "1.5m", "1h". */
static int parse_interval(const char *s, long *ms)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v > 0) || !isfinite(v))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit) == 0 && v * units[i].ms >= 1 &&
		    v * units[i].ms < 1e12) {
			*ms = (long)(v * units[i].ms);
			return 0;
		}
	}
	return -EINVAL;
}

static int events_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct events_args *a = data;

	if (id == E_STATS)
		a->stats_once = true;
	else if (parse_interval(value, &a->interval_ms) < 0)
		return ctr_error(err, EINVAL,
				 "--interval: expected a duration such as 5s or 500ms, not '%s'",
				 value);
	return 0;
}

static void add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static json_object *memory_entry(uint64_t usage, uint64_t max, uint64_t limit, uint64_t failcnt)
{
	json_object *o = json_object_new_object();

	add_u64(o, "usage", usage);
	add_u64(o, "max", max);
	add_u64(o, "limit", limit);
	add_u64(o, "failcnt", failcnt);
	return o;
}

static json_object *cpu_json(const struct cg_stats *s)
{
	json_object *cpu = json_object_new_object();
	json_object *usage = json_object_new_object();
	json_object *thr = json_object_new_object();
	json_object *percpu = json_object_new_array();

	add_u64(usage, "total", s->cpu.total);
	for (size_t i = 0; i < s->cpu.n_percpu; i++)
		json_object_array_add(percpu, json_object_new_uint64(s->cpu.percpu[i]));
	json_object_object_add(usage, "percpu", percpu);
	add_u64(usage, "kernel", s->cpu.system);
	add_u64(usage, "user", s->cpu.user);
	add_u64(thr, "periods", s->cpu.periods);
	add_u64(thr, "throttledPeriods", s->cpu.throttled_periods);
	add_u64(thr, "throttledTime", s->cpu.throttled_time);
	json_object_object_add(cpu, "usage", usage);
	json_object_object_add(cpu, "throttling", thr);
	return cpu;
}

static json_object *memory_json(const struct cg_stats *s)
{
	json_object *mem = json_object_new_object();
	json_object *raw = json_object_new_object();

	add_u64(mem, "cache", s->memory.cache);
	json_object_object_add(
	    mem, "usage",
	    memory_entry(s->memory.usage, s->memory.max_usage, s->memory.limit, s->memory.failcnt));
	json_object_object_add(mem, "swap",
			       memory_entry(s->memory.swap_usage, 0, s->memory.swap_limit, 0));
	for (size_t i = 0; i < s->memory.n_raw; i++)
		add_u64(raw, s->memory.raw[i].key, s->memory.raw[i].value);
	json_object_object_add(mem, "raw", raw);
	return mem;
}

static void add_blkio_entry(json_object *arr, const struct cg_io_dev *d, const char *op, uint64_t v)
{
	json_object *e = json_object_new_object();

	add_u64(e, "major", d->major);
	add_u64(e, "minor", d->minor);
	json_object_object_add(e, "op", json_object_new_string(op));
	add_u64(e, "value", v);
	json_object_array_add(arr, e);
}

static json_object *blkio_json(const struct cg_stats *s)
{
	json_object *blkio = json_object_new_object();
	json_object *bytes = json_object_new_array();
	json_object *ios = json_object_new_array();

	for (size_t i = 0; i < s->io.n; i++) {
		const struct cg_io_dev *d = &s->io.devs[i];
		add_blkio_entry(bytes, d, "Read", d->read_bytes);
		add_blkio_entry(bytes, d, "Write", d->write_bytes);
		add_blkio_entry(bytes, d, "Total", d->read_bytes + d->write_bytes);
		add_blkio_entry(ios, d, "Read", d->read_ios);
		add_blkio_entry(ios, d, "Write", d->write_ios);
		add_blkio_entry(ios, d, "Total", d->read_ios + d->write_ios);
	}
	json_object_object_add(blkio, "ioServiceBytesRecursive", bytes);
	json_object_object_add(blkio, "ioServicedRecursive", ios);
	return blkio;
}

static json_object *stats_json(const struct cg_stats *s)
{
	json_object *data = json_object_new_object();
	json_object *pids = json_object_new_object();

	add_u64(pids, "current", s->pids.current);
	add_u64(pids, "limit", s->pids.limit);
	json_object_object_add(data, "cpu", cpu_json(s));
	json_object_object_add(data, "memory", memory_json(s));
	json_object_object_add(data, "pids", pids);
	json_object_object_add(data, "blkio", blkio_json(s));
	json_object_object_add(data, "hugetlb", json_object_new_object());
	return data;
}

/* One JSON line: {"type":...,"id":...,"data":...}; data may be NULL. */
static void print_event(const char *type, const char *id, json_object *data)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "id", json_object_new_string(id));
	if (data)
		json_object_object_add(e, "data", data);
	printf("%s\n", json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(e);
}

static int print_stats(struct container_watch *w, const char *id, struct ctr_error *err)
{
	struct cg_stats s;
	int ret = cg_stats(w->cg, &s, err);

	if (ret < 0)
		return ret;
	print_event("stats", id, stats_json(&s));
	cg_stats_free(&s);
	return 0;
}

static long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

struct stream {
	struct container_watch *w;
	const char *id;
	int oomfd; /* -1: none, poll the counter */
	bool can_oom;
	uint64_t ooms;
	long pending_until; /* re-read the counter often until then */
};

static long next_wait(const struct stream *st, long next_stats)
{
	long now = monotonic_ms();
	long wait = st->oomfd >= 0 ? OOM_FALLBACK_MS : OOM_RECHECK_MS * 4;

	if (now < st->pending_until)
		wait = OOM_RECHECK_MS;
	if (next_stats - now < wait)
		wait = next_stats > now ? next_stats - now : 0;
	return wait;
}

/* Wait up to wait_ms; true once the init exited. */
static bool wait_events(struct stream *st, long wait_ms)
{
	struct pollfd pfd[2] = {{.fd = st->w->pidfd, .events = POLLIN},
				{.fd = st->oomfd, .events = POLLIN}};
	char buf[4096];

	if (poll(pfd, 2, (int)wait_ms) <= 0)
		return false;
	if (pfd[1].revents & POLLIN) {
		while (read(st->oomfd, buf, sizeof(buf)) > 0)
			;
		st->pending_until = monotonic_ms() + OOM_PENDING_MS;
	}
	return pfd[0].revents != 0;
}

static void check_oom(struct stream *st)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	uint64_t n;

	if (st->can_oom && cg_oom_count(st->w->cg, &n, &ignored) == 0 && n > st->ooms) {
		st->ooms = n;
		st->pending_until = 0;
		print_event("oom", st->id, NULL);
	}
}

/* Stats every interval and an "oom" event whenever the OOM-kill counter
 * rises, until the container's init exits. */
static int stream(struct container_watch *w, const char *id, long interval_ms,
		  struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct stream st = {.w = w, .id = id, .oomfd = -1};
	long next = monotonic_ms() + interval_ms;
	int ret = 0;

	st.can_oom = cg_oom_count(w->cg, &st.ooms, &ignored) == 0;
	if (st.can_oom && (st.oomfd = cg_oom_event_fd(w->cg, &ignored)) < 0)
		st.oomfd = -1;
	for (;;) {
		bool exited = wait_events(&st, next_wait(&st, next));

		check_oom(&st);
		if (exited)
			break;
		if (monotonic_ms() >= next) {
			if ((ret = print_stats(w, id, err)) < 0)
				break;
			next += interval_ms;
		}
	}
	if (st.oomfd >= 0)
		close(st.oomfd);
	return ret;
}

int cmd_events(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct events_args a = {.interval_ms = 5000};
	struct container_watch w;
	const char *id;
	int first, ret;

	first = opts_parse(events_opts, argc, argv, events_option, &a, err);
	if (first < 0)
		return first;
	if ((ret = oci_one_id(argc, argv, first, &id, err)) < 0 ||
	    (ret = oci_open_runtime(g, false, err)) < 0)
		return ret;
	ret = container_watch_open(&g->rt, id, &w, err);
	if (ret < 0)
		return ret;
	ret = a.stats_once ? print_stats(&w, id, err) : stream(&w, id, a.interval_ms, err);
	container_watch_close(&w);
	return ret;
}
