/* cs-controls.c: the settings panel; emits "changed" with the live settings it touched.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-controls"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-controls.h"

struct _CsControls
{
  AdwPreferencesPage parent_instance;

  AdwActionRow *dataset_row;
  GtkSpinner *dataset_spinner;
  GtkMenuButton *dataset_button;

  AdwComboRow *algorithm_row;
  AdwActionRow *k_row;
  GtkSpinButton *k_spin;
  AdwActionRow *reinit_row;
  GtkSpinButton *reinit_spin;
  AdwComboRow *reinit_mode_row;
  AdwActionRow *lr_row;
  GtkSpinButton *lr_spin;
  AdwActionRow *alpha_row;
  GtkSpinButton *alpha_spin;
  AdwActionRow *lambda_row;
  GtkSpinButton *lambda_spin;
  AdwActionRow *batch_row;
  GtkSpinButton *batch_spin;
  AdwActionRow *pretrain_row;
  GtkSpinButton *pretrain_spin;
  AdwActionRow *epochs_row;
  GtkSpinButton *epochs_spin;
  AdwActionRow *embedding_row;
  GtkSpinButton *embedding_spin;
  AdwActionRow *seed_row;
  GtkSpinButton *seed_spin;

  guint updating;
};

G_DEFINE_FINAL_TYPE (CsControls, cs_controls, ADW_TYPE_PREFERENCES_PAGE)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static CsSettingMask
mask_for (CsControls *self, GObject *source)
{
  if (source == G_OBJECT (self->lr_spin))
    return CS_SETTING_LR;
  if (source == G_OBJECT (self->k_spin))
    return CS_SETTING_K;
  if (source == G_OBJECT (self->reinit_spin))
    return CS_SETTING_REINIT_EVERY;
  if (source == G_OBJECT (self->reinit_mode_row))
    return CS_SETTING_REINIT_MODE;
  if (source == G_OBJECT (self->alpha_spin))
    return CS_SETTING_ALPHA;
  if (source == G_OBJECT (self->lambda_spin))
    return CS_SETTING_LAMBDA;
  return 0;
}

/* The subtitle explains the choice in force, so the panel reads as a sentence. */
static void
update_subtitles (CsControls *self)
{
  const char *algorithms[] = {
    N_ ("The paper: centroids stay fixed within an epoch and are re-initialised by K-means on "
        "all codes every R epochs"),
    N_ ("Deep k-Means: centroids are parameters trained by gradient descent on every batch"),
    N_ ("Baseline: the autoencoder alone, with K-means on its codes after every epoch"),
  };
  const char *modes[] = {
    N_ ("Fresh k-means++ seeding with restarts"),
    N_ ("Lloyd iterations from the current centroids"),
  };
  guint algorithm = adw_combo_row_get_selected (self->algorithm_row);
  guint mode = adw_combo_row_get_selected (self->reinit_mode_row);

  if (algorithm < G_N_ELEMENTS (algorithms))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->algorithm_row), _ (algorithms[algorithm]));
  if (mode < G_N_ELEMENTS (modes))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->reinit_mode_row), _ (modes[mode]));
  /* R and the mode mean nothing to DKM, which never re-initialises. */
  gtk_widget_set_visible (GTK_WIDGET (self->reinit_row), algorithm == CS_ALGORITHM_ROY);
  gtk_widget_set_visible (GTK_WIDGET (self->reinit_mode_row), algorithm != CS_ALGORITHM_DKM);
}

static void
value_changed (CsControls *self, GObject *source)
{
  if (self->updating > 0)
    return;
  g_signal_emit (self, signals[CHANGED], 0, (guint) mask_for (self, source));
}

static void
on_spin_value_changed (GtkSpinButton *spin, CsControls *self)
{
  value_changed (self, G_OBJECT (spin));
}

static void
on_combo_selected (AdwComboRow *row, GParamSpec *pspec, CsControls *self)
{
  update_subtitles (self);
  value_changed (self, G_OBJECT (row));
}

