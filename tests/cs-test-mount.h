/* cs-test-mount.h: a small tmpfs of the test's own, for full-disk and read-only fault tests.
 *
 * The mount lives in a private mount namespace of a test subprocess
 * (g_test_trap_subprocess), so it needs no cleanup and nothing outside the test sees it. As
 * root the namespace is enough; otherwise a user namespace maps the user to root inside it.
 * Where neither is allowed (a locked-down container) the test says so and is skipped.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In the parent: whether a subprocess can mount a tmpfs. On FALSE, message says why. */
gboolean cs_test_can_mount (char **message);

/* In the parent: runs the current test again in a subprocess, which mounts its tmpfs, and
 * asserts that it passed; skips the test when this machine cannot mount one. */
void cs_test_trap_mounted (void);

/* In the subprocess: enters a private mount namespace and mounts a tmpfs of size_kib KiB on
 * dir (created if missing). Aborts the subprocess on failure. */
void cs_test_mount_tmpfs (const char *dir, guint size_kib);

/* In the subprocess, after cs_test_mount_tmpfs: makes that tmpfs read-only. */
void cs_test_remount_read_only (const char *dir);

/* In the subprocess, at the end: unmounts it, so the test's cleanup can remove the folder. */
void cs_test_unmount (const char *dir);

G_END_DECLS
