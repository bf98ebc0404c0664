/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caps.c - capability names <-> numbers. The table is indexed by number, so
 * it also documents which capabilities this build knows about; the running
 * kernel may know fewer (cap_kernel_last), which the process setup checks.
 */
#include <fcntl.h>
#include <string.h>
#include <strings.h>

#include "caps.h"
#include "util.h"

/* Names without the "CAP_" prefix; index = capability number. */
static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

/* The full names handed out by cap_to_name, built once from the table above
 * would need an allocation; a second literal table keeps it static. */
static const char *const cap_full_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

_Static_assert(ARRAY_SIZE(cap_names) == ARRAY_SIZE(cap_full_names), "capability tables differ");

/* What runc and containerd grant by default (runtime-spec's example set). */
static const int oci_default_caps[] = {
    0 /* CHOWN */,
    1 /* DAC_OVERRIDE */,
    4 /* FSETID */,
    3 /* FOWNER */,
    27 /* MKNOD */,
    13 /* NET_RAW */,
    6 /* SETGID */,
    7 /* SETUID */,
    31 /* SETFCAP */,
    8 /* SETPCAP */,
    10 /* NET_BIND_SERVICE */,
    18 /* SYS_CHROOT */,
    5 /* KILL */,
    29 /* AUDIT_WRITE */,
};

/* What a system container must not have even as its own root: loading
 * kernel modules, raw device and port I/O, setting the host's clock, and
 * changing or bypassing the host's MAC policy. */
static const int system_denied_caps[] = {
    16 /* SYS_MODULE */,   17 /* SYS_RAWIO */, 25 /* SYS_TIME */,
    32 /* MAC_OVERRIDE */, 33 /* MAC_ADMIN */,
};

int cap_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *cap_to_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_full_names))
		return NULL;
	return cap_full_names[cap];
}

int cap_table_last(void)
{
	return (int)ARRAY_SIZE(cap_names) - 1;
}

int cap_kernel_last(void)
{
	static int cached = -1;
	char buf[16];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int64_t v;

	if (cached >= 0)
		return cached;
	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cap_table_last();
	n = read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return cap_table_last();
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_i64(buf, &v) < 0 || v < 0 || v > 63)
		return cap_table_last();
	cached = (int)v;
	return cached;
}

uint64_t cap_oci_default_mask(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < ARRAY_SIZE(oci_default_caps); i++)
		mask |= UINT64_C(1) << oci_default_caps[i];
	return mask;
}

uint64_t cap_system_default_mask(void)
{
	uint64_t mask = (UINT64_C(1) << (cap_table_last() + 1)) - 1;

	for (size_t i = 0; i < ARRAY_SIZE(system_denied_caps); i++)
		mask &= ~(UINT64_C(1) << system_denied_caps[i]);
	return mask;
}
