/* cs-settings.c: the settings table, and the defaults, validation, JSON, text and GVariant forms
 * of a run's settings, all derived from it.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "cs-error.h"
#include "cs-settings.h"

/* Enum and boolean fields are read and written as gint. */
G_STATIC_ASSERT (sizeof (CsAlgorithm) == sizeof (gint));
G_STATIC_ASSERT (sizeof (CsReinitMode) == sizeof (gint));
G_STATIC_ASSERT (sizeof (CsNmiAverage) == sizeof (gint));
G_STATIC_ASSERT (sizeof (gboolean) == sizeof (gint));
G_STATIC_ASSERT (sizeof (CsProjectionKind) == sizeof (gint));
G_STATIC_ASSERT (sizeof (CsInitKind) == sizeof (gint));
G_STATIC_ASSERT (sizeof (CsOptimizerSwitch) == sizeof (gint));
G_STATIC_ASSERT (sizeof (CsReportKind) == sizeof (gint));

/* Seeds are exact in a double (JSON numbers, spin buttons) up to 2^53. */
#define MAX_SEED 9007199254740992.0
#define DEFAULT_HIDDEN "500,500,2000"

static const CsSettingChoice algorithm_choices[] = {
  { "roy", N_ ("Roy"),
    N_ ("The paper: centroids stay fixed within an epoch and are re-initialised by K-means on all "
        "codes every R epochs") },
  { "dkm", N_ ("DKM"),
    N_ ("Deep k-Means: centroids are parameters trained by gradient descent on every batch") },
  { "aekm", N_ ("AE + K-means"),
    N_ ("Baseline: the autoencoder alone, with K-means on its codes after every epoch") },
  { "dec", N_ ("DEC"),
    N_ ("Deep Embedded Clustering: the encoder and centroids fit a sharpened target of "
        "Student's t assignments; the decoder is dropped") },
  { "idec", N_ ("IDEC"),
    N_ ("Improved DEC: DEC's loss, weighted by gamma, beside the reconstruction") },
};

static const CsSettingChoice reinit_choices[] = {
  { "fresh", N_ ("Fresh"), N_ ("Fresh k-means++ seeding with restarts") },
  { "warm", N_ ("Warm"), N_ ("Lloyd iterations from the current centroids") },
};

static const CsSettingChoice projection_choices[] = {
  { "pca", N_ ("PCA"), N_ ("The two directions of largest spread of the codes") },
  { "lda", N_ ("LDA"), N_ ("The plane that best separates the current clusters") },
  { "tsne", N_ ("t-SNE"),
    N_ ("Neighbour embedding, continued from the previous epoch's layout; slower") },
};

static const CsSettingChoice init_choices[] = {
  { "glorot", N_ ("Glorot"), N_ ("Glorot-uniform weights, zero biases") },
  { "fan-in", N_ ("Fan-in"), N_ ("Weights and biases uniform in ±1/√fan-in, as PyTorch") },
};

static const CsSettingChoice optimizer_choices[] = {
  { "fresh", N_ ("Fresh"), N_ ("A new Adam when clustering starts, as DKM's code") },
  { "keep", N_ ("Kept"), N_ ("Pretraining's Adam carries on into clustering, as the reference") },
};

static const CsSettingChoice report_choices[] = {
  /* Short: the row's width goes to this description first, and the label beside it is cut. */
  { "reinit", N_ ("K-means"), N_ ("K-means' new clusters after the epoch") },
  { "epoch", N_ ("Trained"), N_ ("The clusters the epoch trained toward") },
};

static const CsSettingChoice nmi_choices[] = {
  { "arithmetic", NULL, NULL },
  { "geometric", NULL, NULL },
};

#define OFFSET(field) offsetof (CsSettings, field)
#define CHOICES(array) .choices = array, .n_choices = G_N_ELEMENTS (array)

/* The panel shows its rows in this order; config.json lists its members in it. One row per
 * setting, kept compact by hand (clang-format would put every field on a line of its own). */
