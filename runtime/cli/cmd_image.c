/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_image.c - `ctr image list|import|rm`: the read-only images of the
 * store that containers stand on (DESIGN.md "Two stores").
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "cmd_store.h"
#include "listing.h"
#include "progress.h"
#include "templates.h"
#include "util.h"

/* ---- list ---- */

static json_object *image_json(const struct store_image_info *info)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(info->name));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)info->size));
	json_object_object_add(o, "created", json_object_new_string(info->created ?: ""));
	json_object_object_add(o, "source", json_object_new_string(info->source ?: ""));
	json_object_object_add(o, "template", json_object_new_string(info->template ?: ""));
	return o;
}

static void image_row(struct listing *l, const struct store_image_info *info)
{
	char size[32], created[32];
	const char *cells[] = {info->name, progress_human_size(info->size, size, sizeof(size)),
			       listing_short_time(info->created, created, sizeof(created)),
			       info->source, info->template};

	listing_add(l, cells);
}

static int image_list(struct ctr_globals *g, struct store *st, struct ctr_error *err)
{
	static const char *const headers[] = {"NAME", "SIZE", "CREATED", "SOURCE", "TEMPLATE"};
	_cleanup_strv_ char **names = NULL;
	json_object *arr = json_object_new_array();
	struct listing l;
	int ret = store_image_list(st, &names, err);

	listing_init(&l, headers, ARRAY_SIZE(headers));
	for (size_t i = 0; ret == 0 && names[i]; i++) {
		struct store_image_info info = {0};

		ret = store_image_info(st, names[i], &info, err);
		if (ret == -ENOENT) { /* removed while we listed */
			ctr_error_clear(err);
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		json_object_array_add(arr, image_json(&info));
		image_row(&l, &info);
		store_image_info_free(&info);
	}
	if (ret == 0 && g->format == CLI_FORMAT_JSON)
		listing_print_json(arr, stdout);
	else if (ret == 0)
		listing_print(&l, stdout);
	listing_free(&l);
	json_object_put(arr);
	return ret;
}

/* ---- import ---- */

/* The file's name without its archive suffixes: "debian-12.tar.xz" ->
 * "debian-12". */
static char *name_from_file(const char *file)
{
	static const char *const suffixes[] = {".gz",  ".xz",  ".zst", ".bz2",	 ".tgz",
					       ".txz", ".tar", ".oci", ".docker"};
	_cleanup_free_ char *copy = xstrdup(file);
	char *name = xstrdup(basename(copy));
	bool again = true;

	while (again) {
		size_t n = strlen(name);

		again = false;
		for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
			size_t s = strlen(suffixes[i]);
			if (n > s && strcmp(name + n - s, suffixes[i]) == 0) {
				name[n - s] = '\0';
				again = true;
				break;
			}
		}
	}
	return name;
}

struct import_opts {
	struct ctr_globals *g;
	enum store_archive_kind kind;
};

enum { O_KIND, O_FORMAT };

static int import_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct import_opts *o = data;

	if (id == O_KIND)
		return cli_parse_archive_kind(value, &o->kind, err);
	return cli_parse_format(value, &o->g->format, err);
}

/* The import runs in ctr-unpack, which links libarchive so that ctr does
 * not (its dependencies cost ~3 ms on every command). Progress goes to our
 * terminal; the error line comes back through a pipe. */
