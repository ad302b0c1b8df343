/* clusterscope-cli: the headless runner on the same engine as the application.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "clusterscope-cli"

#include "config.h"

#include <cblas.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cs-animation.h"
#include "cs-checkpoint.h"
#include "cs-cli-seeds.h"
#include "cs-dataset-load.h"
#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-export.h"
#include "cs-file.h"
#include "cs-history.h"
#include "cs-kchoice.h"
#include "cs-kmeans.h"
#include "cs-metrics.h"
#include "cs-run.h"
#include "cs-thread-tuner.h"
#include "cs-threads.h"
#include "cs-trainer.h"

#define EXIT_USAGE 2
#define EXIT_RUN 1
#define EXIT_DIVERGED 3

/* Options; sentinels mark "not given" so that --config values survive. */
static char *opt_dataset = NULL;
static char *opt_labels = NULL;
static char *opt_label_column = NULL;
static gboolean opt_standardize = FALSE;
static char *opt_config = NULL;
static char *opt_output = NULL;
static char *opt_load_model = NULL;
static char *opt_animation = NULL;
static gint opt_animation_fps = 4;
static gint opt_syn_n = -1, opt_syn_d = -1, opt_syn_k = -1;
static gboolean opt_kmeans_only = FALSE;
static gboolean opt_quiet = FALSE;
static gboolean opt_adaptive_threads = FALSE;
static gboolean opt_version = FALSE;
static gint opt_checkpoint_every = 0;
static char *opt_resume = NULL;
static gint opt_from_epoch = 0;
static char *opt_choose_k = NULL;
static guint choose_k_min = 0, choose_k_max = 0;
static char *opt_seeds = NULL;
static char *opt_preset = NULL;
static gint opt_jobs = 1;

/* A run setting given on the command line, as text, at the index of its row in the settings
 * table; setting_entries makes the options from the table. */
static char *opt_settings[64];

/* Descriptions and argument names are translated by GOption when --help prints them. */
static GOptionEntry entries[] = {
  { "dataset", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dataset,
    N_ ("synthetic (pen-stroke glyphs that K-means on the pixels gets wrong), synthetic-blobs "
        "(easy Gaussian blobs), fashion-mnist-test (default), fashion-mnist-train, fashion-mnist "
        "(70k) or a file (.idx/-ubyte[.gz], .csv, .npy)"),
    N_ ("SPEC") },
  { "labels", 0, 0, G_OPTION_ARG_FILENAME, &opt_labels, N_ ("Separate label file (IDX or .npy)"),
    N_ ("PATH") },
  { "label-column", 0, 0, G_OPTION_ARG_STRING, &opt_label_column,
    N_ ("CSV label column (name or 0-based index, negative from the end)"), N_ ("NAME|INDEX") },
  { "standardize", 0, 0, G_OPTION_ARG_NONE, &opt_standardize,
    N_ ("Scale CSV features to zero mean and unit variance"), NULL },
  { "synthetic-n", 0, 0, G_OPTION_ARG_INT, &opt_syn_n, N_ ("Synthetic: number of points"), "N" },
  { "synthetic-d", 0, 0, G_OPTION_ARG_INT, &opt_syn_d,
    N_ ("Synthetic: dimension (default 144 = 12 x 12 pixels for synthetic, which needs a square; "
        "50 for synthetic-blobs)"),
    "D" },
  { "synthetic-k", 0, 0, G_OPTION_ARG_INT, &opt_syn_k, N_ ("Synthetic: number of clusters"), "K" },
  { "preset", 0, 0, G_OPTION_ARG_STRING, &opt_preset,
    N_ ("full: the paper's scale, all 70 000 Fashion-MNIST images (unless --dataset names "
        "another) with 100 pretraining epochs; other options given here override it"),
    N_ ("NAME") },
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    N_ ("Settings from a JSON file (a run's config.json); options given here override it"),
    N_ ("FILE") },
  { NULL }
};

