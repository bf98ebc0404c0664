/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_create.c - `ctr create NAME [-t TEMPLATE | --image IMG | --rootfs DIR]
 * [--config-set key=value]... [-- TEMPLATE-OPTIONS]`.
 *
 * A template's result is cached as an image named after the template (and
 * a hash of its options), so the second create from the same template and
 * options only adds an empty upper. The config is compiled before anything
 * is committed: a bad name, template or value leaves the store unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "opts.h"
#include "image_config.h"
#include "template.h"
#include "templates.h"
#include "util.h"
#include "verbs.h"

#define DEFAULT_TEMPLATE "busybox"
/* The template's config lines, kept next to the image it made. */
#define TEMPLATE_CONFIG "template.config"

enum { C_TEMPLATE, C_IMAGE, C_ROOTFS, C_CONFIG_SET };

static const struct opt_def create_table[] = {
    {"template", 't', true, C_TEMPLATE, "template that fills the root (default busybox)"},
    {"image", 0, true, C_IMAGE, "stand on this image from the store instead"},
    {"rootfs", 0, true, C_ROOTFS, "use this existing directory as the root"},
    {"config-set", 0, true, C_CONFIG_SET, "key=value added to the config (repeatable)"},
    {NULL, 0, false, 0, NULL},
};

struct create_args {
	const char *name;
	const char *template;
	const char *image;
	const char *rootfs;
	char **sets;	 /* key=value */
	char **tpl_opts; /* after "--" */
};

static int create_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct create_args *a = data;

	switch (id) {
	case C_TEMPLATE:
		a->template = value;
		break;
	case C_IMAGE:
		a->image = value;
		break;
	case C_ROOTFS:
		a->rootfs = value;
		break;
	case C_CONFIG_SET:
		if (!strchr(value, '=') || value[0] == '=')
			return ctr_error(err, EINVAL, "--config-set: expected key=value, got '%s'",
					 value);
		strv_append(&a->sets, value);
		break;
	default:
		break;
	}
	return 0;
}

/* Options may come before and after NAME; "--" starts the template's. */
static int parse_create_args(int argc, char **argv, struct create_args *a, struct ctr_error *err)
{
	struct cli_args args;
	int ret = cli_parse(create_table, argc, argv, create_option, a, &args, err);

	if (ret < 0)
		return ret;
	if (args.n > 1)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", args.pos[1]);
	a->name = args.n ? args.pos[0] : NULL;
	for (int i = args.rest; i < argc; i++)
		strv_append(&a->tpl_opts, argv[i]);
	if (!a->name)
		return ctr_error(err, EINVAL, "missing container name");
	if (!!a->template + !!a->image + !!a->rootfs > 1)
		return ctr_error(err, EINVAL,
				 "--template, --image and --rootfs exclude each other");
	if (a->tpl_opts && (a->image || a->rootfs))
		return ctr_error(err, EINVAL, "options after -- are for a template");
	if (a->rootfs && a->rootfs[0] != '/')
		return ctr_error(err, EINVAL, "--rootfs %s: must be an absolute path", a->rootfs);
	if (!a->image && !a->rootfs && !a->template)
		a->template = DEFAULT_TEMPLATE;
	return state_validate_id(a->name, err);
}

/* "busybox", or "busybox-<hash>" when options change what it makes. */
static char *image_name_for(const char *tpl_path, char *const *opts)
{
	const char *base = strrchr(tpl_path, '/') ? strrchr(tpl_path, '/') + 1 : tpl_path;
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	if (!opts || !opts[0])
		return xstrdup(base);
	for (size_t i = 0; opts[i]; i++)
		for (const char *p = opts[i];; p++) {
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			if (!*p)
				break;
		}
	return xasprintf("%s-%012llx", base, (unsigned long long)(h >> 16));
}

/* "key = value" lines of a template (or of the cache) into the config. */
static int add_config_lines(char **text, const char *lines, struct ctr_error *err)
{
	_cleanup_free_ char *copy = xstrdup(lines);
	char *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '='), *k = l, *v, *end;

		while (*k == ' ' || *k == '\t')
			k++;
		if (!*k || *k == '#')
			continue;
		if (!eq)
			return ctr_error(err, EINVAL, "template output: not a config line: '%s'",
					 l);
		v = eq + 1;
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		cli_config_set(text, k, v);
	}
	return 0;
}

/* The config as committed, parsed once here so a mistake stops the create
 * before the store changes. */
