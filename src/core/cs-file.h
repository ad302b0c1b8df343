/* cs-file.h: files written atomically, from a whole buffer or streamed through a sink.
 *
 * A file is written to a temporary file beside it, flushed to disk (fsync), renamed over the
 * target and the rename flushed too (fsync of the folder): a failed write, a full disk or a
 * kill leaves the old file or the new one, never a torn one, and no temporary file behind.
 * Errors (CS_ERROR_IO) name the file.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean cs_file_write_atomic (const char *path,
                               const void *data,
                               gsize       length,
                               GError    **error);

/* A file being written piece by piece (a CSV row by row, a PDF page by page). */
typedef struct _CsFileSink CsFileSink;

/* Opens the temporary file; NULL with an error when the folder cannot take it. */
CsFileSink *cs_file_sink_new (const char *path,
                              GError    **error);
/* Appends; after the first failure every later call fails too and changes nothing, so a
 * callback that cannot return an error (cairo's) may ignore the result and learn it from
 * cs_file_sink_commit. */
gboolean cs_file_sink_write (CsFileSink *self,
                             const void *data,
                             gsize       length,
                             GError    **error);
/* Flushes and renames over the target; on any failure (here or in an earlier write) the
 * target is untouched and the temporary file removed. Frees the sink either way. */
gboolean cs_file_sink_commit (CsFileSink *self,
                              GError    **error);
/* Gives up: removes the temporary file, leaves the target as it was. NULL is ignored. */
void cs_file_sink_abort (CsFileSink *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsFileSink, cs_file_sink_abort)

G_END_DECLS
