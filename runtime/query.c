/* SPDX-License-Identifier: GPL-2.0-or-later */
/* query.c - state, info and process listing of a container. */
#include <string.h>

#include "lifecycle_internal.h"
#include "spec_oci.h"

int lc_load_config(struct ctr_runtime *rt, int dirfd, const struct container_state *cs,
		   struct spec **spec, struct ctr_error *err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int ret;

	ret = read_file_at(dirfd, CONFIG_COPY, &json, &len, err);
	if (ret < 0)
		return ret;
	if (rt->parse_config)
		return rt->parse_config(rt, cs->id, json, len, cs->bundle, spec, err);
	return spec_oci_parse(json, len, CONFIG_COPY, cs->bundle, spec, err);
}

int container_info_get(struct ctr_runtime *rt, const char *id, struct container_info *info,
		       struct ctr_error *err)
{
	_cleanup_close_ int dirfd = -1;

	memset(info, 0, sizeof(*info));
	return lc_open_status(rt, id, false, &info->state, &dirfd, &info->status, err);
}

void container_info_free(struct container_info *info)
{
	container_state_free(&info->state);
}

int container_state_json(struct ctr_runtime *rt, const char *id, char **json,
			 struct ctr_error *err)
{
	struct container_info info;
	int ret;

	ret = container_info_get(rt, id, &info, err);
	if (ret < 0)
		return ret;
	*json = lc_state_json(&info.state, info.status);
	container_info_free(&info);
	return 0;
}

int container_pids(struct ctr_runtime *rt, const char *id, pid_t **pids, size_t *n,
		   struct ctr_error *err)
{
	struct container_info info;
	struct cg_handle *cg = NULL;
	int ret;

	*pids = NULL;
	*n = 0;
	ret = container_info_get(rt, id, &info, err);
	if (ret < 0)
		return ret;
	if (info.status == STATUS_STOPPED || info.status == STATUS_CREATING) {
		container_info_free(&info);
		return 0;
	}
	if (!info.state.cgroup_path) {
		/* Without cgroups only the init is known. */
		*pids = xmalloc(sizeof(pid_t));
		(*pids)[0] = info.state.pid;
		*n = 1;
		container_info_free(&info);
		return 0;
	}
	ret = cg_open(info.state.cgroup_path, &cg, err);
	if (ret == 0) {
		ret = cg_pids(cg, pids, n, err);
		cg_free(cg);
	}
	container_info_free(&info);
	return ret;
}
