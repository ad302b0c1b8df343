/* cs-run.c: writing and reading the run folder.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>

#include "cs-error.h"
#include "cs-file.h"
#include "cs-metrics.h"
#include "cs-run.h"

gboolean
cs_run_write_config (const char *path,
                     const CsSettings *settings,
                     const char *dataset_spec,
                     const CsDataset *dataset,
                     GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "clusterscope-run");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "generator");
  json_builder_add_string_value (b, "Clusterscope " PACKAGE_VERSION);
  json_builder_set_member_name (b, "dataset");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "spec");
  json_builder_add_string_value (b, dataset_spec ? dataset_spec : "");
  if (dataset)
    {
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, dataset->name ? dataset->name : "");
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, (gint64) dataset->n);
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, dataset->d);
      json_builder_set_member_name (b, "n_classes");
      json_builder_add_int_value (b, dataset->n_classes);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "settings");
  json_builder_add_value (b, cs_settings_to_json (settings));
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  return cs_file_write_atomic (path, text, len, error);
}

gboolean
cs_run_read_config (const char *path, CsSettings *settings, char **dataset_spec, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;
  JsonObject *o, *s;
  GError *inner = NULL;

  if (!json_parser_load_from_file (parser, path, &local))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, "%s: %s", path, local->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: expected a JSON object"), path);
      return FALSE;
    }
  o = json_node_get_object (root);
  /* A bare settings object is accepted too, for hand-written configs. */
  s = json_object_has_member (o, "settings") ? json_object_get_object_member (o, "settings") : o;
  if (s == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: \"settings\" must be an object"),
                   path);
      return FALSE;
    }
  if (!cs_settings_update_from_json (settings, s, &inner))
    {
      g_set_error (error, CS_ERROR, inner->code, "%s: %s", path, inner->message);
      g_error_free (inner);
      return FALSE;
    }
  if (dataset_spec)
    {
      JsonObject *ds = json_object_has_member (o, "dataset")
                           ? json_object_get_object_member (o, "dataset")
                           : NULL;
      const char *spec = ds && json_object_has_member (ds, "spec")
                             ? json_object_get_string_member (ds, "spec")
                             : NULL;
      *dataset_spec = spec && *spec ? g_strdup (spec) : NULL;
    }
  return TRUE;
}

gboolean
cs_run_read_dataset_shape (const char *path, guint *n, guint *d, guint *n_classes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o, *ds;

  if (!json_parser_load_from_file (parser, path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  ds = json_object_has_member (o, "dataset") ? json_object_get_object_member (o, "dataset") : NULL;
  if (ds == NULL || !json_object_has_member (ds, "n") || !json_object_has_member (ds, "d"))
    return FALSE;
  *n = (guint) CLAMP (json_object_get_int_member (ds, "n"), 0, G_MAXUINT32);
  *d = (guint) CLAMP (json_object_get_int_member (ds, "d"), 0, G_MAXUINT32);
  *n_classes = json_object_has_member (ds, "n_classes")
                   ? (guint) CLAMP (json_object_get_int_member (ds, "n_classes"), 0, G_MAXINT32)
                   : 0;
  return *n > 0 && *d > 0;
}

static void
append_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (s, ',');
  if (!isnan (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

gboolean
cs_run_write_metrics_csv (const char *path,
                          CsSnapshot *const *history,
                          guint n_history,
                          GError **error)
{
  return cs_run_write_metrics_csv_after (path, NULL, history, n_history, error);
}

gboolean
cs_run_write_metrics_csv_after (
    const char *path, const char *rows, CsSnapshot *const *history, guint n_history, GError **error)
{
  g_autoptr (GString) s
      = g_string_new ("epoch,phase,loss_rec,loss_clu,acc,nmi,ari,label_change,inertia,seconds,"
                      "k,lr,reinit_every,reinit_mode,alpha,lambda\n");

  if (rows != NULL)
    g_string_append (s, rows);
  for (guint i = 0; i < n_history; i++)
    {
      const CsSnapshot *snap = history[i];
      const CsEpochMetrics *mt = &snap->metrics;

      g_string_append_printf (s, "%u,%s", snap->epoch, cs_phase_to_string (snap->phase));
      append_number (s, mt->loss_rec);
      append_number (s, mt->loss_clu);
      append_number (s, mt->acc);
      append_number (s, mt->nmi);
      append_number (s, mt->ari);
      append_number (s, mt->label_change);
      append_number (s, mt->inertia);
      append_number (s, mt->seconds);
      g_string_append_printf (s, ",%u", snap->k);
      append_number (s, snap->settings.lr);
      g_string_append_printf (s, ",%u,%s", snap->settings.reinit_every,
                              cs_reinit_mode_to_string (snap->settings.reinit_mode));
      append_number (s, snap->settings.alpha);
      append_number (s, snap->settings.lambda);
      g_string_append_c (s, '\n');
    }
  return cs_file_write_atomic (path, s->str, s->len, error);
}

char *
cs_run_read_metrics_rows (const char *run_dir, guint last, GError **error)
{
  g_autofree char *path = g_build_filename (run_dir, "metrics.csv", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) rows = g_string_new (NULL);
  guint found = 0;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL && found < last; i++)
    {
      guint64 epoch = g_ascii_strtoull (lines[i], NULL, 10);

      if (lines[i][0] == '\0')
        continue;
      if (epoch != found + 1)
        break;
      g_string_append_printf (rows, "%s\n", lines[i]);
      found++;
    }
  if (found < last)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s holds the rows of %u epochs, not of the %u before the checkpoint"), path,
                   found, last);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&rows), FALSE);
}

