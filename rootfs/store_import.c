/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_import.c - unpacking archives with libarchive: rootfs tarballs, and
 * OCI image layouts / docker-archives whose layers are applied in manifest
 * order with their whiteouts.
 *
 * Every entry is checked before libarchive writes it (no absolute path, no
 * "..", hardlink targets too) and libarchive itself refuses to write through
 * symlinks. A layer is unpacked into a scratch directory of its own and then
 * merged into the rootfs, so whiteouts and opaque directories hide only what
 * lower layers brought, whatever order the layer's tar lists them in.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>

#include "store_internal.h"
#include "syscalls.h"
#include "util.h"

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_MARKER	".wh..wh..opq"
#define MERGE_DEPTH_MAX 512

/* ---- progress ---- */

static struct {
	store_progress_fn fn;
	void *data;
	uint64_t entries, bytes;
} progress;

void store_set_progress(store_progress_fn fn, void *data)
{
	progress.fn = fn;
	progress.data = data;
}

static void progress_count(uint64_t bytes)
{
	progress.entries++;
	progress.bytes += bytes;
	if (progress.fn)
		progress.fn(progress.entries, progress.bytes, progress.data);
}

/* ---- extracting one tar ---- */

static bool path_is_safe(const char *p)
{
	if (!p)
		return true;
	if (p[0] == '/')
		return false;
	for (const char *c = p; (c = strstr(c, "..")); c += 2) {
		bool starts = c == p || c[-1] == '/';
		bool ends = c[2] == '\0' || c[2] == '/';
		if (starts && ends)
			return false;
	}
	return true;
}

static int extract_flags(void)
{
	int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;

	if (geteuid() == 0)
		flags |= ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL;
	return flags;
}

static int copy_entry_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
		if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
			return ARCHIVE_FATAL;
	}
	return r == ARCHIVE_EOF ? ARCHIVE_OK : r;
}

/* One entry: checked, then written (device nodes skipped unless root). */
static int extract_entry(struct archive *in, struct archive *out, struct archive_entry *e,
			 struct ctr_error *err)
{
	const char *name = archive_entry_pathname(e);
	mode_t type = archive_entry_filetype(e);

	if (!path_is_safe(name) || !path_is_safe(archive_entry_hardlink(e)))
		return ctr_error(err, EPERM, "refusing entry '%s': it leaves the rootfs", name);
	if ((type == AE_IFCHR || type == AE_IFBLK) && geteuid() != 0)
		return 0;
	if (archive_write_header(out, e) < ARCHIVE_WARN)
		return ctr_error(err, EPERM, "entry '%s': %s", name, archive_error_string(out));
	if (archive_entry_size(e) > 0 && copy_entry_data(in, out) < ARCHIVE_WARN)
		return ctr_error(err, EIO, "entry '%s': %s", name,
				 archive_error_string(out) ?: archive_error_string(in));
	if (archive_write_finish_entry(out) < ARCHIVE_WARN)
		return ctr_error(err, EIO, "entry '%s': %s", name, archive_error_string(out));
	progress_count(archive_entry_size(e) > 0 ? (uint64_t)archive_entry_size(e) : 0);
	return 0;
}

static int extract_entries(struct archive *in, struct archive *out, struct ctr_error *err)
{
	struct archive_entry *e;
	int r, ret = 0;

	while (ret == 0 && (r = archive_read_next_header(in, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			return ctr_error(err, EINVAL, "read: %s", archive_error_string(in));
		ret = extract_entry(in, out, e, err);
	}
	if (ret == 0 && archive_write_close(out) < ARCHIVE_WARN)
		ret = ctr_error(err, EIO, "finish: %s", archive_error_string(out));
	return ret;
}

/* Unpack the tar (any compression libarchive knows) open at fd into the
 * directory targetfd. libarchive writes relative to the working directory,
 * so it is moved there for the duration and put back. */
static int extract_tar_fd(int fd, int targetfd, struct ctr_error *err)
{
	_cleanup_close_ int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct archive *in = archive_read_new();
	struct archive *out = archive_write_disk_new();
	int ret = 0;

	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	archive_write_disk_set_options(out, extract_flags());
	if (cwd < 0 || fchdir(targetfd) < 0)
		ret = ctr_errno(err, "enter the target directory");
	else if (archive_read_open_fd(in, fd, 64 * 1024) != ARCHIVE_OK)
		ret = ctr_error(err, EINVAL, "open: %s", archive_error_string(in));
	else
		ret = extract_entries(in, out, err);
	if (cwd >= 0 && fchdir(cwd) < 0 && ret == 0)
		ret = ctr_errno(err, "return to the working directory");
	archive_read_free(in);
	archive_write_free(out);
	return ret;
}

/* ---- merging a layer into the rootfs ---- */

static int merge_dir(int layer, int root, int depth, struct ctr_error *err);

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int copy_dir_metadata(int from, int to)
{
	struct stat sb;
	struct timespec times[2];

	if (fstat(from, &sb) < 0)
		return -errno;
	if (geteuid() == 0 && fchown(to, sb.st_uid, sb.st_gid) < 0)
		return -errno;
	times[0] = sb.st_atim;
	times[1] = sb.st_mtim;
	if (fchmod(to, sb.st_mode & 07777) < 0 || futimens(to, times) < 0)
		return -errno;
	return 0;
}

static int remove_children_of(int dirfd, struct ctr_error *err)
{
	_cleanup_strv_ char **names = xcalloc(1, sizeof(char *));
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		closep(&fd);
		return ctr_errno(err, "read directory");
	}
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strv_append(&names, de->d_name);
	}
	closedir(dir);
	for (size_t i = 0; ret == 0 && names[i]; i++) {
		ret = store_remove_tree(dirfd, names[i]);
		if (ret < 0)
			ctr_errnum(err, ret, "remove %s", names[i]);
	}
	return ret;
}