/* clang-format off */
static const CsSettingDesc descs[] = {
  { .key = "algorithm", .gsettings = "algorithm", .option = "algorithm", .short_option = 'a',
    .arg = N_ ("NAME"), .type = CS_SETTING_TYPE_ENUM, .offset = OFFSET (algorithm),
    .def = CS_ALGORITHM_ROY, .summary = N_ ("Clustering algorithm"),
    .group = CS_SETTING_GROUP_CLUSTERING, .title = N_ ("Algorithm"),
    .subtitle = N_ ("Roy: centroids frozen within an epoch, re-initialised by K-means every R "
                    "epochs. DKM: centroids trained by gradient descent. AE + K-means: autoencoder "
                    "only, K-means after each epoch. DEC / IDEC: Student's t assignments pulled "
                    "toward a sharpened target"),
    CHOICES (algorithm_choices) },
  { .key = "k", .gsettings = "k", .option = "k", .short_option = 'k', .arg = "K",
    .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (k), .def = 10, .min = 1, .max = CS_MAX_K,
    .live = CS_SETTING_K, .apply = CS_APPLY_NEXT_EPOCH, .summary = N_ ("Number of clusters"),
    .group = CS_SETTING_GROUP_CLUSTERING, .title = N_ ("Clusters (K)"),
    .subtitle = N_ ("Number of clusters; applies at the next epoch"), .step = 1 },
  { .key = "reinit_every", .gsettings = "reinit-every", .option = "reinit-every",
    .short_option = 'R', .arg = "R", .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (reinit_every),
    .def = 1, .min = 1, .max = 1000, .live = CS_SETTING_REINIT_EVERY,
    .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("Re-initialise the centroids every R clustering epochs"),
    .group = CS_SETTING_GROUP_CLUSTERING, .title = N_ ("Re-initialise every"),
    .subtitle = N_ ("Clustering epochs between K-means re-initialisations"), .step = 1 },
  { .key = "reinit_mode", .gsettings = "reinit-mode", .option = "reinit-mode", .arg = N_ ("MODE"),
    .type = CS_SETTING_TYPE_ENUM, .offset = OFFSET (reinit_mode), .def = CS_REINIT_FRESH,
    .live = CS_SETTING_REINIT_MODE, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("Re-initialisation mode"), .group = CS_SETTING_GROUP_CLUSTERING,
    .title = N_ ("Re-initialisation"),
    .subtitle = N_ ("Fresh: k-means++ with restarts. Warm: continue from the current centroids"),
    CHOICES (reinit_choices) },
  { .key = "kmeans_n_init", .gsettings = "kmeans-n-init", .option = "n-init", .arg = "N",
    .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (kmeans_n_init), .def = 10, .min = 1,
    .max = 1000, .live = CS_SETTING_KMEANS_N_INIT, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("K-means restarts"), .group = CS_SETTING_GROUP_CLUSTERING,
    .title = N_ ("K-means restarts"),
    .subtitle = N_ ("k-means++ seedings at each fresh re-initialisation; the lowest inertia wins"),
    .step = 1 },
  { .key = "gamma", .gsettings = "gamma", .option = "gamma", .arg = "G",
    .type = CS_SETTING_TYPE_DOUBLE, .offset = OFFSET (gamma), .def = 0.1, .min = 0.0,
    .max = 1000.0, .live = CS_SETTING_GAMMA, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("IDEC: weight of the clustering loss against the reconstruction"),
    .group = CS_SETTING_GROUP_CLUSTERING, .title = N_ ("Gamma"),
    .subtitle = N_ ("IDEC: weight of the KL loss against the reconstruction (per pixel, as the "
                    "paper's mean squared error)"),
    .digits = 3, .step = 0.05 },
  { .key = "target_every", .gsettings = "target-every", .option = "target-every", .arg = "T",
    .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (target_every), .def = 0, .min = 0,
    .max = 1000000, .live = CS_SETTING_TARGET_EVERY, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("DEC / IDEC: batches between updates of the target distribution (0: at the "
                   "start of every epoch)"),
    .group = CS_SETTING_GROUP_CLUSTERING, .title = N_ ("Target update"),
    .subtitle = N_ ("Batches between updates of the sharpened target; 0: every epoch"),
    .step = 10 },
  { .key = "dec_tol", .gsettings = "dec-tol", .option = "dec-tol", .arg = "TOL",
    .type = CS_SETTING_TYPE_DOUBLE, .offset = OFFSET (dec_tol), .def = 0.001, .min = 0.0,
    .max = 1.0, .live = CS_SETTING_DEC_TOL, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("DEC / IDEC: stop when fewer than this share of labels change between target "
                   "updates (0: never)"),
    .group = CS_SETTING_GROUP_CLUSTERING, .title = N_ ("Stop below"),
    .subtitle = N_ ("Share of labels changing between target updates under which DEC / IDEC "
                    "stop (0: never)"),
    .digits = 4, .step = 0.001 },
  { .key = "report", .gsettings = "report", .option = "report", .arg = N_ ("NAME"),
    .type = CS_SETTING_TYPE_ENUM, .offset = OFFSET (report), .def = CS_REPORT_REINIT,
    .summary = N_ ("Partition a re-initialising epoch reports: K-means' new one, or the one of the "
                   "centroids the epoch trained with"),
    .group = CS_SETTING_GROUP_CLUSTERING, .title = N_ ("Reported partition"),
    .subtitle = N_ ("After a re-initialisation: K-means' new clusters, or those the epoch trained "
                    "toward"),
    CHOICES (report_choices) },
  { .key = "lr", .gsettings = "learning-rate", .option = "lr", .arg = "LR",
    .type = CS_SETTING_TYPE_DOUBLE, .offset = OFFSET (lr), .def = 1e-3, .min = 1e-6, .max = 1.0,
    .live = CS_SETTING_LR, .apply = CS_APPLY_NEXT_BATCH, .summary = N_ ("Adam learning rate"),
    .group = CS_SETTING_GROUP_OPTIMISATION, .title = N_ ("Learning rate"),
    .subtitle = N_ ("Adam step size; applies at the next batch"), .digits = 5, .step = 1e-4 },
  { .key = "alpha", .gsettings = "alpha", .option = "alpha", .arg = "A",
    .type = CS_SETTING_TYPE_DOUBLE, .offset = OFFSET (alpha), .def = 1000.0, .min = 0.001,
    .max = 1e6, .live = CS_SETTING_ALPHA, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("Softmax sharpness alpha"), .group = CS_SETTING_GROUP_OPTIMISATION,
    .title = N_ ("Alpha"),
    .subtitle = N_ ("Sharpness of the soft assignment; large is close to K-means"),
    .digits = 1, .step = 100 },
  { .key = "lambda", .gsettings = "lambda", .option = "lambda", .arg = "L",
    .type = CS_SETTING_TYPE_DOUBLE, .offset = OFFSET (lambda), .def = 1.0, .min = 0.0,
    .max = 1000.0, .live = CS_SETTING_LAMBDA, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("Weight of the clustering loss"), .group = CS_SETTING_GROUP_OPTIMISATION,
    .title = N_ ("Lambda"), .subtitle = N_ ("Weight of the clustering loss"), .digits = 3,
    .step = 0.1 },
  { .key = "divergence_factor", .gsettings = "divergence-factor", .option = "divergence-factor",
    .arg = "F", .type = CS_SETTING_TYPE_DOUBLE, .offset = OFFSET (divergence_factor), .def = 10.0,
    .min = 0.0, .max = 1e6, .live = CS_SETTING_DIVERGENCE_FACTOR, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("Stop when an epoch's reconstruction loss exceeds the best by this factor "
                   "(0: never)"),
    .group = CS_SETTING_GROUP_OPTIMISATION, .title = N_ ("Divergence guard"),
    .subtitle = N_ ("Pause at the last good epoch when the loss grows this many times past its "
                    "best (0: off)"),
    .digits = 1, .step = 1 },
  { .key = "batch_size", .gsettings = "batch-size", .option = "batch-size", .short_option = 'b',
    .arg = "B", .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (batch_size), .def = 256, .min = 1,
    .max = 65536, .summary = N_ ("Mini-batch size"), .group = CS_SETTING_GROUP_OPTIMISATION,
    .title = N_ ("Batch size"), .subtitle = N_ ("Samples per gradient step"), .step = 32 },
  { .key = "pretrain_epochs", .gsettings = "pretrain-epochs", .option = "pretrain-epochs",
    .short_option = 'p', .arg = "N", .type = CS_SETTING_TYPE_UINT,
    .offset = OFFSET (pretrain_epochs), .def = 50, .min = 0, .max = 10000,
    .summary = N_ ("Pretraining epochs"), .group = CS_SETTING_GROUP_SCHEDULE,
    .title = N_ ("Pretraining epochs"), .subtitle = N_ ("Reconstruction only, before clustering"),
    .step = 1 },
  { .key = "epochs", .gsettings = "epochs", .option = "epochs", .short_option = 'e', .arg = "N",
    .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (epochs), .def = 50, .min = 0, .max = 10000,
    .summary = N_ ("Clustering epochs"), .group = CS_SETTING_GROUP_SCHEDULE,
    .title = N_ ("Clustering epochs"),
    .subtitle = N_ ("Joint representation and clustering epochs"),
    .step = 1 },
  { .key = "embedding_dim", .gsettings = "embedding-dim", .option = "embedding-dim",
    .short_option = 'm', .arg = "M", .type = CS_SETTING_TYPE_UINT,
    .offset = OFFSET (embedding_dim), .def = 10, .min = 2, .max = 4096,
    .summary = N_ ("Embedding size"), .group = CS_SETTING_GROUP_SCHEDULE,
    .title = N_ ("Embedding size"), .subtitle = N_ ("Dimension of the latent space"), .step = 1 },
  { .key = "seed", .gsettings = "seed", .option = "seed", .short_option = 's', .arg = "S",
    .type = CS_SETTING_TYPE_UINT64, .offset = OFFSET (seed), .def = 0, .min = 0, .max = MAX_SEED,
    .summary = N_ ("Random seed"), .group = CS_SETTING_GROUP_SCHEDULE, .title = N_ ("Seed"),
    .subtitle = N_ ("The same seed gives the same run"), .step = 1 },
  { .key = "init", .gsettings = "init", .option = "init", .arg = N_ ("NAME"),
    .type = CS_SETTING_TYPE_ENUM, .offset = OFFSET (init), .def = CS_INIT_GLOROT,
    .summary = N_ ("Initialisation of the network's weights"), .group = CS_SETTING_GROUP_SCHEDULE,
    .title = N_ ("Initialisation"), .subtitle = N_ ("How the network's weights start"),
    CHOICES (init_choices) },
  { .key = "optimizer", .gsettings = "optimizer", .option = "optimizer", .arg = N_ ("NAME"),
    .type = CS_SETTING_TYPE_ENUM, .offset = OFFSET (optimizer), .def = CS_OPTIMIZER_FRESH,
    .summary = N_ ("Optimiser of the clustering phase"), .group = CS_SETTING_GROUP_SCHEDULE,
    .title = N_ ("Clustering optimiser"),
    .subtitle = N_ ("Fresh: a new Adam when clustering starts. Kept: pretraining's carries on"),
    CHOICES (optimizer_choices) },
  { .key = "warmup", .gsettings = "warmup", .option = "warmup", .arg = N_ ("STEPS"),
    .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (warmup), .def = 0, .min = 0,
    .max = 1000000,
    .summary = N_ ("Steps over which a fresh clustering optimiser's learning rate rises linearly "
                   "from 0 (0: none)"),
    .group = CS_SETTING_GROUP_SCHEDULE, .title = N_ ("Clustering warm-up"),
    .subtitle = N_ ("Steps in which the learning rate rises from 0"),
    .step = 50 },
  { .key = "hidden", .option = "hidden", .arg = N_ ("LIST"), .type = CS_SETTING_TYPE_LAYERS,
    .offset = OFFSET (hidden), .min = 1, .max = 65536,
    .summary = N_ ("Encoder hidden sizes, comma separated; the decoder mirrors them") },
  { .key = "kmeans_max_iter", .type = CS_SETTING_TYPE_UINT, .offset = OFFSET (kmeans_max_iter),
    .def = 300, .min = 1, .max = 100000, .summary = N_ ("K-means iterations at most") },
  { .key = "kmeans_tol", .type = CS_SETTING_TYPE_DOUBLE, .offset = OFFSET (kmeans_tol),
    .def = 1e-4, .min = 0, .max = 1,
    .summary = N_ ("K-means tolerance, relative to the variance of the data") },
  { .key = "nmi_average", .option = "nmi", .arg = N_ ("AVG"), .type = CS_SETTING_TYPE_ENUM,
    .offset = OFFSET (nmi_average), .def = CS_NMI_ARITHMETIC, .summary = N_ ("NMI averaging"),
    CHOICES (nmi_choices) },
  { .key = "freeze_projection", .type = CS_SETTING_TYPE_BOOLEAN,
    .offset = OFFSET (freeze_projection), .def = FALSE, .min = 0, .max = 1,
    .live = CS_SETTING_FREEZE_PROJECTION, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("Keep the basis of the 2-D projection") },
  { .key = "projection", .gsettings = "projection", .option = "projection", .arg = N_ ("NAME"),
    .type = CS_SETTING_TYPE_ENUM, .offset = OFFSET (projection), .def = CS_PROJECTION_PCA,
    .live = CS_SETTING_PROJECTION, .apply = CS_APPLY_NEXT_EPOCH,
    .summary = N_ ("2-D view of the latent codes"), .group = CS_SETTING_GROUP_VIEW,
    .title = N_ ("Projection"), .subtitle = N_ ("How the latent space is drawn in 2-D"),
    CHOICES (projection_choices) },
};
/* clang-format on */

