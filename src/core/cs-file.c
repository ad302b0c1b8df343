/* cs-file.c: atomic file writes (temporary file, fsync, rename, fsync of the folder).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cs-error.h"
#include "cs-file.h"

struct _CsFileSink
{
  char *path;
  char *tmp;
  int fd;
  GError *error; /* the first failure, reported again by every later call */
};

/* The step that failed; each has a whole sentence, so that translations can order it freely. */
typedef enum
{
  STEP_WRITE,
  STEP_FLUSH_FOLDER,
  STEP_SAVE,
} Step;

static void
set_io_error (GError **error, Step step, const char *path, int errsv)
{
  g_autofree char *display = g_filename_display_name (path);
  const char *reason = g_strerror (errsv);

  /* Translators: in these three, the first %s is a file's name, the second the reason
   * ("No space left on device") */
  switch (step)
    {
    case STEP_FLUSH_FOLDER:
      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not flush the folder of “%s”: %s"),
                   display, reason);
      break;
    case STEP_SAVE:
      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not save “%s”: %s"), display, reason);
      break;
    case STEP_WRITE:
    default:
      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not write “%s”: %s"), display, reason);
      break;
    }
}

CsFileSink *
cs_file_sink_new (const char *path, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  CsFileSink *self;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  self = g_new0 (CsFileSink, 1);
  self->path = g_strdup (path);
  /* Beside the target, so that the rename stays on one file system and is atomic; hidden, so
   * a file manager does not show it meanwhile. */
  self->tmp = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  /* 0666 less the umask, as any new document (mkstemp alone would make it private). */
  self->fd = g_mkstemp_full (self->tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (self->fd < 0)
    {
      set_io_error (error, STEP_WRITE, path, errno);
      g_free (self->tmp);
      self->tmp = NULL;
      cs_file_sink_abort (self);
      return NULL;
    }
  return self;
}

static gboolean
failed (CsFileSink *self, GError **error)
{
  if (self->error == NULL)
    return FALSE;
  if (error != NULL)
    *error = g_error_copy (self->error);
  return TRUE;
}

gboolean
cs_file_sink_write (CsFileSink *self, const void *data, gsize length, GError **error)
{
  const guint8 *p = data;

  g_return_val_if_fail (self != NULL, FALSE);

  if (failed (self, error))
    return FALSE;
  while (length > 0)
    {
      ssize_t w = write (self->fd, p, MIN (length, (gsize) G_MAXSSIZE));

      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          set_io_error (&self->error, STEP_WRITE, self->path, errno);
          return !failed (self, error);
        }
      p += w;
      length -= (gsize) w;
    }
  return TRUE;
}

/* Makes the rename itself durable. Some file systems cannot sync a folder (EINVAL): the
 * rename is then as durable as they make it. */
static gboolean
sync_folder (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int errsv = 0;

  if (fd < 0)
    errsv = errno;
  else if (fsync (fd) != 0 && errno != EINVAL)
    errsv = errno;
  if (fd >= 0)
    close (fd);
  if (errsv != 0)
    {
      set_io_error (error, STEP_FLUSH_FOLDER, path, errsv);
      return FALSE;
    }
  return TRUE;
}

gboolean
cs_file_sink_commit (CsFileSink *self, GError **error)
{
  gboolean ok = FALSE;
  int fd;

  g_return_val_if_fail (self != NULL, FALSE);

  if (failed (self, error))
    goto out;
  if (fsync (self->fd) != 0 && errno != EINVAL)
    {
      set_io_error (error, STEP_WRITE, self->path, errno);
      goto out;
    }
  fd = self->fd;
  self->fd = -1;
  /* close reports the write errors of some network file systems. */
  if (close (fd) != 0)
    {
      set_io_error (error, STEP_WRITE, self->path, errno);
      goto out;
    }
  if (g_rename (self->tmp, self->path) != 0)
    {
      set_io_error (error, STEP_SAVE, self->path, errno);
      goto out;
    }
  g_clear_pointer (&self->tmp, g_free);
  ok = sync_folder (self->path, error);

out:
  cs_file_sink_abort (self);
  return ok;
}

void
cs_file_sink_abort (CsFileSink *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  if (self->tmp != NULL)
    g_unlink (self->tmp);
  g_free (self->tmp);
  g_free (self->path);
  g_clear_error (&self->error);
  g_free (self);
}

gboolean
cs_file_write_atomic (const char *path, const void *data, gsize length, GError **error)
{
  g_autoptr (CsFileSink) sink = cs_file_sink_new (path, error);

  if (sink == NULL || !cs_file_sink_write (sink, data, length, error))
    return FALSE;
  return cs_file_sink_commit (g_steal_pointer (&sink), error);
}