gboolean
cs_run_write_labels_csv (const char *path,
                         const CsDataset *dataset,
                         const CsSnapshot *snap,
                         GError **error)
{
  return cs_run_write_labels_csv_rows (path, dataset, snap, NULL, error);
}

gboolean
cs_run_write_labels_csv_rows (const char *path,
                              const CsDataset *dataset,
                              const CsSnapshot *snap,
                              const guint8 *rows,
                              GError **error)
{
  g_autoptr (GString) s = g_string_sized_new (snap->n * (40 + (snap->codes ? 12 * snap->m : 0)));
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (dataset->n == snap->n, FALSE);

  g_string_append (s, "id,label,cluster,confidence,x,y");
  if (snap->codes)
    for (guint c = 0; c < snap->m; c++)
      g_string_append_printf (s, ",z_%u", c);
  g_string_append_c (s, '\n');

  for (gsize i = 0; i < snap->n; i++)
    {
      if (rows != NULL && rows[i] == 0)
        continue;
      g_string_append_printf (s, "%zu,", i);
      if (dataset->labels)
        g_string_append_printf (s, "%d", dataset->labels[i]);
      g_string_append_printf (s, ",%u,", snap->clusters[i]);
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6g", snap->confidence[i]));
      g_string_append_c (s, ',');
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.7g", snap->xy[2 * i]));
      g_string_append_c (s, ',');
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.7g", snap->xy[2 * i + 1]));
      if (snap->codes)
        for (guint c = 0; c < snap->m; c++)
          {
            g_string_append_c (s, ',');
            g_string_append (
                s, g_ascii_formatd (buf, sizeof buf, "%.7g", snap->codes[i * snap->m + c]));
          }
      g_string_append_c (s, '\n');
    }
  return cs_file_write_atomic (path, s->str, s->len, error);
}

gboolean
cs_run_begin_folder (const char *dir,
                     const CsSettings *settings,
                     const char *dataset_spec,
                     const CsDataset *dataset,
                     GError **error)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (dir);

      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not create the folder “%s”: %s"),
                   display, g_strerror (saved));
      return FALSE;
    }
  return cs_run_write_config (config, settings, dataset_spec, dataset, error);
}

gboolean
cs_run_write_folder (const char *dir,
                     const CsSettings *settings,
                     const char *dataset_spec,
                     const CsDataset *dataset,
                     CsSnapshot *const *history,
                     guint n_history,
                     GBytes *model,
                     GError **error)
{
  g_autofree char *metrics = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *labels = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *model_path = g_build_filename (dir, "model.bin", NULL);

  if (!cs_run_begin_folder (dir, settings, dataset_spec, dataset, error)
      || !cs_run_write_metrics_csv (metrics, history, n_history, error))
    return FALSE;
  if (n_history > 0 && !cs_run_write_labels_csv (labels, dataset, history[n_history - 1], error))
    return FALSE;
  if (model != NULL
      && !cs_file_write_atomic (model_path, g_bytes_get_data (model, NULL),
                                g_bytes_get_size (model), error))
    return FALSE;
  return TRUE;
}

/* The index of each wanted column in a CSV header line, -1 when absent. */
static void
find_columns (const char *header, const char *const *wanted, gint *index, guint n_wanted)
{
  g_auto (GStrv) names = g_strsplit (header, ",", -1);

  for (guint w = 0; w < n_wanted; w++)
    {
      index[w] = -1;
      for (guint c = 0; names[c] != NULL; c++)
        if (g_strcmp0 (g_strstrip (names[c]), wanted[w]) == 0)
          {
            index[w] = (gint) c;
            break;
          }
    }
}

/* Field c of a split row as a number: NAN when empty, absent or not a number. */
static double
field_number (char **fields, guint n_fields, gint c)
{
  char *end;
  double v;

  if (c < 0 || (guint) c >= n_fields || fields[c][0] == '\0')
    return NAN;
  v = g_ascii_strtod (fields[c], &end);
  return end == fields[c] ? NAN : v;
}

