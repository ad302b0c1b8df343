/* test-file.c: atomic whole-buffer and streamed writes, and what a failed write leaves.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-error.h"
#include "cs-file.h"
#include "cs-test-mount.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  GError *error = NULL;

  f->dir = g_dir_make_tmp ("cs-file-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "out.txt", NULL);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      g_chmod (path, 0755);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* The folder holds exactly the files named (no temporary file left behind). */
static void
assert_folder_holds (const char *dir_path, const char *const *names)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_true (g_strv_contains (names, name));
      n++;
    }
  g_assert_cmpuint (n, ==, g_strv_length ((char **) names));
}

static void
assert_contents (const char *path, const char *expected)
{
  g_autofree char *text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_cmpmem (text, len, expected, strlen (expected));
}

static void
test_whole (Fixture *f, gconstpointer data)
{
  const char *names[] = { "out.txt", NULL };
  GError *error = NULL;
  struct stat st;
  mode_t old_mask = umask (022);

  g_assert_true (cs_file_write_atomic (f->path, "first\n", 6, &error));
  g_assert_no_error (error);
  assert_contents (f->path, "first\n");
  /* An ordinary document, not mkstemp's private file. */
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  umask (old_mask);

  g_assert_true (cs_file_write_atomic (f->path, "second, longer\n", 15, &error));
  g_assert_no_error (error);
  assert_contents (f->path, "second, longer\n");
  g_assert_true (cs_file_write_atomic (f->path, "", 0, &error));
  g_assert_no_error (error);
  assert_contents (f->path, "");
  assert_folder_holds (f->dir, names);
}

static void
test_streamed (Fixture *f, gconstpointer data)
{
  const char *names[] = { "out.txt", NULL };
  g_autoptr (GString) expected = g_string_new (NULL);
  CsFileSink *sink;
  GError *error = NULL;

  g_assert_true (cs_file_write_atomic (f->path, "old\n", 4, &error));
  sink = cs_file_sink_new (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sink);
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *row = g_strdup_printf ("%u,%u\n", i, i * i);

      g_string_append (expected, row);
      g_assert_true (cs_file_sink_write (sink, row, strlen (row), &error));
      g_assert_no_error (error);
    }
  /* Until the commit, readers see the old file. */
  assert_contents (f->path, "old\n");
  g_assert_true (cs_file_sink_commit (sink, &error));
  g_assert_no_error (error);
  assert_contents (f->path, expected->str);
  assert_folder_holds (f->dir, names);
}

/* A writer given up midway (cs_file_sink_abort, or g_autoptr going out of scope) leaves the
 * old file as it was and no temporary file. */
static void
test_aborted (Fixture *f, gconstpointer data)
{
  const char *names[] = { "out.txt", NULL };
  const char *none[] = { NULL };
  GError *error = NULL;

  g_assert_true (cs_file_write_atomic (f->path, "old\n", 4, &error));
  {
    g_autoptr (CsFileSink) sink = cs_file_sink_new (f->path, &error);

    g_assert_nonnull (sink);
    g_assert_true (cs_file_sink_write (sink, "half a ro", 9, &error));
  }
  assert_contents (f->path, "old\n");
  assert_folder_holds (f->dir, names);

  g_unlink (f->path);
  cs_file_sink_abort (cs_file_sink_new (f->path, &error));
  g_assert_no_error (error);
  assert_folder_holds (f->dir, none);
  cs_file_sink_abort (NULL);
}

/* A write that fails midway (here the file size limit: EFBIG) fails every later call and the
 * commit, which names the file; the old file stays. */
