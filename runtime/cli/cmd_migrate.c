/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_migrate.c - `ctr migrate NAME --to ssh://[user@]host[:port][/store]`
 * and its other half on the target, `ctr receive NAME`.
 *
 * migrate, on the source:
 *   1. asks the target (over ssh, running `ctr` there, or --remote-ctr)
 *      whether NAME is free, and which images it has;
 *   2. sends what the container stands on, flattened into one rootfs
 *      tarball, as image "<image>-<hash of its layers>" unless the target
 *      has it already (layers never change, so the name is the content);
 *   3. opens one ssh session to `ctr receive NAME` and sends it the
 *      config, rewritten for the target (that image, and each veth's MAC
 *      and address written out, so the target gives it the ones it had),
 *      and, where the kernel tracks dirty memory, a pre-dump of the
 *      running container;
 *   4. checkpoints the container (stopping it) into a staging directory
 *      of the store, on top of that pre-dump: only pages changed since;
 *   5. sends those images and the overlay upper, and `ctr receive` makes
 *      the container in its store and restores it.
 * The two parts are two tar archives, one after the other, on the same
 * stream. Until the target has it running, any failure leaves the
 * container running here: before the final dump it never stopped, after
 * it, it is restored from the same images. After success the source is
 * kept stopped, or destroyed with --destroy-source.
 *
 * receive, on the target: unpacks the stream into a staging directory of
 * its store, makes the container on the named image with the config and
 * upper it got, and restores it; on failure it removes the container
 * again, leaving the store as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "criu.h"
#include "netns/net.h"
#include "syscalls.h"
#include "util.h"
#include "verbs.h"

#define TAR_FLAGS "--numeric-owner", "--xattrs", "--xattrs-include=*", "--acls"

struct target {
	char *login; /* [user@]host */
	char *port;  /* NULL: ssh's default */
	char *store; /* NULL: the target's default */
};

static void target_free(struct target *t)
{
	free(t->login);
	free(t->port);
	free(t->store);
}

/* Every part goes into a remote shell command: only plain characters. */
static bool plain(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@/") ==
			 strlen(s);
}

static int parse_target(const char *url, struct target *t, struct ctr_error *err)
{
	const char *rest = url + strlen("ssh://"), *slash, *colon;

	*t = (struct target){0};
	if (!str_has_prefix(url, "ssh://") || !*rest)
		return ctr_error(err, EINVAL, "--to: expected ssh://[user@]host[:port][/store], not '%s'",
				 url);
	slash = strchr(rest, '/');
	t->login = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	if (slash && slash[1])
		t->store = xstrdup(slash);
	colon = strchr(t->login, ':');
	if (colon) {
		t->port = xstrdup(colon + 1);
		t->login[colon - t->login] = '\0';
		if (strspn(t->port, "0123456789") != strlen(t->port) || !*t->port)
			return ctr_error(err, EINVAL, "--to: port '%s' is not a number", t->port);
	}
	if (!plain(t->login) || (t->store && (!plain(t->store) || strstr(t->store, ".."))))
		return ctr_error(err, EINVAL,
				 "--to: '%s' has characters other than letters, digits and ._-@/",
				 url);
	return 0;
}

/* "CTR [--store STORE] ARGS" as the target's shell runs it. */
static char *remote_ctr_cmd(const struct target *t, const char *remote_ctr, const char *args)
{
	return xasprintf("%s%s%s %s", remote_ctr, t->store ? " --store " : "",
			 t->store ? t->store : "", args);
}

/* ssh [CTR_SSH words] -o BatchMode=yes [-p PORT] LOGIN "REMOTE ARGS". */
static char **ssh_argv(const struct target *t, const char *remote_ctr, const char *args)
{
	const char *ssh = getenv("CTR_SSH");
	_cleanup_free_ char *copy = xstrdup(ssh && *ssh ? ssh : "ssh");
	_cleanup_free_ char *cmd = NULL;
	char **argv = NULL, *save = NULL;

	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		strv_append(&argv, w);
	strv_append(&argv, "-o");
	strv_append(&argv, "BatchMode=yes");
	if (t->port) {
		strv_append(&argv, "-p");
		strv_append(&argv, t->port);
	}
	strv_append(&argv, t->login);
	cmd = remote_ctr ? remote_ctr_cmd(t, remote_ctr, args) : xstrdup(args);
	strv_append(&argv, cmd);
	return argv;
}