const CsSettingDesc *
cs_settings_get_descs (guint *n_descs)
{
  *n_descs = G_N_ELEMENTS (descs);
  return descs;
}

const CsSettingDesc *
cs_settings_find (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (g_strcmp0 (descs[i].key, key) == 0)
      return &descs[i];
  return NULL;
}

const CsSettingDesc *
cs_settings_find_gsettings (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (descs[i].gsettings != NULL && g_strcmp0 (descs[i].gsettings, key) == 0)
      return &descs[i];
  return NULL;
}

const CsSettingDesc *
cs_settings_find_option (const char *option)
{
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (descs[i].option != NULL && g_strcmp0 (descs[i].option, option) == 0)
      return &descs[i];
  return NULL;
}

CsSettingMask
cs_settings_live_mask (CsSettingApply when)
{
  guint mask = 0;

  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (descs[i].live != 0 && (when == CS_APPLY_NEXT_RUN || descs[i].apply == when))
      mask |= descs[i].live;
  return (CsSettingMask) mask;
}

#define FIELD(self, desc, type) ((type *) ((char *) (self) + (desc)->offset))
#define CFIELD(self, desc, type) ((const type *) ((const char *) (self) + (desc)->offset))

double
cs_settings_get_number (const CsSettings *self, const CsSettingDesc *desc)
{
  switch (desc->type)
    {
    case CS_SETTING_TYPE_UINT:
      return *CFIELD (self, desc, guint);
    case CS_SETTING_TYPE_UINT64:
      return (double) *CFIELD (self, desc, guint64);
    case CS_SETTING_TYPE_DOUBLE:
      return *CFIELD (self, desc, double);
    case CS_SETTING_TYPE_BOOLEAN:
      return *CFIELD (self, desc, gint) != 0;
    case CS_SETTING_TYPE_ENUM:
      return *CFIELD (self, desc, gint);
    case CS_SETTING_TYPE_LAYERS:
    default:
      g_return_val_if_reached (NAN);
    }
}

