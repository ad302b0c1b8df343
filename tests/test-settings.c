/* test-settings.c: the settings table, and the defaults, validation, JSON, text and GSettings
 * forms derived from it.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-error.h"
#include "cs-settings.h"
#include "cs-trainer.h"

static void
test_defaults (void)
{
  CsSettings s;
  GError *error = NULL;

  cs_settings_init_default (&s);
  g_assert_true (cs_settings_validate (&s, &error));
  g_assert_no_error (error);
  /* The paper's defaults (DESIGN.md). */
  g_assert_cmpint (s.algorithm, ==, CS_ALGORITHM_ROY);
  g_assert_cmpuint (s.k, ==, 10);
  g_assert_cmpfloat (s.lr, ==, 1e-3);
  g_assert_cmpuint (s.reinit_every, ==, 1);
  g_assert_cmpfloat (s.alpha, ==, 1000.0);
  g_assert_cmpfloat (s.lambda, ==, 1.0);
  g_assert_cmpuint (s.batch_size, ==, 256);
  g_assert_cmpuint (s.pretrain_epochs, ==, 50);
  g_assert_cmpuint (s.epochs, ==, 50);
  g_assert_cmpuint (s.embedding_dim, ==, 10);
  g_assert_cmpuint (s.n_hidden, ==, 3);
  g_assert_cmpuint (s.hidden[2], ==, 2000);
}

static void
test_round_trip (void)
{
  CsSettings s, back;
  g_autoptr (JsonNode) node = NULL;
  GError *error = NULL;

  cs_settings_init_default (&s);
  s.algorithm = CS_ALGORITHM_DKM;
  s.k = 7;
  s.lr = 3e-4;
  s.reinit_every = 3;
  s.reinit_mode = CS_REINIT_WARM;
  s.alpha = 12.5;
  s.lambda = 0.25;
  s.n_hidden = 2;
  s.hidden[0] = 64;
  s.hidden[1] = 32;
  s.seed = 123456789012ULL;
  s.nmi_average = CS_NMI_GEOMETRIC;
  s.freeze_projection = TRUE;

  node = cs_settings_to_json (&s);
  cs_settings_init_default (&back);
  g_assert_true (cs_settings_update_from_json (&back, json_node_get_object (node), &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&back, sizeof back, &s, sizeof s);
}

static void
check_rejected (const char *json, const char *needle)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  CsSettings s, before;
  GError *error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  cs_settings_init_default (&s);
  before = s;
  g_assert_false (cs_settings_update_from_json (
      &s, json_node_get_object (json_parser_get_root (parser)), &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, needle));
  /* Nothing half-applied. */
  g_assert_cmpmem (&s, sizeof s, &before, sizeof before);
  g_clear_error (&error);
}

static void
test_invalid (void)
{
  check_rejected ("{\"k\": 0}", "setting \"k\" must be at least 1");
  check_rejected ("{\"k\": 1001}", "at most 1000");
  check_rejected ("{\"k\": 5, \"lr\": -1}", "learning rate");
  check_rejected ("{\"algorithm\": \"deep\"}", "unknown algorithm");
  check_rejected ("{\"reinit_mode\": \"hot\"}", "fresh or warm");
  check_rejected ("{\"batch_size\": \"big\"}", "must be a number");
  check_rejected ("{\"hidden\": [10, 0]}", "hidden");
  check_rejected ("{\"seed\": -3}", "seed");
  check_rejected ("{\"k\": 2.5}", "integer");
}

static void
test_names (void)
{
  CsAlgorithm a;
  CsReinitMode r;

  g_assert_true (cs_algorithm_from_string ("AEKM", &a));
  g_assert_cmpint (a, ==, CS_ALGORITHM_AEKM);
  g_assert_cmpstr (cs_algorithm_to_string (CS_ALGORITHM_ROY), ==, "roy");
  g_assert_false (cs_algorithm_from_string ("kmeans", &a));
  g_assert_true (cs_reinit_mode_from_string ("warm", &r));
  g_assert_cmpint (r, ==, CS_REINIT_WARM);
}

/* A value of desc other than its default, inside its range. */
static void
set_other_value (CsSettings *s, const CsSettingDesc *desc)
{
  switch (desc->type)
    {
    case CS_SETTING_TYPE_ENUM:
      cs_settings_set_number (s, desc, desc->n_choices - 1);
      break;
    case CS_SETTING_TYPE_BOOLEAN:
      cs_settings_set_number (s, desc, !desc->def);
      break;
    case CS_SETTING_TYPE_LAYERS:
      g_assert_true (cs_settings_parse (s, desc, "test", "3,4", NULL));
      break;
    case CS_SETTING_TYPE_UINT:
    case CS_SETTING_TYPE_UINT64:
    case CS_SETTING_TYPE_DOUBLE:
    default:
      cs_settings_set_number (s, desc, desc->def == desc->max ? desc->min : desc->max);
      break;
    }
}