/* Merge the layer's directory name into the rootfs's (made when missing, or
 * replacing what is not a directory): walking it, rather than moving it
 * whole, drops whiteout markers that have nothing below them to hide. */
static int merge_subdir(int layer, int root, const char *name, bool root_is_dir, int depth,
			struct ctr_error *err)
{
	_cleanup_close_ int l = -1, r = -1;
	int ret;

	if (!root_is_dir) {
		ret = store_remove_tree(root, name);
		if (ret < 0)
			return ctr_errnum(err, ret, "replace %s", name);
		if (mkdirat(root, name, 0700) < 0)
			return ctr_errno(err, "create %s", name);
	}
	l = open_dir_at(layer, name);
	r = open_dir_at(root, name);
	if (l < 0 || r < 0)
		return ctr_errno(err, "open %s", name);
	ret = merge_dir(l, r, depth + 1, err);
	if (ret == 0 && (ret = copy_dir_metadata(l, r)) < 0)
		ctr_errnum(err, ret, "set owner and mode of %s", name);
	return ret < 0 ? ctr_error_prefix(err, "%s", name) : 0;
}

/* Move the layer's entry name over whatever the rootfs has there, or merge
 * it in when it is a directory. */
static int merge_entry(int layer, int root, const char *name, int depth, struct ctr_error *err)
{
	struct stat ls, rs;
	bool root_has = fstatat(root, name, &rs, AT_SYMLINK_NOFOLLOW) == 0;
	int ret;

	if (fstatat(layer, name, &ls, AT_SYMLINK_NOFOLLOW) < 0)
		return ctr_errno(err, "stat %s", name);
	if (S_ISDIR(ls.st_mode))
		return merge_subdir(layer, root, name, root_has && S_ISDIR(rs.st_mode), depth, err);
	if (root_has && (ret = store_remove_tree(root, name)) < 0)
		return ctr_errnum(err, ret, "replace %s", name);
	if (renameat(layer, name, root, name) < 0)
		return ctr_errno(err, "move %s", name);
	return 0;
}

static int list_names(int dirfd, char ***names, bool *opaque, struct ctr_error *err)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;

	*names = xcalloc(1, sizeof(char *));
	*opaque = false;
	if (fd < 0 || !(dir = fdopendir(fd))) {
		closep(&fd);
		return ctr_errno(err, "read layer directory");
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strcmp(de->d_name, OPAQUE_MARKER))
			*opaque = true;
		else
			strv_append(names, de->d_name);
	}
	closedir(dir);
	return 0;
}

/* ".wh.NAME" hides NAME of the lower layers. NAME "." or ".." would reach
 * the directory itself or its parent: refused. Other ".wh..wh.*" entries
 * (aufs bookkeeping) carry nothing for a rootfs. */
static int apply_whiteout(int root, const char *entry, struct ctr_error *err)
{
	const char *target = entry + strlen(WHITEOUT_PREFIX);
	int ret;

	if (!*target || !strcmp(target, ".") || !strcmp(target, ".."))
		return ctr_error(err, EPERM, "refusing whiteout '%s'", entry);
	if (str_has_prefix(entry, WHITEOUT_PREFIX WHITEOUT_PREFIX))
		return 0;
	ret = store_remove_tree(root, target);
	return ret < 0 ? ctr_errnum(err, ret, "apply whiteout %s", entry) : 0;
}

