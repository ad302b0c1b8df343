/* test-cli.c: clusterscope-cli end to end: run folder, determinism, errors and exit codes.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gif_lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cs-settings.h"
#include "cs-test-mount.h"

static const char *cli;
static char *tmpdir;

/* Runs the CLI with args (NULL-terminated); returns its exit status. */
static int
run_cli (char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *arg;
  int status = -1;
  va_list ap;

  g_ptr_array_add (argv, (char *) cli);
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_assert_true (
      g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                    (out ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL) | (err ? 0 : G_SPAWN_STDERR_TO_DEV_NULL),
                    NULL, NULL, out, err, &status, &error));
  g_assert_no_error (error);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -1;
}

static char *
path_in (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
read_text (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* metrics.csv without the seconds column (the only one allowed to differ between runs). */
static char *
strip_seconds (const char *csv)
{
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);
      for (guint j = 0; f[j]; j++)
        if (j != 9)
          g_string_append_printf (out, "%s%s", j ? "," : "", f[j]);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

#define SYNTH_ARGS                                                                                 \
  "--dataset", "synthetic-blobs", "--synthetic-n", "800", "-k", "5", "--hidden", "32,64",          \
      "--embedding-dim", "4", "--pretrain-epochs", "4", "--epochs", "3", "--batch-size", "64",     \
      "--n-init", "3", "--seed", "7"

static void
test_run_folder (void)
{
  g_autofree char *dir = path_in ("run-a");
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *metrics = NULL, *labels = NULL, *config_path = NULL;
  g_auto (GStrv) rows = NULL;
  g_auto (GStrv) header = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root, *settings;
  int rc;

  rc = run_cli (&out, &err, SYNTH_ARGS, "--output", dir, NULL);
  g_assert_cmpint (rc, ==, 0);
  /* A progress line per epoch on stderr, a summary on stdout. */
  g_assert_nonnull (strstr (err, "epoch   1/7 pretrain"));
  g_assert_nonnull (strstr (err, "epoch   7/7 cluster"));
  g_assert_nonnull (strstr (err, "ACC"));
  g_assert_true (g_str_has_prefix (out, "final epoch=7 k=5 acc="));

  metrics = read_text (dir, "metrics.csv");
  rows = g_strsplit (metrics, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 7 + 1);
  g_assert_true (g_str_has_prefix (rows[0], "epoch,phase,loss_rec,loss_clu,acc,nmi,ari,"
                                            "label_change,inertia,seconds,"));
  g_assert_true (g_str_has_prefix (rows[7], "7,cluster,"));

  labels = read_text (dir, "labels.csv");
  g_clear_pointer (&rows, g_strfreev);
  rows = g_strsplit (labels, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 800 + 1);
  g_assert_cmpstr (rows[0], ==, "id,label,cluster,confidence,x,y,z_0,z_1,z_2,z_3");
  header = g_strsplit (rows[1], ",", -1);
  g_assert_cmpuint (g_strv_length (header), ==, 10);
  g_assert_cmpstr (header[0], ==, "0");

  config_path = g_build_filename (dir, "config.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, config_path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "clusterscope-run");
  settings = json_object_get_object_member (root, "settings");
  g_assert_cmpint (json_object_get_int_member (settings, "k"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (settings, "seed"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (settings, "algorithm"), ==, "roy");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (root, "dataset"), "spec"), ==,
      "synthetic-blobs");

  {
    g_autofree char *model = g_build_filename (dir, "model.bin", NULL);
    g_autofree char *prototypes = g_build_filename (dir, "prototypes.png", NULL);

    g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
    /* Not images: no prototype pictures. */
    g_assert_false (g_file_test (prototypes, G_FILE_TEST_EXISTS));
  }
}

/* The same seed gives the same metrics (but the seconds) and the same labels, byte for byte. */
static void
test_deterministic (void)
{
  g_autofree char *a = path_in ("det-a"), *b = path_in ("det-b");
  g_autofree char *ma = NULL, *mb = NULL, *la = NULL, *lb = NULL, *sa = NULL, *sb = NULL;

  g_assert_cmpint (run_cli (NULL, NULL, SYNTH_ARGS, "-q", "--output", a, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, SYNTH_ARGS, "-q", "--output", b, NULL), ==, 0);
  ma = read_text (a, "metrics.csv");
  mb = read_text (b, "metrics.csv");
  sa = strip_seconds (ma);
  sb = strip_seconds (mb);
  g_assert_cmpstr (sa, ==, sb);
  la = read_text (a, "labels.csv");
  lb = read_text (b, "labels.csv");
  g_assert_cmpstr (la, ==, lb);
}

/* --seeds: one folder per seed, each the same as that seed's run alone (two at a time, whatever
 * the thread count), summary.csv with their scores, mean and std, and the table on stdout. */
static void
test_seeds (void)
{
  g_autofree char *dir = path_in ("seeds"), *alone = path_in ("seeds-alone");
  g_autofree char *seed7 = g_build_filename (dir, "seed-7", NULL);
  g_autofree char *out = NULL, *err = NULL, *summary = NULL, *a = NULL, *b = NULL;
  g_autofree char *metrics = NULL;
  g_auto (GStrv) rows = NULL, last = NULL, fields = NULL;
  double mean;

#define SEEDS_ARGS                                                                                 \
  "--dataset", "synthetic-blobs", "--synthetic-n", "600", "-k", "5", "--hidden", "32,64",          \
      "--embedding-dim", "4", "--pretrain-epochs", "3", "--epochs", "2", "--batch-size", "64",     \
      "--n-init", "2"
  g_assert_cmpint (
      run_cli (&out, &err, SEEDS_ARGS, "--seeds", "3,7", "--jobs", "2", "--output", dir, NULL), ==,
      0);
  g_assert_nonnull (strstr (out, "mean ± std"));
  g_assert_nonnull (strstr (err, "summary written"));
  g_assert_cmpint (run_cli (NULL, NULL, SEEDS_ARGS, "--seed", "7", "-q", "-o", alone, NULL), ==, 0);
  a = read_text (seed7, "labels.csv");
  b = read_text (alone, "labels.csv");
  g_assert_cmpstr (a, ==, b);

  summary = read_text (dir, "summary.csv");
  rows = g_strsplit (summary, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 6); /* header, 2 seeds, mean, std, "" */
  g_assert_true (g_str_has_prefix (rows[0], "seed,status,epochs,acc,nmi,ari,pretrain_acc"));
  g_assert_true (g_str_has_prefix (rows[1], "3,0,5,"));
  g_assert_true (g_str_has_prefix (rows[2], "7,0,5,"));
  g_assert_true (g_str_has_prefix (rows[3], "mean,"));
  /* Seed 7's ACC is its run's last epoch's. */
  metrics = read_text (alone, "metrics.csv");
  last = g_strsplit (metrics, "\n", -1);
  fields = g_strsplit (last[g_strv_length (last) - 2], ",", -1);
  {
    g_auto (GStrv) f7 = g_strsplit (rows[2], ",", -1), f3 = g_strsplit (rows[1], ",", -1);
    g_auto (GStrv) fm = g_strsplit (rows[3], ",", -1);

    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f7[3], NULL), g_ascii_strtod (fields[4], NULL),
                                    1e-4);
    mean = (g_ascii_strtod (f3[3], NULL) + g_ascii_strtod (f7[3], NULL)) / 2;
    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fm[3], NULL), mean, 1e-4);
  }

  /* Bad lists and clashes are usage errors, before any run. */
  g_assert_cmpint (run_cli (NULL, NULL, SEEDS_ARGS, "--seeds", "4-1", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, SEEDS_ARGS, "--seeds", "1,1", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, SEEDS_ARGS, "--seeds", "0-1", "--seed", "3", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, SEEDS_ARGS, "--seeds", "0-1", "--jobs", "0", NULL), ==, 2);
