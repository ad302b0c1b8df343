/* cs-settings.c: defaults, validation and JSON round-trip of a run's settings.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-error.h"
#include "cs-settings.h"

void
cs_settings_init_default (CsSettings *self)
{
  memset (self, 0, sizeof *self);
  self->algorithm = CS_ALGORITHM_ROY;
  self->k = 10;
  self->lr = 1e-3;
  self->reinit_every = 1;
  self->reinit_mode = CS_REINIT_FRESH;
  self->alpha = 1000.0;
  self->lambda = 1.0;
  self->batch_size = 256;
  self->pretrain_epochs = 50;
  self->epochs = 50;
  self->embedding_dim = 10;
  self->n_hidden = 3;
  self->hidden[0] = 500;
  self->hidden[1] = 500;
  self->hidden[2] = 2000;
  self->seed = 0;
  self->kmeans_n_init = 10;
  self->kmeans_max_iter = 300;
  self->kmeans_tol = 1e-4;
  self->nmi_average = CS_NMI_ARITHMETIC;
  self->freeze_projection = FALSE;
}

static const char *const algorithm_names[] = { "roy", "dkm", "aekm" };
static const char *const reinit_names[] = { "fresh", "warm" };

const char *
cs_algorithm_to_string (CsAlgorithm algorithm)
{
  g_return_val_if_fail ((guint) algorithm < G_N_ELEMENTS (algorithm_names), NULL);
  return algorithm_names[algorithm];
}

gboolean
cs_algorithm_from_string (const char *str, CsAlgorithm *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (algorithm_names); i++)
    if (g_ascii_strcasecmp (str, algorithm_names[i]) == 0)
      {
        *out = (CsAlgorithm) i;
        return TRUE;
      }
  return FALSE;
}

const char *
cs_reinit_mode_to_string (CsReinitMode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (reinit_names), NULL);
  return reinit_names[mode];
}

gboolean
cs_reinit_mode_from_string (const char *str, CsReinitMode *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (reinit_names); i++)
    if (g_ascii_strcasecmp (str, reinit_names[i]) == 0)
      {
        *out = (CsReinitMode) i;
        return TRUE;
      }
  return FALSE;
}

#define INVALID(...)                                                                               \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_set_error (error, CS_ERROR, CS_ERROR_INVALID, __VA_ARGS__);                                  \
    return FALSE;                                                                                  \
  }                                                                                                \
  G_STMT_END

gboolean
cs_settings_validate (const CsSettings *self, GError **error)
{
  if ((guint) self->algorithm > CS_ALGORITHM_AEKM)
    INVALID ("unknown algorithm");
  if (self->k < 1 || self->k > 1000)
    INVALID ("K must be between 1 and 1000 (got %u)", self->k);
  if (!(self->lr > 0.0 && self->lr <= 1.0))
    INVALID ("the learning rate must be in (0, 1] (got %g)", self->lr);
  if (self->reinit_every < 1)
    INVALID ("the re-initialisation frequency must be at least 1 epoch");
  if (!(self->alpha > 0.0 && isfinite (self->alpha)))
    INVALID ("alpha must be positive (got %g)", self->alpha);
  if (!(self->lambda >= 0.0 && isfinite (self->lambda)))
    INVALID ("lambda must be zero or positive (got %g)", self->lambda);
  if (self->batch_size < 1 || self->batch_size > 65536)
    INVALID ("the batch size must be between 1 and 65536 (got %u)", self->batch_size);
  if (self->embedding_dim < 1 || self->embedding_dim > 4096)
    INVALID ("the embedding size must be between 1 and 4096 (got %u)", self->embedding_dim);
  if (self->n_hidden > CS_MAX_HIDDEN)
    INVALID ("at most %d hidden layers", CS_MAX_HIDDEN);
  for (guint i = 0; i < self->n_hidden; i++)
    if (self->hidden[i] < 1 || self->hidden[i] > 65536)
      INVALID ("hidden layer %u must have between 1 and 65536 units (got %u)", i + 1,
               self->hidden[i]);
  if (self->kmeans_n_init < 1)
    INVALID ("K-means needs at least one initialisation");
  if (self->kmeans_max_iter < 1)
    INVALID ("K-means needs at least one iteration");
  if (!(self->kmeans_tol >= 0.0))
    INVALID ("the K-means tolerance must be zero or positive");
  return TRUE;
}

JsonNode *
cs_settings_to_json (const CsSettings *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, cs_algorithm_to_string (self->algorithm));
  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, self->k);
  json_builder_set_member_name (b, "lr");
  json_builder_add_double_value (b, self->lr);
  json_builder_set_member_name (b, "reinit_every");
  json_builder_add_int_value (b, self->reinit_every);
  json_builder_set_member_name (b, "reinit_mode");
  json_builder_add_string_value (b, cs_reinit_mode_to_string (self->reinit_mode));
  json_builder_set_member_name (b, "alpha");
  json_builder_add_double_value (b, self->alpha);
  json_builder_set_member_name (b, "lambda");
  json_builder_add_double_value (b, self->lambda);
  json_builder_set_member_name (b, "batch_size");
  json_builder_add_int_value (b, self->batch_size);
  json_builder_set_member_name (b, "pretrain_epochs");
  json_builder_add_int_value (b, self->pretrain_epochs);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, self->epochs);
  json_builder_set_member_name (b, "embedding_dim");
  json_builder_add_int_value (b, self->embedding_dim);
  json_builder_set_member_name (b, "hidden");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->n_hidden; i++)
    json_builder_add_int_value (b, self->hidden[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) self->seed);
  json_builder_set_member_name (b, "kmeans_n_init");
  json_builder_add_int_value (b, self->kmeans_n_init);
  json_builder_set_member_name (b, "kmeans_max_iter");
  json_builder_add_int_value (b, self->kmeans_max_iter);
  json_builder_set_member_name (b, "kmeans_tol");
  json_builder_add_double_value (b, self->kmeans_tol);
  json_builder_set_member_name (b, "nmi_average");
  json_builder_add_string_value (b, self->nmi_average == CS_NMI_GEOMETRIC ? "geometric"
                                                                          : "arithmetic");
  json_builder_set_member_name (b, "freeze_projection");
  json_builder_add_boolean_value (b, self->freeze_projection);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
get_number (JsonObject *o, const char *name, double *out, GError **error)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_INT64
          && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, "setting \"%s\" must be a number", name);
      return FALSE;
    }
  *out = json_node_get_double (node);
  return TRUE;
}

static gboolean
get_uint (JsonObject *o, const char *name, guint *out, GError **error)
{
  double v = *out;

  if (!get_number (o, name, &v, error))
    return FALSE;
  if (v < 0 || v > G_MAXUINT || v != floor (v))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   "setting \"%s\" must be a non-negative integer", name);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
get_string (JsonObject *o, const char *name, const char **out, GError **error)
{
  JsonNode *node = json_object_get_member (o, name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, "setting \"%s\" must be a string", name);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
cs_settings_update_from_json (CsSettings *self, JsonObject *o, GError **error)
{
  CsSettings s = *self;
  const char *str;
  double seed = (double) s.seed;
  JsonNode *node;

  if (!get_string (o, "algorithm", &str, error))
    return FALSE;
  if (str && !cs_algorithm_from_string (str, &s.algorithm))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   "unknown algorithm \"%s\" (expected roy, dkm or aekm)", str);
      return FALSE;
    }
  if (!get_string (o, "reinit_mode", &str, error))
    return FALSE;
  if (str && !cs_reinit_mode_from_string (str, &s.reinit_mode))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   "unknown re-initialisation mode \"%s\" (expected fresh or warm)", str);
      return FALSE;
    }
  if (!get_string (o, "nmi_average", &str, error))
    return FALSE;
  if (str)
    {
      if (g_str_equal (str, "arithmetic"))
        s.nmi_average = CS_NMI_ARITHMETIC;
      else if (g_str_equal (str, "geometric"))
        s.nmi_average = CS_NMI_GEOMETRIC;
      else
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       "unknown NMI average \"%s\" (expected arithmetic or geometric)", str);
          return FALSE;
        }
    }
  if (!get_uint (o, "k", &s.k, error) || !get_number (o, "lr", &s.lr, error)
      || !get_uint (o, "reinit_every", &s.reinit_every, error)
      || !get_number (o, "alpha", &s.alpha, error) || !get_number (o, "lambda", &s.lambda, error)
      || !get_uint (o, "batch_size", &s.batch_size, error)
      || !get_uint (o, "pretrain_epochs", &s.pretrain_epochs, error)
      || !get_uint (o, "epochs", &s.epochs, error)
      || !get_uint (o, "embedding_dim", &s.embedding_dim, error)
      || !get_number (o, "seed", &seed, error)
      || !get_uint (o, "kmeans_n_init", &s.kmeans_n_init, error)
      || !get_uint (o, "kmeans_max_iter", &s.kmeans_max_iter, error)
      || !get_number (o, "kmeans_tol", &s.kmeans_tol, error))
    return FALSE;
  if (seed < 0 || seed != floor (seed))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   "setting \"seed\" must be a non-negative integer");
      return FALSE;
    }
  s.seed = (guint64) seed;

  node = json_object_get_member (o, "freeze_projection");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       "setting \"freeze_projection\" must be true or false");
          return FALSE;
        }
      s.freeze_projection = json_node_get_boolean (node);
    }

  node = json_object_get_member (o, "hidden");
  if (node != NULL)
    {
      JsonArray *a;

      if (!JSON_NODE_HOLDS_ARRAY (node)
          || json_array_get_length ((a = json_node_get_array (node))) > CS_MAX_HIDDEN)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       "setting \"hidden\" must be an array of at most %d layer sizes",
                       CS_MAX_HIDDEN);
          return FALSE;
        }
      s.n_hidden = json_array_get_length (a);
      for (guint i = 0; i < s.n_hidden; i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64
              || json_node_get_int (e) < 1 || json_node_get_int (e) > 65536)
            {
              g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                           "setting \"hidden\": entry %u must be an integer in [1, 65536]", i);
              return FALSE;
            }
          s.hidden[i] = (guint) json_node_get_int (e);
        }
    }

  if (!cs_settings_validate (&s, error))
    return FALSE;
  *self = s;
  return TRUE;
}