/* Every row, changed alone, comes back through JSON; its member is where the table says. */
static void
test_table_json (void)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (JsonNode) node = NULL;
      CsSettings s, back, defaults;
      GError *error = NULL;

      cs_settings_init_default (&defaults);
      s = defaults;
      set_other_value (&s, &descs[i]);
      g_assert_true (memcmp (&s, &defaults, sizeof s) != 0);
      node = cs_settings_to_json (&s);
      g_assert_true (json_object_has_member (json_node_get_object (node), descs[i].key));
      back = defaults;
      g_assert_true (cs_settings_update_from_json (&back, json_node_get_object (node), &error));
      g_assert_no_error (error);
      g_assert_cmpmem (&back, sizeof back, &s, sizeof s);
      g_assert_true (cs_settings_find (descs[i].key) == &descs[i]);
    }
}

/* Validation takes every range from the table: its ends pass, a step beyond them fails. */
static void
test_table_ranges (void)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);

  for (guint i = 0; i < n; i++)
    {
      const CsSettingDesc *d = &descs[i];
      double below, above;
      CsSettings s;
      GError *error = NULL;

      if (d->type != CS_SETTING_TYPE_UINT && d->type != CS_SETTING_TYPE_UINT64
          && d->type != CS_SETTING_TYPE_DOUBLE)
        continue;
      g_assert_cmpfloat (d->min, <=, d->def);
      g_assert_cmpfloat (d->def, <=, d->max);
      cs_settings_init_default (&s);
      cs_settings_set_number (&s, d, d->min);
      g_assert_true (cs_settings_validate (&s, NULL));
      cs_settings_set_number (&s, d, d->max);
      g_assert_true (cs_settings_validate (&s, NULL));
      /* Setting a number clamps it into the range. */
      cs_settings_set_number (&s, d, d->max * 2 + 1);
      g_assert_cmpfloat (cs_settings_get_number (&s, d), ==, d->max);

      /* Out of range as text (the CLI) and in JSON. */
      below = d->type == CS_SETTING_TYPE_DOUBLE ? d->min - fabs (d->min) - 1 : d->min - 1;
      above = d->type == CS_SETTING_TYPE_UINT ? d->max + 1 : d->max * 2 + 1;
      {
        g_autofree char *text = g_strdup_printf ("%.17g", above);
        g_autofree char *json = g_strdup_printf ("{\"%s\": %.17g}", d->key, above);
        g_autoptr (JsonParser) parser = json_parser_new ();

        g_assert_false (cs_settings_parse (&s, d, "--x", text, &error));
        g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
        g_assert_nonnull (strstr (error->message, "--x must be at most"));
        g_clear_error (&error);
        g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
        g_assert_false (cs_settings_update_from_json (
            &s, json_node_get_object (json_parser_get_root (parser)), &error));
        g_assert_nonnull (strstr (error->message, d->key));
        g_clear_error (&error);
      }
      if (below >= 0 || d->type == CS_SETTING_TYPE_DOUBLE)
        {
          g_autofree char *text = g_strdup_printf ("%.17g", below);

          g_assert_false (cs_settings_parse (&s, d, "--x", text, &error));
          g_assert_nonnull (strstr (error->message, "--x must be at least"));
          g_clear_error (&error);
        }
    }
}

