/* cs-settings.h: every setting of a run, as a plain value type, with JSON round-trip.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-metrics.h"
#include "cs-types.h"

G_BEGIN_DECLS

#define CS_MAX_HIDDEN 8

typedef enum
{
  CS_ALGORITHM_ROY,  /* frozen centroids in an epoch, K-means re-initialisation every R epochs */
  CS_ALGORITHM_DKM,  /* centroids trained by Adam on every batch */
  CS_ALGORITHM_AEKM, /* autoencoder alone, K-means on the codes after every epoch */
} CsAlgorithm;

typedef enum
{
  CS_REINIT_FRESH, /* k-means++ with n_init restarts */
  CS_REINIT_WARM,  /* Lloyd from the current centroids */
} CsReinitMode;

struct _CsSettings
{
  CsAlgorithm algorithm;
  guint k;
  double lr;
  guint reinit_every;      /* R, in clustering epochs */
  CsReinitMode reinit_mode;
  double alpha;
  double lambda;
  guint batch_size;
  guint pretrain_epochs;
  guint epochs;            /* clustering epochs */
  guint embedding_dim;     /* m */
  guint n_hidden;
  guint hidden[CS_MAX_HIDDEN]; /* encoder hidden sizes; decoder mirrors them */
  guint64 seed;
  guint kmeans_n_init;
  guint kmeans_max_iter;
  double kmeans_tol;
  CsNmiAverage nmi_average;
  gboolean freeze_projection;
};

/* Which settings a running job may change (the others need a new run). */
typedef enum
{
  CS_SETTING_LR = 1 << 0,           /* applied at the next batch */
  CS_SETTING_REINIT_EVERY = 1 << 1, /* applied at the next epoch */
  CS_SETTING_K = 1 << 2,            /* next epoch: centroids re-initialised by K-means */
  CS_SETTING_ALPHA = 1 << 3,
  CS_SETTING_LAMBDA = 1 << 4,
  CS_SETTING_REINIT_MODE = 1 << 5,
  CS_SETTING_FREEZE_PROJECTION = 1 << 6,
} CsSettingMask;

void        cs_settings_init_default (CsSettings *self);
gboolean    cs_settings_validate     (const CsSettings *self,
                                      GError          **error);

const char *cs_algorithm_to_string   (CsAlgorithm algorithm);
gboolean    cs_algorithm_from_string (const char  *str,
                                      CsAlgorithm *out);
const char *cs_reinit_mode_to_string (CsReinitMode mode);
gboolean    cs_reinit_mode_from_string (const char   *str,
                                        CsReinitMode *out);

/* An object with every field (and "hidden" as an array). */
JsonNode   *cs_settings_to_json      (const CsSettings *self);
/* Fields absent from the object keep their current value in self. */
gboolean    cs_settings_update_from_json (CsSettings *self,
                                          JsonObject *object,
                                          GError    **error);

G_END_DECLS