#undef SEEDS_ARGS
}

/* --preset full: all of Fashion-MNIST and 100 pretraining epochs; options given beside it win,
 * and it cannot go with --config. */
static void
test_preset (void)
{
  g_autofree char *full = path_in ("preset-full"), *small = path_in ("preset-small");
  g_autofree char *config = NULL;

  g_assert_cmpint (
      run_cli (NULL, NULL, "--preset", "full", "-p", "0", "-e", "0", "-q", "-o", full, NULL), ==,
      0);
  config = read_text (full, "config.json");
  g_assert_nonnull (strstr (config, "\"spec\" : \"fashion-mnist\""));
  g_clear_pointer (&config, g_free);

  g_assert_cmpint (run_cli (NULL, NULL, "--preset", "full", "-d", "synthetic-blobs",
                            "--synthetic-n", "200", "-k", "2", "--hidden", "8", "-m", "2", "-e",
                            "0", "-q", "-o", small, NULL),
                   ==, 0);
  config = read_text (small, "config.json");
  g_assert_nonnull (strstr (config, "\"spec\" : \"synthetic-blobs\""));
  g_assert_nonnull (strstr (config, "\"pretrain_epochs\" : 100,"));

  g_assert_cmpint (run_cli (NULL, NULL, "--preset", "huge", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "--preset", "full", "--config", "/nonexistent.json", NULL),
                   ==, 2);
}

/* --config reads a run's settings back; --load-model resumes without pretraining. */
static void
test_config_and_model (void)
{
  g_autofree char *src = path_in ("run-a");
  g_autofree char *dir = path_in ("resumed");
  g_autofree char *config = g_build_filename (src, "config.json", NULL);
  g_autofree char *model = g_build_filename (src, "model.bin", NULL);
  g_autofree char *out = NULL, *err = NULL, *metrics = NULL;
  g_auto (GStrv) rows = NULL;

  if (!g_file_test (config, G_FILE_TEST_EXISTS))
    g_assert_cmpint (run_cli (NULL, NULL, SYNTH_ARGS, "-q", "--output", src, NULL), ==, 0);

  g_assert_cmpint (run_cli (&out, &err, "--config", config, "--load-model", model, "--epochs", "2",
                            "--output", dir, NULL),
                   ==, 0);
  metrics = read_text (dir, "metrics.csv");
  rows = g_strsplit (metrics, "\n", -1);
  /* Two clustering epochs and no pretraining. */
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 2 + 1);
  g_assert_true (g_str_has_prefix (rows[1], "1,cluster,"));
  g_assert_nonnull (strstr (out, "k=5"));
}

static void
test_kmeans_only (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (&out, &err, "--dataset", "synthetic-blobs", "--synthetic-n", "600",
                            "-k", "5", "--kmeans-only", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "kmeans k=5"));
  g_assert_nonnull (strstr (out, "acc="));
}

/* Without -k a labelled dataset sets K to its number of classes, and the first line says so;
 * -k still wins. */
static void
test_k_from_classes (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out_k = NULL, *err_k = NULL;

  g_assert_cmpint (run_cli (&out, &err, "--dataset", "synthetic-blobs", "--synthetic-n", "600",
                            "--synthetic-k", "4", "--kmeans-only", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "kmeans k=4"));
  g_assert_nonnull (strstr (err, "K = 4, its number of classes"));
  g_assert_null (strstr (err, "\nK ="));

  g_assert_cmpint (run_cli (&out_k, &err_k, "--dataset", "synthetic-blobs", "--synthetic-n", "600",
                            "--synthetic-k", "4", "-k", "6", "--kmeans-only", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out_k, "kmeans k=6"));
  g_assert_null (strstr (err_k, "number of classes"));
}

/* --projection changes the view only: the same codes and clusters, other x / y, and the choice
 * recorded in config.json. */
static void
test_projection (void)
{
  const char *kinds[] = { "pca", "lda", "tsne" };
  g_autofree char *first_labels = NULL;

  for (guint p = 0; p < G_N_ELEMENTS (kinds); p++)
    {
      g_autofree char *name = g_strdup_printf ("proj-%s", kinds[p]);
      g_autofree char *dir = path_in (name);
      g_autofree char *config = NULL, *labels = NULL, *needle = NULL;
      g_auto (GStrv) rows = NULL;

      g_assert_cmpint (
          run_cli (NULL, NULL, SYNTH_ARGS, "--projection", kinds[p], "--output", dir, NULL), ==, 0);
      config = read_text (dir, "config.json");
      needle = g_strdup_printf ("\"projection\" : \"%s\"", kinds[p]);
      g_assert_nonnull (strstr (config, needle));
      labels = read_text (dir, "labels.csv");
      rows = g_strsplit (labels, "\n", -1);
      if (first_labels == NULL)
        first_labels = g_strdup (labels);
      else
        {
          g_auto (GStrv) first_rows = g_strsplit (first_labels, "\n", -1);
          /* id,label,cluster,confidence equal; x differs somewhere. */
          gboolean moved = FALSE;
          for (guint r = 1; rows[r] && rows[r][0]; r++)
            {
              g_auto (GStrv) a = g_strsplit (rows[r], ",", 7);
              g_auto (GStrv) b = g_strsplit (first_rows[r], ",", 7);
              g_assert_cmpstr (a[2], ==, b[2]);
              g_assert_cmpstr (a[6], ==, b[6]);
              moved |= g_strcmp0 (a[4], b[4]) != 0;
            }
          g_assert_true (moved);
        }
    }
}

