/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.h - the capability name table (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE). */
#ifndef CTR_CAPS_H
#define CTR_CAPS_H

#include <stdint.h>

/* "CAP_SYS_ADMIN", "cap_sys_admin" and "SYS_ADMIN" give 21; -EINVAL if unknown. */
int cap_from_name(const char *name);
/* "CAP_SYS_ADMIN" for 21; NULL if out of the table. */
const char *cap_to_name(int cap);
/* Highest capability number the table knows (CAP_CHECKPOINT_RESTORE = 40). */
int cap_table_last(void);
/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int cap_kernel_last(void);
/* The OCI default set (runc/containerd's 14 capabilities) as a bitmask. */
uint64_t cap_oci_default_mask(void);
/* The system container set (DESIGN.md): every capability this table knows
 * but sys_module, sys_rawio, sys_time, mac_admin and mac_override. */
uint64_t cap_system_default_mask(void);

#endif