/* Start argv with stdin/stdout as given (-1: /dev/null); stderr to errfd
 * (-1: ours). */
static pid_t spawn(char *const *argv, int in, int out, int errfd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR);
	if (dup2(in >= 0 ? in : null, 0) < 0 || dup2(out >= 0 ? out : null, 1) < 0 ||
	    (errfd >= 0 && dup2(errfd, 2) < 0))
		_exit(127);
	execvp(argv[0], argv);
	dprintf(2, "ctr: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* One ssh command under way: what it is sent goes through in, what it
 * prints to out, its and the senders' complaints to errfd. */
struct remote {
	pid_t ssh;
	int in, out, errfd;
};

static void close_fd(int *fd)
{
	closep(fd);
	*fd = -1;
}

static void remote_close(struct remote *r)
{
	close_fd(&r->in);
	close_fd(&r->out);
	close_fd(&r->errfd);
}

static int remote_start(const struct target *t, const char *remote_ctr, const char *args,
			struct remote *r, struct ctr_error *err)
{
	_cleanup_strv_ char **argv = ssh_argv(t, remote_ctr, args);
	int p[2], ret;

	*r = (struct remote){.ssh = -1, .in = -1};
	/* In memory: /tmp may not take O_TMPFILE (overlayfs before 6.6). */
	r->errfd = sys_memfd_create("ctr-ssh-stderr", MFD_CLOEXEC);
	r->out = sys_memfd_create("ctr-ssh-stdout", MFD_CLOEXEC);
	if (r->errfd < 0 || r->out < 0 || pipe2(p, O_CLOEXEC) < 0) {
		ret = ctr_errno(err, "prepare the ssh command");
		remote_close(r);
		return ret;
	}
	r->ssh = spawn(argv, p[0], r->out, r->errfd);
	close(p[0]);
	r->in = p[1];
	if (r->ssh < 0) {
		ret = ctr_errno(err, "start %s", argv[0]);
		remote_close(r);
		return ret;
	}
	return 0;
}

/* Run producer with its stdout into the ssh command; its exit status. */
static int remote_send(struct remote *r, char *const *producer)
{
	pid_t pid = spawn(producer, -1, r->in, r->errfd);

	return pid < 0 ? -1 : wait_exit_status(pid);
}

/* End what is sent, wait for ssh; its stdout into *out when out is given.
 * sent: the senders' status. Errors name what failed with its last line
 * of stderr. */
static int remote_finish(const struct target *t, struct remote *r, int sent, char **out,
			 struct ctr_error *err)
{
	int rc, ret = 0;

	close_fd(&r->in);
	rc = wait_exit_status(r->ssh);
	if (rc != 0 || sent != 0) {
		_cleanup_free_ char *why = fd_last_line(r->errfd);
		/* The remote side's failure is the cause when both failed (the
		 * producer then only lost its pipe). */
		ret = ctr_error(err, EIO, "%s: %s", t->login, why ? why : "no message");
	} else if (out) {
		_cleanup_free_ char *path = xasprintf("/proc/self/fd/%d", r->out);
		size_t len;

		if (read_file_at(AT_FDCWD, path, out, &len, err) < 0)
			ret = ctr_error_prefix(err, "read what %s answered", t->login);
	}
	remote_close(r);
	return ret;
}

/* Run producer (may be NULL) piped into ssh; ssh's stdout into *out when
 * out is given. */
static int run_remote(const struct target *t, const char *remote_ctr, const char *args,
		      char *const *producer, char **out, struct ctr_error *err)
{
	struct remote r;
	int ret = remote_start(t, remote_ctr, args, &r, err);

	if (ret < 0)
		return ret;
	return remote_finish(t, &r, producer ? remote_send(&r, producer) : 0, out, err);
}

/* Does the JSON array from `ctr list/image list --format json` name it? */
static bool json_lists(const char *text, const char *name)
{
	json_object *arr = json_tokener_parse(text);
	bool found = false;

	for (size_t i = 0; arr && i < json_object_array_length(arr) && !found; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *n;
		found = json_object_object_get_ex(o, "name", &n) &&
			strcmp(json_object_get_string(n), name) == 0;
	}
	json_object_put(arr);
	return found;
}

/* ---- migrate ---------------------------------------------------------- */

enum { M_TO, M_REMOTE_CTR, M_DESTROY, M_NO_PRE_DUMP };

static const struct opt_def migrate_table[] = {
    {"to", 0, true, M_TO, "ssh://[user@]host[:port][/store] of the target"},
    {"remote-ctr", 0, true, M_REMOTE_CTR, "command that runs ctr on the target (default ctr)"},
    {"destroy-source", 0, false, M_DESTROY, "remove the container here once it runs there"},
    {"no-pre-dump", 0, false, M_NO_PRE_DUMP, "one dump while stopped, no pre-dump while running"},
    {NULL, 0, false, 0, NULL},
};

struct migrate_args {
	const char *to, *remote_ctr;
	bool destroy_source, no_pre_dump;
};

static int migrate_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct migrate_args *a = data;

	(void)err;
	if (id == M_TO)
		a->to = value;
	else if (id == M_REMOTE_CTR)
		a->remote_ctr = value;
	else if (id == M_DESTROY)
		a->destroy_source = true;
	else
		a->no_pre_dump = true;
	return 0;
}