enum
{
  M_EPOCH,
  M_PHASE,
  M_LOSS_REC,
  M_LOSS_CLU,
  M_ACC,
  M_NMI,
  M_ARI,
  M_LABEL_CHANGE,
  M_INERTIA,
  M_SECONDS,
  M_K,
  M_LR,
  M_REINIT_EVERY,
  M_REINIT_MODE,
  M_ALPHA,
  M_LAMBDA,
  M_N
};

static const char *const metrics_columns[M_N] = {
  "epoch",        "phase",        "loss_rec", "loss_clu", "acc", "nmi",
  "ari",          "label_change", "inertia",  "seconds",  "k",   "lr",
  "reinit_every", "reinit_mode",  "alpha",    "lambda",
};

/* One snapshot per row of metrics.csv, scores and settings only. */
static gboolean
read_metrics_history (const char *path, const CsSettings *base, CsHistory *history, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  gint col[M_N];
  guint last_epoch = 0;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  find_columns (lines[0] != NULL ? lines[0] : "", metrics_columns, col, M_N);
  if (col[M_EPOCH] < 0 || col[M_PHASE] < 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s is not a metrics table: its first line names no epoch and phase"), path);
      return FALSE;
    }
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = NULL;
      guint nf;
      double epoch, k;
      g_autoptr (CsSnapshot) snap = NULL;
      CsEpochMetrics *mt;
      CsReinitMode mode;

      if (lines[i][0] == '\0' || lines[i][0] == '\r')
        continue;
      f = g_strsplit (g_strstrip (lines[i]), ",", -1);
      nf = g_strv_length (f);
      epoch = field_number (f, nf, col[M_EPOCH]);
      k = field_number (f, nf, col[M_K]);
      if (!(epoch >= 1 && epoch <= G_MAXINT32) || (guint) epoch <= last_epoch)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s, line %u: the epoch is missing or out of order"), path, i + 1);
          return FALSE;
        }
      last_epoch = (guint) epoch;
      snap = cs_snapshot_new (0, 0, k >= 1 && k <= CS_MAX_K ? (guint) k : base->k, 0, FALSE);
      snap->epoch = (guint) epoch;
      snap->phase
          = col[M_PHASE] < (gint) nf
                    && g_strcmp0 (f[col[M_PHASE]], cs_phase_to_string (CS_PHASE_CLUSTER)) == 0
                ? CS_PHASE_CLUSTER
                : CS_PHASE_PRETRAIN;
      snap->settings = *base;
      snap->settings.k = snap->k;
      if (isfinite (field_number (f, nf, col[M_LR])))
        snap->settings.lr = field_number (f, nf, col[M_LR]);
      if (field_number (f, nf, col[M_REINIT_EVERY]) >= 0)
        snap->settings.reinit_every = (guint) field_number (f, nf, col[M_REINIT_EVERY]);
      if (col[M_REINIT_MODE] >= 0 && (guint) col[M_REINIT_MODE] < nf
          && cs_reinit_mode_from_string (f[col[M_REINIT_MODE]], &mode))
        snap->settings.reinit_mode = mode;
      if (isfinite (field_number (f, nf, col[M_ALPHA])))
        snap->settings.alpha = field_number (f, nf, col[M_ALPHA]);
      if (isfinite (field_number (f, nf, col[M_LAMBDA])))
        snap->settings.lambda = field_number (f, nf, col[M_LAMBDA]);
      mt = &snap->metrics;
      mt->loss_rec = field_number (f, nf, col[M_LOSS_REC]);
      mt->loss_clu = field_number (f, nf, col[M_LOSS_CLU]);
      mt->acc = field_number (f, nf, col[M_ACC]);
      mt->nmi = field_number (f, nf, col[M_NMI]);
      mt->ari = field_number (f, nf, col[M_ARI]);
      mt->label_change = field_number (f, nf, col[M_LABEL_CHANGE]);
      mt->inertia = field_number (f, nf, col[M_INERTIA]);
      mt->seconds = field_number (f, nf, col[M_SECONDS]);
      cs_history_append (history, snap);
    }
  /* The phase epochs, as the trainer counts them. */
  {
    guint n, in_phase = 0;
    CsSnapshot *const *snaps = cs_history_peek (history, &n);

    for (guint i = 0; i < n; i++)
      {
        in_phase = i > 0 && snaps[i]->phase == snaps[i - 1]->phase ? in_phase + 1 : 1;
        snaps[i]->phase_epoch = in_phase;
      }
  }
  if (cs_history_get_n (history) == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s holds no epoch"), path);
      return FALSE;
    }
  return TRUE;
}

enum
{
  L_LABEL,
  L_CLUSTER,
  L_CONFIDENCE,
  L_X,
  L_Y,
  L_N
};

