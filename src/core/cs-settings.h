/* cs-settings.h: every setting of a run, as a plain value type, and the one table describing them.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-metrics.h"
#include "cs-types.h"

G_BEGIN_DECLS

#define CS_MAX_HIDDEN 8
/* The largest K: the trainer sizes its per-batch buffers for it. */
#define CS_MAX_K 1000

typedef enum
{
  CS_ALGORITHM_ROY,  /* frozen centroids in an epoch, K-means re-initialisation every R epochs */
  CS_ALGORITHM_DKM,  /* centroids trained by Adam on every batch */
  CS_ALGORITHM_AEKM, /* autoencoder alone, K-means on the codes after every epoch */
  CS_ALGORITHM_DEC,  /* DEC: KL to a sharpened target of Student's t assignments, no decoder */
  CS_ALGORITHM_IDEC, /* IDEC: DEC's loss plus the reconstruction (weight gamma) */
} CsAlgorithm;

typedef enum
{
  CS_REINIT_FRESH, /* k-means++ with n_init restarts */
  CS_REINIT_WARM,  /* Lloyd from the current centroids */
} CsReinitMode;

/* The 2-D view of the latent codes that snapshots carry. */
typedef enum
{
  CS_PROJECTION_PCA,  /* the two principal axes */
  CS_PROJECTION_LDA,  /* the plane that best separates the current clusters */
  CS_PROJECTION_TSNE, /* Barnes-Hut t-SNE, warm-started from the previous epoch */
} CsProjectionKind;

/* How the network's weights start. */
typedef enum
{
  CS_INIT_GLOROT, /* Glorot-uniform W, zero b (DKM's code) */
  CS_INIT_FAN_IN, /* W and b uniform in +-1/sqrt(fan_in) (PyTorch's nn.Linear default) */
} CsInitKind;

/* Which partition a clustering epoch reports (its clusters, scores and picture). */
typedef enum
{
  CS_REPORT_REINIT, /* K-means' partition from the re-initialisation at the epoch's end */
  CS_REPORT_EPOCH,  /* the codes assigned to the centroids the epoch trained with */
} CsReportKind;

/* The optimiser of the clustering phase. */
typedef enum
{
  CS_OPTIMIZER_FRESH, /* a new Adam when clustering starts (DKM's code) */
  CS_OPTIMIZER_KEEP,  /* pretraining's Adam, moments and step count, carried on */
} CsOptimizerSwitch;

struct _CsSettings
{
  CsAlgorithm algorithm;
  guint k;
  double lr;
  guint reinit_every; /* R, in clustering epochs */
  CsReinitMode reinit_mode;
  double alpha;
  double lambda;
  guint batch_size;
  guint pretrain_epochs;
  guint epochs;        /* clustering epochs */
  guint embedding_dim; /* m */
  guint n_hidden;
  guint hidden[CS_MAX_HIDDEN]; /* encoder hidden sizes; decoder mirrors them */
  guint64 seed;
  guint kmeans_n_init;
  guint kmeans_max_iter;
  double kmeans_tol;
  CsNmiAverage nmi_average;
  gboolean freeze_projection;
  CsProjectionKind projection;
  CsInitKind init;
  CsOptimizerSwitch optimizer;
  guint warmup; /* steps over which a fresh clustering Adam's learning rate rises from 0 */
  CsReportKind report;
  double divergence_factor; /* 0: no guard */
  /* DEC and IDEC */
  double gamma;       /* IDEC: weight of the clustering (KL) loss against the reconstruction */
  guint target_every; /* batches between updates of the target P; 0: at every epoch's start */
  double dec_tol;     /* stop when fewer than this share of labels change (0: never) */
};

/* Which settings a running job may change (the others need a new run). Snapshots record the
 * ones that changed. */
typedef enum
{
  CS_SETTING_LR = 1 << 0,
  CS_SETTING_REINIT_EVERY = 1 << 1,
  CS_SETTING_K = 1 << 2, /* centroids re-initialised by K-means on the new K */
  CS_SETTING_ALPHA = 1 << 3,
  CS_SETTING_LAMBDA = 1 << 4,
  CS_SETTING_REINIT_MODE = 1 << 5,
  CS_SETTING_FREEZE_PROJECTION = 1 << 6,
  CS_SETTING_KMEANS_N_INIT = 1 << 7,
  CS_SETTING_PROJECTION = 1 << 8,
  CS_SETTING_DIVERGENCE_FACTOR = 1 << 9,
  CS_SETTING_GAMMA = 1 << 10,
  CS_SETTING_TARGET_EVERY = 1 << 11,
  CS_SETTING_DEC_TOL = 1 << 12,
} CsSettingMask;

/* The shape of a setting's value, which decides its JSON, GVariant, CLI and widget forms. */
typedef enum
{
  CS_SETTING_TYPE_UINT,    /* guint; GSettings "u" */
  CS_SETTING_TYPE_UINT64,  /* guint64; GSettings "t", JSON integer */
  CS_SETTING_TYPE_DOUBLE,  /* double; GSettings "d" */
  CS_SETTING_TYPE_BOOLEAN, /* gboolean; GSettings "b" */
  CS_SETTING_TYPE_ENUM,    /* an enum stored as int; a nick in JSON, the CLI and GSettings */
  CS_SETTING_TYPE_LAYERS,  /* n_hidden + hidden[]: a JSON array, "500,500,2000" on the CLI */
} CsSettingType;