struct migration {
	struct cli_ctx *c;
	const char *name;
	struct target t;
	const char *remote_ctr;
	struct native_config *cfg;
	char *text;  /* the config, rewritten for the target */
	char *image; /* the target's image name */
	struct store_mount_spec ms;
	struct store_tmp stage;
};

/* "<image>-<16 hex digits of the layer paths>": layers never change. */
static char *target_image_name(const struct migration *m)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; m->ms.lowerdirs[i]; i++)
		for (const char *s = m->ms.lowerdirs[i];; s++) {
			h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
			if (!*s)
				break;
		}
	return xasprintf("%s-%016llx", m->cfg->image, (unsigned long long)h);
}

/* The layers flattened: one directory as it is, several through a
 * read-only overlay mounted in the staging directory. */
static int send_image(struct migration *m, struct ctr_error *err)
{
	_cleanup_free_ char *import = xasprintf("image import --kind rootfs \"$f\" %s", m->image);
	_cleanup_free_ char *ctr = remote_ctr_cmd(&m->t, m->remote_ctr, import);
	_cleanup_free_ char *args = xasprintf(
	    "f=$(mktemp) && cat > \"$f\" && %s; rc=$?; rm -f \"$f\"; exit $rc", ctr);
	_cleanup_free_ char *merged = xasprintf("%s/lower", m->stage.path);
	_cleanup_free_ char *opts = NULL;
	const char *dir = m->ms.lowerdirs[0];
	int ret;

	if (m->ms.lowerdirs[1]) {
		opts = xstrdup("lowerdir=");
		for (size_t i = 0; m->ms.lowerdirs[i]; i++) {
			char *more = xasprintf("%s%s%s", opts, i ? ":" : "", m->ms.lowerdirs[i]);
			free(opts);
			opts = more;
		}
		if (mkdir(merged, 0700) < 0 || mount("overlay", merged, "overlay", MS_RDONLY, opts) < 0)
			return ctr_errno(err, "mount the layers of %s", m->name);
		dir = merged;
	}
	{
		char *tar[] = {"tar", TAR_FLAGS, "-C", (char *)dir, "-cf", "-", ".", NULL};
		ret = run_remote(&m->t, NULL, args, tar, NULL, err);
	}
	if (opts)
		umount2(merged, MNT_DETACH);
	return ret;
}

/* MAC and address of each veth, written out: the target's defaults
 * would differ (they hash its store's path) and criu restores these. */
