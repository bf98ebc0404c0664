/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_default.c - the config.json `ctr-oci spec` writes: runc's layout, so
 * tools and people who know runc's template find what they expect, with
 * ctr's hardening (DESIGN.md): masked and read-only paths, no_new_privs,
 * the OCI default capabilities.
 */
#include <json-c/json.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "spec_oci.h"
#include "util.h"

const char *const spec_default_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    NULL,
};

const char *const spec_default_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

struct default_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *const options[8];
	int when; /* MOUNT_ALWAYS, or only for one mode */
};

enum { MOUNT_ALWAYS, MOUNT_ROOTFUL, MOUNT_ROOTLESS };

static const struct default_mount default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}, MOUNT_ALWAYS},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, MOUNT_ALWAYS},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"},
     MOUNT_ROOTFUL},
    /* Without a mapped gid 5 in a rootless user namespace, gid=5 fails. */
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"},
     MOUNT_ROOTLESS},
    {"/dev/shm",
     "tmpfs",
     "shm",
     {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"},
     MOUNT_ALWAYS},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, MOUNT_ALWAYS},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, MOUNT_ROOTFUL},
    /* A user namespace that does not own the network namespace may not
     * mount sysfs; bind the host's, read-only. */
    {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}, MOUNT_ROOTLESS},
    {"/sys/fs/cgroup",
     "cgroup",
     "cgroup",
     {"nosuid", "noexec", "nodev", "relatime", "ro"},
     MOUNT_ROOTFUL},
};

static json_object *string_array(const char *const *v)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; v[i]; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

static json_object *cap_array(uint64_t mask)
{
	json_object *arr = json_object_new_array();

	for (int cap = 0; cap <= cap_table_last(); cap++)
		if (mask & (UINT64_C(1) << cap))
			json_object_array_add(arr, json_object_new_string(cap_to_name(cap)));
	return arr;
}

static json_object *default_process(void)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    NULL};
	json_object *p = json_object_new_object(), *user = json_object_new_object();
	json_object *caps = json_object_new_object(), *rlimit = json_object_new_object();
	json_object *rlimits = json_object_new_array();
	uint64_t mask = cap_oci_default_mask();

	json_object_object_add(p, "terminal", json_object_new_boolean(1));
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object_object_add(p, "args", string_array(args));
	json_object_object_add(p, "env", string_array(env));
	json_object_object_add(p, "cwd", json_object_new_string("/"));
	json_object_object_add(caps, "bounding", cap_array(mask));
	json_object_object_add(caps, "effective", cap_array(mask));
	json_object_object_add(caps, "permitted", cap_array(mask));
	json_object_object_add(p, "capabilities", caps);
	json_object_object_add(rlimit, "type", json_object_new_string("RLIMIT_NOFILE"));
	json_object_object_add(rlimit, "hard", json_object_new_int(1024));
	json_object_object_add(rlimit, "soft", json_object_new_int(1024));
	json_object_array_add(rlimits, rlimit);
	json_object_object_add(p, "rlimits", rlimits);
	json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(1));
	return p;
}

static json_object *default_mounts_json(int rootless)
{
	json_object *arr = json_object_new_array();
	int skip = rootless ? MOUNT_ROOTFUL : MOUNT_ROOTLESS;

	for (size_t i = 0; i < ARRAY_SIZE(default_mounts); i++) {
		const struct default_mount *d = &default_mounts[i];
		json_object *m;

		if (d->when == skip)
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "destination", json_object_new_string(d->destination));
		json_object_object_add(m, "type", json_object_new_string(d->type));
		json_object_object_add(m, "source", json_object_new_string(d->source));
		if (d->options[0])
			json_object_object_add(m, "options", string_array(d->options));
		json_object_array_add(arr, m);
	}
	return arr;
}

static json_object *id_mapping(unsigned int host_id)
{
	json_object *arr = json_object_new_array(), *m = json_object_new_object();

	json_object_object_add(m, "containerID", json_object_new_int(0));
	json_object_object_add(m, "hostID", json_object_new_int64(host_id));
	json_object_object_add(m, "size", json_object_new_int(1));
	json_object_array_add(arr, m);
	return arr;
}

static json_object *default_namespaces(int rootless)
{
	static const char *const rootful[] = {"pid",   "network", "ipc", "uts",
					      "mount", "cgroup",  NULL};
	static const char *const unprivileged[] = {"pid",    "ipc",  "uts", "mount",
						   "cgroup", "user", NULL};
	const char *const *names = rootless ? unprivileged : rootful;
	json_object *arr = json_object_new_array();

	for (size_t i = 0; names[i]; i++) {
		json_object *ns = json_object_new_object();

		json_object_object_add(ns, "type", json_object_new_string(names[i]));
		json_object_array_add(arr, ns);
	}
	return arr;
}

static json_object *default_linux(int rootless)
{
	json_object *l = json_object_new_object();

	if (rootless) {
		json_object_object_add(l, "uidMappings", id_mapping(getuid()));
		json_object_object_add(l, "gidMappings", id_mapping(getgid()));
	} else {
		json_object *res = json_object_new_object(), *devs = json_object_new_array();
		json_object *deny = json_object_new_object();

		json_object_object_add(deny, "allow", json_object_new_boolean(0));
		json_object_object_add(deny, "access", json_object_new_string("rwm"));
		json_object_array_add(devs, deny);
		json_object_object_add(res, "devices", devs);
		json_object_object_add(l, "resources", res);
	}
	json_object_object_add(l, "namespaces", default_namespaces(rootless));
	json_object_object_add(l, "maskedPaths", string_array(spec_default_masked_paths));
	json_object_object_add(l, "readonlyPaths", string_array(spec_default_readonly_paths));
	return l;
}

char *spec_oci_default_config(int rootless)
{
	json_object *doc = json_object_new_object(), *root = json_object_new_object();
	char *text;

	json_object_object_add(doc, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(doc, "process", default_process());
	json_object_object_add(root, "path", json_object_new_string("rootfs"));
	json_object_object_add(root, "readonly", json_object_new_boolean(1));
	json_object_object_add(doc, "root", root);
	json_object_object_add(doc, "hostname", json_object_new_string("ctr"));
	json_object_object_add(doc, "mounts", default_mounts_json(rootless));
	json_object_object_add(doc, "linux", default_linux(rootless));
	text = xasprintf("%s\n", json_object_to_json_string_ext(
				     doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return text;
}