/* Every row's default, written as text (the CLI's help), parses back to itself. */
static void
test_table_text (void)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  GError *error = NULL;

  for (guint i = 0; i < n; i++)
    {
      CsSettings s, defaults;
      g_autofree char *text = NULL;

      cs_settings_init_default (&defaults);
      s = defaults;
      set_other_value (&s, &descs[i]);
      text = cs_settings_format (&defaults, &descs[i]);
      g_assert_true (cs_settings_parse (&s, &descs[i], descs[i].key, text, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (&s, sizeof s, &defaults, sizeof defaults);
      if (descs[i].option != NULL)
        g_assert_true (cs_settings_find_option (descs[i].option) == &descs[i]);
      /* A summary for the CLI's help and the schema. */
      g_assert_nonnull (descs[i].summary);
    }
  {
    CsSettings s;

    cs_settings_init_default (&s);
    g_assert_false (cs_settings_parse (&s, cs_settings_find ("k"), "-k", "2.5", &error));
    g_assert_nonnull (strstr (error->message, "-k takes an integer"));
    g_clear_error (&error);
    g_assert_false (cs_settings_parse (&s, cs_settings_find ("algorithm"), "-a", "deep", &error));
    g_assert_nonnull (
        strstr (error->message, "unknown algorithm 'deep' (expected roy, dkm, aekm, dec or idec)"));
    g_clear_error (&error);
  }
}

/* The trainer's live mask comes from the table: one bit per live row, and when it applies. */
static void
test_table_live (void)
{
  guint n, seen = 0;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  CsSettings a, b;

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint ((guint) descs[i].live & seen, ==, 0);
      seen |= descs[i].live;
      /* Live exactly when it applies during a run; a live row has one bit. */
      g_assert_cmpint (descs[i].live != 0, ==, descs[i].apply != CS_APPLY_NEXT_RUN);
      if (descs[i].live != 0)
        g_assert_cmpuint (descs[i].live & (descs[i].live - 1), ==, 0);
    }
  g_assert_cmpuint (cs_settings_live_mask (CS_APPLY_NEXT_RUN), ==, seen);
  g_assert_cmpuint (cs_settings_live_mask (CS_APPLY_NEXT_BATCH), ==, CS_SETTING_LR);
  g_assert_cmpuint (cs_settings_live_mask (CS_APPLY_NEXT_EPOCH) & CS_SETTING_LR, ==, 0);
  g_assert_true (cs_settings_live_mask (CS_APPLY_NEXT_EPOCH) & CS_SETTING_K);
  g_assert_cmpuint (cs_settings_live_mask (CS_APPLY_NEXT_EPOCH)
                        | cs_settings_live_mask (CS_APPLY_NEXT_BATCH),
                    ==, seen);

  /* copy_live takes the named fields only, clamped, and says which changed. */
  cs_settings_init_default (&a);
  b = a;
  b.lr = 0.5;
  b.k = 5000;
  b.alpha = a.alpha; /* asked for but unchanged */
  b.batch_size = 7;  /* not live */
  g_assert_cmpuint (cs_settings_copy_live (&a, &b, CS_SETTING_LR | CS_SETTING_K | CS_SETTING_ALPHA),
                    ==, CS_SETTING_LR | CS_SETTING_K);
  g_assert_cmpfloat (a.lr, ==, 0.5);
  g_assert_cmpuint (a.k, ==, CS_MAX_K);
  g_assert_cmpuint (a.batch_size, ==, 256);
  g_assert_cmpuint (cs_settings_copy_live (&a, &b, CS_SETTING_LR), ==, 0);
}

/* The compiled schema of the build tree, with its source beside it for the summaries (GSettings
 * reads them from the XML next to gschemas.compiled). NULL in a build without the GUI. */
static GSettingsSchema *
lookup_schema (void)
{
  g_autoptr (GSettingsSchemaSource) source = NULL;
  g_autofree char *compiled = g_build_filename (BUILD_SCHEMA_DIR, "gschemas.compiled", NULL);
  g_autofree char *xml
      = g_test_build_filename (G_TEST_DIST, "..", "data", APP_ID ".gschema.xml", NULL);
  g_autofree char *dir = g_dir_make_tmp ("cs-schema-XXXXXX", NULL);
  g_autofree char *compiled_copy = g_build_filename (dir, "gschemas.compiled", NULL);
  g_autofree char *xml_copy = g_build_filename (dir, APP_ID ".gschema.xml", NULL);
  g_autofree char *data = NULL;
  GSettingsSchema *schema;
  gsize length;

  if (!g_file_test (compiled, G_FILE_TEST_EXISTS))
    return NULL;
  g_assert_true (g_file_get_contents (compiled, &data, &length, NULL));
  g_assert_true (g_file_set_contents (compiled_copy, data, length, NULL));
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (xml, &data, &length, NULL));
  g_assert_true (g_file_set_contents (xml_copy, data, length, NULL));
  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, NULL);
  g_assert_nonnull (source);
  schema = g_settings_schema_source_lookup (source, APP_ID, FALSE);
  /* GSettings reads the summaries when first asked for one; the copies stay until then. */
  if (schema != NULL)
    {
      g_autoptr (GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "k");

      g_settings_schema_key_get_summary (key);
    }
  g_unlink (compiled_copy);
  g_unlink (xml_copy);
  g_rmdir (dir);
  return schema;
}