void
cs_settings_set_number (CsSettings *self, const CsSettingDesc *desc, double value)
{
  if (isnan (value))
    value = desc->def;
  switch (desc->type)
    {
    case CS_SETTING_TYPE_UINT:
      *FIELD (self, desc, guint) = (guint) round (CLAMP (value, desc->min, desc->max));
      break;
    case CS_SETTING_TYPE_UINT64:
      *FIELD (self, desc, guint64) = (guint64) round (CLAMP (value, desc->min, desc->max));
      break;
    case CS_SETTING_TYPE_DOUBLE:
      *FIELD (self, desc, double) = CLAMP (value, desc->min, desc->max);
      break;
    case CS_SETTING_TYPE_BOOLEAN:
      *FIELD (self, desc, gint) = value != 0;
      break;
    case CS_SETTING_TYPE_ENUM:
      *FIELD (self, desc, gint) = (gint) round (CLAMP (value, 0, desc->n_choices - 1));
      break;
    case CS_SETTING_TYPE_LAYERS:
    default:
      g_return_if_reached ();
    }
}

static gboolean
parse_layers (CsSettings *self, const CsSettingDesc *desc, const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  guint n = g_strv_length (parts);
  guint *hidden = FIELD (self, desc, guint);

  if (n > CS_MAX_HIDDEN)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      guint64 v;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, (guint64) desc->min,
                                       (guint64) desc->max, &v, NULL))
        return FALSE;
      hidden[i] = (guint) v;
    }
  self->n_hidden = n;
  return TRUE;
}