static void
expect_usage_error (const char *needle, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *arg;
  int status;
  va_list ap;

  g_ptr_array_add (argv, (char *) cli);
  va_start (ap, needle);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  if (strstr (err, needle) == NULL)
    g_error ("expected '%s' in: %s", needle, err);
}

static void
test_errors (void)
{
  g_autofree char *bad_csv = path_in ("bad.csv");
  g_autofree char *bad_json = path_in ("bad.json");

  expect_usage_error ("unknown algorithm 'deep'", "--algorithm", "deep", NULL);
  expect_usage_error ("-k must be at least 1", "-k", "0", NULL);
  expect_usage_error ("learning rate", "--lr", "-0.5", NULL);
  expect_usage_error ("--hidden", "--hidden", "10,abc", NULL);
  expect_usage_error ("Unknown option", "--no-such-option", NULL);
  expect_usage_error ("unexpected argument", "stray", NULL);
  expect_usage_error ("no-such-file.csv", "--dataset", "/nonexistent/no-such-file.csv", NULL);

  g_assert_true (g_file_set_contents (bad_csv, "1,2,3\n4,5\n", -1, NULL));
  expect_usage_error ("line 2", "--dataset", bad_csv, NULL);

  g_assert_true (g_file_set_contents (bad_json, "{\"k\": \"ten\"}", -1, NULL));
  expect_usage_error ("must be a number", "--config", bad_json, NULL);

  expect_usage_error ("larger than the number of samples", "--dataset", "synthetic-blobs",
                      "--synthetic-n", "20", "-k", "30", NULL);
}

/* --choose-k: a row per K on the final codes, the same for the same seed, and a bad range or
 * --kmeans-only refused. */
static void
test_choose_k (void)
{
  g_autofree char *out1 = NULL, *out2 = NULL;
  g_auto (GStrv) rows1 = NULL, rows2 = NULL;
  guint n1, n2;

#define SMALL                                                                                      \
  "--dataset", "synthetic-blobs", "--synthetic-n", "600", "--synthetic-k", "4", "-k", "4",         \
      "--hidden", "32", "--embedding-dim", "3", "-p", "2", "-e", "1", "--n-init", "1", "-q",       \
      "--choose-k", "2-9"
  g_assert_cmpint (run_cli (&out1, NULL, SMALL, NULL), ==, 0);
  g_assert_cmpint (run_cli (&out2, NULL, SMALL, NULL), ==, 0);
#undef SMALL
  rows1 = g_strsplit (out1, "\n", -1);
  rows2 = g_strsplit (out2, "\n", -1);
  n1 = g_strv_length (rows1);
  n2 = g_strv_length (rows2);
  /* "final ...", 8 Ks, "best", and the empty tail. */
  g_assert_cmpuint (n1, ==, 1 + 8 + 1 + 1);
  g_assert_cmpuint (n2, ==, n1);
  for (guint i = 1; i <= 8; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("choose-k k=%u inertia=", i + 1);

      g_assert_true (g_str_has_prefix (rows1[i], prefix));
      g_assert_nonnull (strstr (rows1[i], " silhouette="));
      g_assert_cmpstr (rows1[i], ==, rows2[i]);
    }
  g_assert_true (g_str_has_prefix (rows1[9], "choose-k best="));

  expect_usage_error ("--choose-k takes a range", "--dataset", "synthetic-blobs", "--choose-k",
                      "1-5", NULL);
  expect_usage_error ("--choose-k takes a range", "--dataset", "synthetic-blobs", "--choose-k",
                      "9-3", NULL);
  expect_usage_error ("cannot go with --kmeans-only", "--dataset", "synthetic-blobs",
                      "--kmeans-only", "--choose-k", "2-5", NULL);
}

/* The default synthetic dataset, with no other option: 3000 glyph images of 12 x 12 pixels in
 * 5 balanced classes, K taken from them, the same data for the same seed and other data for
 * another; K-means on its pixels misses the classes (the point of the demo). */
static void
test_synthetic_default (void)
{
  g_autofree char *a = path_in ("glyphs-a"), *b = path_in ("glyphs-b"), *c = path_in ("glyphs-c");
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *la = NULL, *lb = NULL, *lc = NULL;
  g_auto (GStrv) rows = NULL;
  guint counts[5] = { 0 };
  const char *acc;

  g_assert_cmpint (run_cli (&out, &err, "--dataset", "synthetic", "--kmeans-only", NULL), ==, 0);
  g_assert_nonnull (
      strstr (err, "Synthetic glyphs (3 000 × 12×12, 5 classes, seed 0): 3000 x 144"));
  g_assert_nonnull (strstr (err, "K = 5, its number of classes"));
  g_assert_true (g_str_has_prefix (out, "kmeans k=5"));
  acc = strstr (out, "acc=");
  g_assert_nonnull (acc);
  g_assert_cmpfloat (g_ascii_strtod (acc + 4, NULL), <, 0.9);

  /* A tiny network, one epoch each: labels.csv carries the dataset's labels. */
#define TINY "--hidden", "16", "--embedding-dim", "2", "-p", "1", "-e", "1", "--n-init", "1", "-q"
  g_assert_cmpint (run_cli (NULL, NULL, "--dataset", "synthetic", TINY, "-o", a, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "--dataset", "synthetic", TINY, "-o", b, NULL), ==, 0);
  g_assert_cmpint (
      run_cli (NULL, NULL, "--dataset", "synthetic", TINY, "--seed", "1", "-o", c, NULL), ==, 0);
#undef TINY
  la = read_text (a, "labels.csv");
  lb = read_text (b, "labels.csv");
  lc = read_text (c, "labels.csv");
  g_assert_cmpstr (la, ==, lb);
  g_assert_cmpstr (la, !=, lc);

  /* Images: the clusters' prototypes, a PNG of one row of 5 cells of 64 px (+ labels). */
  {
    g_autofree char *png = NULL;
    gsize len = 0;
    g_autofree char *path = g_build_filename (a, "prototypes.png", NULL);

    g_assert_true (g_file_get_contents (path, &png, &len, NULL));
    g_assert_cmpuint (len, >, 24);
    g_assert_cmpmem (png, 8, "\x89PNG\r\n\x1a\n", 8);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (png + 16)), ==, 12 + 5 * (64 + 12));
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (png + 20)), ==, 12 + 64 + 22 + 12);
  }

  rows = g_strsplit (la, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 3000 + 1);
  for (guint i = 1; i <= 3000; i++)
    {
      g_auto (GStrv) f = g_strsplit (rows[i], ",", 3);
      gint64 label = g_ascii_strtoll (f[1], NULL, 10);

      g_assert_cmpint (label, >=, 0);
      g_assert_cmpint (label, <, 5);
      counts[label]++;
    }
  for (guint k = 0; k < 5; k++)
    g_assert_cmpuint (counts[k], ==, 600);

  /* The glyphs are square images; another dimension is a usage error that says so. */
  expect_usage_error ("square", "--dataset", "synthetic", "--synthetic-d", "50", NULL);
}

