/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stopped.c - refusing store changes under a running container. */
#include <errno.h>
#include <unistd.h>

#include "stopped.h"

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
