/* cs-cli-seeds.h: --seeds, the same run over several seeds, and the summary of their scores.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "0-4", "0,3,7" or "0-2,9": the seeds in order, each at most max_seed, no repeats. */
GArray *cs_cli_parse_seeds (const char *text, guint64 max_seed, GError **error);

typedef struct
{
  char **argv;        /* the command line as given, without --seeds / --jobs / -o (NULL-ended) */
  const char *output; /* the parent folder of the runs (seed-S each) and summary.csv, or NULL */
  guint jobs;         /* runs at a time */
  gboolean quiet;
} CsSeedsOptions;

/* Runs the program once per seed (a child process each, at most jobs at a time), then prints
 * a table of each seed's scores and their mean ± standard deviation and, with an output
 * folder, writes summary.csv there. Returns the exit status: 0 when every run succeeded, else
 * the first failed run's. */
int cs_cli_run_seeds (const CsSeedsOptions *options, const guint64 *seeds, guint n_seeds);

/* Removes the options in names (each "--long" or "-s") and their values from argv, in the
 * forms "--long VALUE", "--long=VALUE", "-s VALUE" and "-sVALUE". flags are options without a
 * value ("--jobs" would take one; "-q" not). Returns a new vector. */
char **cs_cli_strip_options (char *const *argv, const char *const *names, const char *const *flags);

G_END_DECLS