/* Each row with a GSettings key has it in the schema with the table's type, range, choices,
 * default and summary, so that the panel (which takes its ranges from the schema) and the engine
 * cannot drift apart. */
static void
test_table_schema (void)
{
  g_autoptr (GSettingsSchema) schema = lookup_schema ();
  guint n, n_keys = 0;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  CsSettings defaults;

  if (schema == NULL)
    {
      g_test_skip ("the GSettings schema is not compiled in this build (-Dgui=false)");
      return;
    }
  cs_settings_init_default (&defaults);
  for (guint i = 0; i < n; i++)
    {
      const CsSettingDesc *d = &descs[i];
      g_autoptr (GSettingsSchemaKey) key = NULL;
      g_autoptr (GVariant) range = NULL, range_value = NULL, def = NULL, ours = NULL;
      const char *range_type;

      if (d->gsettings == NULL)
        continue;
      n_keys++;
      g_test_message ("key %s", d->gsettings);
      g_assert_true (g_settings_schema_has_key (schema, d->gsettings));
      g_assert_true (cs_settings_find_gsettings (d->gsettings) == d);
      key = g_settings_schema_get_key (schema, d->gsettings);
      g_assert_cmpstr (g_settings_schema_key_get_summary (key), ==, d->summary);
      def = g_settings_schema_key_get_default_value (key);
      ours = g_variant_ref_sink (cs_settings_get_variant (&defaults, d));
      g_assert_true (g_variant_equal (def, ours));
      g_assert_true (g_variant_is_of_type (def, g_settings_schema_key_get_value_type (key)));

      range = g_settings_schema_key_get_range (key);
      g_variant_get (range, "(&sv)", &range_type, &range_value);
      switch (d->type)
        {
        case CS_SETTING_TYPE_ENUM:
          {
            g_autofree const char **nicks = NULL;
            gsize n_nicks;

            g_assert_cmpstr (range_type, ==, "enum");
            nicks = g_variant_get_strv (range_value, &n_nicks);
            g_assert_cmpuint (n_nicks, ==, d->n_choices);
            for (guint c = 0; c < n_nicks; c++)
              g_assert_cmpstr (nicks[c], ==, d->choices[c].nick);
            break;
          }
        case CS_SETTING_TYPE_UINT:
        case CS_SETTING_TYPE_UINT64:
        case CS_SETTING_TYPE_DOUBLE:
          {
            g_autoptr (GVariant) lo = NULL, hi = NULL;
            CsSettings s = defaults;

            g_assert_cmpstr (range_type, ==, "range");
            g_variant_get (range_value, "(@*@*)", &lo, &hi);
            cs_settings_set_variant (&s, d, lo);
            g_assert_cmpfloat (cs_settings_get_number (&s, d), ==, d->min);
            g_assert_true (cs_settings_set_variant (&s, d, hi));
            g_assert_cmpfloat (cs_settings_get_number (&s, d), ==, d->max);
            /* Not clamped by set_variant: the schema's ends are the table's. */
            if (d->type == CS_SETTING_TYPE_DOUBLE)
              {
                g_assert_cmpfloat (g_variant_get_double (lo), ==, d->min);
                g_assert_cmpfloat (g_variant_get_double (hi), ==, d->max);
              }
            else if (d->type == CS_SETTING_TYPE_UINT)
              {
                g_assert_cmpfloat (g_variant_get_uint32 (lo), ==, d->min);
                g_assert_cmpfloat (g_variant_get_uint32 (hi), ==, d->max);
              }
            else
              {
                g_assert_cmpfloat ((double) g_variant_get_uint64 (lo), ==, d->min);
                g_assert_cmpfloat ((double) g_variant_get_uint64 (hi), ==, d->max);
              }
            break;
          }
        case CS_SETTING_TYPE_BOOLEAN:
          g_assert_cmpstr (range_type, ==, "type");
          break;
        case CS_SETTING_TYPE_LAYERS:
        default:
          g_assert_not_reached ();
        }
    }
  g_assert_cmpuint (n_keys, >, 0);
}

