/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guards.c - refusing store changes that would corrupt or mislead. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "config_native.h"
#include "guards.h"
#include "util.h"

int cli_require_stopped(const struct ctr_globals *g, const char *name, struct ctr_error *err)
{
	struct ctr_runtime rt;
	struct container_info info;
	enum container_status status;
	int ret;

	/* No runtime store yet: nothing ever ran (and a check creates none). */
	if (access(g->run_root, F_OK) < 0 && errno == ENOENT)
		return 0;
	ret = cli_runtime_open(g, &rt, err);
	if (ret < 0)
		return ret;
	ret = container_info_get(&rt, name, &info, err);
	state_store_close(&rt.store);
	if (ret == -ENOENT) {
		ctr_error_clear(err);
		return 0;
	}
	if (ret < 0)
		return ctr_error_prefix(err, "container '%s': state", name);
	status = info.status;
	container_info_free(&info);
	if (status == STATUS_STOPPED)
		return 0;
	return ctr_error(err, EBUSY, "container '%s' is %s (stop it first)", name,
			 container_status_name(status));
}

int cli_require_image_root(struct store *st, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *path = store_container_path(st, name, "config");
	_cleanup_free_ char *text = NULL;
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct native_config *c = NULL;
	size_t len;
	int ret = 0;

	if (read_file_at(AT_FDCWD, path, &text, &len, &ignored) < 0 ||
	    config_native_parse(text, len, name, &c, &ignored) < 0)
		return 0;
	if (c->rootfs)
		ret =
		    ctr_error(err, EINVAL,
			      "container '%s' runs on the directory %s (rootfs), not on an image: "
			      "clone and snapshot need an image",
			      name, c->rootfs);
	native_config_free(c);
	return ret;
}