static int pin_network(struct migration *m, struct ctr_error *err)
{
	struct net_lease *leases = NULL;
	size_t n = 0;
	int ret = net_list_leases(m->c->st.root, &leases, &n, err);

	for (size_t k = 0; ret == 0 && k < m->cfg->n_nets; k++) {
		const struct native_net *nn = &m->cfg->nets[k];
		char key[64], val[64];
		uint8_t mac[6];

		if (nn->type != NATIVE_NET_VETH)
			continue;
		if (!nn->has_hwaddr) {
			net_default_hwaddr(m->c->st.root, m->name, nn->index, mac);
			snprintf(key, sizeof(key), "net.%u.hwaddr", nn->index);
			snprintf(val, sizeof(val), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
				 mac[2], mac[3], mac[4], mac[5]);
			cli_config_set(&m->text, key, val);
		}
		for (size_t i = 0; !nn->has_ipv4 && i < n; i++) {
			if (strcmp(leases[i].container, m->name) != 0 || leases[i].index != nn->index)
				continue;
			snprintf(key, sizeof(key), "net.%u.ipv4", nn->index);
			snprintf(val, sizeof(val), "%s/%u", leases[i].address,
				 nn->has_bridge_ipv4 ? nn->bridge_ipv4_prefix : 24);
			cli_config_set(&m->text, key, val);
		}
	}
	net_leases_free(leases, n);
	return ret;
}

static int check_target(struct migration *m, bool *has_image, struct ctr_error *err)
{
	_cleanup_free_ char *list = NULL, *images = NULL;
	int ret = run_remote(&m->t, m->remote_ctr, "list --format json", NULL, &list, err);

	if (ret == 0 && json_lists(list, m->name))
		return ctr_error(err, EEXIST, "%s already has a container '%s'", m->t.login,
				 m->name);
	if (ret == 0)
		ret = run_remote(&m->t, m->remote_ctr, "image list --format json", NULL, &images,
				 err);
	*has_image = ret == 0 && json_lists(images, m->image);
	return ret;
}

/* Everything before the container stops. */
static int prepare_migration(struct migration *m, struct ctr_error *err)
{
	_cleanup_free_ char *cfg_path = NULL;
	bool has_image = false;
	int ret;

	if (!cli_is_live(cli_status(m->c, m->name, NULL)))
		return ctr_error(err, EINVAL, "container '%s' is not running", m->name);
	ret = cli_load_config(m->c, m->name, &m->cfg, &m->text, err);
	if (ret == 0 && !m->cfg->image)
		ret = ctr_error(err, ENOTSUP, "'%s' has its own rootfs directory, not an image: "
				"only containers on images migrate", m->name);
	if (ret == 0)
		ret = store_container_rootfs_mount_spec(&m->c->st, m->name, &m->ms, err);
	if (ret == 0)
		ret = store_tmp_create(&m->c->st, &m->stage, err);
	if (ret < 0)
		return ret;
	m->image = target_image_name(m);
	ret = check_target(m, &has_image, err);
	if (ret == 0 && !has_image)
		ret = send_image(m, err);
	cli_config_set(&m->text, "image", m->image);
	if (ret == 0)
		ret = pin_network(m, err);
	cfg_path = xasprintf("%s/config", m->stage.path);
	if (ret == 0)
		ret = write_file_atomic_at(AT_FDCWD, cfg_path, m->text, strlen(m->text), 0600, err);
	return ret;
}

/* Can criu here pre-dump: does the kernel track which pages change? */
static bool can_pre_dump(struct cli_ctx *c)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct criu_bin bin = {0};
	bool yes =
	    criu_find(NULL, c->rt.store.dirfd, &bin, &ignored) == 0 && criu_can_track_memory(&bin);

	criu_bin_free(&bin);
	return yes;
}

/* Sent while the container runs: the config, and the pre-dump (if one was
 * made) where the final checkpoint's parent link will point. */
static int send_running(struct migration *m, struct remote *r, bool pre_dump)
{
	char *tar[] = {"tar", TAR_FLAGS, "-C", m->stage.path, "-cf", "-",
		       "--transform=s,^checkpoint\\.pre,checkpoint/" CLI_PRE_DUMP_DIR ",",
		       "config", pre_dump ? "checkpoint.pre" : NULL, NULL};

	return remote_send(r, tar);
}

/* Sent once it is dumped: the checkpoint (without the pre-dump, sent
 * already) and the overlay upper. */
static int send_stopped(struct migration *m, struct remote *r)
{
	_cleanup_free_ char *dir = store_container_path(&m->c->st, m->name, ".");
	char *tar[] = {"tar", TAR_FLAGS, "--anchored", "--exclude=checkpoint/" CLI_PRE_DUMP_DIR,
		       "-C", m->stage.path, "-cf", "-", "checkpoint", "-C", dir, "upper", NULL};

	return remote_send(r, tar);
}

