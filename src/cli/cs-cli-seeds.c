/* cs-cli-seeds.c: --seeds, the same run over several seeds, and the summary of their scores.
 *
 * Each seed runs in a child process of the same program (its own memory, its own exit status,
 * and two at a time on two cores with --jobs 2). The parent reads each child's "final" (or
 * "kmeans") line from its standard output, and the score after pretraining from its run
 * folder's metrics.csv.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "clusterscope-cli"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-cli-seeds.h"
#include "cs-error.h"
#include "cs-file.h"
#include "cs-history.h"
#include "cs-run.h"

#define MAX_SEEDS 1000

static gboolean
add_seed (GArray *seeds, guint64 seed, GError **error)
{
  for (guint i = 0; i < seeds->len; i++)
    if (g_array_index (seeds, guint64, i) == seed)
      {
        g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("--seeds: seed %llu is given twice"),
                     (unsigned long long) seed);
        return FALSE;
      }
  if (seeds->len >= MAX_SEEDS)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("--seeds: at most %d seeds"), MAX_SEEDS);
      return FALSE;
    }
  g_array_append_val (seeds, seed);
  return TRUE;
}

GArray *
cs_cli_parse_seeds (const char *text, guint64 max_seed, GError **error)
{
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_auto (GStrv) items = g_strsplit (text, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto (GStrv) range = g_strsplit (items[i], "-", 2);
      guint64 lo, hi;

      if (!g_ascii_string_to_unsigned (g_strstrip (range[0]), 10, 0, max_seed, &lo, NULL)
          || (range[1] != NULL
              && !g_ascii_string_to_unsigned (g_strstrip (range[1]), 10, lo, max_seed, &hi, NULL)))
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       _ ("--seeds takes seeds and ranges such as 0-4 or 0,3,7, each at most "
                          "%llu, not “%s”"),
                       (unsigned long long) max_seed, text);
          return NULL;
        }
      if (range[1] == NULL)
        hi = lo;
      if (hi - lo >= MAX_SEEDS)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("--seeds: at most %d seeds"),
                       MAX_SEEDS);
          return NULL;
        }
      for (guint64 s = lo; s <= hi; s++)
        if (!add_seed (seeds, s, error))
          return NULL;
    }
  return g_steal_pointer (&seeds);
}

static gboolean
name_matches (const char *arg, const char *name, const char **value)
{
  gsize len = strlen (name);

  *value = NULL;
  if (strncmp (arg, name, len) != 0)
    return FALSE;
  if (arg[len] == '\0')
    return TRUE;
  if (name[1] == '-' && arg[len] == '=')
    {
      *value = arg + len + 1;
      return TRUE;
    }
  if (name[1] != '-' && len == 2)
    {
      *value = arg + len; /* -oDIR */
      return TRUE;
    }
  return FALSE;
}