/* The options of the run's settings are made from the settings table: each row with an option
 * is in --help with its short flag, and sets the setting. */
static void
test_options_from_table (void)
{
  g_autofree char *out = NULL;
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);

  g_assert_cmpint (run_cli (&out, NULL, "--help", NULL), ==, 0);
  for (guint i = 0; i < n; i++)
    if (descs[i].option != NULL)
      {
        g_autofree char *long_form = g_strdup_printf ("--%s=%s", descs[i].option, descs[i].arg);
        g_autofree char *short_form
            = g_strdup_printf ("-%c, --%s", descs[i].short_option, descs[i].option);

        if (strstr (out, descs[i].short_option ? short_form : long_form) == NULL)
          g_error ("option of \"%s\" not in: %s", descs[i].key, out);
        g_assert_nonnull (strstr (out, descs[i].summary));
      }
  /* Today's names stay. */
  g_assert_nonnull (strstr (out, "-R, --reinit-every"));
  g_assert_nonnull (strstr (out, "--n-init=N"));
}

/* A CSV of rows rows, each the comma-separated row text. */
static char *
write_rows (const char *name, const char *row, guint rows)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char *path = path_in (name);

  for (guint i = 0; i < rows; i++)
    g_string_append_printf (text, "%s\n", row);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  return path;
}

/* Trains on path with a small network and K = k; returns the exit status. */
static int
train_small (const char *path, const char *k, const char *extra)
{
  return run_cli (NULL, NULL, "--dataset", path, "-k", k, "--hidden", "16", "--embedding-dim", "2",
                  "--pretrain-epochs", "1", "--epochs", "1", "--n-init", "2", "-q",
                  extra ? extra : "-q", NULL);
}

/* Legal but extreme data trains, or is refused with what to do; it never aborts. */
static void
test_extreme_values (void)
{
  g_autofree char *huge = write_rows ("huge.csv", "1e38,1e38,-1e38", 50);
  g_autofree char *squares = write_rows ("squares.csv", "1e25,-3e24,2e25\n-1e25,4e24,0", 30);
  g_autofree char *subnormal = write_rows ("subnormal.csv", "1e-42,3e-43\n2e-44,5e-42", 30);
  g_autofree char *constant = write_rows ("constant.csv", "3.5,3.5,3.5", 40);
  g_autofree char *duplicates = write_rows ("duplicates.csv", "1,2\n3,4\n5,6", 20);

  /* The issue's file aborted in K-means; now the trainer refuses it, naming the file. */
  expect_usage_error ("huge.csv: values as large as 1e+38", "--dataset", huge, NULL);
  expect_usage_error ("--standardize", "--dataset", huge, NULL);
  expect_usage_error ("squares.csv: values as large as", "--dataset", squares, NULL);
  /* and trains once scaled, as the message says; K-means alone needs no scaling. */
  g_assert_cmpint (train_small (huge, "2", "--standardize"), ==, 0);
  g_assert_cmpint (train_small (squares, "2", "--standardize"), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "--dataset", squares, "-k", "2", "--kmeans-only", NULL), ==,
                   0);
  g_assert_cmpint (run_cli (NULL, NULL, "--dataset", huge, "-k", "3", "--kmeans-only", NULL), ==,
                   0);

  g_assert_cmpint (train_small (subnormal, "2", NULL), ==, 0);
  g_assert_cmpint (train_small (constant, "3", NULL), ==, 0);
  g_assert_cmpint (train_small (constant, "3", "--standardize"), ==, 0);
  /* K equal to, then above, the number of distinct points. */
  g_assert_cmpint (train_small (duplicates, "3", NULL), ==, 0);
  g_assert_cmpint (train_small (duplicates, "5", NULL), ==, 0);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir)
    {
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* Each entry of dir is one of names, or a hidden temporary file when temps is TRUE. */
static void
assert_run_files (const char *dir, const char *const *names, gboolean temps)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (!(temps && name[0] == '.') && !g_strv_contains (names, name))
      g_error ("unexpected %s in %s", name, dir);
}

/* config.json parses and metrics.csv has its header and one row per epoch. */
static void
assert_complete_config_and_metrics (const char *dir, guint epochs)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  g_autofree char *metrics = read_text (dir, "metrics.csv");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) rows = g_strsplit (metrics, "\n", -1);
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + epochs + 1);
  g_assert_cmpstr (rows[epochs + 1], ==, "");
}

/* A disk that fills up while the run folder is written (a 16 KiB tmpfs: config.json and
 * metrics.csv fit, labels.csv does not): exit 1, the message names the file and the cause,
 * and what is there is whole (no torn labels.csv, no temporary file). */
static void
test_full_disk (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *disk = path_in ("disk");
      g_autofree char *dir = g_build_filename (disk, "run", NULL);
      g_autofree char *err = NULL;
      const char *names[] = { "config.json", "metrics.csv", NULL };

      cs_test_mount_tmpfs (disk, 16);
      g_assert_cmpint (run_cli (NULL, &err, SYNTH_ARGS, "--output", dir, NULL), ==, 1);
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, "labels.csv"));
      g_assert_nonnull (strstr (err, g_strerror (ENOSPC)));
      assert_complete_config_and_metrics (dir, 7);
      assert_run_files (dir, names, FALSE);
      cs_test_unmount (disk);
      return;
    }
  cs_test_trap_mounted ();
}

/* A read-only destination is refused before training (exit 2), with the reason. */
static void
test_read_only_output (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *disk = path_in ("disk");
      g_autofree char *dir = g_build_filename (disk, "run", NULL);
      g_autofree char *err = NULL;

      cs_test_mount_tmpfs (disk, 64);
      cs_test_remount_read_only (disk);
      g_assert_cmpint (run_cli (NULL, &err, SYNTH_ARGS, "--output", dir, NULL), ==, 2);
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, "run"));
      g_assert_nonnull (strstr (err, g_strerror (EROFS)));
      /* Refused before the first epoch. */
      g_assert_null (strstr (err, "epoch"));
      cs_test_unmount (disk);
      return;
    }
  cs_test_trap_mounted ();
}

