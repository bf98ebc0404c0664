/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_checkpoint.c - `ctr checkpoint NAME [--dir D] [--leave-running]
 * [--pre-dump]` and `ctr restore NAME [--dir D]`, with the config's
 * hook.pre-/post-checkpoint and hook.pre-/post-restore around them.
 *
 * The images go to containers/NAME/checkpoint unless --dir says otherwise.
 * A checkpoint is dumped next to its directory (D.new) and replaces the
 * previous one only once criu succeeded, so a failed dump loses nothing;
 * a pre-dump goes to D.pre, and the next checkpoint dumps only what
 * changed since and takes D.pre in as D/pre-dump (its "parent" link
 * pointed there), so each checkpoint directory restores on its own and
 * moves as one. While criu dumps, the host ends of the container's veths
 * are off their bridges (ctr's half of criu's network lock; back on if the
 * container goes on running). Without --leave-running the container is stopped by the dump:
 * its monitor records the exit and removes the runtime state, as for any
 * stop, and `ctr restore` brings it back under a new monitor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "netns/net.h"
#include "util.h"
#include "verbs.h"

#define CHECKPOINT_DIR "checkpoint"

static const char *const hook_keys[NATIVE_N_HOOK_POINTS] = {
    [NATIVE_HOOK_PRE_CHECKPOINT] = "hook.pre-checkpoint",
    [NATIVE_HOOK_POST_CHECKPOINT] = "hook.post-checkpoint",
    [NATIVE_HOOK_PRE_RESTORE] = "hook.pre-restore",
    [NATIVE_HOOK_POST_RESTORE] = "hook.post-restore",
};

void cli_cr_defaults(struct criu_common_opts *o, const char *dir)
{
	*o = (struct criu_common_opts){.image_dir = dir,
				       .tcp_established = true,
				       .file_locks = true,
				       .manage_cgroups_mode = -1};
}