char **
cs_cli_strip_options (char *const *argv, const char *const *names, const char *const *flags)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; argv[i] != NULL; i++)
    {
      gboolean drop = FALSE;
      const char *value;

      if (g_str_equal (argv[i], "--"))
        {
          for (; argv[i] != NULL; i++)
            g_ptr_array_add (out, g_strdup (argv[i]));
          break;
        }
      for (guint n = 0; names != NULL && names[n] != NULL && !drop; n++)
        if (name_matches (argv[i], names[n], &value))
          {
            drop = TRUE;
            if (value == NULL && argv[i + 1] != NULL)
              i++; /* the value is the next argument */
          }
      for (guint n = 0; flags != NULL && flags[n] != NULL && !drop; n++)
        drop = g_str_equal (argv[i], flags[n]);
      if (!drop)
        g_ptr_array_add (out, g_strdup (argv[i]));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* The scores of one seed's run. */
typedef struct
{
  guint64 seed;
  char *folder; /* or NULL */
  int status;   /* the child's exit status; -1 while it runs */
  guint epochs;
  double acc, nmi, ari;
  double pre_acc, pre_nmi; /* AE + K-means at the end of pretraining */
  double seconds;
  gint64 started;
} SeedRun;

enum
{
  COL_ACC,
  COL_NMI,
  COL_ARI,
  COL_PRE_ACC,
  COL_PRE_NMI,
  COL_SECONDS,
  N_COLS
};

static double *
column (SeedRun *r, guint col)
{
  switch (col)
    {
    case COL_ACC:
      return &r->acc;
    case COL_NMI:
      return &r->nmi;
    case COL_ARI:
      return &r->ari;
    case COL_PRE_ACC:
      return &r->pre_acc;
    case COL_PRE_NMI:
      return &r->pre_nmi;
    case COL_SECONDS:
    default:
      return &r->seconds;
    }
}

typedef struct
{
  const CsSeedsOptions *options;
  SeedRun *runs;
  guint n_runs;
  guint next;    /* the next run to start */
  guint running; /* children not yet finished */
  guint done;
  char *threads; /* OPENBLAS_NUM_THREADS for the children, or NULL to inherit */
  GMainLoop *loop;
} Seeds;

/* "final epoch=100 k=10 acc=0.5380 nmi=0.6030 ari=0.4360 inertia=…" or "kmeans … acc=…". */
static void
parse_result (SeedRun *r, const char *out)
{
  g_auto (GStrv) lines = g_strsplit (out != NULL ? out : "", "\n", -1);

  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_auto (GStrv) words = NULL;

      if (!g_str_has_prefix (lines[l], "final ") && !g_str_has_prefix (lines[l], "kmeans "))
        continue;
      words = g_strsplit (lines[l], " ", -1);
      for (guint w = 0; words[w] != NULL; w++)
        {
          const char *eq = strchr (words[w], '=');
          double v;

          if (eq == NULL)
            continue;
          v = g_ascii_strtod (eq + 1, NULL);
          if (g_str_has_prefix (words[w], "acc="))
            r->acc = v;
          else if (g_str_has_prefix (words[w], "nmi="))
            r->nmi = v;
          else if (g_str_has_prefix (words[w], "ari="))
            r->ari = v;
          else if (g_str_has_prefix (words[w], "epoch="))
            r->epochs = (guint) v;
        }
    }
}

/* The last pretraining epoch's scores, from the run folder. */
static void
read_pretrain_scores (SeedRun *r)
{
  g_autoptr (CsHistory) history = NULL;
  CsSnapshot *const *snaps;
  guint n = 0;

  if (r->folder == NULL)
    return;
  history = cs_run_read_history (r->folder, 0, NULL, NULL);
  if (history == NULL)
    return;
  snaps = cs_history_peek (history, &n);
  for (guint i = 0; i < n; i++)
    if (snaps[i]->phase == CS_PHASE_PRETRAIN)
      {
        r->pre_acc = snaps[i]->metrics.acc;
        r->pre_nmi = snaps[i]->metrics.nmi;
      }
}

static void start_next (Seeds *s);

typedef struct
{
  Seeds *seeds;
  SeedRun *run;
} Child;

static void
on_child_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Child *c = data;
  GSubprocess *proc = G_SUBPROCESS (source);
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  SeedRun *r = c->run;
  Seeds *s = c->seeds;

  if (!g_subprocess_communicate_utf8_finish (proc, result, &out, NULL, &error))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      g_subprocess_wait (proc, NULL, NULL);
    }
  r->seconds = (g_get_monotonic_time () - r->started) / 1e6;
  r->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : 1;
  parse_result (r, out);
  read_pretrain_scores (r);
  /* Other lines a run prints (--choose-k's table) go on to stdout. */
  if (out != NULL)
    {
      g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

      for (guint l = 0; lines[l] != NULL; l++)
        if (*lines[l] && !g_str_has_prefix (lines[l], "final ")
            && !g_str_has_prefix (lines[l], "kmeans "))
          printf ("seed=%" G_GUINT64_FORMAT " %s\n", r->seed, lines[l]);
    }
  if (!s->options->quiet)
    {
      if (r->status == 0)
        fprintf (stderr, _ ("seed %llu done in %.0fs: ACC %.4f, NMI %.4f (%u of %u)\n"),
                 (unsigned long long) r->seed, r->seconds, r->acc, r->nmi, s->done + 1, s->n_runs);
      else
        fprintf (stderr, _ ("seed %llu failed (exit status %d)\n"), (unsigned long long) r->seed,
                 r->status);
    }
  g_free (c);
  s->done++;
  s->running--;
  start_next (s);
  if (s->running == 0 && s->next == s->n_runs)
    g_main_loop_quit (s->loop);
}