void
cs_controls_set_settings (CsControls *self, const CsSettings *s)
{
  g_return_if_fail (CS_IS_CONTROLS (self));

  self->updating++;
  adw_combo_row_set_selected (self->algorithm_row, s->algorithm);
  gtk_spin_button_set_value (self->k_spin, s->k);
  gtk_spin_button_set_value (self->reinit_spin, s->reinit_every);
  adw_combo_row_set_selected (self->reinit_mode_row, s->reinit_mode);
  gtk_spin_button_set_value (self->lr_spin, s->lr);
  gtk_spin_button_set_value (self->alpha_spin, s->alpha);
  gtk_spin_button_set_value (self->lambda_spin, s->lambda);
  gtk_spin_button_set_value (self->batch_spin, s->batch_size);
  gtk_spin_button_set_value (self->pretrain_spin, s->pretrain_epochs);
  gtk_spin_button_set_value (self->epochs_spin, s->epochs);
  gtk_spin_button_set_value (self->embedding_spin, s->embedding_dim);
  gtk_spin_button_set_value (self->seed_spin, (double) s->seed);
  update_subtitles (self);
  self->updating--;
}

void
cs_controls_get_settings (CsControls *self, CsSettings *s)
{
  guint algorithm, mode;

  g_return_if_fail (CS_IS_CONTROLS (self));

  algorithm = adw_combo_row_get_selected (self->algorithm_row);
  mode = adw_combo_row_get_selected (self->reinit_mode_row);
  s->algorithm = algorithm <= CS_ALGORITHM_AEKM ? (CsAlgorithm) algorithm : CS_ALGORITHM_ROY;
  s->k = gtk_spin_button_get_value_as_int (self->k_spin);
  s->reinit_every = gtk_spin_button_get_value_as_int (self->reinit_spin);
  s->reinit_mode = mode <= CS_REINIT_WARM ? (CsReinitMode) mode : CS_REINIT_FRESH;
  s->lr = gtk_spin_button_get_value (self->lr_spin);
  s->alpha = gtk_spin_button_get_value (self->alpha_spin);
  s->lambda = gtk_spin_button_get_value (self->lambda_spin);
  s->batch_size = gtk_spin_button_get_value_as_int (self->batch_spin);
  s->pretrain_epochs = gtk_spin_button_get_value_as_int (self->pretrain_spin);
  s->epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  s->embedding_dim = gtk_spin_button_get_value_as_int (self->embedding_spin);
  s->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
}

void
cs_controls_set_running (CsControls *self, gboolean running)
{
  GtkWidget *fixed[] = {
    GTK_WIDGET (self->algorithm_row), GTK_WIDGET (self->batch_row),
    GTK_WIDGET (self->pretrain_row),  GTK_WIDGET (self->epochs_row),
    GTK_WIDGET (self->embedding_row), GTK_WIDGET (self->seed_row),
    GTK_WIDGET (self->dataset_row),
  };

  g_return_if_fail (CS_IS_CONTROLS (self));

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      gtk_widget_set_sensitive (fixed[i], !running);
      if (running)
        gtk_widget_set_tooltip_text (fixed[i], _ ("Stop the run to change this setting"));
      else
        gtk_widget_set_tooltip_text (fixed[i], NULL);
    }
}

void
cs_controls_set_dataset_info (CsControls *self,
                              const char *title,
                              const char *subtitle,
                              gboolean loading)
{
  g_return_if_fail (CS_IS_CONTROLS (self));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_row), title);
  adw_action_row_set_subtitle (self->dataset_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->dataset_spinner), loading);
  gtk_spinner_set_spinning (self->dataset_spinner, loading);
}

void
cs_controls_set_dataset_menu (CsControls *self, GMenuModel *menu)
{
  g_return_if_fail (CS_IS_CONTROLS (self));
  gtk_menu_button_set_menu_model (self->dataset_button, menu);
}

static gboolean
variant_to_double (GVariant *value, double *out)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);

      return variant_to_double (inner, out);
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    *out = g_variant_get_double (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    *out = g_variant_get_int32 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    *out = g_variant_get_uint32 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    *out = (double) g_variant_get_int64 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    *out = (double) g_variant_get_uint64 (value);
  else
    return FALSE;
  return TRUE;
}

