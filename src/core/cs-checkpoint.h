/* cs-checkpoint.h: the checkpoint file, a container of checksummed sections.
 *
 * A checkpoint holds everything a run needs to continue from the end of one epoch exactly as it
 * would have (the trainer fills and reads the sections: cs_trainer_checkpoint). The container
 * knows nothing of training; it guarantees that a damaged or foreign file is refused with its
 * name and the byte offset where it stops making sense, before any section is used.
 *
 * Layout, little-endian:
 *   bytes 0-7    magic "CSCKPT\r\n"
 *   u32          version (1)
 *   u32          number of sections
 *   per section: u32 tag (four ASCII letters), u64 length, the payload, u32 CRC-32 of the
 *                payload (zlib's polynomial)
 * Nothing may follow the last section.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CS_CHECKPOINT_VERSION 1

/* Section tags: four letters read as a little-endian u32. */
#define CS_CHECKPOINT_TAG(a, b, c, d)                                                              \
  ((guint32) (a) | ((guint32) (b) << 8) | ((guint32) (c) << 16) | ((guint32) (d) << 24))

typedef struct _CsCheckpointWriter CsCheckpointWriter;

/* size_hint: about how many bytes the file will have (it is allocated once). */
CsCheckpointWriter *cs_checkpoint_writer_new (gsize size_hint);
/* Appends a section; data is copied. */
void cs_checkpoint_writer_add (CsCheckpointWriter *self,
                               guint32             tag,
                               const void         *data,
                               gsize               length);
/* A section written in pieces: append its payload to the returned array, then end it. */
GByteArray *cs_checkpoint_writer_begin (CsCheckpointWriter *self,
                                        guint32             tag);
void cs_checkpoint_writer_end (CsCheckpointWriter *self);
/* The file's bytes; frees the writer. */
GBytes *cs_checkpoint_writer_finish (CsCheckpointWriter *self);

typedef struct _CsCheckpoint CsCheckpoint;

/* Checks the whole file (magic, version, every section's bounds and checksum). name is used
 * in errors (a path, or "epoch 12"). The checkpoint keeps a reference to bytes. */
CsCheckpoint *cs_checkpoint_parse (GBytes     *bytes,
                                   const char *name,
                                   GError    **error);
CsCheckpoint *cs_checkpoint_load (const char *path,
                                  GError    **error);
void cs_checkpoint_free (CsCheckpoint *self);

const char *cs_checkpoint_get_name (const CsCheckpoint *self);
/* A section's payload, or NULL (with an error naming the missing section) when absent. When
 * expected_length is not 0 a payload of another length is an error too. */
const guint8 *cs_checkpoint_get (const CsCheckpoint *self,
                                 guint32             tag,
                                 gsize               expected_length,
                                 gsize              *length,
                                 GError            **error);

/* "epoch-0012.ckpt" (or "epoch-0012-keep.ckpt", a cached checkpoint kept longer): epoch 12.
 * FALSE for any other name. keep may be NULL. */
gboolean cs_checkpoint_parse_file_name (const char *name,
                                        guint      *epoch,
                                        gboolean   *keep);
char *cs_checkpoint_file_name (guint    epoch,
                               gboolean keep);

/* RUN_DIR/checkpoints/epoch-NNNN.ckpt */
char *cs_checkpoint_path (const char *run_dir,
                          guint       epoch);
/* The checkpoint of epoch in run_dir, or its latest when epoch is 0; NULL with an error that
 * lists what there is when none matches. */
char *cs_checkpoint_find (const char *run_dir,
                          guint       epoch,
                          guint      *epoch_out,
                          GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCheckpoint, cs_checkpoint_free)

G_END_DECLS
