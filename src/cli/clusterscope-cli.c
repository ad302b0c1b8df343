/* clusterscope-cli: the headless runner on the same engine as the application.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "clusterscope-cli"

#include "config.h"

#include <cblas.h>
#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cs-dataset-load.h"
#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-history.h"
#include "cs-kmeans.h"
#include "cs-metrics.h"
#include "cs-run.h"
#include "cs-thread-tuner.h"
#include "cs-threads.h"
#include "cs-trainer.h"

#define EXIT_USAGE 2
#define EXIT_RUN 1

/* Options; sentinels mark "not given" so that --config values survive. */
static char *opt_dataset = NULL;
static char *opt_labels = NULL;
static char *opt_label_column = NULL;
static gboolean opt_standardize = FALSE;
static char *opt_config = NULL;
static char *opt_output = NULL;
static char *opt_load_model = NULL;
static gint opt_syn_n = -1, opt_syn_d = -1, opt_syn_k = -1;
static gboolean opt_kmeans_only = FALSE;
static gboolean opt_quiet = FALSE;
static gboolean opt_adaptive_threads = FALSE;
static gboolean opt_version = FALSE;

/* A run setting given on the command line, as text, at the index of its row in the settings
 * table; setting_entries makes the options from the table. */
static char *opt_settings[64];

static GOptionEntry entries[] = {
  { "dataset", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dataset,
    "synthetic (pen-stroke glyphs that K-means on the pixels gets wrong), synthetic-blobs (easy "
    "Gaussian blobs), fashion-mnist-test (default), fashion-mnist-train, fashion-mnist (70k) or a "
    "file (.idx/-ubyte[.gz], .csv, .npy)",
    "SPEC" },
  { "labels", 0, 0, G_OPTION_ARG_FILENAME, &opt_labels, "Separate label file (IDX or .npy)",
    "PATH" },
  { "label-column", 0, 0, G_OPTION_ARG_STRING, &opt_label_column,
    "CSV label column (name or 0-based index, negative from the end)", "NAME|INDEX" },
  { "standardize", 0, 0, G_OPTION_ARG_NONE, &opt_standardize,
    "Scale CSV features to zero mean and unit variance", NULL },
  { "synthetic-n", 0, 0, G_OPTION_ARG_INT, &opt_syn_n, "Synthetic: number of points", "N" },
  { "synthetic-d", 0, 0, G_OPTION_ARG_INT, &opt_syn_d,
    "Synthetic: dimension (default 144 = 12 x 12 pixels for synthetic, which needs a square; 50 "
    "for synthetic-blobs)",
    "D" },
  { "synthetic-k", 0, 0, G_OPTION_ARG_INT, &opt_syn_k, "Synthetic: number of clusters", "K" },
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    "Settings from a JSON file (a run's config.json); options given here override it", "FILE" },
  { NULL }
};

/* After the settings in --help. */
static GOptionEntry run_entries[]
    = { { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
          "Write the run folder (config.json, metrics.csv, labels.csv, model.bin)", "DIR" },
        { "load-model", 0, 0, G_OPTION_ARG_FILENAME, &opt_load_model,
          "Start from saved weights (a run's model.bin): pretraining is skipped", "FILE" },
        { "kmeans-only", 0, 0, G_OPTION_ARG_NONE, &opt_kmeans_only,
          "Baseline: plain K-means on the input features, no network", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "No per-epoch progress lines", NULL },
        { "adaptive-threads", 0, 0, G_OPTION_ARG_NONE, &opt_adaptive_threads,
          "Train on fewer threads while other programs keep cores busy (ignored when "
          "OPENBLAS_NUM_THREADS names a count)",
          NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
        { NULL } };

static int usage_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *fmt, ...)
{
  va_list ap;

  fputs ("clusterscope-cli: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputs ("\nTry 'clusterscope-cli --help'.\n", stderr);
  return EXIT_USAGE;
}

/* The options of the settings table's rows that have one, their defaults in the help. The array
 * and its strings belong to strings. */
static GOptionEntry *
setting_entries (GPtrArray *strings)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  GOptionEntry *out = g_new0 (GOptionEntry, n + 1);
  CsSettings defaults;
  guint j = 0;

  g_assert (n <= G_N_ELEMENTS (opt_settings));
  g_ptr_array_add (strings, out);
  cs_settings_init_default (&defaults);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *def = NULL;
      GString *help;

      if (descs[i].option == NULL)
        continue;
      def = cs_settings_format (&defaults, &descs[i]);
      help = g_string_new (descs[i].summary);
      for (guint c = 0; c < descs[i].n_choices; c++)
        g_string_append_printf (help, "%s%s",
                                c == 0                       ? ": "
                                : c + 1 < descs[i].n_choices ? ", "
                                                             : " or ",
                                descs[i].choices[c].nick);
      g_string_append_printf (help, " (default %s)", def);
      out[j] = (GOptionEntry){ descs[i].option,     descs[i].short_option, 0,
                               G_OPTION_ARG_STRING, &opt_settings[i],      help->str,
                               descs[i].arg };
      g_ptr_array_add (strings, g_string_free (help, FALSE));
      j++;
    }
  return out;
}

