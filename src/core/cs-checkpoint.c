/* cs-checkpoint.c: the checkpoint container (see cs-checkpoint.h).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cs-checkpoint.h"
#include "cs-error.h"

#define CHECKPOINT_MAGIC "CSCKPT\r\n"
#define MAX_SECTIONS 64

struct _CsCheckpointWriter
{
  GByteArray *buf;
  guint n_sections;
  gsize section; /* offset of the open section's header, or 0 */
};

typedef struct
{
  guint32 tag;
  gsize offset; /* of the payload */
  gsize length;
} Section;

struct _CsCheckpoint
{
  GBytes *bytes;
  char *name;
  Section sections[MAX_SECTIONS];
  guint n_sections;
};

static void
put_u32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

/* zlib's crc32 takes at most UINT_MAX bytes at a time. */
static guint32
checksum (const guint8 *data, gsize length)
{
  uLong crc = crc32 (0L, Z_NULL, 0);

  while (length > 0)
    {
      uInt chunk = (uInt) MIN (length, (gsize) G_MAXUINT32);

      crc = crc32 (crc, data, chunk);
      data += chunk;
      length -= chunk;
    }
  return (guint32) crc;
}

CsCheckpointWriter *
cs_checkpoint_writer_new (gsize size_hint)
{
  CsCheckpointWriter *self = g_new0 (CsCheckpointWriter, 1);
  guint8 head[16];

  self->buf = g_byte_array_sized_new ((guint) MIN (size_hint, (gsize) G_MAXUINT));
  memcpy (head, CHECKPOINT_MAGIC, 8);
  put_u32 (head + 8, CS_CHECKPOINT_VERSION);
  put_u32 (head + 12, 0);
  g_byte_array_append (self->buf, head, sizeof head);
  return self;
}

GByteArray *
cs_checkpoint_writer_begin (CsCheckpointWriter *self, guint32 tag)
{
  guint8 head[12] = { 0 };

  g_return_val_if_fail (self->n_sections < MAX_SECTIONS && self->section == 0, NULL);
  put_u32 (head, tag);
  self->section = self->buf->len;
  g_byte_array_append (self->buf, head, sizeof head);
  return self->buf;
}

void
cs_checkpoint_writer_end (CsCheckpointWriter *self)
{
  gsize start = self->section + 12;
  gsize length = self->buf->len - start;
  guint64 le = GUINT64_TO_LE ((guint64) length);
  guint8 tail[4];

  g_return_if_fail (self->section != 0);
  memcpy (self->buf->data + self->section + 4, &le, 8);
  put_u32 (tail, checksum (self->buf->data + start, length));
  g_byte_array_append (self->buf, tail, sizeof tail);
  self->section = 0;
  self->n_sections++;
}

void
cs_checkpoint_writer_add (CsCheckpointWriter *self, guint32 tag, const void *data, gsize length)
{
  GByteArray *buf = cs_checkpoint_writer_begin (self, tag);

  g_return_if_fail (data != NULL || length == 0);
  if (length > 0)
    g_byte_array_append (buf, data, (guint) length);
  cs_checkpoint_writer_end (self);
}

GBytes *
cs_checkpoint_writer_finish (CsCheckpointWriter *self)
{
  GBytes *bytes;

  put_u32 (self->buf->data + 12, self->n_sections);
  bytes = g_byte_array_free_to_bytes (self->buf);
  g_free (self);
  return bytes;
}

static gboolean
fail (GError **error, const char *name, gsize offset, const char *what)
{
  g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: %s at byte %zu"), name, what,
               (size_t) offset);
  return FALSE;
}

CsCheckpoint *
cs_checkpoint_parse (GBytes *bytes, const char *name, GError **error)
{
  g_autoptr (CsCheckpoint) self = g_new0 (CsCheckpoint, 1);
  gsize len, pos = 16;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint32 version, n;

  self->bytes = g_bytes_ref (bytes);
  self->name = g_strdup (name);
  if (len < 8 || memcmp (data, CHECKPOINT_MAGIC, 8) != 0)
    {
      fail (error, name, 0, _ ("not a Clusterscope checkpoint (bad magic)"));
      return NULL;
    }
  if (len < 16)
    {
      fail (error, name, len, _ ("truncated header"));
      return NULL;
    }
  version = get_u32 (data + 8);
  if (version != CS_CHECKPOINT_VERSION)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: checkpoint version %u at byte 8; this build reads version %d"), name,
                   version, CS_CHECKPOINT_VERSION);
      return NULL;
    }
  n = get_u32 (data + 12);
  if (n > MAX_SECTIONS)
    {
      fail (error, name, 12, _ ("too many sections"));
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      Section *s = &self->sections[i];
      guint64 length;

      if (len - pos < 12)
        {
          fail (error, name, len, _ ("truncated (a section header is cut off)"));
          return NULL;
        }
      s->tag = get_u32 (data + pos);
      length = get_u64 (data + pos + 4);
      s->offset = pos + 12;
      if (length > len - s->offset || len - s->offset - length < 4)
        {
          fail (error, name, len, _ ("truncated (a section is cut off)"));
          return NULL;
        }
      s->length = (gsize) length;
      if (checksum (data + s->offset, s->length) != get_u32 (data + s->offset + s->length))
        {
          fail (error, name, s->offset, _ ("damaged (a section's checksum does not match)"));
          return NULL;
        }
      pos = s->offset + s->length + 4;
    }
  if (pos != len)
    {
      fail (error, name, pos, _ ("unexpected data after the last section"));
      return NULL;
    }
  self->n_sections = n;
  return g_steal_pointer (&self);
}

