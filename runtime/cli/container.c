/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container.c - what the lifecycle verbs share: both stores opened once,
 * a container's config read and compiled to its spec, its runtime status,
 * stale runtime state removed, config text edited, waiting for a stop.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "opts.h"
#include "syscalls.h"
#include "util.h"
#include "verbs.h"

/* The runtime keeps the native text; exec and hooks get the spec back. */
static int parse_kept_config(struct ctr_runtime *rt, const char *id, const char *text, size_t len,
			     const char *bundle, struct spec **spec, struct ctr_error *err)
{
	struct store *st = rt->parse_data;
	struct native_config *cfg = NULL;
	_cleanup_free_ char *origin = xasprintf("%s/config", id);
	int ret;

	(void)bundle;
	ret = config_native_parse(text, len, origin, &cfg, err);
	if (ret == 0)
		ret = cli_build_spec(st, id, cfg, spec, err);
	native_config_free(cfg);
	return ret;
}

int cli_ctx_open(struct ctr_globals *g, struct cli_ctx *c, bool runtime, struct ctr_error *err)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->g = g;
	ret = cli_store_open(g, &c->st, err);
	if (ret < 0)
		return ret;
	c->st_open = true;
	if (!runtime)
		return 0;
	ret = cli_runtime_open(g, &c->rt, err);
	if (ret < 0)
		return ret;
	c->rt_open = true;
	c->rt.parse_config = parse_kept_config;
	c->rt.parse_data = &c->st;
	return 0;
}

void cli_ctx_close(struct cli_ctx *c)
{
	if (c->rt_open)
		state_store_close(&c->rt.store);
	if (c->st_open)
		store_close(&c->st);
	c->rt_open = c->st_open = false;
}

int cli_check_exists(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	int ret = state_validate_id(name, err);

	if (ret < 0)
		return ret;
	if (!store_container_exists(&c->st, name))
		return ctr_error(err, ENOENT, "container '%s' does not exist", name);
	return 0;
}

int cli_load_config(struct cli_ctx *c, const char *name, struct native_config **cfg, char **text,
		    struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char *origin = xasprintf("%s/config", name);
	size_t len;
	int ret;

	ret = cli_check_exists(c, name, err);
	if (ret < 0)
		return ret;
	path = store_container_path(&c->st, name, "config");
	ret = read_file_at(AT_FDCWD, path, &buf, &len, err);
	if (ret < 0)
		return ret;
	ret = config_native_parse(buf, len, origin, cfg, err);
	if (ret == 0 && text)
		*text = steal_ptr(buf);
	return ret;
}

int cli_build_spec(struct store *st, const char *name, const struct native_config *cfg,
		   struct spec **spec, struct ctr_error *err)
{
	struct store_mount_spec ms = {0};
	_cleanup_free_ char *dir = store_container_path(st, name, ".");
	struct native_defaults d = {.name = name, .dir = dir};
	int ret;

	if (cfg->image) {
		ret = store_container_rootfs_mount_spec(st, name, &ms, err);
		if (ret < 0)
			return ret;
		/* The overlay is mounted over its own upper directory, inside
		 * the container's mount namespace only. */
		d.root_path = ms.upperdir;
	}
	ret = config_native_to_spec(cfg, &d, spec, err);
	if (ret == 0 && cfg->image)
		(*spec)->root_overlay = steal_ptr(ms.options);
	store_mount_spec_free(&ms);
	return ret;
}

enum container_status cli_status(struct cli_ctx *c, const char *name, pid_t *pid)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct container_info info;
	enum container_status st = STATUS_STOPPED;

	if (pid)
		*pid = 0;
	if (container_info_get(&c->rt, name, &info, &ignored) < 0)
		return STATUS_STOPPED;
	st = info.status;
	if (pid && cli_is_live(st))
		*pid = info.state.pid;
	container_info_free(&info);
	return st;
}