static int merge_dir(int layer, int root, int depth, struct ctr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	bool opaque, restore_mode = false;
	struct stat sb, lsb;
	int ret;

	if (depth > MERGE_DEPTH_MAX)
		return ctr_error(err, ELOOP, "layer nests deeper than %d", MERGE_DEPTH_MAX);
	/* Without root, directories a layer made read-only must let go while
	 * they are merged: the scratch for good, the rootfs until the end. */
	if (geteuid() != 0 && fstat(root, &sb) == 0 && fstat(layer, &lsb) == 0) {
		fchmod(layer, (lsb.st_mode & 07777) | S_IRWXU);
		fchmod(root, (sb.st_mode & 07777) | S_IRWXU);
		restore_mode = true;
	}
	ret = list_names(layer, &names, &opaque, err);
	if (ret == 0 && opaque)
		ret = remove_children_of(root, err);
	for (size_t i = 0; ret == 0 && names[i]; i++) {
		const char *n = names[i];

		if (!str_has_prefix(n, WHITEOUT_PREFIX))
			ret = merge_entry(layer, root, n, depth, err);
		else
			ret = apply_whiteout(root, n, err);
	}
	if (restore_mode) {
		fchmod(layer, lsb.st_mode & 07777);
		fchmod(root, sb.st_mode & 07777);
	}
	return ret;
}

/* ---- image layouts ---- */

static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	int fd = sys_openat2(rootfd, path, &how);
	return fd < 0 ? -errno : fd;
}

static int read_json_in_root(int rootfd, const char *path, json_object **out, struct ctr_error *err)
{
	_cleanup_close_ int fd = open_in_root(rootfd, path, O_RDONLY);
	_cleanup_free_ char *text = NULL;
	char fdpath[32];
	size_t len;
	int ret;

	if (fd < 0)
		return ctr_errnum(err, fd, "open %s", path);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	ret = read_file_at(AT_FDCWD, fdpath, &text, &len, err);
	if (ret < 0)
		return ctr_error_prefix(err, "%s", path);
	/* manifest.json of a docker-archive is an array, the rest objects. */
	*out = json_tokener_parse(text);
	if (!*out || json_object_is_type(*out, json_type_string) ||
	    json_object_is_type(*out, json_type_int) || json_object_is_type(*out, json_type_null))
		return json_object_put(*out), *out = NULL,
					      ctr_error(err, EINVAL, "%s: not valid JSON", path);
	return 0;
}