/* Settings go to GSettings and come back; only GSettings' keys are touched. */
static void
test_table_gsettings (void)
{
  g_autoptr (GSettingsSchema) schema = lookup_schema ();
  g_autoptr (GSettingsBackend) backend = NULL;
  g_autoptr (GSettings) gs = NULL;
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  CsSettings s, back;

  if (schema == NULL)
    {
      g_test_skip ("the GSettings schema is not compiled in this build (-Dgui=false)");
      return;
    }
  backend = g_memory_settings_backend_new ();
  gs = g_settings_new_full (schema, backend, NULL);
  cs_settings_init_default (&s);
  for (guint i = 0; i < n; i++)
    if (descs[i].gsettings != NULL)
      set_other_value (&s, &descs[i]);
  cs_settings_save_gsettings (&s, gs);
  cs_settings_init_default (&back);
  back.batch_size = 3;   /* a key of GSettings: overwritten */
  back.kmeans_tol = 0.5; /* not one: stays */
  cs_settings_load_gsettings (&back, gs);
  g_assert_cmpfloat (back.kmeans_tol, ==, 0.5);
  back.kmeans_tol = s.kmeans_tol;
  g_assert_cmpmem (&back, sizeof back, &s, sizeof s);
  g_assert_cmpuint (g_settings_get_uint (gs, "k"), ==, s.k);
}

typedef struct
{
  CsTrainer *trainer;
  CsSettings wanted;
  GPtrArray *snaps;
} LiveRun;

static void
on_live_snapshot (CsSnapshot *snap, gpointer data)
{
  LiveRun *run = data;

  g_ptr_array_add (run->snaps, cs_snapshot_ref (snap));
  if (run->snaps->len == 1)
    cs_trainer_request_settings (run->trainer, &run->wanted,
                                 cs_settings_live_mask (CS_APPLY_NEXT_RUN));
}

/* Every live row of the table reaches a running trainer through the one generic path: asked for
 * after the first epoch, all are in force (and marked changed) in the second; the others wait. */
static void
test_table_live_trainer (void)
{
  CsSyntheticOptions opt;
  g_autoptr (CsDataset) ds = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  g_autoptr (GPtrArray) snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);
  CsSnapshot *second;
  LiveRun run;
  CsSettings s;
  GError *error = NULL;

  cs_synthetic_options_init (&opt);
  opt.kind = CS_SYNTHETIC_BLOBS;
  opt.n = 300;
  ds = cs_dataset_new_synthetic (&opt);
  cs_settings_init_default (&s);
  s.k = 4;
  s.n_hidden = 1;
  s.hidden[0] = 16;
  s.embedding_dim = 3;
  s.pretrain_epochs = 0;
  s.epochs = 3;
  s.batch_size = 100;
  s.kmeans_n_init = 2;
  trainer = cs_trainer_new (ds, &s, &error);
  g_assert_no_error (error);

  run.trainer = trainer;
  run.snaps = snaps;
  run.wanted = s;
  for (guint i = 0; i < n; i++)
    {
      const CsSettingDesc *d = &descs[i];

      if (d->type == CS_SETTING_TYPE_LAYERS)
        continue;
      /* One step from the current value, so that K stays small. */
      if (d->type == CS_SETTING_TYPE_ENUM || d->type == CS_SETTING_TYPE_BOOLEAN)
        set_other_value (&run.wanted, d);
      else
        cs_settings_set_number (&run.wanted, d,
                                cs_settings_get_number (&s, d) + (d->step > 0 ? d->step : 1));
    }
  cs_trainer_set_snapshot_func (trainer, on_live_snapshot, &run);
  g_assert_true (cs_trainer_run (trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (snaps->len, ==, 3);

  second = g_ptr_array_index (snaps, 1);
  g_assert_cmpuint (second->changed, ==, cs_settings_live_mask (CS_APPLY_NEXT_RUN));
  for (guint i = 0; i < n; i++)
    {
      const CsSettingDesc *d = &descs[i];
      const CsSettings *expect = d->live ? &run.wanted : &s;

      if (d->type == CS_SETTING_TYPE_LAYERS)
        continue;
      g_test_message ("%s", d->key);
      g_assert_cmpfloat (cs_settings_get_number (&second->settings, d), ==,
                         cs_settings_get_number (expect, d));
    }
  g_assert_cmpuint (second->k, ==, run.wanted.k);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/defaults", test_defaults);
  g_test_add_func ("/settings/round-trip", test_round_trip);
  g_test_add_func ("/settings/invalid", test_invalid);
  g_test_add_func ("/settings/names", test_names);
  g_test_add_func ("/settings/table/json-round-trip", test_table_json);
  g_test_add_func ("/settings/table/ranges", test_table_ranges);
  g_test_add_func ("/settings/table/text", test_table_text);
  g_test_add_func ("/settings/table/live-mask", test_table_live);
  g_test_add_func ("/settings/table/live-trainer", test_table_live_trainer);
  g_test_add_func ("/settings/table/schema", test_table_schema);
  g_test_add_func ("/settings/table/gsettings", test_table_gsettings);
  return g_test_run ();
}