void
cs_settings_init_default (CsSettings *self)
{
  memset (self, 0, sizeof *self);
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (descs[i].type == CS_SETTING_TYPE_LAYERS)
      parse_layers (self, &descs[i], DEFAULT_HIDDEN);
    else
      cs_settings_set_number (self, &descs[i], descs[i].def);
}

/* "roy, dkm or aekm" */
static char *
expected_choices (const CsSettingDesc *desc)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < desc->n_choices; i++)
    {
      if (i > 0)
        /* Translators: joins the last two of a list of choices, "roy, dkm or aekm" */
        g_string_append (str, i + 1 == desc->n_choices ? _ (" or ") : ", ");
      g_string_append (str, desc->choices[i].nick);
    }
  return g_string_free (str, FALSE);
}

static gint
find_choice (const CsSettingDesc *desc, const char *nick)
{
  for (guint i = 0; i < desc->n_choices; i++)
    if (g_ascii_strcasecmp (nick, desc->choices[i].nick) == 0)
      return (gint) i;
  return -1;
}

static gboolean
unknown_choice (const CsSettingDesc *desc, const char *quote, const char *nick, GError **error)
{
  g_autofree char *expected = expected_choices (desc);

  /* Translators: the first %s is a setting's key ("algorithm"), the value is between the
   * quotes of the next two; the last %s lists the valid values, "roy, dkm or aekm" */
  g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("unknown %s %s%s%s (expected %s)"), desc->key,
               quote, nick, quote, expected);
  return FALSE;
}

