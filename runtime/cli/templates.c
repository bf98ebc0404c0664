/* SPDX-License-Identifier: GPL-2.0-or-later */
/* templates.c - where templates and ctr's helpers are found. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "templates.h"
#include "util.h"

#define DESCRIPTION_TAG	  "# description:"
#define DESCRIPTION_LINES 40 /* the header of a script, not its body */

/* Is the running ctr the one in its build tree (not installed)? */
static bool running_from_build_tree(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	_cleanup_free_ char *build = realpath(CTR_BUILDDIR, NULL);

	if (n <= 0 || !build)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return strcmp(exe, build) == 0;
}

char **cli_template_dirs(void)
{
	char **dirs = xcalloc(1, sizeof(char *));
	const char *env = getenv("CTR_TEMPLATE_PATH");

	if (env && *env) {
		_cleanup_free_ char *copy = xstrdup(env);
		char *save = NULL;

		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			strv_append(&dirs, d);
	}
	strv_append(&dirs, CTR_PKGDATADIR "/templates");
	if (running_from_build_tree())
		strv_append(&dirs, CTR_SRCDIR "/templates");
	return dirs;
}

static bool is_executable_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

static bool valid_template_name(const char *name)
{
	return *name && name[0] != '.' && !strchr(name, '/');
}

int cli_template_find(const char *name, char **path, struct ctr_error *err)
{
	_cleanup_strv_ char **dirs = NULL;

	if (strchr(name, '/')) {
		if (!is_executable_file(name))
			return ctr_error(err, ENOENT, "template %s: not an executable file", name);
		*path = realpath(name, NULL);
		return *path ? 0 : ctr_errno(err, "template %s", name);
	}
	if (!valid_template_name(name))
		return ctr_error(err, EINVAL, "invalid template name '%s'", name);
	dirs = cli_template_dirs();
	for (size_t i = 0; dirs[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], name);

		if (is_executable_file(p)) {
			*path = realpath(p, NULL) ?: steal_ptr(p);
			return 0;
		}
	}
	return ctr_error(err, ENOENT,
			 "unknown template '%s' (ctr template list shows the ones found)", name);
}

char *cli_template_description(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512];
	char *desc = NULL;

	if (!f)
		return NULL;
	for (int i = 0; !desc && i < DESCRIPTION_LINES && fgets(line, sizeof(line), f); i++) {
		char *p;

		if (strncmp(line, DESCRIPTION_TAG, strlen(DESCRIPTION_TAG)) != 0)
			continue;
		p = line + strlen(DESCRIPTION_TAG);
		p += strspn(p, " \t");
		p[strcspn(p, "\r\n")] = '\0';
		desc = *p ? xstrdup(p) : NULL;
	}
	fclose(f);
	return desc;
}

static bool listed(const struct cli_template *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0)
			return true;
	return false;
}

/* Add the templates of dir that no earlier directory had. */
static void scan_dir(const char *dir, struct cli_template **list, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return; /* a missing directory of the path holds no templates */
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (!valid_template_name(de->d_name) || listed(*list, *n, de->d_name))
			continue;
		/* Editor leftovers are not templates. */
		if (de->d_name[strlen(de->d_name) - 1] == '~')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (!is_executable_file(p))
			continue;
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		(*list)[*n] = (struct cli_template){
		    .name = xstrdup(de->d_name),
		    .path = realpath(p, NULL) ?: xstrdup(p),
		    .description = cli_template_description(p),
		};
		(*n)++;
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct cli_template *)a)->name,
		      ((const struct cli_template *)b)->name);
}

int cli_template_list(struct cli_template **list, size_t *n, struct ctr_error *err)
{
	_cleanup_strv_ char **dirs = cli_template_dirs();

	(void)err;
	*list = NULL;
	*n = 0;
	for (size_t i = 0; dirs[i]; i++)
		scan_dir(dirs[i], list, n);
	if (*n)
		qsort(*list, *n, sizeof(**list), by_name);
	return 0;
}

void cli_template_list_free(struct cli_template *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].path);
		free(list[i].description);
	}
	free(list);
}

char *cli_helper_path(const char *helper)
{
	if (running_from_build_tree())
		return xasprintf("%s/%s", CTR_BUILDDIR, helper);
	return xasprintf("%s/%s", CTR_LIBEXECDIR, helper);
}

void cli_template_setenv(bool quiet)
{
	_cleanup_free_ char *unpack = cli_helper_path("ctr-unpack");

	setenv("CTR_UNPACK", unpack, 1);
	if (quiet)
		setenv("CTR_QUIET", "1", 1);
}