CsCheckpoint *
cs_checkpoint_load (const char *path, GError **error)
{
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *display = g_filename_display_name (path);

  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO, "%s", local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (file);
  return cs_checkpoint_parse (bytes, display, error);
}

void
cs_checkpoint_free (CsCheckpoint *self)
{
  if (self == NULL)
    return;
  g_bytes_unref (self->bytes);
  g_free (self->name);
  g_free (self);
}

const char *
cs_checkpoint_get_name (const CsCheckpoint *self)
{
  return self->name;
}

const guint8 *
cs_checkpoint_get (
    const CsCheckpoint *self, guint32 tag, gsize expected_length, gsize *length, GError **error)
{
  const guint8 *data = g_bytes_get_data (self->bytes, NULL);
  char name[5];

  for (guint i = 0; i < self->n_sections; i++)
    if (self->sections[i].tag == tag)
      {
        const Section *s = &self->sections[i];

        if (expected_length != 0 && s->length != expected_length)
          {
            g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                         _ ("%s: section at byte %zu has %zu bytes where %zu were expected"),
                         self->name, (size_t) s->offset, (size_t) s->length,
                         (size_t) expected_length);
            return NULL;
          }
        if (length != NULL)
          *length = s->length;
        return data + s->offset;
      }
  put_u32 ((guint8 *) name, tag);
  name[4] = '\0';
  g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: no %s section"), self->name, name);
  return NULL;
}

char *
cs_checkpoint_path (const char *run_dir, guint epoch)
{
  g_autofree char *base = cs_checkpoint_file_name (epoch, FALSE);

  return g_build_filename (run_dir, "checkpoints", base, NULL);
}

gboolean
cs_checkpoint_parse_file_name (const char *name, guint *epoch, gboolean *keep)
{
  char *end = NULL;
  guint64 v;

  if (!g_str_has_prefix (name, "epoch-") || !g_str_has_suffix (name, ".ckpt"))
    return FALSE;
  v = g_ascii_strtoull (name + 6, &end, 10);
  if (end == name + 6 || v == 0 || v > G_MAXUINT
      || (strcmp (end, ".ckpt") != 0 && strcmp (end, "-keep.ckpt") != 0))
    return FALSE;
  *epoch = (guint) v;
  if (keep != NULL)
    *keep = g_str_has_prefix (end, "-keep");
  return TRUE;
}

char *
cs_checkpoint_file_name (guint epoch, gboolean keep)
{
  return g_strdup_printf ("epoch-%04u%s.ckpt", epoch, keep ? "-keep" : "");
}

char *
cs_checkpoint_find (const char *run_dir, guint epoch, guint *epoch_out, GError **error)
{
  g_autofree char *dir_path = g_build_filename (run_dir, "checkpoints", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GString) found = g_string_new (NULL);
  const char *name;
  guint best = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      guint e;

      if (!cs_checkpoint_parse_file_name (name, &e, NULL))
        continue;
      g_string_append_printf (found, "%s%u", found->len ? ", " : "", e);
      if (epoch == 0 ? e > best : e == epoch)
        best = e;
    }
  if (best == 0)
    {
      if (found->len == 0)
        g_set_error (error, CS_ERROR, CS_ERROR_IO,
                     _ ("%s holds no checkpoint (run with --checkpoint-every to write them)"),
                     run_dir);
      else
        g_set_error (error, CS_ERROR, CS_ERROR_IO,
                     _ ("%s has no checkpoint of epoch %u (it has epochs %s)"), run_dir, epoch,
                     found->str);
      return NULL;
    }
  if (epoch_out != NULL)
    *epoch_out = best;
  return cs_checkpoint_path (run_dir, best);
}
