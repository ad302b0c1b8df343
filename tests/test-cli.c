/* test-cli.c: clusterscope-cli end to end: run folder, determinism, errors and exit codes.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cs-settings.h"

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
    g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
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

  expect_usage_error ("unknown algorithm 'dec'", "--algorithm", "dec", NULL);
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

  /* The file aborted in K-means; now the trainer refuses it, naming the file. */
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
  g_test_add_func ("/cli/config-and-model", test_config_and_model);
  g_test_add_func ("/cli/kmeans-only", test_kmeans_only);
  g_test_add_func ("/cli/k-from-classes", test_k_from_classes);
  g_test_add_func ("/cli/synthetic-default", test_synthetic_default);
  g_test_add_func ("/cli/projection", test_projection);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/options-from-table", test_options_from_table);
  g_test_add_func ("/cli/extreme-values", test_extreme_values);
  rc = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return rc;
}
