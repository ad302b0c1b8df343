/* cs-checkpoint-cache.c: checkpoints of recent epochs on disk (see cs-checkpoint-cache.h).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cs-checkpoint-cache.h"
#include "cs-checkpoint.h"
#include "cs-file.h"

#define MAX_PENDING 2

struct _CsCheckpointCache
{
  char *root;
  GThread *writer; /* writes the queued jobs, one at a time */
  GPtrArray *runs; /* folders made by this cache */
  guint serial;

  GMutex lock; /* guards the fields below */
  GCond idle;
  guint pending;
  guint64 limit;
  /* The jobs waiting for the writer, and whether it should stop once they are written. A
   * thread of our own with a GCond, not a GThreadPool: the pool's hand-off goes through a queue
   * inside libglib whose locks a race detector cannot see, so every job would look raced. */
  GQueue jobs;
  GCond work;
  gboolean quit;
};

typedef struct
{
  char *run;
  guint epoch;
  GBytes *bytes;
  gboolean keep;
} Job;

typedef struct
{
  char *path;
  char *run;
  guint64 size;
  gint64 mtime;
  gboolean keep;
  guint epoch;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->path);
  g_free (e->run);
  g_free (e);
}

/* Every checkpoint under the root. */
static GPtrArray *
list_entries (const char *root)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func (entry_free);
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  const char *run;

  while (dir != NULL && (run = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *run_path = g_build_filename (root, run, NULL);
      g_autoptr (GDir) sub = g_dir_open (run_path, 0, NULL);
      const char *name;

      while (sub != NULL && (name = g_dir_read_name (sub)) != NULL)
        {
          Entry *e = g_new0 (Entry, 1);
          GStatBuf st;

          e->path = g_build_filename (run_path, name, NULL);
          if (!cs_checkpoint_parse_file_name (name, &e->epoch, &e->keep)
              || g_stat (e->path, &st) != 0)
            {
              entry_free (e);
              continue;
            }
          e->run = g_strdup (run_path);
          e->size = (guint64) st.st_size;
          e->mtime = (gint64) st.st_mtime;
          g_ptr_array_add (entries, e);
        }
    }
  return entries;
}

/* Oldest first; within a second, lower epochs first. */
static gint
compare_age (gconstpointer a, gconstpointer b)
{
  const Entry *x = *(const Entry *const *) a, *y = *(const Entry *const *) b;

  if (x->mtime != y->mtime)
    return x->mtime < y->mtime ? -1 : 1;
  return x->epoch < y->epoch ? -1 : x->epoch > y->epoch;
}

/* Whether e is the newest checkpoint of its run. */
static gboolean
is_newest_of_run (GPtrArray *entries, const Entry *e)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *o = g_ptr_array_index (entries, i);

      if (o != e && g_str_equal (o->run, e->run) && o->epoch > e->epoch)
        return FALSE;
    }
  return TRUE;
}

static void remove_run (const char *run);

/* Whether a run folder's process has gone without removing it (killed, or crashed): its name,
 * run-TIME-PID-SERIAL, holds the process id. Such a folder would keep its newest checkpoint
 * for ever, and enough of them would leave the live windows no room. */
static gboolean
run_is_stale (const char *name)
{
  gint64 time;
  int pid;
  guint serial;

  if (sscanf (name, "run-%" G_GINT64_FORMAT "-%d-%u", &time, &pid, &serial) != 3 || pid <= 0
      || pid == (int) getpid ())
    return FALSE;
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* Removes the folders of runs whose process has gone. */
static void
remove_stale_runs (const char *root)
{
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (run_is_stale (name))
      {
        g_autofree char *run = g_build_filename (root, name, NULL);

        remove_run (run);
      }
}

/* Removes checkpoints until the root holds at most limit bytes. */
static void
prune (const char *root, guint64 limit)
{
  g_autoptr (GPtrArray) entries = NULL;
  guint64 total = 0;

  remove_stale_runs (root);
  entries = list_entries (root);
  for (guint i = 0; i < entries->len; i++)
    total += ((Entry *) g_ptr_array_index (entries, i))->size;
  g_ptr_array_sort (entries, compare_age);
  for (guint pass = 0; pass < 2 && total > limit; pass++)
    for (guint i = 0; i < entries->len && total > limit; i++)
      {
        Entry *e = g_ptr_array_index (entries, i);

        if (e->size == 0 || (pass == 0 && e->keep) || is_newest_of_run (entries, e))
          continue;
        if (g_unlink (e->path) == 0)
          {
            total -= e->size;
            e->size = 0;
          }
      }
}

static void
write_job (CsCheckpointCache *self, Job *job)
{
  g_autofree char *name = cs_checkpoint_file_name (job->epoch, job->keep);
  g_autofree char *path = g_build_filename (job->run, name, NULL);
  g_autoptr (GError) error = NULL;
  guint64 limit;

  if (!cs_file_write_atomic (path, g_bytes_get_data (job->bytes, NULL),
                             g_bytes_get_size (job->bytes), &error))
    g_warning ("checkpoint not cached: %s", error->message);
  g_mutex_lock (&self->lock);
  limit = self->limit;
  g_mutex_unlock (&self->lock);
  prune (self->root, limit);

  g_mutex_lock (&self->lock);
  self->pending--;
  g_cond_broadcast (&self->idle);
  g_mutex_unlock (&self->lock);
  g_bytes_unref (job->bytes);
  g_free (job->run);
  g_free (job);
}

/* The writer thread: the queued jobs, oldest first, until the cache is freed. */
static gpointer
writer_thread (gpointer data)
{
  CsCheckpointCache *self = data;

  for (;;)
    {
      Job *job;

      g_mutex_lock (&self->lock);
      while (g_queue_is_empty (&self->jobs) && !self->quit)
        g_cond_wait (&self->work, &self->lock);
      job = g_queue_pop_head (&self->jobs);
      g_mutex_unlock (&self->lock);
      if (job == NULL)
        return NULL; /* quit, and nothing left */
      write_job (self, job);
    }
}

CsCheckpointCache *
cs_checkpoint_cache_new (const char *root, guint64 limit_bytes)
{
  CsCheckpointCache *self = g_new0 (CsCheckpointCache, 1);

  self->root
      = root ? g_strdup (root)
             : g_build_filename (g_get_user_cache_dir (), "clusterscope", "checkpoints", NULL);
  self->limit = limit_bytes;
  self->runs = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&self->lock);
  g_cond_init (&self->idle);
  g_queue_init (&self->jobs);
  g_cond_init (&self->work);
  self->writer = g_thread_new ("cs-checkpoints", writer_thread, self);
  remove_stale_runs (self->root);
  return self;
}

