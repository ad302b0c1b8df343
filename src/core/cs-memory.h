/* cs-memory.h: how much memory the engine may still take, and refusing work that needs more.
 *
 * Loading a dataset and starting a trainer estimate what they will allocate and ask here first,
 * so that a dataset too large for the machine is refused with a message naming the size it
 * needs, instead of the kernel killing the program halfway through.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes that can still be allocated without swapping: the kernel's MemAvailable, lowered by a
 * cgroup memory limit and by the address-space limit (ulimit -v) when they are tighter. The
 * environment variable CS_MEMORY_LIMIT (bytes, or with a k / M / G suffix) replaces the
 * machine's figure, for tests and for a user who wants to keep memory for other work.
 * G_MAXUINT64 when nothing is known. */
guint64 cs_memory_available (void);

/* FALSE with CS_ERROR_NO_MEMORY when need bytes exceed cs_memory_available(). what names the
 * work ("Loading “train.idx”"), detail (may be NULL) says where the bytes go. */
gboolean cs_memory_check (guint64     need,
                          const char *what,
                          const char *detail,
                          GError    **error);

G_END_DECLS
