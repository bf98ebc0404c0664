/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_info.c - ps, list, features and spec. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <json-c/json.h>
#include <seccomp.h>

#include "caps.h"
#include "oci.h"
#include "opts.h"
#include "spec_oci.h"
#include "util.h"

enum { F_FORMAT, F_QUIET, F_BUNDLE, F_ROOTLESS };

struct format_args {
	bool json;
	bool quiet;
	const char *bundle;
	bool rootless;
};

static int format_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct format_args *a = data;

	switch (id) {
	case F_FORMAT:
		if (strcmp(value, "json") && strcmp(value, "table"))
			return ctr_error(err, EINVAL, "--format: expected table or json, not '%s'", value);
		a->json = strcmp(value, "json") == 0;
		break;
	case F_QUIET: a->quiet = true; break;
	case F_BUNDLE: a->bundle = value; break;
	case F_ROOTLESS: a->rootless = true; break;
	default: break;
	}
	return 0;
}

static const struct opt_def ps_opts[] = {
	{"format", 'f', true, F_FORMAT, "table (default) or json"},
	{NULL, 0, false, 0, NULL},
};

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Run `ps ARGS` and keep the header and the rows of the container's pids. */
static int ps_table(char **ps_args, const pid_t *pids, size_t n, struct ctr_error *err)
{
	_cleanup_strv_ char **argv = NULL;
	char line[4096];
	int pid_col = -1, status;
	FILE *out;
	int fds[2];
	pid_t child;

	strv_append(&argv, "ps");
	if (!ps_args || !ps_args[0])
		strv_append(&argv, "-ef");
	for (size_t i = 0; ps_args && ps_args[i]; i++)
		strv_append(&argv, ps_args[i]);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	child = fork();
	if (child == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	if (child < 0) {
		close(fds[0]);
		return ctr_errno(err, "fork");
	}
	out = fdopen(fds[0], "r");
	while (out && fgets(line, sizeof(line), out)) {
		if (pid_col < 0) {
			/* Find the PID column in the header. */
			char *copy = xstrdup(line), *save = NULL;
			int col = 0;
			for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
				if (strcmp(t, "PID") == 0)
					pid_col = col;
			free(copy);
			fputs(line, stdout);
			continue;
		}
		char *copy = xstrdup(line), *save = NULL, *t = strtok_r(copy, " \t\n", &save);
		for (int col = 0; t && col < pid_col; col++)
			t = strtok_r(NULL, " \t\n", &save);
		if (t && pid_in(atoi(t), pids, n))
			fputs(line, stdout);
		free(copy);
	}
	if (out)
		fclose(out);
	waitpid(child, &status, 0);
	if (pid_col < 0)
		return ctr_error(err, EINVAL, "ps output has no PID column");
	return 0;
}

int cmd_ps(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct format_args a = {0};
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int first, ret;

	first = opts_parse(ps_opts, argc, argv, format_option, &a, err);
	if (first < 0)
		return first;
	if (first >= argc)
		return ctr_error(err, EINVAL, "missing container id");
	if ((ret = oci_open_runtime(g, false, err)) < 0 ||
	    (ret = container_pids(&g->rt, argv[first], &pids, &n, err)) < 0)
		return ret;
	if (!a.json)
		return ps_table(argv + first + 1, pids, n, err);
	putchar('[');
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	printf("]\n");
	return 0;
}

static const struct opt_def list_opts[] = {
	{"format", 'f', true, F_FORMAT, "table (default) or json"},
	{"quiet", 'q', false, F_QUIET, "print only ids"},
	{NULL, 0, false, 0, NULL},
};

int cmd_list(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct format_args a = {0};
	_cleanup_strv_ char **ids = NULL;
	int first, ret;
	bool printed = false;

	first = opts_parse(list_opts, argc, argv, format_option, &a, err);
	if (first < 0)
		return first;
	if (first < argc)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", argv[first]);
	if ((ret = oci_open_runtime(g, false, err)) < 0 ||
	    (ret = state_list(&g->rt.store, &ids, err)) < 0)
		return ret;
	if (a.json)
		putchar('[');
	else if (!a.quiet)
		printf("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t i = 0; ids && ids[i]; i++) {
		struct ctr_error ignored = CTR_ERROR_INIT;
		struct container_info info;

		if (container_info_get(&g->rt, ids[i], &info, &ignored) < 0)
			continue;
		if (a.quiet) {
			printf("%s\n", ids[i]);
		} else if (a.json) {
			_cleanup_free_ char *js = state_to_oci_json(&info.state,
							    container_status_name(info.status));
			printf("%s%s", printed ? "," : "", js);
		} else {
			printf("%-20s %-8d %-10s %-40s %-32s %s\n", ids[i],
			       info.status == STATUS_STOPPED ? 0 : (int)info.state.pid,
			       container_status_name(info.status),
			       info.state.bundle ? info.state.bundle : "",
			       info.state.created ? info.state.created : "",
			       info.state.owner && *info.state.owner ? info.state.owner : "root");
		}
		printed = true;
		container_info_free(&info);
	}
	if (a.json)
		printf("]\n");
	return 0;
}

static json_object *string_array(const char *const *items)
{
	json_object *arr = json_object_new_array();

	for (; *items; items++)
		json_object_array_add(arr, json_object_new_string(*items));
	return arr;
}

static json_object *features_linux(void)
{
	static const char *const namespaces[] = {"cgroup", "ipc", "mount", "network", "pid",
						 "time", "user", "uts", NULL};
	static const char *const actions[] = {
		"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
		"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
		"SCMP_ACT_TRAP", NULL};
	static const char *const operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
						"SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
						"SCMP_CMP_NE", NULL};
	static const char *const archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
					    NULL};
	json_object *lx = json_object_new_object(), *caps = json_object_new_array();
	json_object *cg = json_object_new_object(), *sc = json_object_new_object();
	json_object *off = json_object_new_object(), *off2 = json_object_new_object();

	for (int c = 0; c <= cap_table_last(); c++)
		json_object_array_add(caps, json_object_new_string(cap_to_name(c)));
	json_object_object_add(cg, "v1", json_object_new_boolean(1));
	json_object_object_add(cg, "v2", json_object_new_boolean(1));
	json_object_object_add(cg, "systemd", json_object_new_boolean(0));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
	json_object_object_add(sc, "enabled", json_object_new_boolean(1));
	json_object_object_add(sc, "actions", string_array(actions));
	json_object_object_add(sc, "operators", string_array(operators));
	json_object_object_add(sc, "archs", string_array(archs));
	json_object_object_add(off, "enabled", json_object_new_boolean(0));
	json_object_object_add(off2, "enabled", json_object_new_boolean(0));
	json_object_object_add(lx, "namespaces", string_array(namespaces));
	json_object_object_add(lx, "capabilities", caps);
	json_object_object_add(lx, "cgroup", cg);
	json_object_object_add(lx, "seccomp", sc);
	json_object_object_add(lx, "apparmor", off);
	json_object_object_add(lx, "selinux", off2);
	return lx;
}

