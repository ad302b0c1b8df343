/* test-settings.c: defaults, validation and the JSON round-trip of run settings.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-error.h"
#include "cs-settings.h"

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
  check_rejected ("{\"k\": 0}", "K must be");
  check_rejected ("{\"k\": 5, \"lr\": -1}", "learning rate");
  check_rejected ("{\"algorithm\": \"dec\"}", "unknown algorithm");
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/defaults", test_defaults);
  g_test_add_func ("/settings/round-trip", test_round_trip);
  g_test_add_func ("/settings/invalid", test_invalid);
  g_test_add_func ("/settings/names", test_names);
  return g_test_run ();
}