static void
start_next (Seeds *s)
{
  while (s->running < MAX (s->options->jobs, 1) && s->next < s->n_runs)
    {
      SeedRun *r = &s->runs[s->next++];
      g_autoptr (GSubprocessLauncher) launcher
          = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GError) error = NULL;
      g_autoptr (GSubprocess) proc = NULL;
      Child *c;

      g_ptr_array_add (args, g_file_read_link ("/proc/self/exe", NULL));
      if (g_ptr_array_index (args, 0) == NULL)
        g_ptr_array_index (args, 0) = g_strdup (s->options->argv[0]);
      for (guint i = 1; s->options->argv[i] != NULL; i++)
        g_ptr_array_add (args, g_strdup (s->options->argv[i]));
      g_ptr_array_add (args, g_strdup ("--seed"));
      g_ptr_array_add (args, g_strdup_printf ("%" G_GUINT64_FORMAT, r->seed));
      if (r->folder != NULL)
        {
          g_ptr_array_add (args, g_strdup ("--output"));
          g_ptr_array_add (args, g_strdup (r->folder));
        }
      /* Several at a time: their progress lines would interleave; each one's end is said. */
      if (s->options->jobs > 1 && !s->options->quiet)
        g_ptr_array_add (args, g_strdup ("--quiet"));
      g_ptr_array_add (args, NULL);
      if (s->threads != NULL)
        g_subprocess_launcher_setenv (launcher, "OPENBLAS_NUM_THREADS", s->threads, TRUE);

      r->started = g_get_monotonic_time ();
      proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, &error);
      s->running++;
      c = g_new0 (Child, 1);
      c->seeds = s;
      c->run = r;
      if (proc == NULL)
        {
          fprintf (stderr, "clusterscope-cli: %s\n", error->message);
          r->status = 1;
          g_free (c);
          s->running--;
          continue;
        }
      g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_child_done, c);
    }
}

static void
mean_std (SeedRun *runs, guint n, guint col, double *mean, double *std)
{
  double sum = 0, sq = 0;
  guint count = 0;

  for (guint i = 0; i < n; i++)
    if (runs[i].status == 0 && !isnan (*column (&runs[i], col)))
      {
        sum += *column (&runs[i], col);
        count++;
      }
  *mean = count ? sum / count : NAN;
  for (guint i = 0; i < n; i++)
    if (runs[i].status == 0 && !isnan (*column (&runs[i], col)))
      sq += (*column (&runs[i], col) - *mean) * (*column (&runs[i], col) - *mean);
  /* The sample standard deviation, as the quality tables give it. */
  *std = count > 1 ? sqrt (sq / (count - 1)) : NAN;
}

static void
csv_number (GString *s, double v, const char *format)
{
  g_string_append_c (s, ',');
  if (!isnan (v))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (s, g_ascii_formatd (buf, sizeof buf, format, v));
    }
}

static gboolean
write_summary (const char *path, SeedRun *runs, guint n, GError **error)
{
  g_autoptr (GString) s = g_string_new ("seed,status,epochs,acc,nmi,ari,pretrain_acc,"
                                        "pretrain_nmi,seconds,folder\n");
  double mean[N_COLS], std[N_COLS];

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (s, "%" G_GUINT64_FORMAT ",%d,%u", runs[i].seed, runs[i].status,
                              runs[i].epochs);
      for (guint c = 0; c < N_COLS; c++)
        csv_number (s, *column (&runs[i], c), c == COL_SECONDS ? "%.1f" : "%.4f");
      g_string_append_printf (s, ",seed-%" G_GUINT64_FORMAT "\n", runs[i].seed);
    }
  for (guint c = 0; c < N_COLS; c++)
    mean_std (runs, n, c, &mean[c], &std[c]);
  for (guint row = 0; row < 2; row++)
    {
      g_string_append (s, row == 0 ? "mean,," : "std,,");
      for (guint c = 0; c < N_COLS; c++)
        csv_number (s, row == 0 ? mean[c] : std[c], c == COL_SECONDS ? "%.1f" : "%.4f");
      g_string_append (s, ",\n");
    }
  return cs_file_write_atomic (path, s->str, s->len, error);
}