/* The container restored here from the images it was dumped to. */
static int restore_here(struct migration *m, const char *images, int ret, struct ctr_error *err)
{
	struct ctr_error back = CTR_ERROR_INIT;

	if (cli_restore_from(m->c, m->name, images, &back) < 0)
		return ctr_error(err, EIO, "%s; restoring it here failed too: %s (images in %s)",
				 err->msg, back.msg, images);
	ctr_error_prefix(err, "'%s' runs here again", m->name);
	return ret;
}

/* One ssh session to `ctr receive` carries it all: the pre-dump goes while
 * the container still runs, so the stop only covers the final dump (pages
 * changed since), its transfer and the restore there. */
static int migrate(struct migration *m, bool pre_dump, bool destroy_source, struct ctr_error *err)
{
	_cleanup_free_ char *images = NULL, *args = xasprintf("receive %s", m->name);
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct remote r;
	int ret = prepare_migration(m, err), sent = 0;

	if (ret == 0)
		ret = remote_start(&m->t, m->remote_ctr, args, &r, err);
	if (ret < 0)
		return ret;
	images = xasprintf("%s/checkpoint", m->stage.path);
	if (pre_dump && (ret = cli_checkpoint_container(m->c, m->name, images, false, true,
							err)) < 0)
		ctr_error_prefix(err, "pre-dump (--no-pre-dump goes without)");
	if (ret == 0 && (sent = send_running(m, &r, pre_dump)) != 0)
		return remote_finish(&m->t, &r, sent, NULL, err);
	if (ret == 0)
		ret = cli_checkpoint_container(m->c, m->name, images, false, false, err);
	if (ret < 0) {
		/* Still running here; the target drops the unfinished stream. */
		remote_finish(&m->t, &r, 0, NULL, &ignored);
		return ret;
	}
	ret = remote_finish(&m->t, &r, send_stopped(m, &r), NULL, err);
	if (ret < 0)
		return restore_here(m, images, ret, err);
	return destroy_source ? cli_destroy_stopped(m->c, m->name, err) : 0;
}