/* Whether -k was given: without it (and without --config) a labelled dataset sets K to its
 * number of classes, as the window does. */
static gboolean
k_given (void)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);

  return opt_settings[cs_settings_find ("k") - descs] != NULL;
}

/* Applies the settings given on the command line over s; returns an exit code or 0. */
static int
apply_options (CsSettings *s)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);

  for (guint i = 0; i < n; i++)
    if (opt_settings[i] != NULL)
      {
        g_autofree char *name = descs[i].short_option
                                    ? g_strdup_printf ("-%c", descs[i].short_option)
                                    : g_strdup_printf ("--%s", descs[i].option);
        g_autoptr (GError) error = NULL;

        if (!cs_settings_parse (s, &descs[i], name, opt_settings[i], &error))
          return usage_error ("%s", error->message);
      }
  return 0;
}

static void
print_metric (GString *line, const char *name, double v)
{
  if (!isnan (v))
    g_string_append_printf (line, "  %s %.4f", name, v);
}

typedef struct
{
  CsHistory *history; /* the last epoch full (for labels.csv), earlier ones light */
  guint total_epochs;
  GMutex lock;
} RunState;

static void
on_snapshot (CsSnapshot *snap, gpointer user_data)
{
  RunState *st = user_data;

  g_mutex_lock (&st->lock);
  cs_history_append (st->history, snap);
  g_mutex_unlock (&st->lock);

  if (!opt_quiet)
    {
      g_autoptr (GString) line = g_string_new (NULL);
      const CsEpochMetrics *mt = &snap->metrics;

      g_string_append_printf (line, "epoch %3u/%u %-8s", snap->epoch, st->total_epochs,
                              cs_phase_to_string (snap->phase));
      print_metric (line, "rec", mt->loss_rec);
      print_metric (line, "clu", mt->loss_clu);
      print_metric (line, "ACC", mt->acc);
      print_metric (line, "NMI", mt->nmi);
      print_metric (line, "ARI", mt->ari);
      print_metric (line, "change", mt->label_change);
      g_string_append_printf (line, "  K %u%s  %.2fs", snap->k,
                              snap->reinitialised ? "  reinit" : "", mt->seconds);
      fprintf (stderr, "%s\n", line->str);
    }
}

typedef struct
{
  CsTrainer *trainer;
  GCancellable *cancellable;
  GMainLoop *loop;
  gboolean ok;
  GError *error;
} Worker;

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  w->ok = cs_trainer_run (w->trainer, w->cancellable, &w->error);
  /* From the main loop itself: a quit before main () enters g_main_loop_run () would be lost
   * and the CLI would wait forever after a short run. */
  g_idle_add (quit_loop, w->loop);
  return NULL;
}

static gboolean
on_sigint (gpointer data)
{
  Worker *w = data;

  fprintf (stderr, "clusterscope-cli: interrupted, stopping after the current batch\n");
  g_cancellable_cancel (w->cancellable);
  cs_trainer_cancel (w->trainer);
  return G_SOURCE_CONTINUE;
}