/* After the settings in --help. */
static GOptionEntry run_entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    N_ ("Write the run folder (config.json, metrics.csv, labels.csv, model.bin; prototypes.png "
        "for images)"),
    N_ ("DIR") },
  { "animation", 0, 0, G_OPTION_ARG_FILENAME, &opt_animation,
    N_ ("Write the scatter of every epoch as a video (.webm) or an animated GIF (.gif) at the "
        "end of the run"),
    N_ ("FILE") },
  { "animation-fps", 0, 0, G_OPTION_ARG_INT, &opt_animation_fps,
    N_ ("Epochs per second of --animation (1-30, default 4)"), N_ ("N") },
  { "load-model", 0, 0, G_OPTION_ARG_FILENAME, &opt_load_model,
    N_ ("Start from saved weights (a run's model.bin): pretraining is skipped"), N_ ("FILE") },
  { "checkpoint-every", 0, 0, G_OPTION_ARG_INT, &opt_checkpoint_every,
    N_ ("Write a checkpoint every N epochs into the run folder's checkpoints/"), "N" },
  { "resume", 0, 0, G_OPTION_ARG_FILENAME, &opt_resume,
    N_ ("Continue a run folder's run from its latest checkpoint (or --from-epoch's); settings "
        "given here apply from the next epoch"),
    N_ ("DIR") },
  { "from-epoch", 0, 0, G_OPTION_ARG_INT, &opt_from_epoch,
    N_ ("With --resume: the epoch whose checkpoint to continue from"), "E" },
  { "choose-k", 0, 0, G_OPTION_ARG_STRING, &opt_choose_k,
    N_ ("At the end of the run, K-means for every K in the range on the final latent codes: a "
        "table of K, inertia and silhouette"),
    N_ ("MIN-MAX") },
  { "seeds", 0, 0, G_OPTION_ARG_STRING, &opt_seeds,
    N_ ("Run the same settings once per seed (a list or ranges: 0-4, 0,3,7), a run folder each "
        "under --output (seed-S), and print each score's mean ± std (also in --output's "
        "summary.csv)"),
    N_ ("LIST") },
  { "jobs", 0, 0, G_OPTION_ARG_INT, &opt_jobs,
    N_ ("With --seeds: runs at a time, sharing the cores (default 1)"), "N" },
  { "kmeans-only", 0, 0, G_OPTION_ARG_NONE, &opt_kmeans_only,
    N_ ("Baseline: plain K-means on the input features, no network"), NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, N_ ("No per-epoch progress lines"), NULL },
  { "adaptive-threads", 0, 0, G_OPTION_ARG_NONE, &opt_adaptive_threads,
    N_ ("Train on fewer threads while other programs keep cores busy (ignored when "
        "OPENBLAS_NUM_THREADS names a count)"),
    NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_ ("Print the version and exit"), NULL },
  { NULL }
};