static void
test_failed_write (Fixture *f, gconstpointer data)
{
  const char *names[] = { "out.txt", NULL };
  char block[4096];
  struct rlimit old_limit, limit;
  void (*old_handler) (int);
  CsFileSink *sink;
  GError *error = NULL;
  gboolean ok;

  memset (block, 'x', sizeof block);
  g_assert_true (cs_file_write_atomic (f->path, "old\n", 4, &error));
  sink = cs_file_sink_new (f->path, &error);
  g_assert_nonnull (sink);

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  limit = old_limit;
  limit.rlim_cur = 1000;
  old_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  ok = cs_file_sink_write (sink, block, sizeof block, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  signal (SIGXFSZ, old_handler);

  g_assert_false (ok);
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.txt"));
  g_clear_error (&error);
  /* Sticky: a later write changes nothing and fails the same way, and so does the commit. */
  g_assert_false (cs_file_sink_write (sink, "y", 1, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (cs_file_sink_commit (sink, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.txt"));
  g_clear_error (&error);
  assert_contents (f->path, "old\n");
  assert_folder_holds (f->dir, names);
}

/* Where no temporary file can be made, nothing is written and the error names the file. */
static void
test_unwritable_folder (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "out.txt", NULL);
  g_autofree char *ro = g_build_filename (f->dir, "read-only", NULL);
  g_autofree char *in_ro = g_build_filename (ro, "out.txt", NULL);
  const char *names[] = { "out.txt", NULL };
  GError *error = NULL;

  g_assert_false (cs_file_write_atomic (missing, "data", 4, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "no-such-folder"));
  g_clear_error (&error);
  g_assert_null (cs_file_sink_new (missing, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_clear_error (&error);

  /* A read-only folder with an old file in it; root writes there anyway, so skip then. */
  g_assert_cmpint (g_mkdir (ro, 0755), ==, 0);
  g_assert_true (cs_file_write_atomic (in_ro, "old\n", 4, &error));
  g_assert_cmpint (g_chmod (ro, 0555), ==, 0);
  if (access (ro, W_OK) == 0)
    {
      g_test_skip ("the folder is writable even read-only (running as root)");
      return;
    }
  g_assert_false (cs_file_write_atomic (in_ro, "new\n", 4, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.txt"));
  g_clear_error (&error);
  assert_contents (in_ro, "old\n");
  assert_folder_holds (ro, names);
}

/* The rename fails (the target is a folder): the folder stays, the temporary file goes. */
static void
test_failed_rename (Fixture *f, gconstpointer data)
{
  const char *names[] = { "out.txt", NULL };
  GError *error = NULL;

  g_assert_cmpint (g_mkdir (f->path, 0755), ==, 0);
  g_assert_false (cs_file_write_atomic (f->path, "data", 4, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.txt"));
  g_clear_error (&error);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_DIR));
  assert_folder_holds (f->dir, names);
}

/* A full disk (a 64 KiB tmpfs): a whole write and a streamed one both fail with an error
 * naming the file and the cause, and leave the old file and nothing else. */
static void
test_full_disk (Fixture *f, gconstpointer data)
{
  g_autofree char *disk = NULL, *path = NULL;
  g_autofree char *big = NULL;
  const gsize big_len = 1 << 20;
  const char *names[] = { "out.txt", NULL };
  CsFileSink *sink;
  GError *error = NULL;
  gboolean ok = TRUE;

  if (!g_test_subprocess ())
    {
      cs_test_trap_mounted ();
      return;
    }

  disk = g_build_filename (f->dir, "disk", NULL);
  path = g_build_filename (disk, "out.txt", NULL);
  cs_test_mount_tmpfs (disk, 64);
  g_assert_true (cs_file_write_atomic (path, "old\n", 4, &error));
  g_assert_no_error (error);

  big = g_malloc (big_len);
  memset (big, 'x', big_len);
  g_assert_false (cs_file_write_atomic (path, big, big_len, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.txt"));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
  g_test_message ("whole write: %s", error->message);
  g_clear_error (&error);
  assert_contents (path, "old\n");
  assert_folder_holds (disk, names);

  sink = cs_file_sink_new (path, &error);
  g_assert_no_error (error);
  for (gsize done = 0; done < big_len && ok; done += 4096)
    ok = cs_file_sink_write (sink, big + done, 4096, NULL);
  g_assert_false (ok);
  g_assert_false (cs_file_sink_commit (sink, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
  g_clear_error (&error);
  assert_contents (path, "old\n");
  assert_folder_holds (disk, names);

  /* The space the failed writes took is given back: a small write succeeds. */
  g_assert_true (cs_file_write_atomic (path, "new\n", 4, &error));
  g_assert_no_error (error);
  assert_contents (path, "new\n");
  cs_test_unmount (disk);
}

/* A read-only file system (which stops root too, unlike a folder's mode bits). */
static void
test_read_only_mount (Fixture *f, gconstpointer data)
{
  g_autofree char *disk = NULL, *path = NULL;
  const char *names[] = { "out.txt", NULL };
  GError *error = NULL;

  if (!g_test_subprocess ())
    {
      cs_test_trap_mounted ();
      return;
    }

  disk = g_build_filename (f->dir, "disk", NULL);
  path = g_build_filename (disk, "out.txt", NULL);
  cs_test_mount_tmpfs (disk, 64);
  g_assert_true (cs_file_write_atomic (path, "old\n", 4, &error));
  cs_test_remount_read_only (disk);

  g_assert_false (cs_file_write_atomic (path, "new\n", 4, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.txt"));
  g_assert_nonnull (strstr (error->message, g_strerror (EROFS)));
  g_test_message ("read-only: %s", error->message);
  g_clear_error (&error);
  g_assert_null (cs_file_sink_new (path, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_clear_error (&error);
  assert_contents (path, "old\n");
  assert_folder_holds (disk, names);
  cs_test_unmount (disk);
}

/* Killed (SIGKILL, nothing runs after it) in the middle of writing: the old file is whole.
 * The temporary file stays, hidden (a dot name), as nothing can remove it; the next write of
 * the same file succeeds beside it. */
static void
test_killed_mid_write (Fixture *f, gconstpointer data)
{
  g_autofree char *dir
      = g_strdup_printf ("%s/cs-file-killed-%d", g_get_tmp_dir (),
                         g_test_subprocess () ? (int) getppid () : (int) getpid ());
  g_autofree char *path = g_build_filename (dir, "out.txt", NULL);
  GError *error = NULL;

  if (g_test_subprocess ())
    {
      char block[4096];
      CsFileSink *sink;

      memset (block, 'y', sizeof block);
      g_assert_true (cs_file_write_atomic (path, "old\n", 4, &error));
      sink = cs_file_sink_new (path, &error);
      g_assert_nonnull (sink);
      for (guint i = 0; i < 16; i++)
        g_assert_true (cs_file_sink_write (sink, block, sizeof block, &error));
      remove_tree (f->dir); /* this process's fixture: no teardown runs after the kill */
      kill (getpid (), SIGKILL);
      g_assert_not_reached ();
    }

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_failed ();
  assert_contents (path, "old\n");
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    guint n_temp = 0;

    while ((name = g_dir_read_name (d)) != NULL)
      if (g_str_has_prefix (name, ".out.txt."))
        n_temp++;
      else
        g_assert_cmpstr (name, ==, "out.txt");
    g_assert_cmpuint (n_temp, ==, 1);
  }
  g_assert_true (cs_file_write_atomic (path, "new\n", 4, &error));
  g_assert_no_error (error);
  assert_contents (path, "new\n");
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/file/whole", test_whole);
  ADD ("/file/streamed", test_streamed);
  ADD ("/file/aborted", test_aborted);
  ADD ("/file/failed-write", test_failed_write);
  ADD ("/file/unwritable-folder", test_unwritable_folder);
  ADD ("/file/failed-rename", test_failed_rename);
  ADD ("/file/full-disk", test_full_disk);
  ADD ("/file/read-only-mount", test_read_only_mount);
  ADD ("/file/killed-mid-write", test_killed_mid_write);
#undef ADD
  return g_test_run ();
}
