/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listing.h - the table output of list verbs (--format table): a header
 * row in capitals and columns padded to their widest cell. JSON output is
 * each verb's own (json-c), since its values are typed.
 */
#ifndef CTR_CLI_LISTING_H
#define CTR_CLI_LISTING_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>

struct listing {
	size_t ncols, nrows;
	char **cells; /* row-major, nrows * ncols, row 0 the header */
};

/* headers: ncols strings. */
void listing_init(struct listing *l, const char *const *headers, size_t ncols);
/* One row of ncols cells (copied; NULL prints "-"). */
void listing_add(struct listing *l, const char *const *cells);
void listing_print(const struct listing *l, FILE *out);
void listing_free(struct listing *l);

/* --format json: the document, indented, and a newline. */
void listing_print_json(json_object *doc, FILE *out);

/* "2026-11-22T02:50:54Z" -> "2026-11-22 02:50" for a table; anything else
 * as it is. Into buf. */
const char *listing_short_time(const char *iso, char *buf, size_t len);

#endif
