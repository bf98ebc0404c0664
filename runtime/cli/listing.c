/* SPDX-License-Identifier: GPL-2.0-or-later */
/* listing.c - padded columns for the list verbs. */
#include <string.h>

#include "listing.h"
#include "util.h"

void listing_init(struct listing *l, const char *const *headers, size_t ncols)
{
	*l = (struct listing){.ncols = ncols};
	listing_add(l, headers);
}

void listing_add(struct listing *l, const char *const *cells)
{
	l->cells = xrealloc(l->cells, (l->nrows + 1) * l->ncols * sizeof(char *));
	for (size_t c = 0; c < l->ncols; c++)
		l->cells[l->nrows * l->ncols + c] = xstrdup(cells[c] && *cells[c] ? cells[c] : "-");
	l->nrows++;
}

void listing_print(const struct listing *l, FILE *out)
{
	size_t *width = xcalloc(l->ncols, sizeof(size_t));

	for (size_t i = 0; i < l->nrows * l->ncols; i++) {
		size_t n = strlen(l->cells[i]);
		if (n > width[i % l->ncols])
			width[i % l->ncols] = n;
	}
	for (size_t r = 0; r < l->nrows; r++) {
		for (size_t c = 0; c < l->ncols; c++) {
			const char *cell = l->cells[r * l->ncols + c];

			if (c + 1 == l->ncols)
				fprintf(out, "%s\n", cell);
			else
				fprintf(out, "%-*s  ", (int)width[c], cell);
		}
	}
	free(width);
}

void listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->nrows * l->ncols; i++)
		free(l->cells[i]);
	free(l->cells);
	*l = (struct listing){0};
}

const char *listing_short_time(const char *iso, char *buf, size_t len)
{
	if (!iso || strlen(iso) < 16 || iso[10] != 'T') {
		snprintf(buf, len, "%s", iso ? iso : "-");
		return buf;
	}
	snprintf(buf, len, "%.10s %.5s", iso, iso + 11);
	return buf;
}

void listing_print_json(json_object *doc, FILE *out)
{
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							JSON_C_TO_STRING_SPACED |
							JSON_C_TO_STRING_NOSLASHESCAPE));
}
