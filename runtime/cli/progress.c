/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c - the status line of long steps, only on a terminal. */
#include <string.h>
#include <unistd.h>

#include "progress.h"

#define REDRAW_NS 100000000LL

static int64_t elapsed_ns(const struct timespec *from, const struct timespec *to)
{
	return (int64_t)(to->tv_sec - from->tv_sec) * 1000000000LL + (to->tv_nsec - from->tv_nsec);
}

const char *progress_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

void progress_init(struct progress *p, const char *what, FILE *out, bool quiet)
{
	*p = (struct progress){.out = out, .what = what};
	p->on = !quiet && isatty(fileno(out));
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

static void draw(struct progress *p, const struct timespec *now)
{
	char size[32], rate[32], line[256];
	int64_t ns = elapsed_ns(&p->start, now);
	double secs = ns > 0 ? (double)ns / 1e9 : 0;
	uint64_t per_sec = secs > 0.001 ? (uint64_t)((double)p->bytes / secs) : 0;
	size_t n;

	snprintf(line, sizeof(line), "%s: %llu entries, %s, %s/s, %.1fs", p->what,
		 (unsigned long long)p->entries, progress_human_size(p->bytes, size, sizeof(size)),
		 progress_human_size(per_sec, rate, sizeof(rate)), secs);
	n = strlen(line);
	fprintf(p->out, "\r%s%*s", line, p->width > n ? (int)(p->width - n) : 0, "");
	fflush(p->out);
	p->width = n;
}

void progress_update(struct progress *p, uint64_t entries, uint64_t bytes)
{
	struct timespec now;

	p->entries = entries;
	p->bytes = bytes;
	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed_ns(&p->last, &now) < REDRAW_NS)
		return;
	p->last = now;
	draw(p, &now);
}

void progress_done(struct progress *p, bool ok)
{
	struct timespec now;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ok) {
		draw(p, &now);
		fputc('\n', p->out);
	} else if (p->width) {
		fprintf(p->out, "\r%*s\r", (int)p->width, "");
	}
	fflush(p->out);
	p->on = false;
}

void progress_store_hook(uint64_t entries, uint64_t bytes, void *data)
{
	progress_update(data, entries, bytes);
}