/* One hook: argv, then NAME STATE DIR; its stdio is ours. */
static int run_hook(char *const *argv, const char *name, const char *state, const char *dir,
		    const char *key, struct ctr_error *err)
{
	_cleanup_strv_ char **full = strv_dup(argv);
	int status;
	pid_t pid;

	strv_append(&full, name);
	strv_append(&full, state);
	strv_append(&full, dir);
	pid = fork();
	if (pid < 0)
		return ctr_errno(err, "%s: fork", key);
	if (pid == 0) {
		setenv("CTR_NAME", name, 1);
		setenv("CTR_STATE", state, 1);
		setenv("CTR_IMAGE_DIR", dir, 1);
		execv(full[0], full);
		dprintf(STDERR_FILENO, "ctr: %s: %s: %s\n", key, full[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ctr_errno(err, "%s: wait for %s", key, argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return ctr_error(err, ECANCELED, "%s: %s exited with status %d", key, argv[0],
				 WEXITSTATUS(status));
	return ctr_error(err, ECANCELED, "%s: %s killed by signal %d", key, argv[0],
			 WTERMSIG(status));
}

int cli_run_cr_hooks(const struct native_config *cfg, enum native_hook_point at, const char *name,
		     const char *state, const char *dir, struct ctr_error *err)
{
	const struct native_hook_list *l = &cfg->hooks[at];

	for (size_t i = 0; i < l->n; i++) {
		int ret = run_hook(l->argv[i], name, state, dir, hook_keys[at], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

enum { K_DIR, K_LEAVE, K_PRE };

static const struct opt_def checkpoint_table[] = {
    {"dir", 'd', true, K_DIR, "image directory (default: the container's checkpoint/)"},
    {"leave-running", 0, false, K_LEAVE, "keep the container running after the dump"},
    {"pre-dump", 0, false, K_PRE, "dump memory only, to make the next checkpoint shorter"},
    {NULL, 0, false, 0, NULL},
};

static const struct opt_def restore_table[] = {
    {"dir", 'd', true, K_DIR, "image directory (default: the container's checkpoint/)"},
    {NULL, 0, false, 0, NULL},
};

struct cr_args {
	const char *dir;
	bool leave_running, pre_dump;
};

static int cr_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct cr_args *a = data;

	(void)err;
	if (id == K_DIR)
		a->dir = value;
	else if (id == K_LEAVE)
		a->leave_running = true;
	else
		a->pre_dump = true;
	return 0;
}

/* criu's network-lock and network-unlock, on the host side. */
struct lock_ctx {
	struct cli_ctx *c;
	const char *name;
	const struct native_config *cfg;
	bool locked;
};

/* While the veths are off their bridges, containers/NAME/NET_LOCK_FILE
 * names the ctr that took them off ("PID STARTTIME"): if it is killed
 * before it puts them back, the next command that looks (cli_clean_stale,
 * list) does. */
#define NET_LOCK_FILE "net-locked"

static int net_lock(struct lock_ctx *l, struct ctr_error *err)
{
	_cleanup_free_ char *path = store_container_path(&l->c->st, l->name, NET_LOCK_FILE);
	_cleanup_free_ char *text = NULL;
	uint64_t start = 0;

	proc_start_time(getpid(), &start);
	text = xasprintf("%d %llu\n", (int)getpid(), (unsigned long long)start);
	if (write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0600, err) < 0)
		return ctr_error_prefix(err, "network lock");
	l->locked = true;
	return net_host_links(l->c->st.root, l->name, l->cfg, false, err);
}

static int net_unlock(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		      struct ctr_error *err)
{
	_cleanup_free_ char *path = store_container_path(&c->st, name, NET_LOCK_FILE);
	int ret = net_host_links(c->st.root, name, cfg, true, err);

	if (ret == 0)
		unlink(path);
	return ret;
}

/* Is the ctr that wrote the lock file still at work? */
static bool locker_alive(const char *path)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	unsigned long long start = 0;
	uint64_t now = 0;
	size_t len;
	int pid = 0;

	if (read_file_at(AT_FDCWD, path, &text, &len, &ignored) < 0 ||
	    sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 0)
		return false;
	return proc_start_time(pid, &now) == 0 && now == start;
}

void cli_net_unlock_stale(struct cli_ctx *c, const char *name)
{
	_cleanup_free_ char *path = store_container_path(&c->st, name, NET_LOCK_FILE);
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct native_config *cfg = NULL;

	if (access(path, F_OK) < 0 || locker_alive(path))
		return;
	/* Stopped meanwhile: its veths went with its network namespace. */
	if (!cli_is_live(cli_status(c, name, NULL)) ||
	    (cli_load_config(c, name, &cfg, NULL, &ignored) == 0 &&
	     net_unlock(c, name, cfg, &ignored) == 0))
		unlink(path);
	native_config_free(cfg);
}

static int on_step(void *data, const char *step, pid_t pid, struct ctr_error *err)
{
	struct lock_ctx *l = data;

	(void)pid;
	if (strcmp(step, "network-lock") == 0)
		return net_lock(l, err);
	if (strcmp(step, "network-unlock") != 0)
		return 0;
	l->locked = false;
	return net_unlock(l->c, l->name, l->cfg, err);
}

/* The directory a checkpoint of name goes to, absolute. */
static char *image_dir(struct cli_ctx *c, const char *name, const char *given)
{
	char cwd[4096];

	if (!given)
		return store_container_path(&c->st, name, CHECKPOINT_DIR);
	if (given[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(given);
	return xasprintf("%s/%s", cwd, given);
}

/* Only a checkpoint (or nothing, or an empty directory) is ever replaced:
 * --dir naming a directory of other files must not lose them. */
static int check_replaceable(const char *dir, struct ctr_error *err)
{
	_cleanup_free_ char *inv = xasprintf("%s/inventory.img", dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return errno == ENOENT ? 0 : ctr_errno(err, "open %s", dir);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	if (empty || access(inv, F_OK) == 0)
		return 0;
	return ctr_error(err, EEXIST, "%s exists and holds no checkpoint: give a new directory",
			 dir);
}

/* dir, and the dir.new and dir.pre made beside it. */
static int check_dirs(const char *dir, struct ctr_error *err)
{
	static const char *const sfx[] = {"", ".new", ".pre"};
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sfx) && ret == 0; i++) {
		_cleanup_free_ char *p = xasprintf("%s%s", dir, sfx[i]);
		ret = check_replaceable(p, err);
	}
	return ret;
}

/* dir.new -> dir, the previous checkpoint (if any) removed. */
static int replace_dir(const char *dir, const char *fresh, struct ctr_error *err)
{
	_cleanup_free_ char *old = xasprintf("%s.old", dir);

	store_remove_tree(AT_FDCWD, old);
	if (rename(dir, old) < 0 && errno != ENOENT)
		return ctr_errno(err, "move the previous checkpoint %s aside", dir);
	if (rename(fresh, dir) < 0)
		return ctr_errno(err, "rename %s to %s", fresh, dir);
	store_remove_tree(AT_FDCWD, old);
	return 0;
}

/* The pre-dump a checkpoint was made on moves into it: fresh/CLI_PRE_DUMP_DIR,
 * with fresh/parent pointing there instead of at the sibling. */
static int adopt_pre_dump(const char *fresh, const char *pre, struct ctr_error *err)
{
	_cleanup_free_ char *inside = xasprintf("%s/" CLI_PRE_DUMP_DIR, fresh);
	_cleanup_free_ char *link = xasprintf("%s/parent", fresh);
	_cleanup_free_ char *tmp = xasprintf("%s/parent.new", fresh);

	if (rename(pre, inside) < 0)
		return ctr_errno(err, "move the pre-dump %s into %s", pre, fresh);
	if (symlink(CLI_PRE_DUMP_DIR, tmp) < 0 || rename(tmp, link) < 0)
		return ctr_errno(err, "point %s at " CLI_PRE_DUMP_DIR, link);
	return 0;
}

static int dump(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		const struct cr_args *a, const char *dir, struct ctr_error *err)
{
	_cleanup_free_ char *pre = xasprintf("%s.pre", dir);
	_cleanup_free_ char *fresh = xasprintf("%s.new", dir);
	_cleanup_free_ char *parent = NULL, *inv = xasprintf("%s/inventory.img", pre);
	struct lock_ctx l = {.c = c, .name = name, .cfg = cfg};
	struct checkpoint_opts o = {.id = name, .leave_running = a->leave_running,
				    .pre_dump = a->pre_dump, .keep_state = true};
	int ret;

	if (!a->pre_dump && access(inv, F_OK) == 0) {
		const char *base = strrchr(dir, '/');
		parent = xasprintf("../%s.pre", base ? base + 1 : dir);
		o.parent_dir = parent;
	}
	cli_cr_defaults(&o.c, a->pre_dump ? pre : fresh);
	o.c.notify = on_step;
	o.c.notify_data = &l;
	store_remove_tree(AT_FDCWD, o.c.image_dir);
	ret = container_checkpoint(&c->rt, &o, err);
	if (l.locked) {
		/* Failed: the container runs on. Dumped: it is gone, and its
		 * veths with it. */
		struct ctr_error ignored = CTR_ERROR_INIT;
		_cleanup_free_ char *lock = store_container_path(&c->st, name, NET_LOCK_FILE);

		if (ret < 0)
			net_unlock(c, name, cfg, &ignored);
		else
			unlink(lock);
	}
	if (ret < 0 || a->pre_dump)
		return ret;
	if (parent)
		ret = adopt_pre_dump(fresh, pre, err);
	return ret < 0 ? ret : replace_dir(dir, fresh, err);
}

/* NAME parsed, the store open, the container there; *dir its image
 * directory (--dir or the default), the caller's to free. */
static int open_named(struct ctr_globals *g, const struct opt_def *table, int argc, char **argv,
		      struct cr_args *a, struct cli_ctx *c, const char **name, char **dir,
		      struct ctr_error *err)
{
	int ret = cli_parse_name(table, argc, argv, cr_option, a, name, err);

	if (ret == 0)
		ret = cli_ctx_open(g, c, true, err);
	if (ret == 0)
		ret = cli_check_exists(c, *name, err);
	if (ret == 0)
		*dir = image_dir(c, *name, a->dir);
	return ret;
}

int cli_checkpoint_container(struct cli_ctx *c, const char *name, const char *dir,
			     bool leave_running, bool pre_dump, struct ctr_error *err)
{
	struct cr_args a = {.dir = dir, .leave_running = leave_running, .pre_dump = pre_dump};
	struct native_config *cfg = NULL;
	enum container_status st;
	int ret;

	if (pre_dump && leave_running)
		return ctr_error(err, EINVAL, "--pre-dump always leaves the container running");
	ret = cli_clean_stale(c, name, err);
	st = cli_status(c, name, NULL);
	if (ret == 0 && st != STATUS_RUNNING && st != STATUS_PAUSED)
		ret = ctr_error(err, EINVAL, "container '%s' is %s: only a running one is checkpointed",
				name, container_status_name(st));
	if (ret == 0)
		ret = check_dirs(dir, err);
	if (ret == 0)
		ret = cli_load_config(c, name, &cfg, NULL, err);
	if (ret == 0)
		ret = cli_run_cr_hooks(cfg, NATIVE_HOOK_PRE_CHECKPOINT, name, "running", dir, err);
	if (ret == 0)
		ret = dump(c, name, cfg, &a, dir, err);
	/* The monitor reaps the dumped init and removes the runtime state. */
	if (ret == 0 && !leave_running && !pre_dump)
		ret = cli_wait_stopped(c, name, 10000, err);
	if (ret == 0)
		ret = cli_run_cr_hooks(cfg, NATIVE_HOOK_POST_CHECKPOINT, name,
				       leave_running || pre_dump ? "running" : "stopped", dir, err);
	native_config_free(cfg);
	return ret;
}

int cli_restore_from(struct cli_ctx *c, const char *name, const char *dir, struct ctr_error *err)
{
	_cleanup_free_ char *inv = xasprintf("%s/inventory.img", dir);
	struct native_config *cfg = NULL;
	int ret;

	if (access(inv, F_OK) < 0)
		return ctr_error(err, ENOENT, "%s holds no checkpoint of '%s' (no inventory.img)",
				 dir, name);
	ret = cli_clean_stale(c, name, err);
	if (ret == 0 && cli_is_live(cli_status(c, name, NULL)))
		ret = ctr_error(err, EBUSY, "container '%s' is already running", name);
	if (ret == 0)
		ret = cli_load_config(c, name, &cfg, NULL, err);
	if (ret == 0)
		ret = cli_run_cr_hooks(cfg, NATIVE_HOOK_PRE_RESTORE, name, "stopped", dir, err);
	if (ret == 0)
		ret = cli_restore_container(c, name, dir, err);
	if (ret == 0)
		ret = cli_run_cr_hooks(cfg, NATIVE_HOOK_POST_RESTORE, name, "running", dir, err);
	native_config_free(cfg);
	return ret;
}

int cmd_checkpoint(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("checkpoint NAME [--dir DIR] [--leave-running] [--pre-dump]",
		     checkpoint_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_free_ char *dir = NULL;
	struct cr_args a = {0};
	const char *name;
	int ret = open_named(g, checkpoint_table, argc, argv, &a, &c, &name, &dir, err);

	return ret < 0 ? ret
		       : cli_checkpoint_container(&c, name, dir, a.leave_running, a.pre_dump, err);
}

int cmd_restore(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("restore NAME [--dir DIR]", restore_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_free_ char *dir = NULL;
	struct cr_args a = {0};
	const char *name;
	int ret = open_named(g, restore_table, argc, argv, &a, &c, &name, &dir, err);

	return ret < 0 ? ret : cli_restore_from(&c, name, dir, err);
}