/* "sha256:abc..." -> "blobs/sha256/abc...", or NULL when malformed. */
static char *blob_path(const char *digest)
{
	const char *colon = digest ? strchr(digest, ':') : NULL;

	if (!colon || colon == digest || !colon[1] ||
	    strspn(digest, "abcdefghijklmnopqrstuvwxyz0123456789+._-") !=
		(size_t)(colon - digest) ||
	    strspn(colon + 1, "0123456789abcdef") != strlen(colon + 1))
		return NULL;
	return xasprintf("blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1);
}

struct image_plan {
	char *config; /* path of the config JSON inside the layout */
	char **layers;
};

static void image_plan_free(struct image_plan *p)
{
	free(p->config);
	strv_free(p->layers);
}

static int plan_from_docker(int layout, struct image_plan *plan, struct ctr_error *err)
{
	json_object *manifest = NULL, *entry, *v;
	int ret = read_json_in_root(layout, "manifest.json", &manifest, err);

	if (ret < 0)
		return ret;
	entry =
	    json_object_is_type(manifest, json_type_array) && json_object_array_length(manifest) > 0
		? json_object_array_get_idx(manifest, 0)
		: NULL;
	plan->layers = xcalloc(1, sizeof(char *));
	if (entry && json_object_object_get_ex(entry, "Layers", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			strv_append(&plan->layers,
				    json_object_get_string(json_object_array_get_idx(v, i)));
	}
	if (entry && store_json_string(entry, "Config") && *store_json_string(entry, "Config"))
		plan->config = xstrdup(store_json_string(entry, "Config"));
	json_object_put(manifest);
	return entry ? 0 : ctr_error(err, EINVAL, "manifest.json: no image in it");
}

/* The manifest to use from an index: the only one, or the first for this
 * machine (nested indexes followed). Returns its blob path. */
static int pick_manifest(int layout, const char *index_path, int depth, char **out,
			 struct ctr_error *err);

static int plan_from_oci(int layout, struct image_plan *plan, struct ctr_error *err)
{
	_cleanup_free_ char *manifest_path = NULL, *config = NULL;
	json_object *manifest = NULL, *layers, *cfg;
	int ret = pick_manifest(layout, "index.json", 0, &manifest_path, err);

	if (ret == 0)
		ret = read_json_in_root(layout, manifest_path, &manifest, err);
	if (ret < 0)
		return ret;
	plan->layers = xcalloc(1, sizeof(char *));
	if (json_object_object_get_ex(manifest, "config", &cfg))
		plan->config = blob_path(store_json_string(cfg, "digest"));
	if (json_object_object_get_ex(manifest, "layers", &layers) &&
	    json_object_is_type(layers, json_type_array)) {
		for (size_t i = 0; ret == 0 && i < json_object_array_length(layers); i++) {
			json_object *l = json_object_array_get_idx(layers, i);
			_cleanup_free_ char *p = blob_path(store_json_string(l, "digest"));

			if (!p)
				ret = ctr_error(err, EINVAL, "%s: layer %zu: bad digest",
						manifest_path, i);
			else
				strv_append(&plan->layers, p);
		}
	}
	json_object_put(manifest);
	return ret;
}

static bool is_index(json_object *desc)
{
	const char *mt = store_json_string(desc, "mediaType");
	return mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"));
}

static bool for_this_machine(json_object *desc)
{
	json_object *platform;
	const char *arch;

	if (!json_object_object_get_ex(desc, "platform", &platform))
		return true;
	arch = store_json_string(platform, "architecture");
#if defined(__x86_64__)
	return !arch || !strcmp(arch, "amd64");
#elif defined(__aarch64__)
	return !arch || !strcmp(arch, "arm64");
#else
	return true;
#endif
}

static int pick_manifest(int layout, const char *index_path, int depth, char **out,
			 struct ctr_error *err)
{
	json_object *index = NULL, *list, *chosen = NULL;
	_cleanup_free_ char *path = NULL;
	int ret = depth > 4 ? ctr_error(err, ELOOP, "image indexes nest too deep") : 0;

	if (ret == 0)
		ret = read_json_in_root(layout, index_path, &index, err);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(index, "manifests", &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; !chosen && i < json_object_array_length(list); i++) {
			json_object *d = json_object_array_get_idx(list, i);
			if (for_this_machine(d))
				chosen = d;
		}
	}
	path = chosen ? blob_path(store_json_string(chosen, "digest")) : NULL;
	if (!path)
		ret = ctr_error(err, EINVAL, "%s: no usable manifest", index_path);
	else if (is_index(chosen))
		ret = pick_manifest(layout, path, depth + 1, out, err);
	else
		*out = steal_ptr(path);
	json_object_put(index);
	return ret;
}

static void image_config_from_json(json_object *doc, struct store_image_config *cfg)
{
	json_object *c, *v;

	static const char *const keys[] = {"Entrypoint", "Cmd", "Env"};
	char ***lists[] = {&cfg->entrypoint, &cfg->cmd, &cfg->env};

	if (!json_object_object_get_ex(doc, "config", &c))
		return;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		if (!json_object_object_get_ex(c, keys[k], &v) ||
		    !json_object_is_type(v, json_type_array))
			continue;
		*lists[k] = xcalloc(1, sizeof(char *));
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(v, i));
			strv_append(lists[k], s ?: "");
		}
	}
	if (store_json_string(c, "WorkingDir") && *store_json_string(c, "WorkingDir"))
		cfg->working_dir = xstrdup(store_json_string(c, "WorkingDir"));
	if (store_json_string(c, "User") && *store_json_string(c, "User"))
		cfg->user = xstrdup(store_json_string(c, "User"));
}

/* Unpack one layer blob into a scratch directory of layout, merge it. */
static int apply_layer(int layout, const char *blob, int rootfd, struct ctr_error *err)
{
	char id[STORE_ID_LEN + 1], scratch[32];
	_cleanup_close_ int in = open_in_root(layout, blob, O_RDONLY);
	_cleanup_close_ int dir = -1;
	int ret;

	if (in < 0)
		return ctr_errnum(err, in, "open layer %s", blob);
	store_new_id(id);
	snprintf(scratch, sizeof(scratch), ".ctr-layer-%s", id);
	if (mkdirat(layout, scratch, 0700) < 0 || (dir = open_dir_at(layout, scratch)) < 0)
		return ctr_errno(err, "create scratch for layer %s", blob);
	ret = extract_tar_fd(in, dir, err);
	if (ret == 0)
		ret = merge_dir(dir, rootfd, 0, err);
	store_remove_tree(layout, scratch);
	return ret < 0 ? ctr_error_prefix(err, "layer %s", blob) : 0;
}