int cmd_features(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	static const char *const hooks[] = {"prestart", "createRuntime", "createContainer",
					    "startContainer", "poststart", "poststop", NULL};
	static const char *const mount_options[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"mand", "noatime", "nodev", "nodiratime", "noexec", "nomand", "norelatime",
		"nostrictatime", "nosuid", "private", "rbind", "relatime", "remount", "ro",
		"rprivate", "rro", "rshared", "rslave", "runbindable", "rw", "shared", "slave",
		"strictatime", "suid", "sync", "unbindable", NULL};
	const struct scmp_version *v = seccomp_version();
	json_object *o = json_object_new_object(), *ann = json_object_new_object();
	char buf[64];

	if (argc > 0)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", argv[0]);
	json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(o, "ociVersionMax", json_object_new_string("1.2.0"));
	json_object_object_add(o, "hooks", string_array(hooks));
	json_object_object_add(o, "mountOptions", string_array(mount_options));
	json_object_object_add(o, "linux", features_linux());
	snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
	json_object_object_add(ann, "io.github.seccomp.libseccomp.version",
			       json_object_new_string(buf));
	json_object_object_add(ann, "io.ctr.version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "annotations", ann);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_SPACED |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

static const struct opt_def spec_opts[] = {
	{"bundle", 'b', true, F_BUNDLE, "write config.json into this directory"},
	{"rootless", 0, false, F_ROOTLESS, "a config for an unprivileged caller"},
	{NULL, 0, false, 0, NULL},
};

int cmd_spec(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct format_args a = {0};
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *json = NULL;
	_cleanup_close_ int fd = -1;
	int first;

	first = opts_parse(spec_opts, argc, argv, format_option, &a, err);
	if (first < 0)
		return first;
	if (first < argc)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", argv[first]);
	path = xasprintf("%s/config.json", a.bundle ? a.bundle : ".");
	json = spec_oci_default_config(a.rootless);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? ctr_error(err, EEXIST, "%s exists; remove it first", path)
				       : ctr_errno(err, "create %s", path);
	if (write_all(fd, json, strlen(json)) < 0 || write_all(fd, "\n", 1) < 0)
		return ctr_errno(err, "write %s", path);
	return 0;
}
