/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress.h - one status line for long steps (unpacking an archive):
 * entries, bytes and a rate, redrawn at most ten times a second with \r.
 * Only on a terminal: progress_init turns it off when the stream is not a
 * tty or quiet is set, so scripts see nothing.
 */
#ifndef CTR_CLI_PROGRESS_H
#define CTR_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct progress {
	bool on;
	FILE *out;
	const char *what; /* "importing debian.tar.xz" */
	struct timespec start, last;
	uint64_t entries, bytes;
	size_t width; /* of the last line drawn, to blank it */
};

void progress_init(struct progress *p, const char *what, FILE *out, bool quiet);
/* Record the totals so far; redraws when 100 ms passed since the last. */
void progress_update(struct progress *p, uint64_t entries, uint64_t bytes);
/* The final line (ok) or the line erased (failure), then a newline. */
void progress_done(struct progress *p, bool ok);

/* Adapters for store_set_progress (data is a struct progress). */
void progress_store_hook(uint64_t entries, uint64_t bytes, void *data);

/* "1.5 MiB", "512 B": bytes for people, into buf. */
const char *progress_human_size(uint64_t bytes, char *buf, size_t len);

#endif