static int build_config(const struct create_args *a, const char *image, const char *tpl_lines,
			char **out, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *origin = xasprintf("%s/config", a->name);
	struct native_config *cfg = NULL;
	int ret;

	text = xasprintf("# ctr create%s%s\n", a->template ? ": template " : "",
			 a->template ? a->template : "");
	if (image)
		cli_config_set(&text, "image", image);
	else
		cli_config_set(&text, "rootfs", a->rootfs);
	cli_config_set(&text, "hostname", a->name);
	if (tpl_lines && (ret = add_config_lines(&text, tpl_lines, err)) < 0)
		return ret;
	for (size_t i = 0; a->sets && a->sets[i]; i++) {
		_cleanup_free_ char *k = NULL, *v = NULL;

		if ((ret = cli_split_assignment(a->sets[i], &k, &v, err)) < 0)
			return ret;
		cli_config_set(&text, k, v);
	}
	ret = config_native_parse(text, strlen(text), origin, &cfg, err);
	native_config_free(cfg);
	if (ret == 0)
		*out = steal_ptr(text);
	return ret;
}

/* The first layer (topmost first) that has etc/FILE as a regular file. */
static const char *layer_with(const struct store_mount_spec *ms, const char *file)
{
	for (size_t i = 0; ms->lowerdirs && ms->lowerdirs[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/etc/%s", ms->lowerdirs[i], file);
		struct stat sb;

		if (lstat(p, &sb) == 0)
			return S_ISREG(sb.st_mode) ? ms->lowerdirs[i] : NULL;
	}
	return NULL;
}

/* hosts with its 127.0.1.1 line naming this container (malloc'd). */
static char *hosts_for(const char *text, const char *name)
{
	char *out = xstrdup("");

	for (const char *line = text, *nl; *line; line = nl + (*nl == '\n')) {
		char *joined;

		nl = line + strcspn(line, "\n");
		if (str_has_prefix(line, "127.0.1.1"))
			joined = xasprintf("%s127.0.1.1\t%s\n", out, name);
		else
			joined = xasprintf("%s%.*s\n", out, (int)(nl - line), line);
		free(out);
		out = joined;
	}
	return out;
}

static int write_etc(const struct store_mount_spec *ms, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *etc = xasprintf("%s/etc", ms->upperdir);
	_cleanup_free_ char *path = xasprintf("%s/hostname", etc);
	_cleanup_free_ char *hostname = xasprintf("%s\n", name);
	_cleanup_free_ char *text = NULL, *hosts = NULL, *lower_hosts = NULL;
	const char *lower = layer_with(ms, "hosts");
	size_t len;
	int ret;

	if (mkdir(etc, 0755) < 0 && errno != EEXIST)
		return ctr_errno(err, "mkdir %s", etc);
	ret = write_file_atomic_at(AT_FDCWD, path, hostname, strlen(hostname), 0644, err);
	if (ret < 0 || !lower)
		return ret;
	lower_hosts = xasprintf("%s/etc/hosts", lower);
	ret = read_file_at(AT_FDCWD, lower_hosts, &text, &len, err);
	if (ret < 0)
		return ret;
	hosts = hosts_for(text, name);
	free(path);
	path = xasprintf("%s/hosts", etc);
	return write_file_atomic_at(AT_FDCWD, path, hosts, strlen(hosts), 0644, err);
}

/* The image names whoever ran the template; /etc/hostname and the
 * 127.0.1.1 line of /etc/hosts get this container's name, in its upper. */
static int personalize(struct cli_ctx *c, const char *name, const char *config,
		       struct ctr_error *err)
{
	static const char *const written[] = {"etc", "etc/hostname", "etc/hosts", NULL};
	struct store_mount_spec ms = {0};
	struct native_config *cfg = NULL;
	int ret = store_container_rootfs_mount_spec(&c->st, name, &ms, err);

	if (ret == 0 && layer_with(&ms, "hostname")) {
		ret = write_etc(&ms, name, err);
		if (ret == 0)
			ret = config_native_parse(config, strlen(config), name, &cfg, err);
		if (ret == 0)
			ret = cli_userns_own_upper(ms.upperdir, cfg, written, err);
	}
	native_config_free(cfg);
	store_mount_spec_free(&ms);
	return ret;
}

static char *image_file(struct store *st, const char *image, const char *file)
{
	return xasprintf("%s/images/%s/%s", st->root, image, file);
}

/* Run the template into a staging dir and keep the result as an image.
 * Another create may have made the same image meanwhile: then use it. */
static int make_template_image(struct cli_ctx *c, const struct create_args *a, const char *tpl_path,
			       const char *image, char **lines, struct ctr_error *err)
{
	struct store_tmp tmp = {0};
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_free_ char *check = NULL;
	struct store_image_opts io = {.source = tpl_path, .template = a->template};
	int ret;

	ret = store_tmp_create(&c->st, &tmp, err);
	if (ret < 0)
		return ret;
	rootfs = xasprintf("%s/rootfs", tmp.path);
	if (mkdir(rootfs, 0755) < 0)
		ret = ctr_errno(err, "mkdir %s", rootfs);
	if (ret == 0) {
		cli_template_setenv(c->g->quiet); /* CTR_UNPACK for oci, tarball */
		ret = template_run(tpl_path, rootfs, a->name, a->tpl_opts, lines, err);
	}
	if (ret == 0)
		ret = build_config(a, image, *lines, &check, err);
	if (ret == 0)
		ret = store_image_create_from_dir(&c->st, image, rootfs, &io, err);
	if (ret == -EEXIST) {
		ctr_error_clear(err);
		ret = 0;
	} else if (ret == 0) {
		_cleanup_free_ char *f = image_file(&c->st, image, TEMPLATE_CONFIG);
		ret = write_file_atomic_at(AT_FDCWD, f, *lines, strlen(*lines), 0600, err);
	}
	store_tmp_release(&c->st, &tmp);
	return ret;
}

static int template_lines_of(struct cli_ctx *c, const char *image, char **lines,
			     struct ctr_error *err)
{
	_cleanup_free_ char *f = image_file(&c->st, image, TEMPLATE_CONFIG);
	size_t len;
	int ret = read_file_at(AT_FDCWD, f, lines, &len, err);

	if (ret == -ENOENT) {
		ctr_error_clear(err);
		*lines = xstrdup("");
		return 0;
	}
	return ret;
}

static int create_from_template(struct cli_ctx *c, const struct create_args *a,
				struct ctr_error *err)
{
	_cleanup_free_ char *tpl_path = NULL;
	_cleanup_free_ char *image = NULL;
	_cleanup_free_ char *lines = NULL;
	_cleanup_free_ char *config = NULL;
	int ret;

	ret = template_find(a->template, &tpl_path, err);
	if (ret < 0)
		return ret;
	image = image_name_for(tpl_path, a->tpl_opts);
	if (store_image_exists(&c->st, image))
		ret = template_lines_of(c, image, &lines, err);
	else
		ret = make_template_image(c, a, tpl_path, image, &lines, err);
	if (ret == 0)
		ret = build_config(a, image, lines, &config, err);
	if (ret == 0)
		ret = cli_userns_assign(c, a->name, &config, err);
	if (ret < 0)
		return ret;
	struct store_container_opts so = {.image = image, .config = config};
	ret = store_container_create(&c->st, a->name, &so, err);
	return ret < 0 ? ret : personalize(c, a->name, config, err);
}

/* --image: stand on an image; --rootfs: a plain directory the config
 * names (the store keeps an empty layer for the container's own files). */
static int create_plain(struct cli_ctx *c, const struct create_args *a, struct ctr_error *err)
{
	_cleanup_free_ char *config = NULL, *lines = NULL;
	struct store_tmp tmp = {0};
	struct stat sb;
	int ret;

	if (a->image && !store_image_exists(&c->st, a->image))
		return ctr_error(err, ENOENT, "image '%s' does not exist", a->image);
	if (a->rootfs && (stat(a->rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		return ctr_error(err, ENOTDIR, "--rootfs %s: not a directory", a->rootfs);
	/* An imported OCI image brings what it runs (Entrypoint, Env, ...). */
	if (a->image && (ret = image_config_lines_of(&c->st, a->image, &lines, err)) < 0)
		return ret;
	ret = build_config(a, a->image, lines, &config, err);
	if (ret == 0)
		ret = cli_userns_assign(c, a->name, &config, err);
	if (ret < 0)
		return ret;
	if (a->image) {
		struct store_container_opts so = {.image = a->image, .config = config};
		ret = store_container_create(&c->st, a->name, &so, err);
		return ret < 0 ? ret : personalize(c, a->name, config, err);
	}
	ret = store_tmp_create(&c->st, &tmp, err);
	if (ret < 0)
		return ret;
	_cleanup_free_ char *empty = xasprintf("%s/empty", tmp.path);
	if (mkdir(empty, 0755) < 0) {
		ret = ctr_errno(err, "mkdir %s", empty);
	} else {
		struct store_container_opts so = {.rootfs_dir = empty, .config = config};
		ret = store_container_create(&c->st, a->name, &so, err);
	}
	store_tmp_release(&c->st, &tmp);
	return ret;
}

int cmd_create(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct create_args a = {0};
	int ret;

	if (cli_help("create NAME [-t TEMPLATE | --image IMAGE | --rootfs DIR] "
		     "[--config-set KEY=VALUE]... [-- TEMPLATE-OPTIONS]",
		     create_table, argc, argv))
		return 0;
	ret = parse_create_args(argc, argv, &a, err);
	if (ret == 0)
		ret = cli_ctx_open(g, &c, false, err);
	if (ret == 0 && store_container_exists(&c.st, a.name))
		ret = ctr_error(err, EEXIST, "container '%s' already exists", a.name);
	if (ret == 0) {
		ret = a.template ? create_from_template(&c, &a, err) : create_plain(&c, &a, err);
		/* A range taken for a container that did not come to be. */
		if (ret < 0 && !store_container_exists(&c.st, a.name)) {
			struct ctr_error ignored = CTR_ERROR_INIT;
			cli_userns_release(&c, a.name, &ignored);
		}
	}
	if (ret < 0 && a.name)
		ctr_error_prefix(err, "%s", a.name);
	strv_free(a.sets);
	strv_free(a.tpl_opts);
	return ret;
}