/* Whether dir holds a hidden temporary file of name. */
static gboolean
has_temp_of (const char *dir, const char *name)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strdup_printf (".%s.", name);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (entry, prefix))
      return TRUE;
  return FALSE;
}

/* SIGKILL while the run folder is being rewritten, caught while labels.csv's temporary file
 * exists: every file left is the old run's or a whole new one, never a torn one. */
static void
test_killed_while_writing (void)
{
  g_autofree char *dir = path_in ("killed");
  g_autofree char *old_labels = NULL, *old_metrics = NULL;
  const char *names[] = { "config.json", "metrics.csv", "labels.csv", "model.bin", NULL };
  const char *big_args[] = { "--synthetic-n",
                             "60000",
                             "--synthetic-d",
                             "8",
                             "--hidden",
                             "16",
                             "--embedding-dim",
                             "10",
                             "-k",
                             "5",
                             "--pretrain-epochs",
                             "1",
                             "--epochs",
                             "0",
                             "--batch-size",
                             "1024",
                             "--n-init",
                             "1" };
  guint caught = 0;

  g_assert_cmpint (run_cli (NULL, NULL, "--dataset", "synthetic-blobs", big_args[0], big_args[1],
                            big_args[2], big_args[3], big_args[4], big_args[5], big_args[6],
                            big_args[7], big_args[8], big_args[9], big_args[10], big_args[11],
                            big_args[12], big_args[13], big_args[14], big_args[15], big_args[16],
                            big_args[17], "--seed", "1", "--output", dir, NULL),
                   ==, 0);
  old_labels = read_text (dir, "labels.csv");
  old_metrics = read_text (dir, "metrics.csv");

  for (guint attempt = 0; attempt < 12 && caught < 2; attempt++)
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_autoptr (GError) error = NULL;
      g_autofree char *labels = NULL;
      GPid pid;
      int status;
      gboolean seen = FALSE;
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

      g_ptr_array_add (argv, (char *) cli);
      g_ptr_array_add (argv, "--dataset");
      g_ptr_array_add (argv, "synthetic-blobs");
      for (guint i = 0; i < G_N_ELEMENTS (big_args); i++)
        g_ptr_array_add (argv, (char *) big_args[i]);
      g_ptr_array_add (argv, "--seed");
      g_ptr_array_add (argv, "2");
      g_ptr_array_add (argv, "--output");
      g_ptr_array_add (argv, dir);
      g_ptr_array_add (argv, NULL);
      g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                        | G_SPAWN_STDERR_TO_DEV_NULL,
                                    NULL, NULL, &pid, &error));
      g_assert_no_error (error);
      while (!seen && g_get_monotonic_time () < deadline)
        {
          if (has_temp_of (dir, "labels.csv"))
            {
              kill (pid, SIGKILL);
              seen = TRUE;
            }
          else if (waitpid (pid, &status, WNOHANG) == pid)
            break;
          else
            g_usleep (50);
        }
      if (seen)
        g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      else if (g_get_monotonic_time () >= deadline)
        g_error ("the run did not end");
      g_spawn_close_pid (pid);

      /* Whatever happened, each file is whole. */
      assert_run_files (dir, names, TRUE);
      assert_complete_config_and_metrics (dir, 1);
      labels = read_text (dir, "labels.csv");
      if (seen && has_temp_of (dir, "labels.csv"))
        {
          /* Killed before the rename: the old labels.csv is there, byte for byte. */
          g_assert_true (WIFSIGNALED (status));
          g_assert_cmpstr (labels, ==, old_labels);
          caught++;
        }
      else
        {
          g_auto (GStrv) rows = g_strsplit (labels, "\n", -1);
          g_assert_cmpuint (g_strv_length (rows), ==, 1 + 60000 + 1);
        }
      /* Start the next attempt from a whole old folder again. */
      {
        g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
        const char *entry;

        while ((entry = g_dir_read_name (d)) != NULL)
          if (entry[0] == '.')
            {
              g_autofree char *p = g_build_filename (dir, entry, NULL);
              g_unlink (p);
            }
      }
      {
        g_autofree char *p = g_build_filename (dir, "labels.csv", NULL);
        g_autofree char *q = g_build_filename (dir, "metrics.csv", NULL);
        g_assert_true (g_file_set_contents (p, old_labels, -1, NULL));
        g_assert_true (g_file_set_contents (q, old_metrics, -1, NULL));
      }
    }
  g_test_message ("killed mid-write %u time(s)", caught);
  g_assert_cmpuint (caught, >=, 1);
}

/* A dataset or run too large for the memory left is refused at once (exit 2), naming the size,
 * with no usage hint: the arguments were fine. */
static void
test_memory_limit (void)
{
  g_autofree char *err = NULL;

  g_setenv ("CS_MEMORY_LIMIT", "200k", TRUE);
  g_assert_cmpint (run_cli (NULL, &err, SYNTH_ARGS, NULL), ==, 2);
  g_unsetenv ("CS_MEMORY_LIMIT");
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "needs about"));
  g_assert_nonnull (strstr (err, "is available"));
  g_assert_null (strstr (err, "--help"));
  g_assert_null (strstr (err, "epoch "));
}

#define RESUME_ARGS                                                                                \
  "--dataset", "synthetic-blobs", "--synthetic-n", "600", "-k", "4", "--hidden", "32,64",          \
      "--embedding-dim", "4", "--pretrain-epochs", "3", "--epochs", "4", "-R", "2",                \
      "--batch-size", "64", "--n-init", "2", "--seed", "11"

/* Byte for byte (but the seconds): run b, resumed from a's checkpoint, against a. */
static void
assert_same_run (const char *a, const char *b)
{
  g_autofree char *ma = read_text (a, "metrics.csv"), *mb = read_text (b, "metrics.csv");
  g_autofree char *sa = strip_seconds (ma), *sb = strip_seconds (mb);
  g_autofree char *la = read_text (a, "labels.csv"), *lb = read_text (b, "labels.csv");
  g_autofree char *pa = g_build_filename (a, "model.bin", NULL);
  g_autofree char *pb = g_build_filename (b, "model.bin", NULL);
  g_autofree char *xa = NULL, *xb = NULL;
  gsize na, nb;

  g_assert_cmpstr (sa, ==, sb);
  g_assert_cmpstr (la, ==, lb);
  g_assert_true (g_file_get_contents (pa, &xa, &na, NULL));
  g_assert_true (g_file_get_contents (pb, &xb, &nb, NULL));
  g_assert_cmpmem (xa, na, xb, nb);
}