typedef struct
{
  float v[L_N];
} LabelsRow;

static const char *const labels_columns[L_N] = { "label", "cluster", "confidence", "x", "y" };

/* The last epoch's points from labels.csv, as a snapshot like last but with them; NULL when the
 * file is absent, malformed or of another size than n_points. */
static CsSnapshot *
read_labels_points (const char *path, const CsSnapshot *last, guint n_classes, gsize n_points)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (LabelsRow));
  gint col[L_N];
  CsSnapshot *snap;
  g_autofree gint32 *labels = NULL;
  g_autofree double *sums = NULL;
  gboolean have_labels;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  find_columns (lines[0] != NULL ? lines[0] : "", labels_columns, col, L_N);
  if (col[L_CLUSTER] < 0 || col[L_X] < 0 || col[L_Y] < 0)
    return NULL;
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = NULL;
      guint nf;
      LabelsRow r;
      float *row = r.v;

      if (lines[i][0] == '\0' || lines[i][0] == '\r')
        continue;
      f = g_strsplit (g_strstrip (lines[i]), ",", -1);
      nf = g_strv_length (f);
      for (guint c = 0; c < L_N; c++)
        row[c] = (float) field_number (f, nf, col[c]);
      if (!(row[L_CLUSTER] >= 0 && row[L_CLUSTER] < last->k))
        return NULL;
      g_array_append_val (rows, r);
    }
  if (rows->len == 0 || (n_points > 0 && rows->len != n_points))
    return NULL;

  snap = cs_snapshot_new (rows->len, 0, last->k, n_classes, FALSE);
  snap->epoch = last->epoch;
  snap->phase_epoch = last->phase_epoch;
  snap->phase = last->phase;
  snap->settings = last->settings;
  snap->metrics = last->metrics;
  labels = g_new (gint32, rows->len);
  sums = g_new0 (double, 2 * (gsize) last->k);
  have_labels = n_classes > 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const float *row = g_array_index (rows, LabelsRow, i).v;
      guint c = (guint) row[L_CLUSTER];

      snap->clusters[i] = (guint16) c;
      snap->confidence[i] = isfinite (row[L_CONFIDENCE]) ? row[L_CONFIDENCE] : 0.0f;
      snap->xy[2 * i] = row[L_X];
      snap->xy[2 * i + 1] = row[L_Y];
      snap->cluster_sizes[c]++;
      sums[2 * c] += row[L_X];
      sums[2 * c + 1] += row[L_Y];
      labels[i] = isfinite (row[L_LABEL]) ? (gint32) row[L_LABEL] : -1;
      if (labels[i] < 0 || (guint) labels[i] >= n_classes)
        have_labels = FALSE;
    }
  for (guint j = 0; j < last->k; j++)
    for (guint a = 0; a < 2; a++)
      snap->centroids_xy[2 * j + a]
          = snap->cluster_sizes[j] > 0 ? (float) (sums[2 * j + a] / snap->cluster_sizes[j]) : NAN;
  if (have_labels)
    {
      for (guint i = 0; i < rows->len; i++)
        snap->contingency[(gsize) labels[i] * last->k + snap->clusters[i]]++;
      {
        CsContingency table = { n_classes, last->k, rows->len, snap->contingency };

        cs_contingency_match (&table, snap->cluster_to_class);
      }
    }
  return snap;
}

CsHistory *
cs_run_read_history (const char *run_dir, gsize n_points, char **name, GError **error)
{
  g_autofree char *config = g_build_filename (run_dir, "config.json", NULL);
  g_autofree char *metrics = g_build_filename (run_dir, "metrics.csv", NULL);
  g_autofree char *labels = g_build_filename (run_dir, "labels.csv", NULL);
  g_autoptr (CsHistory) history = cs_history_new (G_MAXUINT);
  g_autoptr (CsSnapshot) points = NULL;
  CsSettings settings;
  guint n = 0, d = 0, n_classes = 0, count;

  cs_settings_init_default (&settings);
  if (!cs_run_read_config (config, &settings, NULL, error)
      || !read_metrics_history (metrics, &settings, history, error))
    return NULL;
  cs_run_read_dataset_shape (config, &n, &d, &n_classes);
  count = cs_history_get_n (history);
  points = read_labels_points (labels, cs_history_get (history, count - 1), n_classes, n_points);
  if (points != NULL)
    {
      cs_history_truncate (history, count - 1);
      cs_history_append (history, points);
    }
  if (name != NULL)
    /* Translators: a run kept for comparison: its algorithm and seed */
    *name = g_strdup_printf (_ ("%s, seed %llu"), cs_algorithm_to_string (settings.algorithm),
                             (unsigned long long) settings.seed);
  return g_steal_pointer (&history);
}
