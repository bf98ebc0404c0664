/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mountinfo.h - /proc/PID/mountinfo read into entries. */
#ifndef CTR_MOUNTINFO_H
#define CTR_MOUNTINFO_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct mountinfo_entry {
	dev_t dev;	  /* the filesystem's major:minor */
	char *root;	  /* the path within the filesystem mounted here */
	char *mountpoint; /* as the process sees it (relative to its root) */
	char *fstype;
	char *super_opts; /* the filesystem's own options ("rw,memory") */
};

/* A mount table: its entries point into buf, one copy of the text. */
struct mountinfo {
	struct mountinfo_entry *v;
	size_t n;
	char *buf;
};

/* Entries of mountinfo text, in order; lines that are not well formed are
 * skipped. Escapes (\040) are undone. */
void mountinfo_parse(const char *text, struct mountinfo *out);
/* Those of /proc/PID/mountinfo; pid 0: the caller's own. */
int mountinfo_read(pid_t pid, struct mountinfo *out, struct ctr_error *err);
void mountinfo_free(struct mountinfo *m);

/* Where, in the mounts of m, the file at root of filesystem dev can be
 * reached (malloc'd), or NULL when none of them shows it. */
char *mountinfo_reach(const struct mountinfo *m, dev_t dev, const char *root);

#endif