/* --checkpoint-every writes a checkpoint per epoch; --resume from one in pretraining, one at
 * the switch to clustering and one in clustering gives the parent's later epochs exactly, and
 * metrics.csv starts with the parent's rows. With a t-SNE view too (its layout is in the
 * checkpoint). */
static void
test_resume (void)
{
  const char *views[] = { "pca", "tsne" };

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      g_autofree char *parent = g_strdup_printf ("%s/parent-%s", tmpdir, views[v]);
      const char *froms[] = { "2", "3", "5", NULL };

      g_assert_cmpint (run_cli (NULL, NULL, RESUME_ARGS, "--projection", views[v],
                                "--checkpoint-every", "1", "-q", "--output", parent, NULL),
                       ==, 0);
      for (guint e = 1; e <= 7; e++)
        {
          g_autofree char *path = g_strdup_printf ("%s/checkpoints/epoch-%04u.ckpt", parent, e);

          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
        }
      for (guint i = 0; froms[i] != NULL; i++)
        {
          g_autofree char *child = g_strdup_printf ("%s/child-%s-%s", tmpdir, views[v], froms[i]);
          g_autofree char *err = NULL;

          /* The synthetic data is made again from the shape config.json recorded. */
          g_assert_cmpint (run_cli (NULL, &err, "--resume", parent, "--from-epoch", froms[i],
                                    "--output", child, NULL),
                           ==, 0);
          g_assert_nonnull (strstr (err, "continuing"));
          assert_same_run (parent, child);
        }
    }
}

/* Every checkpoint of run a equals run b's, byte for byte. */
static void
assert_same_checkpoints (const char *a, const char *b, guint epochs)
{
  for (guint e = 1; e <= epochs; e++)
    {
      g_autofree char *name = g_strdup_printf ("checkpoints/epoch-%04u.ckpt", e);
      g_autofree char *pa = g_build_filename (a, name, NULL);
      g_autofree char *pb = g_build_filename (b, name, NULL);
      g_autofree char *xa = NULL, *xb = NULL;
      gsize na, nb;

      g_assert_true (g_file_get_contents (pa, &xa, &na, NULL));
      g_assert_true (g_file_get_contents (pb, &xb, &nb, NULL));
      g_assert_cmpmem (xa, na, xb, nb);
    }
}

/* A t-SNE run with a checkpoint per epoch into dir, and one that diverges into diverged. */
static void
run_tsne_pair (const char *dir, const char *diverged)
{
  g_assert_cmpint (run_cli (NULL, NULL, RESUME_ARGS, "--projection", "tsne", "--checkpoint-every",
                            "1", "-q", "--output", dir, NULL),
                   ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "--dataset", "synthetic-blobs", "--synthetic-n", "1000",
                            "-p", "4", "-e", "2", "--seed", "5", "--lr", "0.05", "--projection",
                            "tsne", "-q", "--output", diverged, NULL),
                   ==, 3);
}

/* t-SNE frames computed on their own thread while the next epoch trains give the bytes of
 * frames computed inline on the training thread (CS_PROJECTION_INLINE=1): labels.csv's x / y,
 * metrics.csv, the model and every checkpoint (whose t-SNE section the frame completes), on
 * one thread against two. A run continued inline from the threaded run's checkpoint, and a run
 * that diverges and goes back an epoch, agree too. */
static void
test_tsne_thread (void)
{
  g_autofree char *inline_dir = path_in ("tsne-inline");
  g_autofree char *thread_dir = path_in ("tsne-thread");
  g_autofree char *child = path_in ("tsne-child");
  g_autofree char *div_inline = path_in ("tsne-diverged-inline");
  g_autofree char *div_thread = path_in ("tsne-diverged-thread");
  g_autofree char *la = NULL, *lb = NULL, *ma = NULL, *mb = NULL, *sa = NULL, *sb = NULL;
  g_autofree char *threads = g_strdup (g_getenv ("OPENBLAS_NUM_THREADS"));

  g_setenv ("CS_PROJECTION_INLINE", "1", TRUE);
  run_tsne_pair (inline_dir, div_inline);
  g_unsetenv ("CS_PROJECTION_INLINE");
  /* Under ThreadSanitizer too: the CLI carries tests/tsan-glib.c there. */
  g_setenv ("OPENBLAS_NUM_THREADS", "2", TRUE);
  run_tsne_pair (thread_dir, div_thread);
  if (threads != NULL)
    g_setenv ("OPENBLAS_NUM_THREADS", threads, TRUE);
  else
    g_unsetenv ("OPENBLAS_NUM_THREADS");

  assert_same_run (inline_dir, thread_dir);
  assert_same_checkpoints (inline_dir, thread_dir, 7);

  g_setenv ("CS_PROJECTION_INLINE", "1", TRUE);
  g_assert_cmpint (
      run_cli (NULL, NULL, "--resume", thread_dir, "--from-epoch", "4", "--output", child, NULL),
      ==, 0);
  g_unsetenv ("CS_PROJECTION_INLINE");
  assert_same_run (thread_dir, child);

  la = read_text (div_inline, "labels.csv");
  lb = read_text (div_thread, "labels.csv");
  g_assert_cmpstr (la, ==, lb);
  ma = read_text (div_inline, "metrics.csv");
  mb = read_text (div_thread, "metrics.csv");
  sa = strip_seconds (ma);
  sb = strip_seconds (mb);
  g_assert_cmpstr (sa, ==, sb);
}

/* A settings change on resume applies from the next epoch; a setting a running job cannot
 * take is refused. */
static void
test_resume_settings (void)
{
  g_autofree char *parent = g_strdup_printf ("%s/parent-pca", tmpdir);
  g_autofree char *child = path_in ("child-lr");
  g_autofree char *metrics = NULL;
  g_auto (GStrv) rows = NULL;

  if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
    g_assert_cmpint (run_cli (NULL, NULL, RESUME_ARGS, "--checkpoint-every", "1", "-q", "--output",
                              parent, NULL),
                     ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "--resume", parent, "--from-epoch", "4", "--synthetic-n",
                            "600", "--lr", "0.0005", "-q", "--output", child, NULL),
                   ==, 0);
  metrics = read_text (child, "metrics.csv");
  rows = g_strsplit (metrics, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 7 + 1);
  g_assert_nonnull (strstr (rows[4], ",0.001,"));  /* epoch 4: the parent's */
  g_assert_nonnull (strstr (rows[5], ",0.0005,")); /* epoch 5: the new rate */

  expect_usage_error ("--hidden cannot change when resuming", "--resume", parent, "--synthetic-n",
                      "600", "--hidden", "8", NULL);
  expect_usage_error ("has no checkpoint of epoch 99 (it has epochs", "--resume", parent,
                      "--synthetic-n", "600", "--from-epoch", "99", NULL);
  expect_usage_error ("was made on other data", "--resume", parent, "--synthetic-n", "500", NULL);
  expect_usage_error ("--checkpoint-every needs", "--checkpoint-every", "2", NULL);
  expect_usage_error ("--from-epoch needs --resume", "--from-epoch", "2", NULL);
}

