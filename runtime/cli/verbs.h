/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verbs.h - the lifecycle verbs of `ctr` and what they share: a system
 * container is a store entry (config, overlay upper) plus, while it runs,
 * a runtime state directory of the same name and a monitor process.
 *
 *   store  ROOT/containers/NAME/{config,console.log,...}   (rootfs/store.h)
 *   state  RUN/NAME/{state.json,config.json,console.sock}  (runtime/state.h)
 *
 * The runtime state's config.json holds the native config text the
 * container was started with; cli_parse_kept_config turns it back into the
 * spec (exec, hooks). The monitor (monitor.c) is the init's parent: it owns
 * the console, writes console.log, serves `ctr console` on console.sock
 * and deletes the runtime state when the init exits.
 */
#ifndef CTR_CLI_VERBS_H
#define CTR_CLI_VERBS_H

#include <stdio.h>

#include "cli.h"
#include "config_native.h"
#include "opts.h"

#define CLI_CONSOLE_SOCK "console.sock"
#define CLI_EXIT_FILE	 "last-exit"

/* Both stores of one `ctr` invocation. */
struct cli_ctx {
	struct ctr_globals *g;
	struct store st;
	struct ctr_runtime rt;
	bool st_open, rt_open;
};

int cli_ctx_open(struct ctr_globals *g, struct cli_ctx *c, bool runtime, struct ctr_error *err);
void cli_ctx_close(struct cli_ctx *c);
#define _cleanup_cli_ctx_ __attribute__((cleanup(cli_ctx_close)))

/* The container must exist in the store: "container 'x' does not exist". */
int cli_check_exists(struct cli_ctx *c, const char *name, struct ctr_error *err);

/* Read and parse containers/NAME/config (text may be NULL). */
int cli_load_config(struct cli_ctx *c, const char *name, struct native_config **cfg, char **text,
		    struct ctr_error *err);

/* The spec a container starts with: its config compiled against the store
 * (an image's overlay becomes spec->root_overlay at its upper dir). */
int cli_build_spec(struct store *st, const char *name, const struct native_config *cfg,
		   struct spec **spec, struct ctr_error *err);

static inline bool cli_is_live(enum container_status st)
{
	return st == STATUS_CREATED || st == STATUS_RUNNING || st == STATUS_PAUSED;
}

/* Runtime status of a container: STOPPED when it has no runtime state. */
enum container_status cli_status(struct cli_ctx *c, const char *name, pid_t *pid);

/* Remove runtime state that no live init backs (a monitor or start killed
 * mid-way, or an init that exited while nobody watched). */
int cli_clean_stale(struct cli_ctx *c, const char *name, struct ctr_error *err);

/* Set key = value in config text: replaces the key's line (repeatable keys
 * such as env get another line), else appends. */
void cli_config_set(char **text, const char *key, const char *value);
/* "key=value" -> both halves (malloc'd); -EINVAL otherwise. */
int cli_split_assignment(const char *s, char **key, char **value, struct ctr_error *err);

/* Wait until the init of name has exited and the runtime state is gone
 * (cleaning it when the monitor does not), at most timeout_ms (-1: no
 * limit). 0, or -ETIMEDOUT with err filled. */
int cli_wait_stopped(struct cli_ctx *c, const char *name, int timeout_ms, struct ctr_error *err);

/* Options anywhere among up to 4 positional arguments, until "--" (argv
 * from rest on is what follows it; rest == argc without one). */
struct cli_args {
	const char *pos[4];
	size_t n;
	int rest;
};
int cli_parse(const struct opt_def *table, int argc, char **argv, opt_handler handler, void *data,
	      struct cli_args *out, struct ctr_error *err);
/* -h or --help before any "--": print "usage: ctr USAGE" and the options
 * of table, and return true (the verb then exits 0). */
bool cli_help(const char *usage, const struct opt_def *table, int argc, char **argv);
/* cli_parse for verbs that take exactly one NAME and nothing after "--". */
int cli_parse_name(const struct opt_def *table, int argc, char **argv, opt_handler handler,
		   void *data, const char **name, struct ctr_error *err);

/* JSON string output (quotes and escapes). */
void cli_json_string(FILE *f, const char *s);

/* Start (monitor.c): launch the container under a new monitor process and
 * return once its init runs. */
int cli_start_container(struct cli_ctx *c, const char *name, struct ctr_error *err);
/* `ctr restore`: the container brought back from the CRIU images in dir
 * under a new monitor, as start would launch it (same cgroup, limits,
 * console, veths on the same bridges); back once it runs. */
int cli_restore_container(struct cli_ctx *c, const char *name, const char *dir,
			  struct ctr_error *err);