static int run_import(struct ctr_globals *g, const char *archive, const char *name,
		      enum store_archive_kind kind, struct ctr_error *err)
{
	static const char *const kinds[] = {"auto", "rootfs", "image"};
	_cleanup_free_ char *helper = cli_helper_path("ctr-unpack");
	_cleanup_free_ char *fdarg = NULL;
	char msg[sizeof(err->msg)];
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (!helper)
		return ctr_error(err, ENOENT, "ctr-unpack not found (is ctr installed?)");
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	fdarg = xasprintf("%d", pipefd[1]);
	pid = fork();
	if (pid == 0) {
		const char *argv[] = {helper, "--store", g->store_root, "--kind", kinds[kind],
				      "--error-fd", fdarg, archive, name, g->quiet ? "--quiet" : NULL,
				      NULL};

		fcntl(pipefd[1], F_SETFD, 0);
		execv(helper, (char **)argv);
		dprintf(pipefd[1], "exec %s: %s", helper, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return ctr_errno(err, "fork");
	}
	n = read_all(pipefd[0], msg, sizeof(msg) - 1);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	msg[n > 0 ? n : 0] = '\0';
	return ctr_error(err, EIO, "%s", n > 0 ? msg : "ctr-unpack failed");
}

static int image_import(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	static const struct opt_def defs[] = {
	    {"kind", 'k', true, O_KIND, "auto (default), rootfs or image"},
	    {NULL, 0, false, 0, NULL},
	};
	struct import_opts o = {g, STORE_ARCHIVE_AUTO};
	_cleanup_free_ char **pos = NULL;
	_cleanup_free_ char *name = NULL, *abs = NULL;
	int n = cli_args_parse(defs, argc, argv, import_option, &o, &pos, err);
	int ret;

	if (n >= 0)
		n = cli_args_count(n, 1, 2, "ctr image import FILE [NAME] [--kind KIND]", err);
	if (n < 0)
		return n;
	name = pos[1] ? xstrdup(pos[1]) : name_from_file(pos[0]);
	abs = realpath(pos[0], NULL);
	if (!abs)
		return ctr_errno(err, "%s", pos[0]);
	ret = run_import(g, abs, name, o.kind, err);
	if (ret == 0 && isatty(STDOUT_FILENO) && !g->quiet)
		printf("image '%s' imported\n", name);
	return ret;
}

/* ---- rm ---- */

static int image_rm(struct store *st, int argc, char **argv, struct ctr_error *err)
{
	static const struct opt_def defs[] = {{NULL, 0, false, 0, NULL}};
	_cleanup_free_ char **pos = NULL;
	int n = cli_args_parse(defs, argc, argv, NULL, NULL, &pos, err);
	int ret = n < 0 ? n : cli_args_count(n, 1, n, "ctr image rm NAME...", err);

	for (int i = 0; ret == 0 && i < n; i++)
		ret = store_image_remove(st, pos[i], err);
	return ret;
}

/* ---- dispatch ---- */

static int list_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct ctr_globals *g = data;

	(void)id;
	return cli_parse_format(value, &g->format, err);
}

int cmd_image(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	static const struct opt_def list_defs[] = {
	    {"format", 0, true, O_FORMAT, "table (default) or json"},
	    {NULL, 0, false, 0, NULL},
	};
	const char *sub = argc > 0 ? argv[0] : NULL;
	struct store st;
	int ret;

	if (!sub || (strcmp(sub, "list") && strcmp(sub, "ls") && strcmp(sub, "import") &&
		     strcmp(sub, "rm")))
		return ctr_error(err, EINVAL,
				 "expected list, import or rm (usage: ctr image "
				 "list|import FILE [NAME]|rm NAME)");
	if (!strcmp(sub, "list") || !strcmp(sub, "ls")) {
		_cleanup_free_ char **pos = NULL;
		int n = cli_args_parse(list_defs, argc - 1, argv + 1, list_option, g, &pos, err);

		if (n >= 0)
			n = cli_args_count(n, 0, 0, "ctr image list [--format table|json]", err);
		if (n < 0)
			return ctr_error_prefix(err, "%s", sub);
	}
	ret = cli_store_open(g, &st, err);
	if (ret < 0)
		return ret;
	if (!strcmp(sub, "import"))
		ret = image_import(g, argc - 1, argv + 1, err);
	else if (!strcmp(sub, "rm"))
		ret = image_rm(&st, argc - 1, argv + 1, err);
	else
		ret = image_list(g, &st, err);
	store_close(&st);
	return ret < 0 ? ctr_error_prefix(err, "%s", sub) : ret;
}