static int usage_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *fmt, ...)
{
  va_list ap;

  fputs ("clusterscope-cli: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fprintf (stderr, "\n%s\n", _ ("Try 'clusterscope-cli --help'."));
  return EXIT_USAGE;
}

/* "2-30": the range of --choose-k, 2 <= MIN <= MAX <= the largest K. */
static int
parse_choose_k (const char *text)
{
  guint64 lo = 0, hi = 0;
  g_auto (GStrv) parts = g_strsplit (text, "-", 2);

  if (g_strv_length (parts) != 2
      || !g_ascii_string_to_unsigned (parts[0], 10, 2, CS_MAX_K, &lo, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, lo, CS_MAX_K, &hi, NULL))
    return usage_error (_ ("--choose-k takes a range MIN-MAX with 2 <= MIN <= MAX <= %u, not “%s”"),
                        CS_MAX_K, text);
  choose_k_min = (guint) lo;
  choose_k_max = (guint) hi;
  return 0;
}

/* The --choose-k table on the final codes, on stdout. */
static int
print_choose_k (const CsSnapshot *last, guint64 seed)
{
  g_autoptr (GError) error = NULL;
  guint n_k = choose_k_max - choose_k_min + 1;
  g_autofree double *inertia = g_new (double, n_k);
  g_autofree double *silhouette = g_new (double, n_k);
  CsKChoiceOptions options;
  gint64 t0 = g_get_monotonic_time ();
  guint best = 0;

  cs_kchoice_options_init (&options);
  options.k_min = choose_k_min;
  options.k_max = choose_k_max;
  options.seed = seed;
  if (last == NULL || last->codes == NULL)
    {
      fprintf (stderr, "clusterscope-cli: %s\n", _ ("--choose-k: the run left no latent codes"));
      return EXIT_RUN;
    }
  if (!cs_kchoice_run (last->codes, last->n, last->m, &options, NULL, NULL, inertia, silhouette,
                       NULL, &error))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_RUN;
    }
  for (guint i = 0; i < n_k; i++)
    {
      if (isnan (inertia[i]))
        continue;
      printf ("choose-k k=%u inertia=%.6g silhouette=%.4f\n", choose_k_min + i, inertia[i],
              silhouette[i]);
      if (best == 0 || silhouette[i] > silhouette[best - choose_k_min])
        best = choose_k_min + i;
    }
  printf ("choose-k best=%u seconds=%.2f\n", best, (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}

/* The options of the settings table's rows that have one, their defaults in the help. The array
 * and its strings belong to strings; the descriptions are made of translated parts already. */
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
      help = g_string_new (_ (descs[i].summary));
      for (guint c = 0; c < descs[i].n_choices; c++)
        g_string_append_printf (help, "%s%s",
                                c == 0                       ? ": "
                                : c + 1 < descs[i].n_choices ? ", "
                                                             : _ (" or "),
                                descs[i].choices[c].nick);
      /* Translators: after an option's description in --help; %s is its default value */
      g_string_append_printf (help, _ (" (default %s)"), def);
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

/* The live bits of the settings given on the command line; NULL, or the option of one that is
 * not live (a resumed run cannot change it), in *fixed. */
static CsSettingMask
given_live_mask (const char **fixed)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  CsSettingMask mask = 0;

  *fixed = NULL;
  for (guint i = 0; i < n; i++)
    if (opt_settings[i] != NULL)
      {
        if (descs[i].live == 0)
          *fixed = descs[i].option;
        mask |= descs[i].live;
      }
  return mask;
}

/* Called on the worker: writes the checkpoint into the run folder. A failure is said and the
 * run goes on (the run folder itself is written at the end all the same). */
static void
on_checkpoint (guint epoch, GBytes *bytes, gboolean notable, gpointer user_data)
{
  g_autofree char *path = cs_checkpoint_path (user_data, epoch);
  g_autoptr (GError) error = NULL;

  if (!cs_file_write_atomic (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                             &error))
    fprintf (stderr, "clusterscope-cli: %s\n", error->message);
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

static const char *
phase_name (CsPhase phase)
{
  switch (phase)
    {
    case CS_PHASE_PRETRAIN:
      return C_ ("phase", "pretrain");
    case CS_PHASE_CLUSTER:
      return C_ ("phase", "cluster");
    default:
      return cs_phase_to_string (phase);
    }
}

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

      /* Translators: a progress line's start, "epoch   3/100 pretrain"; then come the metrics */
      g_string_append_printf (line, _ ("epoch %3u/%u %-8s"), snap->epoch, st->total_epochs,
                              phase_name (snap->phase));
      print_metric (line, "rec", mt->loss_rec);
      print_metric (line, "clu", mt->loss_clu);
      print_metric (line, "ACC", mt->acc);
      print_metric (line, "NMI", mt->nmi);
      print_metric (line, "ARI", mt->ari);
      /* Translators: the share of points whose cluster changed in the epoch */
      print_metric (line, _ ("change"), mt->label_change);
      g_string_append_printf (line, "  K %u", snap->k);
      if (snap->reinitialised)
        /* Translators: the centroids were re-initialised in this epoch */
        g_string_append_printf (line, "  %s", _ ("reinit"));
      g_string_append_printf (line, "  %.2fs", mt->seconds);
      fprintf (stderr, "%s\n", line->str);
    }
}