/* `ctr checkpoint` and `ctr restore` (cmd_checkpoint.c) without their
 * argument parsing: with hooks, the images in (or from) dir. A pre-dump
 * goes to dir.pre; the checkpoint made after it holds it as
 * dir/CLI_PRE_DUMP_DIR, its criu parent. */
#define CLI_PRE_DUMP_DIR "pre-dump"
/* A checkpoint's network lock left by a ctr killed meanwhile: the veths
 * go back on their bridges (cmd_checkpoint.c). */
void cli_net_unlock_stale(struct cli_ctx *c, const char *name);
int cli_checkpoint_container(struct cli_ctx *c, const char *name, const char *dir,
			     bool leave_running, bool pre_dump, struct ctr_error *err);
int cli_restore_from(struct cli_ctx *c, const char *name, const char *dir, struct ctr_error *err);
/* A stopped container removed from the store with its leases and id range. */
int cli_destroy_stopped(struct cli_ctx *c, const char *name, struct ctr_error *err);
/* The criu options ctr's own checkpoints and restores use (TCP connections
 * and file locks kept, criu's default cgroup handling), images in dir. */
struct criu_common_opts;
void cli_cr_defaults(struct criu_common_opts *o, const char *dir);
/* The config's hooks at one point, each given NAME STATE DIR (and them in
 * CTR_NAME, CTR_STATE, CTR_IMAGE_DIR); the first that fails stops the
 * rest and is the error. */
int cli_run_cr_hooks(const struct native_config *cfg, enum native_hook_point at, const char *name,
		     const char *state, const char *dir, struct ctr_error *err);
/* --foreground: the init on this terminal; returns its exit code. */
int cli_run_foreground(struct cli_ctx *c, const char *name, struct ctr_error *err);

/* Unprivileged containers (userns.c). assign: at create, the range the
 * config's container gets (allocated now unless privileged or idmap =
 * none) written into text as idmap.uid/idmap.gid; a warning on stderr for
 * a privileged one. prepare: at start, the recorded range claimed again
 * (or allocated, and the config rewritten; cfg and text then replaced).
 * root: with a user namespace in spec, binds with idmap idmapped here
 * (their mount's tree), and its root either planned as *root, to be made by
 * cli_userns_root_setup (create_opts.root_setup, root_data = *root) once
 * the init's user namespace exists and serves as the idmap, or (maps other
 * than the whole range) prepared now as an idmapped detached mount
 * (spec->root_tree, *root NULL); the caller closes the trees once launched
 * (cli_userns_close) and frees *root. A note about shifted copies made
 * goes to stderr at once when foreground, else is kept for
 * cli_userns_root_note ("" when none). release: at destroy. */
int cli_userns_assign(struct cli_ctx *c, const char *name, char **text, struct ctr_error *err);
int cli_userns_prepare(struct cli_ctx *c, const char *name, struct native_config **cfg,
		       char **text, struct ctr_error *err);
struct cli_root_plan;
int cli_userns_root(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		    struct spec *spec, bool foreground, struct cli_root_plan **root,
		    struct ctr_error *err);
int cli_userns_root_setup(void *data, pid_t pid, struct ctr_error *err);
const char *cli_userns_root_note(const struct cli_root_plan *root);
void cli_userns_root_free(struct cli_root_plan *root);
/* root_now: the root opened at once (spec->root_tree, a user namespace of
 * its own for the idmap), for a restore: criu makes the container's user
 * namespace itself. */
int cli_userns_root_now(struct cli_ctx *c, const char *name, const struct native_config *cfg,
			struct spec *spec, struct ctr_error *err);
int cli_userns_release(struct cli_ctx *c, const char *name, struct ctr_error *err);
/* The fds root prepared (at most max into fds), and closing them. */
size_t cli_userns_fds(const struct spec *spec, int *fds, size_t max);
void cli_userns_close(struct spec *spec);
/* Files the runtime wrote from the host into a container's overlay upper
 * (/etc/hostname at create, resolv.conf at start...) are owned by host
 * root, which the container's user namespace does not map: they, and the
 * directories made for them (paths relative to upper), become its root's.
 * Nothing to do for a container without its own id range. */
int cli_userns_own_upper(const char *upper, const struct native_config *cfg,
			 const char *const *paths, struct ctr_error *err);

/* The network half of a start (net.c): bridges, leases and NAT made, and
 * resolv.conf/hosts written into spec's root; *plan is the netns hook's
 * data. */
struct net_plan;
int cli_net_prepare(struct cli_ctx *c, const char *name, const struct native_config *cfg,
		    struct spec *spec, struct net_plan **plan, struct ctr_error *err);

int cmd_create(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_start(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_stop(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_restart(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_destroy(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_list(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_info(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_update(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_exec(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_console(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_wait(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_checkpoint(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_restore(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_migrate(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_receive(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);

#endif