/* A damaged, truncated or foreign checkpoint is refused with its name and the byte offset. */
static void
test_resume_damaged (void)
{
  g_autofree char *parent = g_strdup_printf ("%s/parent-pca", tmpdir);
  g_autofree char *damaged = path_in ("damaged");
  g_autofree char *ckpt_dir = g_build_filename (damaged, "checkpoints", NULL);
  g_autofree char *src = g_strdup_printf ("%s/checkpoints/epoch-0004.ckpt", parent);
  g_autofree char *dst = g_build_filename (ckpt_dir, "epoch-0004.ckpt", NULL);
  g_autofree char *config_src = g_build_filename (parent, "config.json", NULL);
  g_autofree char *config_dst = g_build_filename (damaged, "config.json", NULL);
  g_autofree char *metrics_src = g_build_filename (parent, "metrics.csv", NULL);
  g_autofree char *metrics_dst = g_build_filename (damaged, "metrics.csv", NULL);
  g_autofree char *bytes = NULL, *text = NULL;
  gsize len, tlen;

  if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
    g_assert_cmpint (run_cli (NULL, NULL, RESUME_ARGS, "--checkpoint-every", "1", "-q", "--output",
                              parent, NULL),
                     ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (ckpt_dir, 0755), ==, 0);
  g_assert_true (g_file_get_contents (src, &bytes, &len, NULL));
  g_assert_true (g_file_get_contents (config_src, &text, &tlen, NULL));
  g_assert_true (g_file_set_contents (config_dst, text, (gssize) tlen, NULL));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (metrics_src, &text, &tlen, NULL));
  g_assert_true (g_file_set_contents (metrics_dst, text, (gssize) tlen, NULL));

  /* One bit flipped in the middle: a section's checksum. */
  bytes[len / 2] ^= 0x10;
  g_assert_true (g_file_set_contents (dst, bytes, (gssize) len, NULL));
  expect_usage_error ("epoch-0004.ckpt: damaged (a section's checksum does not match) at byte",
                      "--resume", damaged, "--synthetic-n", "600", NULL);
  bytes[len / 2] ^= 0x10;
  /* Cut short. */
  g_assert_true (g_file_set_contents (dst, bytes, (gssize) (len - 100), NULL));
  expect_usage_error ("epoch-0004.ckpt: truncated", "--resume", damaged, "--synthetic-n", "600",
                      NULL);
  /* Not a checkpoint at all. */
  g_assert_true (g_file_set_contents (dst, "{\"k\": 3}", -1, NULL));
  expect_usage_error ("not a Clusterscope checkpoint (bad magic) at byte 0", "--resume", damaged,
                      "--synthetic-n", "600", NULL);
  /* No checkpoints at all. */
  g_assert_cmpint (g_unlink (dst), ==, 0);
  expect_usage_error ("holds no checkpoint", "--resume", damaged, "--synthetic-n", "600", NULL);
}

/* A learning rate that blows the model up: exit 3, "diverged at epoch N (...)", and the run
 * folder holds the last good epoch (its metrics rows, labels and model). */
static void
test_diverged (void)
{
  g_autofree char *dir = path_in ("diverged");
  g_autofree char *err = NULL, *metrics = NULL, *labels = NULL;
  g_autofree char *model = g_build_filename (dir, "model.bin", NULL);
  g_auto (GStrv) rows = NULL;
  g_auto (GStrv) label_rows = NULL;

  /* The default network at lr 0.05 blows up in its second epoch. */
  g_assert_cmpint (run_cli (NULL, &err, "--dataset", "synthetic-blobs", "--synthetic-n", "1000",
                            "-p", "4", "-e", "2", "--seed", "5", "--lr", "0.05", "-q", "--output",
                            dir, NULL),
                   ==, 3);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "diverged at epoch 2 (reconstruction loss"));
  g_assert_nonnull (strstr (err, "times its best"));
  g_assert_nonnull (strstr (err, "epoch 1 restored"));
  metrics = read_text (dir, "metrics.csv");
  rows = g_strsplit (metrics, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 1 + 1);
  labels = read_text (dir, "labels.csv");
  label_rows = g_strsplit (labels, "\n", -1);
  g_assert_cmpuint (g_strv_length (label_rows), ==, 1 + 1000 + 1);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));

  /* A continued run that diverges at its first epoch: its folder holds the epoch it continued
   * from, labels.csv the same bytes as a run that stopped there. */
  {
    g_autofree char *parent = path_in ("diverged-parent");
    g_autofree char *five = path_in ("diverged-five");
    g_autofree char *child = path_in ("diverged-child");
    g_autofree char *child_err = NULL, *expected = NULL, *got = NULL;

    g_assert_cmpint (run_cli (NULL, NULL, "--dataset", "synthetic-blobs", "--synthetic-n", "1000",
                              "-p", "4", "-e", "2", "--seed", "5", "--checkpoint-every", "1", "-q",
                              "--output", parent, NULL),
                     ==, 0);
    g_assert_cmpint (run_cli (NULL, NULL, "--dataset", "synthetic-blobs", "--synthetic-n", "1000",
                              "-p", "4", "-e", "1", "--seed", "5", "-q", "--output", five, NULL),
                     ==, 0);
    g_assert_cmpint (run_cli (NULL, &child_err, "--resume", parent, "--from-epoch", "5", "--lr",
                              "1", "-q", "--output", child, NULL),
                     ==, 3);
    g_assert_nonnull (strstr (child_err, "diverged at epoch 6"));
    g_assert_nonnull (strstr (child_err, "epoch 5 restored"));
    expected = read_text (five, "labels.csv");
    got = read_text (child, "labels.csv");
    g_assert_cmpstr (got, ==, expected);
  }

  /* Off, the same run goes on to its end. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, &err, "--dataset", "synthetic-blobs", "--synthetic-n", "1000",
                            "-p", "2", "-e", "1", "--seed", "5", "--lr", "0.05",
                            "--divergence-factor", "0", "-q", NULL),
                   ==, 0);
}

/* With LANGUAGE=de the CLI speaks German: --help (its own options, the settings table's and
 * GOption's headings) and an engine error (the dataset loader's). Started from the build tree,
 * it reads the catalogue meson compiles there. C.UTF-8 is built into glibc; gettext heeds
 * LANGUAGE in it, not in "C". */
