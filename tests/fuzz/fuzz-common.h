/* fuzz-common.h: what every parser harness shares: the input as a file, and a replay main.
 *
 * The loaders take a path, so each input goes into an anonymous memory file (memfd) and the
 * loader opens it by its /proc/self/fd name: no disk, nothing left behind after a crash.
 * Built with -fsanitize=fuzzer (CS_LIBFUZZER), libFuzzer provides main (); otherwise the main
 * below feeds every file named on the command line (directories: every file inside) to
 * LLVMFuzzerTestOneInput, so `meson test --suite fuzz` replays the corpora in any build.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A memory file holding a copy of data; *path_out is its name until fuzz_file_close (). */
static inline int
fuzz_file_new (const void *data, size_t size, char **path_out)
{
  int fd = memfd_create ("cs-fuzz", MFD_CLOEXEC);
  size_t done = 0;

  if (fd < 0)
    g_error ("memfd_create: %s", g_strerror (errno));
  while (done < size)
    {
      ssize_t w = write (fd, (const char *) data + done, size - done);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        g_error ("writing the fuzz input: %s", g_strerror (errno));
      done += (size_t) w;
    }
  *path_out = g_strdup_printf ("/proc/self/fd/%d", fd);
  return fd;
}

static inline void
fuzz_file_close (int fd, char *path)
{
  close (fd);
  g_free (path);
}

#ifndef CS_LIBFUZZER
static int
fuzz_replay_path (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
      const char *name;
      int count = 0;

      if (dir == NULL)
        {
          g_printerr ("%s\n", error->message);
          return -1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          int c = fuzz_replay_path (child);

          if (c < 0)
            return -1;
          count += c;
        }
      return count;
    }
  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return -1;
    }
  printf ("%s\n", path);
  fflush (stdout);
  LLVMFuzzerTestOneInput ((const guint8 *) contents, length);
  return 1;
}

int
main (int argc, char **argv)
{
  int total = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      int c = fuzz_replay_path (argv[i]);

      if (c < 0)
        return 1;
      total += c;
    }
  printf ("%d inputs replayed without a crash\n", total);
  /* A corpus that vanished would pass silently otherwise. */
  return total > 0 ? 0 : 1;
}
#endif