typedef struct
{
  CsTrainer *trainer;
  GCancellable *cancellable;
  gint done; /* atomic: the worker has returned */
  gboolean ok;
  GError *error;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  w->ok = cs_trainer_run (w->trainer, w->cancellable, &w->error);
  /* A flag and a wake-up, not an idle source: nothing allocated here is freed by the main
   * thread behind GLib's locks, which ThreadSanitizer cannot see; and a run that ends before
   * the main loop turns is not missed (the wake-up stays pending). */
  g_atomic_int_set (&w->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
on_sigint (gpointer data)
{
  Worker *w = data;

  fprintf (stderr, "clusterscope-cli: %s\n", _ ("interrupted, stopping after the current batch"));
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

/* --animation: a name without .webm / .gif or a machine without the encoder is an error before
 * the dataset is read. */
static int
check_animation (const char *path)
{
  g_autoptr (GError) error = NULL;
  CsAnimationFormat format;

  if (opt_animation_fps < 1 || opt_animation_fps > 30)
    return usage_error (_ ("--animation-fps: %d is not between 1 and 30"), opt_animation_fps);
  if (!cs_animation_format_from_path (path, &format))
    return usage_error (_ ("--animation: '%s' does not end in .webm or .gif"), path);
  if (!cs_animation_check_format (format, &error))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  return 0;
}

/* A folder that cannot take the file is an error before the run, not after it; checked once
 * the run folder is made, so that the file may go into it (-o run --animation run/run.webm). */
static int
probe_animation (const char *path)
{
  g_autoptr (GError) error = NULL;
  CsFileSink *probe = cs_file_sink_new (path, &error);

  if (probe == NULL)
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  cs_file_sink_abort (probe);
  return 0;
}

/* The scatter of every epoch, through the window's export (--animation-fps, 1600 x 1000). */
static int
write_animation (const char *path, CsDataset *ds, CsHistory *history)
{
  g_autoptr (GError) error = NULL;
  CsExportSource source;
  gint64 t0 = g_get_monotonic_time ();

  cs_export_source_init (&source);
  source.dataset = ds;
  source.history = cs_history_peek (history, &source.n_history);
  source.view.fps = opt_animation_fps;
  if (!cs_export_write (CS_EXPORT_ANIMATION, path, &source, &error))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_RUN;
    }
  if (!opt_quiet)
    fprintf (stderr, _ ("animation written to %s (%u frames in %.1fs)\n"), path, source.n_history,
             (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}

/* --seeds: the command line again for each seed, without --seeds, --jobs and --output. */
static int
run_seeds (char **argv_given)
{
  static const char *const names[] = { "--seeds", "--jobs", "--output", "-o", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) seeds = NULL;
  g_auto (GStrv) child_argv = NULL;
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  const CsSettingDesc *seed = cs_settings_find ("seed");
  CsSeedsOptions options;

  if (opt_settings[seed - descs] != NULL)
    return usage_error ("%s", _ ("--seeds runs one seed after the other: it cannot go with "
                                 "--seed"));
  if (opt_resume != NULL || opt_animation != NULL)
    return usage_error ("%s", _ ("--seeds cannot go with --resume or --animation"));
  if (opt_jobs < 1 || opt_jobs > 64)
    return usage_error (_ ("--jobs: %d is not between 1 and 64"), opt_jobs);
  if (!(seeds = cs_cli_parse_seeds (opt_seeds, (guint64) seed->max, &error)))
    return usage_error ("%s", error->message);
  child_argv = cs_cli_strip_options (argv_given, names, NULL);
  options.argv = child_argv;
  options.output = opt_output;
  options.jobs = (guint) opt_jobs;
  options.quiet = opt_quiet;
  return cs_cli_run_seeds (&options, (const guint64 *) (gpointer) seeds->data, seeds->len);
}

/* Started from the build tree, the messages come from the catalogues compiled there, as the
 * application's do (main.c); installed, from LOCALEDIR. */
static const char *
locale_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  char build_dir[PATH_MAX];

  if (dir != NULL && realpath (BUILD_CLI_DIR, build_dir) != NULL && g_str_equal (dir, build_dir))
    return BUILD_LOCALEDIR;
  return LOCALEDIR;
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
  g_auto (GStrv) argv_given = NULL;
  CsSettings settings;
  CsLoadOptions load;
  gboolean k_from_classes;
  const char *spec;
  RunState st = { 0 };
  CsSnapshot *last;
  g_autofree char *metrics_rows = NULL; /* a resumed run's parent rows */
  g_autofree char *metrics_path = NULL;
  Worker w = { 0 };
  GThread *thread;
  guint sig;
  int rc;

  /* --seeds runs this command line again for each seed. */
  argv_given = g_strdupv (argv);
  setlocale (LC_ALL, "");
  /* Numbers stay in C notation (stdout is read by programs; metrics.csv too). */
  setlocale (LC_NUMERIC, "C");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* GOption translates these, and the entries, through the domain when it prints them. */
  context = g_option_context_new (
      N_ ("- train a K-means-friendly autoencoder and report the clusters"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, setting_entries (strings), GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, run_entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
      context, N_ ("Exit status: 0 on success, 1 when the run fails, 2 for bad arguments or "
                   "input, 3 when training diverged (the run folder then holds the last good "
                   "epoch).\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (opt_version)
    {
      printf ("clusterscope-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc > 1)
    return usage_error (_ ("unexpected argument '%s'"), argv[1]);

  cs_settings_init_default (&settings);
  if (opt_resume != NULL && opt_config != NULL)
    return usage_error (_ ("--resume continues a run with its own settings; it cannot take "
                           "--config"));
  if (opt_from_epoch != 0 && opt_resume == NULL)
    return usage_error (_ ("--from-epoch needs --resume"));
  if (opt_checkpoint_every < 0 || (opt_checkpoint_every > 0 && opt_output == NULL))
    return usage_error (_ ("--checkpoint-every needs a positive N and --output"));
  if (opt_resume != NULL)
    {
      /* The parent's dataset (unless -d names another spelling of it). */
      g_autofree char *parent = g_build_filename (opt_resume, "config.json", NULL);

      if (!cs_run_read_config (parent, &settings, &config_spec, &error))
        return usage_error ("%s", error->message);
    }
  if (opt_config && !cs_run_read_config (opt_config, &settings, &config_spec, &error))
    return usage_error ("%s", error->message);
  if (opt_preset != NULL)
    {
      if (opt_config != NULL || opt_resume != NULL)
        return usage_error ("%s", _ ("--preset sets a run's settings: it cannot go with --config "
                                     "or --resume"));
      if (!g_str_equal (opt_preset, "full"))
        return usage_error (_ ("unknown preset '%s' (there is: full)"), opt_preset);
      /* Fashion-MNIST's 70 000 images and a longer pretraining (27 000 steps of 256, against
       * 2 000 for the test set's 50 epochs); the method's settings stay the defaults. */
      if (config_spec == NULL)
        config_spec = g_strdup ("fashion-mnist");
      settings.pretrain_epochs = 100;
    }
  if ((rc = apply_options (&settings)) != 0)
    return rc;
  if (!cs_settings_validate (&settings, &error))
    return usage_error ("%s", error->message);
  if (opt_animation && (rc = check_animation (opt_animation)) != 0)
    return rc;
  if (opt_choose_k && (rc = parse_choose_k (opt_choose_k)) != 0)
    return rc;
  if (opt_choose_k && opt_kmeans_only)
    return usage_error ("%s", _ ("--choose-k clusters the latent codes of a run: it cannot go "
                                 "with --kmeans-only"));

  if (opt_seeds != NULL)
    return run_seeds (argv_given);

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
  /* A synthetic run read back (--resume, --config) is made again with the shape it recorded,
   * unless the command line gives another. */
  if ((opt_resume != NULL || opt_config != NULL) && g_str_has_prefix (spec, "synthetic"))
    {
      g_autofree char *parent
          = opt_resume ? g_build_filename (opt_resume, "config.json", NULL) : g_strdup (opt_config);
      guint n = 0, d = 0, classes = 0;

      if (cs_run_read_dataset_shape (parent, &n, &d, &classes))
        {
          if (opt_syn_n <= 0)
            load.synthetic.n = n;
          if (opt_syn_d <= 0)
            load.synthetic.d = d;
          if (opt_syn_k <= 0 && classes > 0)
            load.synthetic.k = classes;
        }
    }
  {
    gint64 t0 = g_get_monotonic_time ();
    ds = cs_dataset_load (spec, &load, &error);
    if (ds == NULL)
      {
        fprintf (stderr, "clusterscope-cli: %s\n", error->message);
        return EXIT_USAGE;
      }
    k_from_classes = !k_given () && opt_config == NULL && opt_resume == NULL && ds->n_classes >= 2;
    if (k_from_classes)
      settings.k = MIN (ds->n_classes, CS_MAX_K);
    if (!opt_quiet)
      {
        double seconds = (g_get_monotonic_time () - t0) / 1e6;
        g_autofree char *k_note
            = k_from_classes ? g_strdup_printf (
                  _ ("; K = %u, its number of classes (-k chooses another)"), settings.k)
                             : g_strdup ("");

        /* Translators: the dataset's name, samples x features, the seconds it took to load,
         * and perhaps a note on K */
        if (ds->labels)
          fprintf (stderr, _ ("dataset %s: %zu x %u, loaded in %.2fs%s\n"), ds->name, ds->n, ds->d,
                   seconds, k_note);
        else
          fprintf (stderr, _ ("dataset %s: %zu x %u (no labels), loaded in %.2fs%s\n"), ds->name,
                   ds->n, ds->d, seconds, k_note);
      }
  }

  if (opt_kmeans_only)
    return run_kmeans_only (ds, &settings);

  if (opt_resume != NULL)
    {
      const char *fixed = NULL;
      CsSettingMask live = given_live_mask (&fixed);
      g_autofree char *path = NULL;
      CsCheckpoint *checkpoint;
      guint from = 0;

      if (fixed != NULL)
        return usage_error (_ ("--%s cannot change when resuming (only settings that a running "
                               "job takes can)"),
                            fixed);
      path = cs_checkpoint_find (opt_resume, (guint) MAX (opt_from_epoch, 0), &from, &error);
      checkpoint = path ? cs_checkpoint_load (path, &error) : NULL;
      trainer = checkpoint ? cs_trainer_new_from_checkpoint (ds, checkpoint, &error) : NULL;
      metrics_rows = trainer ? cs_run_read_metrics_rows (opt_resume, from, &error) : NULL;
      if (metrics_rows == NULL)
        {
          fprintf (stderr, "clusterscope-cli: %s\n", error->message);
          return EXIT_USAGE;
        }
      /* What the command line asks for applies from the epoch after the checkpoint's. */
      if (live != 0)
        cs_trainer_request_settings (trainer, &settings, live);
      cs_trainer_get_settings (trainer, &settings);
      if (!opt_quiet)
        fprintf (stderr, _ ("continuing %s after epoch %u\n"), opt_resume, from);
    }
  else
    trainer = cs_trainer_new (ds, &settings, &error);
  if (trainer == NULL && g_error_matches (error, CS_ERROR, CS_ERROR_NO_MEMORY))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
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

  /* The folder is made and its config.json written now: a folder that cannot be written is
   * an error before the run, not after it. */
  if (opt_output && !cs_run_begin_folder (opt_output, &settings, spec, ds, &error))
    {
      fprintf (stderr, "clusterscope-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (opt_animation && (rc = probe_animation (opt_animation)) != 0)
    return rc;
  if (opt_checkpoint_every > 0)
    {
      g_autofree char *dir = g_build_filename (opt_output, "checkpoints", NULL);

      if (g_mkdir_with_parents (dir, 0755) != 0)
        {
          int saved = errno;

          fprintf (stderr, "clusterscope-cli: %s: %s\n", dir, g_strerror (saved));
          return EXIT_USAGE;
        }
      cs_trainer_set_checkpoint_func (trainer, (guint) opt_checkpoint_every, on_checkpoint,
                                      opt_output);
    }

  if (opt_output != NULL)
    metrics_path = g_build_filename (opt_output, "metrics.csv", NULL);
  st.history = cs_history_new (1);
  st.total_epochs = (opt_load_model ? 0 : settings.pretrain_epochs) + settings.epochs;
  g_mutex_init (&st.lock);
  cs_trainer_set_snapshot_func (trainer, on_snapshot, &st);

  w.trainer = trainer;
  w.cancellable = g_cancellable_new ();
  sig = g_unix_signal_add (SIGINT, on_sigint, &w);
  thread = g_thread_new ("cs-train", worker_thread, &w);
  /* The main loop turns for SIGINT until the worker is done. */
  while (!g_atomic_int_get (&w.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_source_remove (sig);

  rc = 0;
  if (!w.ok)
    {
      fprintf (stderr, "clusterscope-cli: %s\n", w.error->message);
      rc = g_error_matches (w.error, CS_ERROR, CS_ERROR_CANCELLED)  ? 130
           : g_error_matches (w.error, CS_ERROR, CS_ERROR_DIVERGED) ? EXIT_DIVERGED
                                                                    : EXIT_RUN;
    }
  last = cs_history_get_latest (st.history);
  if (rc == 0 && cs_trainer_get_converged_epoch (trainer) > 0 && !opt_quiet)
    fprintf (stderr, _ ("converged at epoch %u: fewer than %g of the labels changed\n"),
             cs_trainer_get_converged_epoch (trainer), settings.dec_tol);
  if (rc == 0 && last)
    {
      const CsEpochMetrics *mt = &last->metrics;
      printf ("final epoch=%u k=%u", last->epoch, last->k);
      if (!isnan (mt->acc))
        printf (" acc=%.4f nmi=%.4f ari=%.4f", mt->acc, mt->nmi, mt->ari);
      printf (" inertia=%.6g\n", mt->inertia);
    }
  if (adaptive && !opt_quiet)
    {
      guint switches = cs_trainer_get_thread_switches (trainer);

      fprintf (stderr,
               ngettext ("BLAS threads: adaptive between 1 and %d, %u change of choice\n",
                         "BLAS threads: adaptive between 1 and %d, %u changes of choice\n",
                         switches),
               openblas_get_num_threads (), switches);
    }
  /* After a divergence the trainer is back at the last good epoch: its folder is written. */
  if ((rc == 0 || rc == EXIT_DIVERGED) && opt_output)
    {
      CsSettings final_settings;
      /* The run has ended: the model is there at once. */
      g_autoptr (GBytes) model = cs_trainer_dup_model (trainer, NULL);
      guint n_history = 0;
      CsSnapshot *const *history = cs_history_peek (st.history, &n_history);

      /* A continued run that diverged at its first epoch is back at the checkpoint's: its
       * points are the trainer's last snapshot, which no epoch of this run published. */
      g_autoptr (CsSnapshot) restored
          = n_history == 0 ? cs_trainer_dup_last_snapshot (trainer) : NULL;
      g_autofree char *labels_path = g_build_filename (opt_output, "labels.csv", NULL);

      cs_trainer_get_settings (trainer, &final_settings);
      if (!cs_run_write_folder (opt_output, &final_settings, spec, ds, history, n_history, model,
                                &error)
          || !cs_export_write_prototypes (opt_output, ds, history, n_history, &error)
          || (metrics_rows != NULL
              && !cs_run_write_metrics_csv_after (metrics_path, metrics_rows, history, n_history,
                                                  &error))
          || (restored != NULL && !cs_run_write_labels_csv (labels_path, ds, restored, &error)))
        {
          fprintf (stderr, "clusterscope-cli: %s\n", error->message);
          rc = EXIT_RUN;
        }
      else if (!opt_quiet)
        fprintf (stderr, _ ("run written to %s\n"), opt_output);
    }

  if (rc == 0 && opt_choose_k)
    {
      CsSettings in_force;

      cs_trainer_get_settings (trainer, &in_force);
      rc = print_choose_k (last, in_force.seed);
    }
  if (rc == 0 && opt_animation)
    rc = write_animation (opt_animation, ds, st.history);

  g_clear_error (&w.error);
  g_clear_object (&w.cancellable);
  cs_history_unref (st.history);
  g_mutex_clear (&st.lock);
  return rc;
}
