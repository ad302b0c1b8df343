/* test-checkpoint-cache.c: the window's bounded cache of epoch checkpoints.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cs-test-tree.h"
#include "cs-checkpoint-cache.h"
#include "cs-checkpoint.h"

/* A folder as a window of process pid would have left it, with one checkpoint of size bytes. */
static char *
make_run (const char *root, int pid, gsize size)
{
  g_autofree char *name = g_strdup_printf ("run-1796300000-%d-1", pid);
  char *run = g_build_filename (root, name, NULL);
  g_autofree char *file = cs_checkpoint_file_name (4, FALSE);
  g_autofree char *path = g_build_filename (run, file, NULL);
  g_autofree char *bytes = g_malloc0 (size);

  g_assert_cmpint (g_mkdir_with_parents (run, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, bytes, (gssize) size, NULL));
  return run;
}

/* The id of a process that has ended. */
static int
dead_pid (void)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return (int) pid;
}

static void
put (CsCheckpointCache *cache, const char *run, guint epoch, gsize size, gboolean keep)
{
  g_autofree char *data = g_malloc0 (size);
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data), size);

  g_assert_true (cs_checkpoint_cache_put (cache, run, epoch, bytes, keep));
  cs_checkpoint_cache_flush (cache);
}

/* Oldest first, the kept ones last, the newest never; a window's folder goes with it. */
static void
test_prune (void)
{
  g_autofree char *root = g_dir_make_tmp ("cs-cache-XXXXXX", NULL);
  CsCheckpointCache *cache = cs_checkpoint_cache_new (root, 3500);
  const char *run = cs_checkpoint_cache_new_run (cache);
  g_autofree char *run_copy = g_strdup (run);

  for (guint epoch = 1; epoch <= 6; epoch++)
    put (cache, run, epoch, 1000, epoch == 2);
  g_assert_cmpuint (cs_checkpoint_cache_get_size (cache), <=, 3500);
  /* 3 fit: the newest (6), the kept one (2) and the next newest (5). */
  for (guint epoch = 1; epoch <= 6; epoch++)
    {
      g_autofree char *path = cs_checkpoint_cache_lookup (cache, run, epoch);

      g_test_message ("epoch %u: %s", epoch, path ? "kept" : "dropped");
      g_assert_true ((path != NULL) == (epoch == 2 || epoch >= 5));
    }
  /* Continuing from epoch 2 forgets the later ones. */
  cs_checkpoint_cache_drop_after (cache, run, 2);
  g_assert_null (cs_checkpoint_cache_lookup (cache, run, 5));
  g_assert_cmpuint (cs_checkpoint_cache_get_size (cache), ==, 1000);
  cs_checkpoint_cache_free (cache);
  g_assert_false (g_file_test (run_copy, G_FILE_TEST_EXISTS));
  cs_test_remove_tree (root);
}

/* A window killed before it could remove its folder leaves a run behind, whose newest
 * checkpoint nothing would remove. The next cache removes it, and a live window's stays;
 * a cache already open removes such a folder when it next prunes. */
static void
test_stale_runs (void)
{
  g_autofree char *root = g_dir_make_tmp ("cs-cache-XXXXXX", NULL);
  g_autofree char *stale = make_run (root, dead_pid (), 2000);
  g_autofree char *live = make_run (root, (int) getppid (), 1000);
  g_autofree char *later = NULL;
  CsCheckpointCache *cache;
  const char *run;

  cache = cs_checkpoint_cache_new (root, 3500);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (cs_checkpoint_cache_get_size (cache), ==, 1000);

  later = make_run (root, dead_pid (), 2000);
  run = cs_checkpoint_cache_new_run (cache);
  put (cache, run, 1, 1000, FALSE);
  put (cache, run, 2, 1000, FALSE);
  g_assert_false (g_file_test (later, G_FILE_TEST_EXISTS));
  /* Room for this run's two beside the live window's one, once the stale one is gone. */
  {
    g_autofree char *first = cs_checkpoint_cache_lookup (cache, run, 1);

    g_assert_nonnull (first);
  }
  cs_checkpoint_cache_free (cache);
  g_assert_true (g_file_test (live, G_FILE_TEST_IS_DIR));
  cs_test_remove_tree (root);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/checkpoint-cache/prune", test_prune);
  g_test_add_func ("/checkpoint-cache/stale-runs", test_stale_runs);
  return g_test_run ();
}