int cli_clean_stale(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	int ret;

	cli_net_unlock_stale(c, name);
	if (faccessat(c->rt.store.dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	/* Not forced: a container that is running by the time we hold its
	 * lock (a concurrent start) is left alone. */
	ret = container_delete(&c->rt, name, false, err);
	if (ret == -EBUSY || ret == -ENOENT) {
		ctr_error_clear(err);
		return 0;
	}
	return ret;
}

static bool is_list_key(const char *key)
{
	static const char *const lists[] = {"env", "mount", "capabilities.keep",
					    "capabilities.drop"};

	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (strcmp(key, lists[i]) == 0)
			return true;
	return false;
}

/* The key of one config line, or an empty span. */
static size_t line_key(const char *line, size_t len, const char **key)
{
	const char *p = line, *end = line + len, *k;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	k = p;
	while (p < end && *p != '=' && *p != ' ' && *p != '\t' && *p != '#')
		p++;
	*key = k;
	return (size_t)(p - k);
}

void cli_config_set(char **text, const char *key, const char *value)
{
	char *t = *text ? *text : "";
	size_t klen = strlen(key);

	for (char *line = t; !is_list_key(key) && *line;) {
		size_t len = strcspn(line, "\n");
		const char *k;

		if (line_key(line, len, &k) == klen && strncmp(k, key, klen) == 0) {
			char *out =
			    xasprintf("%.*s%s = %s%s", (int)(line - t), t, key, value, line + len);
			free(*text);
			*text = out;
			return;
		}
		line += len + (line[len] == '\n');
	}
	char *out =
	    xasprintf("%s%s%s = %s\n", t, *t && t[strlen(t) - 1] != '\n' ? "\n" : "", key, value);
	free(*text);
	*text = out;
}

int cli_split_assignment(const char *s, char **key, char **value, struct ctr_error *err)
{
	const char *eq = strchr(s, '=');

	if (!eq || eq == s)
		return ctr_error(err, EINVAL, "expected key=value, got '%s'", s);
	*key = xstrndup(s, (size_t)(eq - s));
	*value = xstrdup(eq + 1);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long the monitor gets to clean up after the init exits before we do
 * it ourselves (it may have been killed). */
#define MONITOR_CLEANUP_MS 2000

int cli_wait_stopped(struct cli_ctx *c, const char *name, int timeout_ms, struct ctr_error *err)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	pid_t pid = 0;

	if (cli_is_live(cli_status(c, name, &pid)) && pid > 0) {
		_cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
		struct pollfd p = {.fd = pidfd, .events = POLLIN};

		while (pidfd >= 0) {
			long long left = deadline < 0 ? -1 : deadline - now_ms();
			int n = poll(&p, 1, left < 0 && deadline >= 0 ? 0 : (int)left);

			if (n > 0)
				break;
			if (n == 0)
				return ctr_error(err, ETIMEDOUT, "container %s did not stop", name);
		}
	}
	for (long long end = now_ms() + MONITOR_CLEANUP_MS; now_ms() < end;) {
		if (faccessat(c->rt.store.dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		usleep(2000);
	}
	return container_delete(&c->rt, name, true, err);
}

int cli_parse(const struct opt_def *table, int argc, char **argv, opt_handler handler, void *data,
	      struct cli_args *out, struct ctr_error *err)
{
	_cleanup_free_ char **pos = NULL;
	int n = cli_args_parse_until(table, argc, argv, handler, data, &pos, &out->rest, err);

	out->n = 0;
	if (n < 0)
		return n;
	if ((size_t)n > ARRAY_SIZE(out->pos))
		return ctr_error(err, EINVAL, "unexpected argument '%s'", pos[ARRAY_SIZE(out->pos)]);
	for (int i = 0; i < n; i++)
		out->pos[out->n++] = pos[i];
	return 0;
}

bool cli_help(const char *usage, const struct opt_def *table, int argc, char **argv)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: ctr %s\n", usage);
			if (table[0].name) {
				printf("\nOptions:\n");
				opts_print_help(table, stdout);
			}
			printf("\nSee ctr(1).\n");
			return true;
		}
	}
	return false;
}

int cli_parse_name(const struct opt_def *table, int argc, char **argv, opt_handler handler,
		   void *data, const char **name, struct ctr_error *err)
{
	struct cli_args a;
	int ret = cli_parse(table, argc, argv, handler, data, &a, err);

	if (ret < 0)
		return ret;
	if (a.n == 0)
		return ctr_error(err, EINVAL, "missing container name");
	if (a.n > 1 || a.rest < argc)
		return ctr_error(err, EINVAL, "unexpected argument '%s'",
				 a.n > 1 ? a.pos[1] : argv[a.rest]);
	*name = a.pos[0];
	return state_validate_id(*name, err);
}

void cli_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}
