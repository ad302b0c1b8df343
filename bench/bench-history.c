/* bench-history: the memory a run's history takes, as the window keeps it.
 *
 * The window keeps every epoch's snapshot for the timeline: the newest few in full (with the
 * latent codes), the rest as light copies (2-D coordinates as float, clusters as 16-bit
 * integers, confidences). This builds that history for N points and E epochs (default
 * 70 000 and 100, with m = 10) and prints the resident memory it added.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cs-history.h"

/* The window's controller keeps this many newest snapshots in full. */
#define KEEP_FULL 2

static double
resident_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1;
}

int
main (int argc, char **argv)
{
  gsize n = argc > 1 ? (gsize) g_ascii_strtoull (argv[1], NULL, 10) : 70000;
  guint epochs = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 100;
  const guint m = 10, k = 10, classes = 10;
  g_autoptr (CsHistory) history = cs_history_new (KEEP_FULL);
  double before = resident_mb (), after;

  for (guint e = 0; e < epochs; e++)
    {
      g_autoptr (CsSnapshot) snap = cs_snapshot_new (n, m, k, classes, TRUE);

      /* Touch every array as the trainer does, so the pages are resident. */
      memset (snap->xy, 1, n * 2 * sizeof (float));
      memset (snap->clusters, 1, n * sizeof (guint16));
      memset (snap->confidence, 1, n * sizeof (float));
      memset (snap->codes, 1, n * m * sizeof (float));
      cs_history_append (history, snap);
    }
  after = resident_mb ();
  printf ("history of %u epochs x %zu points (m = %u): %.1f MB resident (%.2f MB per epoch)\n",
          epochs, n, m, after - before, (after - before) / epochs);
  return 0;
}