static void
print_cell (double v, double spread)
{
  if (isnan (v))
    printf ("  %-15s", "-");
  else if (!isnan (spread))
    printf ("  %.3f ± %.3f  ", v, spread);
  else
    printf ("  %-15.4f", v);
}

static void
print_table (SeedRun *runs, guint n)
{
  static const char *heads[N_COLS] = { "ACC", "NMI", "ARI", "pretrain ACC", "pretrain NMI" };
  double mean, std;

  printf ("%-12s", "seed");
  for (guint c = 0; c < COL_SECONDS; c++)
    printf ("  %-15s", heads[c]);
  printf ("\n");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, runs[i].seed);

      printf ("%-12s", seed);
      for (guint c = 0; c < COL_SECONDS; c++)
        print_cell (runs[i].status == 0 ? *column (&runs[i], c) : NAN, NAN);
      if (runs[i].status != 0)
        /* Translators: a row of the --seeds table for a run that did not finish */
        printf ("  %s %d", _ ("failed, exit status"), runs[i].status);
      printf ("\n");
    }
  printf ("%-12s", "mean ± std");
  for (guint c = 0; c < COL_SECONDS; c++)
    {
      mean_std (runs, n, c, &mean, &std);
      print_cell (mean, isnan (std) ? 0.0 : std);
    }
  printf ("\n");
}

int
cs_cli_run_seeds (const CsSeedsOptions *options, const guint64 *seeds, guint n_seeds)
{
  Seeds s = { 0 };
  g_autoptr (GError) error = NULL;
  int rc = 0;

  s.options = options;
  s.n_runs = n_seeds;
  s.runs = g_new0 (SeedRun, n_seeds);
  for (guint i = 0; i < n_seeds; i++)
    {
      SeedRun *r = &s.runs[i];

      r->seed = seeds[i];
      r->status = -1;
      r->epochs = 0;
      r->acc = r->nmi = r->ari = r->pre_acc = r->pre_nmi = r->seconds = NAN;
      if (options->output != NULL)
        r->folder = g_strdup_printf ("%s/seed-%" G_GUINT64_FORMAT, options->output, seeds[i]);
    }
  if (options->output != NULL && g_mkdir_with_parents (options->output, 0755) != 0)
    {
      int saved = errno;

      fprintf (stderr, "clusterscope-cli: %s: %s\n", options->output, g_strerror (saved));
      rc = 2;
      goto out;
    }
  /* Runs side by side share the cores, unless the environment says how. */
  if (options->jobs > 1 && g_getenv ("OPENBLAS_NUM_THREADS") == NULL)
    s.threads = g_strdup_printf ("%u", MAX (1u, g_get_num_processors () / options->jobs));

  s.loop = g_main_loop_new (NULL, FALSE);
  start_next (&s);
  if (s.running > 0)
    g_main_loop_run (s.loop);
  g_main_loop_unref (s.loop);

  print_table (s.runs, n_seeds);
  if (options->output != NULL)
    {
      g_autofree char *path = g_build_filename (options->output, "summary.csv", NULL);

      if (!write_summary (path, s.runs, n_seeds, &error))
        {
          fprintf (stderr, "clusterscope-cli: %s\n", error->message);
          rc = 1;
        }
      else if (!options->quiet)
        fprintf (stderr, _ ("summary written to %s\n"), path);
    }
  for (guint i = 0; i < n_seeds && rc == 0; i++)
    if (s.runs[i].status != 0)
      rc = s.runs[i].status;

out:
  for (guint i = 0; i < n_seeds; i++)
    g_free (s.runs[i].folder);
  g_free (s.runs);
  g_free (s.threads);
  return rc;
}