/* name: how the message calls the setting ("setting \"k\"", "-k"). */
static gboolean
check_range (const CsSettingDesc *desc, const char *name, double value, GError **error)
{
  if (value >= desc->min && value <= desc->max)
    return TRUE;
  /* Translators: the first %s names the setting ("-k", "setting "k""), the second describes
   * it ("Number of clusters") */
  if (value < desc->min)
    g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s must be at least %g (%s; got %g)"), name,
                 desc->min, _ (desc->summary), value);
  else
    g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s must be at most %g (%s; got %g)"), name,
                 desc->max, _ (desc->summary), value);
  return FALSE;
}

gboolean
cs_settings_validate (const CsSettings *self, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    {
      const CsSettingDesc *desc = &descs[i];
      g_autofree char *name = g_strdup_printf (_ ("setting \"%s\""), desc->key);

      switch (desc->type)
        {
        case CS_SETTING_TYPE_UINT:
        case CS_SETTING_TYPE_UINT64:
        case CS_SETTING_TYPE_DOUBLE:
          if (!check_range (desc, name, cs_settings_get_number (self, desc), error))
            return FALSE;
          break;
        case CS_SETTING_TYPE_ENUM:
          if ((guint) *CFIELD (self, desc, gint) >= desc->n_choices)
            {
              /* Translators: "setting "algorithm": unknown Clustering algorithm" */
              g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s: unknown %s"), name,
                           _ (desc->summary));
              return FALSE;
            }
          break;
        case CS_SETTING_TYPE_LAYERS:
          if (self->n_hidden > CS_MAX_HIDDEN)
            {
              g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s: at most %d hidden layers"),
                           name, CS_MAX_HIDDEN);
              return FALSE;
            }
          for (guint l = 0; l < self->n_hidden; l++)
            if (!check_range (desc, name, CFIELD (self, desc, guint)[l], error))
              return FALSE;
          break;
        case CS_SETTING_TYPE_BOOLEAN:
        default:
          break;
        }
    }
  return TRUE;
}

CsSettingMask
cs_settings_copy_live (CsSettings *self, const CsSettings *src, CsSettingMask mask)
{
  guint changed = 0;

  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (descs[i].live & mask)
      {
        double before = cs_settings_get_number (self, &descs[i]);

        cs_settings_set_number (self, &descs[i], cs_settings_get_number (src, &descs[i]));
        if (cs_settings_get_number (self, &descs[i]) != before)
          changed |= descs[i].live;
      }
  return (CsSettingMask) changed;
}

gboolean
cs_settings_parse (
    CsSettings *self, const CsSettingDesc *desc, const char *name, const char *text, GError **error)
{
  double value;
  char *end = NULL;
  gint choice;

  switch (desc->type)
    {
    case CS_SETTING_TYPE_ENUM:
      if ((choice = find_choice (desc, text)) < 0)
        return unknown_choice (desc, "'", text, error);
      *FIELD (self, desc, gint) = choice;
      return TRUE;
    case CS_SETTING_TYPE_LAYERS:
      if (!parse_layers (self, desc, text))
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       _ ("%s takes up to %d comma-separated sizes in [%g, %g], got '%s'"), name,
                       CS_MAX_HIDDEN, desc->min, desc->max, text);
          return FALSE;
        }
      return TRUE;
    case CS_SETTING_TYPE_BOOLEAN:
      if (g_ascii_strcasecmp (text, "true") != 0 && g_ascii_strcasecmp (text, "false") != 0)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s takes true or false, got '%s'"),
                       name, text);
          return FALSE;
        }
      *FIELD (self, desc, gint) = g_ascii_strcasecmp (text, "true") == 0;
      return TRUE;
    case CS_SETTING_TYPE_UINT:
    case CS_SETTING_TYPE_UINT64:
    case CS_SETTING_TYPE_DOUBLE:
    default:
      break;
    }

  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || isnan (value)
      || (desc->type != CS_SETTING_TYPE_DOUBLE && value != floor (value)))
    {
      if (desc->type == CS_SETTING_TYPE_DOUBLE)
        g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s takes a number, got '%s'"), name,
                     text);
      else
        g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s takes an integer, got '%s'"), name,
                     text);
      return FALSE;
    }
  if (!check_range (desc, name, value, error))
    return FALSE;
  cs_settings_set_number (self, desc, value);
  return TRUE;
}