gboolean
cs_controls_set_named (CsControls *self, const char *name, GVariant *value)
{
  struct
  {
    const char *name;
    GtkSpinButton *spin;
  } spins[] = {
    { "k", self->k_spin },
    { "learning-rate", self->lr_spin },
    { "reinit-every", self->reinit_spin },
    { "alpha", self->alpha_spin },
    { "lambda", self->lambda_spin },
    { "batch-size", self->batch_spin },
    { "pretrain-epochs", self->pretrain_spin },
    { "epochs", self->epochs_spin },
    { "embedding-dim", self->embedding_spin },
    { "seed", self->seed_spin },
  };
  double number;

  g_return_val_if_fail (CS_IS_CONTROLS (self), FALSE);
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);

      return cs_controls_set_named (self, name, inner);
    }
  if (g_str_equal (name, "algorithm") || g_str_equal (name, "reinit-mode"))
    {
      const char *str;
      CsAlgorithm algorithm;
      CsReinitMode mode;

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        return FALSE;
      str = g_variant_get_string (value, NULL);
      if (g_str_equal (name, "algorithm") && cs_algorithm_from_string (str, &algorithm))
        adw_combo_row_set_selected (self->algorithm_row, algorithm);
      else if (g_str_equal (name, "reinit-mode") && cs_reinit_mode_from_string (str, &mode))
        adw_combo_row_set_selected (self->reinit_mode_row, mode);
      else
        return FALSE;
      return TRUE;
    }
  if (!variant_to_double (value, &number))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    if (g_str_equal (name, spins[i].name))
      {
        gtk_spin_button_set_value (spins[i].spin, number);
        return TRUE;
      }
  return FALSE;
}

GtkSpinButton *
cs_controls_get_lr_spin (CsControls *self)
{
  g_return_val_if_fail (CS_IS_CONTROLS (self), NULL);
  return self->lr_spin;
}

GtkSpinButton *
cs_controls_get_k_spin (CsControls *self)
{
  g_return_val_if_fail (CS_IS_CONTROLS (self), NULL);
  return self->k_spin;
}

static void
cs_controls_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_CONTROLS);
  G_OBJECT_CLASS (cs_controls_parent_class)->dispose (object);
}

static void
cs_controls_class_init (CsControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_controls_dispose;

  /* (CsSettingMask of the live settings that changed; 0 for a setting of the next run) */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/cs-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, CsControls, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, dataset_spinner);
  gtk_widget_class_bind_template_child (widget_class, CsControls, dataset_button);
  gtk_widget_class_bind_template_child (widget_class, CsControls, algorithm_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, k_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, k_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, reinit_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, reinit_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, reinit_mode_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, lr_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, lr_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, alpha_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, alpha_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, lambda_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, lambda_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, batch_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, pretrain_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, pretrain_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, epochs_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, embedding_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, embedding_spin);
  gtk_widget_class_bind_template_child (widget_class, CsControls, seed_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, seed_spin);
}

static void
cs_controls_init (CsControls *self)
{
  GtkSpinButton *spins[6];

  gtk_widget_init_template (GTK_WIDGET (self));

  spins[0] = self->k_spin;
  spins[1] = self->reinit_spin;
  spins[2] = self->lr_spin;
  spins[3] = self->alpha_spin;
  spins[4] = self->lambda_spin;
  spins[5] = self->batch_spin;
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    g_signal_connect (spins[i], "value-changed", G_CALLBACK (on_spin_value_changed), self);
  g_signal_connect (self->pretrain_spin, "value-changed", G_CALLBACK (on_spin_value_changed), self);
  g_signal_connect (self->epochs_spin, "value-changed", G_CALLBACK (on_spin_value_changed), self);
  g_signal_connect (self->embedding_spin, "value-changed", G_CALLBACK (on_spin_value_changed),
                    self);
  g_signal_connect (self->seed_spin, "value-changed", G_CALLBACK (on_spin_value_changed), self);
  g_signal_connect (self->algorithm_row, "notify::selected", G_CALLBACK (on_combo_selected), self);
  g_signal_connect (self->reinit_mode_row, "notify::selected", G_CALLBACK (on_combo_selected),
                    self);
}