/* When a change made during a run takes effect. */
typedef enum
{
  CS_APPLY_NEXT_RUN,
  CS_APPLY_NEXT_EPOCH,
  CS_APPLY_NEXT_BATCH,
} CsSettingApply;

/* The section of the settings panel a setting shows in. */
typedef enum
{
  CS_SETTING_GROUP_NONE, /* not in the panel */
  CS_SETTING_GROUP_CLUSTERING,
  CS_SETTING_GROUP_OPTIMISATION,
  CS_SETTING_GROUP_SCHEDULE,
  CS_SETTING_GROUP_VIEW,
} CsSettingGroup;

typedef struct
{
  const char *nick;        /* JSON, CLI and GSettings name */
  const char *label;       /* translatable, for the panel */
  const char *description; /* translatable, the panel row's subtitle while chosen */
} CsSettingChoice;

/* One setting, described once. JSON, validation, the CLI's options, the trainer's live mask,
 * the GSettings keys and the panel's rows are all derived from the table of these. */
typedef struct
{
  const char *key;       /* JSON member of config.json */
  const char *gsettings; /* key in the application's schema, or NULL when not remembered */
  const char *option;    /* clusterscope-cli long option, or NULL */
  char short_option;     /* or 0 */
  const char *arg;       /* the CLI's name for the value ("K", "LR") */
  CsSettingType type;
  gsize offset;       /* into CsSettings (for LAYERS: of hidden[]) */
  double def;         /* numbers, booleans and enum indices */
  double min, max;    /* numbers; for LAYERS, the units of one layer */
  CsSettingMask live; /* the bit a running job accepts, or 0 */
  CsSettingApply apply;
  const char *summary; /* translatable; equals the schema key's summary; the CLI's help */
  CsSettingGroup group;
  const char *title;              /* translatable panel row title */
  const char *subtitle;           /* translatable panel row subtitle and tooltip */
  guint digits;                   /* spin button */
  double step;                    /* spin button step; a page is ten steps */
  const CsSettingChoice *choices; /* ENUM */
  guint n_choices;
} CsSettingDesc;

const CsSettingDesc *cs_settings_get_descs (guint *n_descs);
/* By JSON key, GSettings key or CLI long option; NULL when none. */
const CsSettingDesc *cs_settings_find (const char *key);
const CsSettingDesc *cs_settings_find_gsettings (const char *key);
const CsSettingDesc *cs_settings_find_option (const char *option);
/* The live bits of the settings that apply at when (any live one for CS_APPLY_NEXT_RUN). */
CsSettingMask cs_settings_live_mask (CsSettingApply when);

void cs_settings_init_default (CsSettings *self);
gboolean cs_settings_validate (const CsSettings *self, GError **error);
/* Copies the live settings named in mask from src into self, clamped to their ranges; returns
 * the bits whose value changed. */
CsSettingMask cs_settings_copy_live (CsSettings *self, const CsSettings *src, CsSettingMask mask);

/* A number as its desc's type reads it, and back (clamped to the range, rounded for integers):
 * the bridge to spin buttons. Not for LAYERS. */
double cs_settings_get_number (const CsSettings *self, const CsSettingDesc *desc);
void cs_settings_set_number (CsSettings *self, const CsSettingDesc *desc, double value);

/* Parses text (a CLI argument) into the setting, checking its range; messages call the
 * setting name ("--lr"). */
gboolean cs_settings_parse (CsSettings *self,
                            const CsSettingDesc *desc,
                            const char *name,
                            const char *text,
                            GError **error);
/* The value as text, as cs_settings_parse reads it (g_free). */
char *cs_settings_format (const CsSettings *self, const CsSettingDesc *desc);

/* GSettings forms: "u", "t", "d", "b", or "s" (an enum key's nick). */
GVariant *cs_settings_get_variant (const CsSettings *self, const CsSettingDesc *desc);
gboolean cs_settings_set_variant (CsSettings *self, const CsSettingDesc *desc, GVariant *value);
/* Every setting with a GSettings key, from and to gsettings (the rest stay as they are). */
void cs_settings_load_gsettings (CsSettings *self, GSettings *gsettings);
void cs_settings_save_gsettings (const CsSettings *self, GSettings *gsettings);

const char *cs_algorithm_to_string (CsAlgorithm algorithm);
gboolean cs_algorithm_from_string (const char *str, CsAlgorithm *out);
const char *cs_reinit_mode_to_string (CsReinitMode mode);
gboolean cs_reinit_mode_from_string (const char *str, CsReinitMode *out);

/* An object with every field (and "hidden" as an array). */
JsonNode *cs_settings_to_json (const CsSettings *self);
/* Fields absent from the object keep their current value in self. */
gboolean cs_settings_update_from_json (CsSettings *self, JsonObject *object, GError **error);

G_END_DECLS