static bool has_file(int dirfd, const char *name)
{
	struct stat sb;
	return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool is_image_layout(int dirfd)
{
	return (has_file(dirfd, "oci-layout") && has_file(dirfd, "index.json")) ||
	       has_file(dirfd, "manifest.json");
}

static int apply_image(int layout, int rootfd, struct store_image_config *cfg,
		       struct ctr_error *err)
{
	struct image_plan plan = {0};
	json_object *config = NULL;
	int ret;

	if (has_file(layout, "oci-layout") && has_file(layout, "index.json"))
		ret = plan_from_oci(layout, &plan, err);
	else
		ret = plan_from_docker(layout, &plan, err);
	for (size_t i = 0; ret == 0 && plan.layers[i]; i++)
		ret = apply_layer(layout, plan.layers[i], rootfd, err);
	if (ret == 0 && plan.config && cfg &&
	    (ret = read_json_in_root(layout, plan.config, &config, err)) == 0) {
		image_config_from_json(config, cfg);
		json_object_put(config);
	}
	image_plan_free(&plan);
	return ret;
}

/* ---- the entry point ---- */

/* An image archive extracted into target: move it aside and apply it. */
static int apply_extracted_image(const char *target, struct store_image_config *cfg,
				 struct ctr_error *err)
{
	_cleanup_free_ char *aside = xasprintf("%s.image", target);
	_cleanup_close_ int layout = -1, rootfd = -1;
	int ret = 0;

	if (rename(target, aside) < 0 || mkdir(target, 0755) < 0)
		return ctr_errno(err, "set the image archive aside");
	layout = open(aside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rootfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (layout < 0 || rootfd < 0)
		ret = ctr_errno(err, "open %s", target);
	else
		ret = apply_image(layout, rootfd, cfg, err);
	store_remove_tree(AT_FDCWD, aside);
	return ret;
}

int store_unpack_archive(const char *archive, const char *target, enum store_archive_kind kind,
			 struct store_image_config *cfg, struct ctr_error *err)
{
	_cleanup_close_ int in = open(archive, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int rootfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat sb;
	int ret;

	progress.entries = progress.bytes = 0;
	if (in < 0 || fstat(in, &sb) < 0)
		return ctr_errno(err, "open %s", archive);
	if (rootfd < 0)
		return ctr_errno(err, "open %s", target);
	if (S_ISDIR(sb.st_mode)) {
		if (!is_image_layout(in))
			return ctr_error(err, EINVAL, "%s: not an OCI image layout", archive);
		return apply_image(in, rootfd, cfg, err);
	}
	ret = extract_tar_fd(in, rootfd, err);
	if (ret < 0 || kind == STORE_ARCHIVE_ROOTFS)
		return ret;
	if (!is_image_layout(rootfd)) {
		if (kind == STORE_ARCHIVE_IMAGE)
			return ctr_error(err, EINVAL,
					 "%s: no oci-layout/index.json or manifest.json", archive);
		return 0;
	}
	return apply_extracted_image(target, cfg, err);
}

/* Here, not in store_image.c, so that a program which never imports links
 * without libarchive (and the ~3 ms its dependencies cost every start). */
int store_image_import_archive(struct store *st, const char *name, const char *archive,
			       enum store_archive_kind kind, const char *source,
			       struct store_image_config *cfg, struct ctr_error *err)
{
	struct store_image_config config = {0};
	struct store_tmp tmp = {0};
	struct store_image_opts opts = {source ?: archive, NULL, &config};
	_cleanup_free_ char *rootfs = NULL;
	int ret = store_validate_name("image", name, err);

	if (ret < 0)
		return ret;
	if (store_image_exists(st, name))
		return ctr_error(err, EEXIST, "image '%s' already exists", name);
	/* The unpack runs unlocked in its own staging: it can take minutes. */
	ret = store_tmp_create(st, &tmp, err);
	if (ret < 0)
		return ret;
	rootfs = xasprintf("%s/rootfs", tmp.path);
	if (mkdir(rootfs, 0755) < 0)
		ret = ctr_errno(err, "create %s", rootfs);
	if (ret == 0)
		ret = store_unpack_archive(archive, rootfs, kind, &config, err);
	if (ret == 0)
		ret = store_image_create_from_dir(st, name, rootfs, &opts, err);
	store_tmp_release(st, &tmp);
	if (ret == 0 && cfg)
		*cfg = config;
	else
		store_image_config_free(&config);
	return ret < 0 ? ctr_error_prefix(err, "import %s", archive) : 0;
}