static void
test_german (void)
{
  g_auto (GStrv) env = g_get_environ ();
  const char *help[] = { cli, "--help", NULL };
  const char *missing[] = { cli, "--dataset", "/nonexistent/missing.csv", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  if (setlocale (LC_ALL, "C.UTF-8") == NULL)
    {
      g_test_skip ("no C.UTF-8 locale");
      return;
    }
  setlocale (LC_ALL, "C");
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "LANGUAGE", "de", TRUE);

  g_assert_true (g_spawn_sync (NULL, (char **) help, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "Anzahl der Cluster (Vorgabe: 10)"));
  g_assert_nonnull (strstr (out, "--config=DATEI"));
  g_assert_nonnull (strstr (out, "Rückgabewert: 0 bei Erfolg"));

  g_assert_true (g_spawn_sync (NULL, (char **) missing, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "/nonexistent/missing.csv: Datei nicht gefunden (und auch kein "
                                 "eingebauter Datensatz"));
}

/* --animation FILE.gif: one frame per epoch, read back by giflib, also into the run folder -o
 * makes; a name without .webm / .gif is refused before training (exit 2); a disk that fills
 * while the GIF is written is a run failure (exit 1) that leaves no file, not even a temporary
 * one. */
static void
test_animation (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *gif_path = path_in ("run.gif");
      g_autofree char *mp4 = path_in ("run.mp4");
      g_autofree char *disk = path_in ("disk");
      g_autofree char *full = g_build_filename (disk, "run.gif", NULL);
      g_autofree char *err = NULL, *err_mp4 = NULL, *err_full = NULL, *head = NULL;
      GifFileType *gif;
      int code = 0;

      g_assert_cmpint (run_cli (NULL, &err, SYNTH_ARGS, "--animation", gif_path, NULL), ==, 0);
      g_assert_nonnull (strstr (err, "animation written to"));
      g_assert_true (g_file_get_contents (gif_path, &head, NULL, NULL));
      g_assert_true (g_str_has_prefix (head, "GIF89a"));
      gif = DGifOpenFileName (gif_path, &code);
      g_assert_nonnull (gif);
      g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
      g_assert_cmpint (gif->ImageCount, ==, 4 + 3); /* pretraining and clustering epochs */
      DGifCloseFile (gif, &code);
      /* At 5 epochs a second, each frame shows for 20 hundredths of a second. */
      g_assert_cmpint (
          run_cli (NULL, NULL, SYNTH_ARGS, "--animation", gif_path, "--animation-fps", "5", NULL),
          ==, 0);
      gif = DGifOpenFileName (gif_path, &code);
      g_assert_nonnull (gif);
      g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
      {
        GraphicsControlBlock gcb;

        g_assert_cmpint (DGifSavedExtensionToGCB (gif, 0, &gcb), ==, GIF_OK);
        g_assert_cmpint (gcb.DelayTime, ==, 20);
      }
      DGifCloseFile (gif, &code);
      g_assert_cmpint (
          run_cli (NULL, NULL, SYNTH_ARGS, "--animation", gif_path, "--animation-fps", "0", NULL),
          ==, 2);
      /* Into the run folder, which the run makes: the file may name it before it exists. */
      {
        g_autofree char *folder = path_in ("animated-run");
        g_autofree char *inside = g_build_filename (folder, "run.gif", NULL);

        g_assert_cmpint (
            run_cli (NULL, NULL, SYNTH_ARGS, "-o", folder, "--animation", inside, NULL), ==, 0);
        g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));
      }

      g_assert_cmpint (run_cli (NULL, &err_mp4, SYNTH_ARGS, "--animation", mp4, NULL), ==, 2);
      g_assert_nonnull (strstr (err_mp4, ".webm or .gif"));
      g_assert_null (strstr (err_mp4, "epoch "));
      g_assert_false (g_file_test (mp4, G_FILE_TEST_EXISTS));

      cs_test_mount_tmpfs (disk, 64);
      g_assert_cmpint (run_cli (NULL, &err_full, SYNTH_ARGS, "--animation", full, NULL), ==, 1);
      g_test_message ("%s", err_full);
      g_assert_nonnull (strstr (err_full, "run.gif"));
      g_assert_nonnull (strstr (err_full, g_strerror (ENOSPC)));
      g_assert_false (g_file_test (full, G_FILE_TEST_EXISTS));
      g_assert_false (has_temp_of (disk, "run.gif"));
      cs_test_unmount (disk);
      return;
    }
  cs_test_trap_mounted ();
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  cli = g_getenv ("CS_CLI");
  if (cli == NULL)
    {
      g_printerr ("CS_CLI must name the clusterscope-cli binary\n");
      return 1;
    }
  tmpdir = g_dir_make_tmp ("cs-cli-XXXXXX", NULL);
  g_test_add_func ("/cli/run-folder", test_run_folder);
  g_test_add_func ("/cli/deterministic", test_deterministic);
  g_test_add_func ("/cli/seeds", test_seeds);
  g_test_add_func ("/cli/preset", test_preset);
  g_test_add_func ("/cli/config-and-model", test_config_and_model);
  g_test_add_func ("/cli/kmeans-only", test_kmeans_only);
  g_test_add_func ("/cli/choose-k", test_choose_k);
  g_test_add_func ("/cli/k-from-classes", test_k_from_classes);
  g_test_add_func ("/cli/synthetic-default", test_synthetic_default);
  g_test_add_func ("/cli/projection", test_projection);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/options-from-table", test_options_from_table);
  g_test_add_func ("/cli/extreme-values", test_extreme_values);
  g_test_add_func ("/cli/memory-limit", test_memory_limit);
  g_test_add_func ("/cli/faults/full-disk", test_full_disk);
  g_test_add_func ("/cli/faults/read-only-output", test_read_only_output);
  g_test_add_func ("/cli/faults/killed-while-writing", test_killed_while_writing);
  g_test_add_func ("/cli/checkpoint/resume", test_resume);
  g_test_add_func ("/cli/checkpoint/resume-settings", test_resume_settings);
  g_test_add_func ("/cli/checkpoint/tsne-thread", test_tsne_thread);
  g_test_add_func ("/cli/checkpoint/damaged", test_resume_damaged);
  g_test_add_func ("/cli/diverged", test_diverged);
  g_test_add_func ("/cli/german", test_german);
  g_test_add_func ("/cli/animation", test_animation);
  rc = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return rc;
}