int cmd_migrate(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("migrate NAME --to ssh://[user@]host[:port][/store] [--remote-ctr CMD] "
		     "[--destroy-source] [--no-pre-dump]",
		     migrate_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct migrate_args a = {0};
	struct migration m = {.c = &c};
	int ret = cli_parse_name(migrate_table, argc, argv, migrate_option, &a, &m.name, err);

	if (ret == 0 && !a.to)
		ret = ctr_error(err, EINVAL, "migrate needs --to ssh://[user@]host[/store]");
	if (ret == 0)
		ret = parse_target(a.to, &m.t, err);
	if (ret == 0 && a.remote_ctr && strpbrk(a.remote_ctr, "'\"`$;&|<>\\\n"))
		ret = ctr_error(err, EINVAL, "--remote-ctr: no quotes or shell characters");
	m.remote_ctr = a.remote_ctr ? a.remote_ctr : "ctr";
	if (ret == 0)
		ret = cli_ctx_open(g, &c, true, err);
	if (ret == 0)
		ret = cli_check_exists(&c, m.name, err);
	if (ret == 0)
		ret = migrate(&m, !a.no_pre_dump && can_pre_dump(&c), a.destroy_source, err);
	if (m.stage.path)
		store_tmp_release(&c.st, &m.stage);
	store_mount_spec_free(&m.ms);
	native_config_free(m.cfg);
	free(m.text);
	free(m.image);
	target_free(&m.t);
	return ret;
}

/* ---- receive ---------------------------------------------------------- */

static const struct opt_def receive_table[] = {
    {NULL, 0, false, 0, NULL},
};

/* criu follows checkpoint/parent to the pre-dump: it must be the one
 * sent along, not a path elsewhere on this host. */
static int check_parent(struct store_tmp *stage, struct ctr_error *err)
{
	char link[sizeof(CLI_PRE_DUMP_DIR) + 1];
	ssize_t n = readlinkat(stage->fd, "checkpoint/parent", link, sizeof(link) - 1);

	if (n < 0 && errno == ENOENT)
		return 0;
	if (n >= 0)
		link[n] = '\0';
	if (n < 0 || strcmp(link, CLI_PRE_DUMP_DIR) != 0)
		return ctr_error(err, EINVAL, "the stream's checkpoint/parent is not a link to "
				 "its " CLI_PRE_DUMP_DIR);
	return 0;
}

/* The stream unpacked; config, upper and checkpoint checked for. */
static int unpack_stream(struct store_tmp *stage, char **text, struct ctr_error *err)
{
	/* Two archives one after the other (migrate's running and stopped
	 * parts): read past the first one's end. */
	char *tar[] = {"tar", TAR_FLAGS, "--ignore-zeros", "-C", stage->path, "-xf", "-", NULL};
	_cleanup_free_ char *cfg = xasprintf("%s/config", stage->path);
	static const char *const need[] = {"config", "upper", "checkpoint/inventory.img"};
	pid_t pid = spawn(tar, STDIN_FILENO, -1, -1);
	size_t len;
	int ret;

	if (pid < 0 || wait_exit_status(pid) != 0)
		return ctr_error(err, EIO, "unpacking the stream from stdin failed");
	for (size_t i = 0; i < ARRAY_SIZE(need); i++)
		if (faccessat(stage->fd, need[i], F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			return ctr_error(err, EINVAL, "the stream has no %s", need[i]);
	ret = check_parent(stage, err);
	if (ret < 0)
		return ret;
	return read_file_at(AT_FDCWD, cfg, text, &len, err);
}

/* The received upper and images take the place of the new container's. */
static int move_in(struct cli_ctx *c, const char *name, struct store_tmp *stage,
		   struct ctr_error *err)
{
	_cleanup_free_ char *ck = store_container_path(&c->st, name, "checkpoint");
	struct store_mount_spec ms = {0};
	int ret = store_container_rootfs_mount_spec(&c->st, name, &ms, err);

	if (ret == 0 && (store_remove_tree(AT_FDCWD, ms.upperdir) < 0 ||
			 renameat(stage->fd, "upper", AT_FDCWD, ms.upperdir) < 0))
		ret = ctr_errno(err, "move the received upper into %s", ms.upperdir);
	if (ret == 0 && renameat(stage->fd, "checkpoint", AT_FDCWD, ck) < 0)
		ret = ctr_errno(err, "move the received checkpoint into %s", ck);
	store_mount_spec_free(&ms);
	return ret;
}

static int receive(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL, *origin = xasprintf("%s (received)", name);
	struct native_config *cfg = NULL;
	struct store_tmp stage = {0};
	bool made = false;
	int ret = store_tmp_create(&c->st, &stage, err);

	if (ret == 0)
		ret = unpack_stream(&stage, &text, err);
	if (ret == 0)
		ret = config_native_parse(text, strlen(text), origin, &cfg, err);
	if (ret == 0 && (!cfg->image || !store_image_exists(&c->st, cfg->image)))
		ret = ctr_error(err, ENOENT, "image '%s' is not in this store",
				cfg->image ? cfg->image : "");
	if (ret == 0 && (ret = store_lock(&c->st, true, err)) == 0) {
		struct store_container_opts o = {.image = cfg->image, .config = text};

		if (store_container_exists(&c->st, name))
			ret = ctr_error(err, EEXIST, "container '%s' already exists", name);
		else if ((ret = store_container_create(&c->st, name, &o, err)) == 0)
			made = true;
		if (ret == 0)
			ret = move_in(c, name, &stage, err);
		store_unlock(&c->st);
	}
	store_tmp_release(&c->st, &stage);
	if (ret == 0) {
		_cleanup_free_ char *ck = store_container_path(&c->st, name, "checkpoint");
		ret = cli_restore_from(c, name, ck, err);
	}
	if (ret < 0 && made) {
		struct ctr_error ignored = CTR_ERROR_INIT;
		cli_destroy_stopped(c, name, &ignored);
	}
	native_config_free(cfg);
	return ret;
}

int cmd_receive(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("receive NAME < STREAM (the target half of ctr migrate)", receive_table, argc,
		     argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	const char *name;
	int ret = cli_parse_name(receive_table, argc, argv, NULL, NULL, &name, err);

	if (ret == 0)
		ret = state_validate_id(name, err);
	if (ret == 0)
		ret = cli_ctx_open(g, &c, true, err);
	if (ret == 0 && store_container_exists(&c.st, name))
		ret = ctr_error(err, EEXIST, "container '%s' already exists", name);
	return ret < 0 ? ret : receive(&c, name, err);
}