static int
run_kmeans_only (CsDataset *ds, const CsSettings *s)
{
  CsKMeansOptions opt;
  CsKMeansResult res;
  g_autofree float *centers = g_new (float, (gsize) s->k * ds->d);
  g_autofree gint32 *labels = g_new (gint32, ds->n);
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  cs_kmeans_options_init (&opt, s->k);
  opt.n_init = s->kmeans_n_init;
  opt.max_iter = s->kmeans_max_iter;
  opt.tol = s->kmeans_tol;
  opt.seed = s->seed;
  if (!cs_kmeans (ds->x, ds->n, ds->d, &opt, centers, labels, &res, NULL, &error))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_RUN;
    }
  printf ("kmeans k=%u n_init=%u inertia=%.6g iterations=%u seconds=%.2f", s->k, opt.n_init,
          res.inertia, res.n_iter, (g_get_monotonic_time () - t0) / 1e6);
  if (ds->labels)
    {
      g_autoptr (CsContingency) c
          = cs_contingency_new (ds->labels, ds->n_classes, labels, s->k, ds->n);
      printf (" acc=%.4f nmi=%.4f ari=%.4f", cs_metric_acc (c), cs_metric_nmi (c, s->nmi_average),
              cs_metric_ari (c));
    }
  printf ("\n");
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  gboolean adaptive = FALSE;
  g_autofree char *config_spec = NULL;
  CsSettings settings;
  CsLoadOptions load;
  gboolean k_from_classes;
  const char *spec;
  RunState st = { 0 };
  CsSnapshot *last;
  Worker w = { 0 };
  GThread *thread;
  guint sig;
  int rc;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- train a K-means-friendly autoencoder and report the clusters");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, setting_entries (strings), NULL);
  g_option_context_add_main_entries (context, run_entries, NULL);
  g_option_context_set_description (
      context, "Exit status: 0 on success, 1 when the run fails, 2 for bad arguments or input.\n");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (opt_version)
    {
      printf ("clusterscope-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc > 1)
    return usage_error ("unexpected argument '%s'", argv[1]);

  cs_settings_init_default (&settings);
  if (opt_config && !cs_run_read_config (opt_config, &settings, &config_spec, &error))
    return usage_error ("%s", error->message);
  if ((rc = apply_options (&settings)) != 0)
    return rc;
  if (!cs_settings_validate (&settings, &error))
    return usage_error ("%s", error->message);

  spec = opt_dataset ? opt_dataset : config_spec ? config_spec : "fashion-mnist-test";
  cs_load_options_init (&load);
  load.labels_path = opt_labels;
  load.label_column = opt_label_column;
  load.standardize = opt_standardize;
  load.synthetic.seed = settings.seed;
  if (opt_syn_n > 0)
    load.synthetic.n = opt_syn_n;
  if (opt_syn_d > 0)
    load.synthetic.d = opt_syn_d;
  if (opt_syn_k > 0)
    load.synthetic.k = opt_syn_k;
  {
    gint64 t0 = g_get_monotonic_time ();
    ds = cs_dataset_load (spec, &load, &error);
    if (ds == NULL)
      {
        fprintf (stderr, "clusterscope-cli: %s\n", error->message);
        return EXIT_USAGE;
      }
    k_from_classes = !k_given () && opt_config == NULL && ds->n_classes >= 2;
    if (k_from_classes)
      settings.k = MIN (ds->n_classes, CS_MAX_K);
    if (!opt_quiet)
      {
        g_autofree char *k_note
            = k_from_classes ? g_strdup_printf (
                  "; K = %u, its number of classes (-k chooses another)", settings.k)
                             : g_strdup ("");
        fprintf (stderr, "dataset %s: %zu x %u%s, loaded in %.2fs%s\n", ds->name, ds->n, ds->d,
                 ds->labels ? "" : " (no labels)", (g_get_monotonic_time () - t0) / 1e6, k_note);
      }
  }

  if (opt_kmeans_only)
    return run_kmeans_only (ds, &settings);

  trainer = cs_trainer_new (ds, &settings, &error);
  if (trainer == NULL)
    return usage_error ("%s", error->message);
  if (opt_load_model && !cs_trainer_load_model (trainer, opt_load_model, &error))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  /* Off unless asked for: two threads of the engine's own are not slower than one under load
   * (README, "Threads"). Never when the environment names a count. */
  adaptive = opt_adaptive_threads && !cs_threads_count_is_fixed ();
  cs_trainer_set_adaptive_threads (trainer, adaptive);

  st.history = cs_history_new (1);
  st.total_epochs = (opt_load_model ? 0 : settings.pretrain_epochs) + settings.epochs;
  g_mutex_init (&st.lock);
  cs_trainer_set_snapshot_func (trainer, on_snapshot, &st);

  w.trainer = trainer;
  w.cancellable = g_cancellable_new ();
  w.loop = g_main_loop_new (NULL, FALSE);
  sig = g_unix_signal_add (SIGINT, on_sigint, &w);
  thread = g_thread_new ("cs-train", worker_thread, &w);
  g_main_loop_run (w.loop);
  g_thread_join (thread);
  g_source_remove (sig);

  rc = 0;
  if (!w.ok)
    {
      fprintf (stderr, "clusterscope-cli: %s\n", w.error->message);
      rc = g_error_matches (w.error, CS_ERROR, CS_ERROR_CANCELLED) ? 130 : EXIT_RUN;
    }
  last = cs_history_get_latest (st.history);
  if (rc == 0 && last)
    {
      const CsEpochMetrics *mt = &last->metrics;
      printf ("final epoch=%u k=%u", last->epoch, last->k);
      if (!isnan (mt->acc))
        printf (" acc=%.4f nmi=%.4f ari=%.4f", mt->acc, mt->nmi, mt->ari);
      printf (" inertia=%.6g\n", mt->inertia);
    }
  if (adaptive && !opt_quiet)
    fprintf (stderr, "BLAS threads: adaptive between 1 and %d, %u change(s) of choice\n",
             openblas_get_num_threads (), cs_trainer_get_thread_switches (trainer));
  if (rc == 0 && opt_output)
    {
      CsSettings final_settings;
      /* The run has ended: the model is there at once. */
      g_autoptr (GBytes) model = cs_trainer_dup_model (trainer, NULL);
      guint n_history = 0;
      CsSnapshot *const *history = cs_history_peek (st.history, &n_history);

      cs_trainer_get_settings (trainer, &final_settings);
      if (!cs_run_write_folder (opt_output, &final_settings, spec, ds, history, n_history, model,
                                &error))
        {
          fprintf (stderr, "clusterscope-cli: %s\n", error->message);
          rc = EXIT_RUN;
        }
      else if (!opt_quiet)
        fprintf (stderr, "run written to %s\n", opt_output);
    }

  g_clear_error (&w.error);
  g_clear_object (&w.cancellable);
  g_main_loop_unref (w.loop);
  cs_history_unref (st.history);
  g_mutex_clear (&st.lock);
  return rc;
}