static void
remove_run (const char *run)
{
  g_autoptr (GDir) dir = g_dir_open (run, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (run, name, NULL);

      g_unlink (path);
    }
  g_rmdir (run);
}

void
cs_checkpoint_cache_free (CsCheckpointCache *self)
{
  if (self == NULL)
    return;
  /* The queued checkpoints are written first. */
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_signal (&self->work);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->writer);
  for (guint i = 0; i < self->runs->len; i++)
    remove_run (g_ptr_array_index (self->runs, i));
  g_ptr_array_unref (self->runs);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->idle);
  g_cond_clear (&self->work);
  g_free (self->root);
  g_free (self);
}

void
cs_checkpoint_cache_set_limit (CsCheckpointCache *self, guint64 limit_bytes)
{
  g_mutex_lock (&self->lock);
  self->limit = limit_bytes;
  g_mutex_unlock (&self->lock);
}

const char *
cs_checkpoint_cache_new_run (CsCheckpointCache *self)
{
  char *run
      = g_strdup_printf ("%s%crun-%" G_GINT64_FORMAT "-%d-%u", self->root, G_DIR_SEPARATOR,
                         g_get_real_time () / G_USEC_PER_SEC, (int) getpid (), ++self->serial);

  if (g_mkdir_with_parents (run, 0700) != 0)
    g_warning ("cannot make the checkpoint folder %s: %s", run, g_strerror (errno));
  g_ptr_array_add (self->runs, run);
  return run;
}

gboolean
cs_checkpoint_cache_put (
    CsCheckpointCache *self, const char *run, guint epoch, GBytes *bytes, gboolean keep_longer)
{
  Job *job = g_new0 (Job, 1);

  job->run = g_strdup (run);
  job->epoch = epoch;
  job->bytes = g_bytes_ref (bytes);
  job->keep = keep_longer;

  g_mutex_lock (&self->lock);
  if (self->pending >= MAX_PENDING)
    {
      g_mutex_unlock (&self->lock);
      g_bytes_unref (job->bytes);
      g_free (job->run);
      g_free (job);
      return FALSE;
    }
  self->pending++;
  g_queue_push_tail (&self->jobs, job);
  g_cond_signal (&self->work);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

void
cs_checkpoint_cache_flush (CsCheckpointCache *self)
{
  g_mutex_lock (&self->lock);
  while (self->pending > 0)
    g_cond_wait (&self->idle, &self->lock);
  g_mutex_unlock (&self->lock);
}

char *
cs_checkpoint_cache_lookup (CsCheckpointCache *self, const char *run, guint epoch)
{
  for (guint keep = 0; keep < 2; keep++)
    {
      g_autofree char *name = cs_checkpoint_file_name (epoch, keep);
      char *path = g_build_filename (run, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  return NULL;
}

void
cs_checkpoint_cache_drop_after (CsCheckpointCache *self, const char *run, guint epoch)
{
  g_autoptr (GDir) dir = g_dir_open (run, 0, NULL);
  const char *name;

  cs_checkpoint_cache_flush (self);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      guint e;
      gboolean keep;

      if (cs_checkpoint_parse_file_name (name, &e, &keep) && e > epoch)
        {
          g_autofree char *path = g_build_filename (run, name, NULL);

          g_unlink (path);
        }
    }
}

guint64
cs_checkpoint_cache_get_size (CsCheckpointCache *self)
{
  g_autoptr (GPtrArray) entries = list_entries (self->root);
  guint64 total = 0;

  for (guint i = 0; i < entries->len; i++)
    total += ((Entry *) g_ptr_array_index (entries, i))->size;
  return total;
}