char *
cs_settings_format (const CsSettings *self, const CsSettingDesc *desc)
{
  switch (desc->type)
    {
    case CS_SETTING_TYPE_ENUM:
      return g_strdup (desc->choices[*CFIELD (self, desc, gint)].nick);
    case CS_SETTING_TYPE_BOOLEAN:
      return g_strdup (*CFIELD (self, desc, gint) ? "true" : "false");
    case CS_SETTING_TYPE_LAYERS:
      {
        GString *str = g_string_new (NULL);

        for (guint i = 0; i < self->n_hidden; i++)
          g_string_append_printf (str, "%s%u", i ? "," : "", CFIELD (self, desc, guint)[i]);
        return g_string_free (str, FALSE);
      }
    case CS_SETTING_TYPE_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, *CFIELD (self, desc, guint64));
    case CS_SETTING_TYPE_UINT:
    case CS_SETTING_TYPE_DOUBLE:
    default:
      return g_strdup_printf ("%g", cs_settings_get_number (self, desc));
    }
}

/* GVariant (GSettings) ------------------------------------------------------------------- */

GVariant *
cs_settings_get_variant (const CsSettings *self, const CsSettingDesc *desc)
{
  switch (desc->type)
    {
    case CS_SETTING_TYPE_UINT:
      return g_variant_new_uint32 (*CFIELD (self, desc, guint));
    case CS_SETTING_TYPE_UINT64:
      return g_variant_new_uint64 (*CFIELD (self, desc, guint64));
    case CS_SETTING_TYPE_DOUBLE:
      return g_variant_new_double (*CFIELD (self, desc, double));
    case CS_SETTING_TYPE_BOOLEAN:
      return g_variant_new_boolean (*CFIELD (self, desc, gint));
    case CS_SETTING_TYPE_ENUM:
      return g_variant_new_string (desc->choices[*CFIELD (self, desc, gint)].nick);
    case CS_SETTING_TYPE_LAYERS:
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
cs_settings_set_variant (CsSettings *self, const CsSettingDesc *desc, GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);

      return cs_settings_set_variant (self, desc, inner);
    }
  if (desc->type == CS_SETTING_TYPE_ENUM)
    {
      gint choice;

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
          || (choice = find_choice (desc, g_variant_get_string (value, NULL))) < 0)
        return FALSE;
      *FIELD (self, desc, gint) = choice;
      return TRUE;
    }
  if (desc->type == CS_SETTING_TYPE_LAYERS)
    return FALSE;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    cs_settings_set_number (self, desc, g_variant_get_double (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    cs_settings_set_number (self, desc, g_variant_get_uint32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    cs_settings_set_number (self, desc, g_variant_get_int32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    cs_settings_set_number (self, desc, (double) g_variant_get_uint64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    cs_settings_set_number (self, desc, (double) g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    cs_settings_set_number (self, desc, g_variant_get_boolean (value));
  else
    return FALSE;
  return TRUE;
}

void
cs_settings_load_gsettings (CsSettings *self, GSettings *gsettings)
{
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (descs[i].gsettings != NULL)
      {
        g_autoptr (GVariant) value = g_settings_get_value (gsettings, descs[i].gsettings);

        cs_settings_set_variant (self, &descs[i], value);
      }
}

void
cs_settings_save_gsettings (const CsSettings *self, GSettings *gsettings)
{
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    if (descs[i].gsettings != NULL)
      {
        g_autoptr (GVariant) value = g_variant_ref_sink (cs_settings_get_variant (self, &descs[i]));
        g_autoptr (GVariant) old = g_settings_get_value (gsettings, descs[i].gsettings);

        /* Only what changed, so that listeners hear of real changes alone. */
        if (!g_variant_equal (value, old))
          g_settings_set_value (gsettings, descs[i].gsettings, value);
      }
}

/* Names ---------------------------------------------------------------------------------- */

const char *
cs_algorithm_to_string (CsAlgorithm algorithm)
{
  g_return_val_if_fail ((guint) algorithm < G_N_ELEMENTS (algorithm_choices), NULL);
  return algorithm_choices[algorithm].nick;
}

gboolean
cs_algorithm_from_string (const char *str, CsAlgorithm *out)
{
  gint choice = find_choice (cs_settings_find ("algorithm"), str);

  if (choice >= 0)
    *out = (CsAlgorithm) choice;
  return choice >= 0;
}

const char *
cs_reinit_mode_to_string (CsReinitMode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (reinit_choices), NULL);
  return reinit_choices[mode].nick;
}

gboolean
cs_reinit_mode_from_string (const char *str, CsReinitMode *out)
{
  gint choice = find_choice (cs_settings_find ("reinit_mode"), str);

  if (choice >= 0)
    *out = (CsReinitMode) choice;
  return choice >= 0;
}

/* JSON ----------------------------------------------------------------------------------- */

JsonNode *
cs_settings_to_json (const CsSettings *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    {
      const CsSettingDesc *desc = &descs[i];

      json_builder_set_member_name (b, desc->key);
      switch (desc->type)
        {
        case CS_SETTING_TYPE_UINT:
          json_builder_add_int_value (b, *CFIELD (self, desc, guint));
          break;
        case CS_SETTING_TYPE_UINT64:
          json_builder_add_int_value (b, (gint64) *CFIELD (self, desc, guint64));
          break;
        case CS_SETTING_TYPE_DOUBLE:
          json_builder_add_double_value (b, *CFIELD (self, desc, double));
          break;
        case CS_SETTING_TYPE_BOOLEAN:
          json_builder_add_boolean_value (b, *CFIELD (self, desc, gint));
          break;
        case CS_SETTING_TYPE_ENUM:
          json_builder_add_string_value (b, desc->choices[*CFIELD (self, desc, gint)].nick);
          break;
        case CS_SETTING_TYPE_LAYERS:
        default:
          json_builder_begin_array (b);
          for (guint l = 0; l < self->n_hidden; l++)
            json_builder_add_int_value (b, CFIELD (self, desc, guint)[l]);
          json_builder_end_array (b);
          break;
        }
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
json_value_type_is (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
read_member (CsSettings *s, const CsSettingDesc *desc, JsonNode *node, GError **error)
{
  g_autofree char *name = g_strdup_printf (_ ("setting \"%s\""), desc->key);
  double value;

  switch (desc->type)
    {
    case CS_SETTING_TYPE_BOOLEAN:
      if (!json_value_type_is (node, G_TYPE_BOOLEAN))
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s must be true or false"), name);
          return FALSE;
        }
      *FIELD (s, desc, gint) = json_node_get_boolean (node);
      return TRUE;
    case CS_SETTING_TYPE_ENUM:
      {
        gint choice;

        if (!json_value_type_is (node, G_TYPE_STRING))
          {
            g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s must be a string"), name);
            return FALSE;
          }
        if ((choice = find_choice (desc, json_node_get_string (node))) < 0)
          return unknown_choice (desc, "\"", json_node_get_string (node), error);
        *FIELD (s, desc, gint) = choice;
        return TRUE;
      }
    case CS_SETTING_TYPE_LAYERS:
      {
        JsonArray *a;
        guint n;

        if (!JSON_NODE_HOLDS_ARRAY (node)
            || (n = json_array_get_length ((a = json_node_get_array (node)))) > CS_MAX_HIDDEN)
          {
            g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                         _ ("%s must be an array of at most %d layer sizes"), name, CS_MAX_HIDDEN);
            return FALSE;
          }
        for (guint i = 0; i < n; i++)
          {
            JsonNode *e = json_array_get_element (a, i);

            if (!json_value_type_is (e, G_TYPE_INT64) || json_node_get_int (e) < desc->min
                || json_node_get_int (e) > desc->max)
              {
                g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                             _ ("%s: entry %u must be an integer in [%g, %g]"), name, i, desc->min,
                             desc->max);
                return FALSE;
              }
            FIELD (s, desc, guint)[i] = (guint) json_node_get_int (e);
          }
        s->n_hidden = n;
        return TRUE;
      }
    case CS_SETTING_TYPE_UINT:
    case CS_SETTING_TYPE_UINT64:
    case CS_SETTING_TYPE_DOUBLE:
    default:
      break;
    }

  if (json_value_type_is (node, G_TYPE_INT64))
    value = (double) json_node_get_int (node);
  else if (json_value_type_is (node, G_TYPE_DOUBLE))
    value = json_node_get_double (node);
  else
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s must be a number"), name);
      return FALSE;
    }
  if (desc->type != CS_SETTING_TYPE_DOUBLE && (value < 0 || value != floor (value)))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("%s must be a non-negative integer"),
                   name);
      return FALSE;
    }
  if (!check_range (desc, name, value, error))
    return FALSE;
  cs_settings_set_number (s, desc, value);
  return TRUE;
}

gboolean
cs_settings_update_from_json (CsSettings *self, JsonObject *o, GError **error)
{
  CsSettings s = *self;

  for (guint i = 0; i < G_N_ELEMENTS (descs); i++)
    {
      JsonNode *node = json_object_get_member (o, descs[i].key);

      if (node != NULL && !read_member (&s, &descs[i], node, error))
        return FALSE;
    }
  if (!cs_settings_validate (&s, error))
    return FALSE;
  *self = s;
  return TRUE;
}
