/* cs-controls.c: the settings panel: a row per setting of the settings table, bound to GSettings.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-controls"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-controls.h"

/* One row of the panel: a setting of the table and the widget that edits it. */
typedef struct
{
  const CsSettingDesc *desc;
  GtkWidget *row;
  GtkWidget *editor; /* GtkSpinButton, GtkSwitch, or the AdwComboRow itself */
} Row;

struct _CsControls
{
  AdwPreferencesPage parent_instance;

  AdwActionRow *dataset_row;
  GtkSpinner *dataset_spinner;
  GtkMenuButton *dataset_button;
  AdwPreferencesGroup *clustering_group;
  AdwPreferencesGroup *optimisation_group;
  AdwPreferencesGroup *schedule_group;
  AdwPreferencesGroup *view_group;

  GSettings *settings;
  GArray *rows; /* of Row, in the table's order */
};

G_DEFINE_FINAL_TYPE (CsControls, cs_controls, ADW_TYPE_PREFERENCES_PAGE)

static Row *
find_row (CsControls *self, const char *key)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);

      if (g_str_equal (row->desc->key, key))
        return row;
    }
  return NULL;
}

/* GSettings <-> widget property, through the table's conversions (any numeric type, enum
 * nicks, clamping to the range). */
static gboolean
get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const CsSettingDesc *desc = user_data;
  CsSettings s;
  double number;

  cs_settings_init_default (&s);
  if (!cs_settings_set_variant (&s, desc, variant))
    return FALSE;
  number = cs_settings_get_number (&s, desc);
  if (G_VALUE_HOLDS_DOUBLE (value))
    g_value_set_double (value, number);
  else if (G_VALUE_HOLDS_UINT (value))
    g_value_set_uint (value, (guint) number);
  else if (G_VALUE_HOLDS_BOOLEAN (value))
    g_value_set_boolean (value, number != 0);
  else
    return FALSE;
  return TRUE;
}

static GVariant *
set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const CsSettingDesc *desc = user_data;
  CsSettings s;

  cs_settings_init_default (&s);
  if (G_VALUE_HOLDS_DOUBLE (value))
    cs_settings_set_number (&s, desc, g_value_get_double (value));
  else if (G_VALUE_HOLDS_UINT (value))
    cs_settings_set_number (&s, desc, g_value_get_uint (value));
  else if (G_VALUE_HOLDS_BOOLEAN (value))
    cs_settings_set_number (&s, desc, g_value_get_boolean (value));
  else
    return NULL;
  return cs_settings_get_variant (&s, desc);
}

/* The subtitle of a choice explains the one in force, so the panel reads as a sentence; rows
 * that mean nothing to the chosen algorithm hide (R and the re-initialisation to DKM, DEC and
 * IDEC, which never re-initialise; alpha and lambda to DEC and IDEC). */
static void
update_choices (CsControls *self)
{
  Row *algorithm = find_row (self, "algorithm");
  Row *reinit_every = find_row (self, "reinit_every");
  Row *reinit_mode = find_row (self, "reinit_mode");
  guint chosen;
  gboolean dec;

  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);

      if (row->desc->type != CS_SETTING_TYPE_ENUM)
        continue;
      chosen = adw_combo_row_get_selected (ADW_COMBO_ROW (row->row));
      if (chosen < row->desc->n_choices)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row),
                                     _ (row->desc->choices[chosen].description));
    }
  chosen = adw_combo_row_get_selected (ADW_COMBO_ROW (algorithm->row));
  dec = chosen == CS_ALGORITHM_DEC || chosen == CS_ALGORITHM_IDEC;
  gtk_widget_set_visible (reinit_every->row, chosen == CS_ALGORITHM_ROY);
  gtk_widget_set_visible (reinit_mode->row,
                          chosen == CS_ALGORITHM_ROY || chosen == CS_ALGORITHM_AEKM);
  /* Only a re-initialising algorithm has two partitions to choose from. */
  gtk_widget_set_visible (find_row (self, "report")->row,
                          chosen == CS_ALGORITHM_ROY || chosen == CS_ALGORITHM_AEKM);
  /* DEC and IDEC have their own loss: no alpha or lambda, but a target and a stop. */
  gtk_widget_set_visible (find_row (self, "alpha")->row, !dec);
  gtk_widget_set_visible (find_row (self, "lambda")->row, !dec);
  gtk_widget_set_visible (find_row (self, "gamma")->row, chosen == CS_ALGORITHM_IDEC);
  gtk_widget_set_visible (find_row (self, "target_every")->row, dec);
  gtk_widget_set_visible (find_row (self, "dec_tol")->row, dec);
}

static void
on_choice_selected (AdwComboRow *combo, GParamSpec *pspec, CsControls *self)
{
  update_choices (self);
}

/* A GSettings range's end as a number ("u", "t" or "d"). */
static double
range_end (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return g_variant_get_double (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return (double) g_variant_get_uint64 (value);
  return g_variant_get_uint32 (value);
}

/* A spin button whose range comes from the schema key, as Text Editor's preferences do. */
static GtkWidget *
make_spin (CsControls *self, const CsSettingDesc *desc)
{
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsSchemaKey) key = NULL;
  g_autoptr (GVariant) range = NULL;
  g_autoptr (GVariant) bounds = NULL;
  g_autoptr (GVariant) lo = NULL;
  g_autoptr (GVariant) hi = NULL;
  const char *kind;
  GtkAdjustment *adjustment;
  GtkWidget *spin;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, desc->gsettings);
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(&sv)", &kind, &bounds);
  g_return_val_if_fail (g_str_equal (kind, "range"), NULL);
  g_variant_get (bounds, "(**)", &lo, &hi);

  adjustment = gtk_adjustment_new (desc->def, range_end (lo), range_end (hi), desc->step,
                                   10 * desc->step, 0);
  spin = gtk_spin_button_new (adjustment, 0, desc->digits);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 6);
  return spin;
}

static void
add_row (CsControls *self, const CsSettingDesc *desc)
{
  AdwPreferencesGroup *groups[] = {
    [CS_SETTING_GROUP_CLUSTERING] = self->clustering_group,
    [CS_SETTING_GROUP_OPTIMISATION] = self->optimisation_group,
    [CS_SETTING_GROUP_SCHEDULE] = self->schedule_group,
    [CS_SETTING_GROUP_VIEW] = self->view_group,
  };
  Row row = { desc, NULL, NULL };
  const char *property;

  g_return_if_fail (desc->gsettings != NULL);
  g_return_if_fail (desc->group > CS_SETTING_GROUP_NONE && desc->group < G_N_ELEMENTS (groups));

  switch (desc->type)
    {
    case CS_SETTING_TYPE_ENUM:
      {
        g_autoptr (GtkStringList) labels = gtk_string_list_new (NULL);

        for (guint i = 0; i < desc->n_choices; i++)
          gtk_string_list_append (labels, _ (desc->choices[i].label));
        row.row = row.editor = adw_combo_row_new ();
        adw_combo_row_set_model (ADW_COMBO_ROW (row.row), G_LIST_MODEL (labels));
        gtk_widget_set_tooltip_text (row.row, _ (desc->subtitle));
        property = "selected";
        break;
      }
    case CS_SETTING_TYPE_BOOLEAN:
      row.editor = gtk_switch_new ();
      property = "active";
      break;
    case CS_SETTING_TYPE_UINT:
    case CS_SETTING_TYPE_UINT64:
    case CS_SETTING_TYPE_DOUBLE:
      row.editor = make_spin (self, desc);
      property = "value";
      break;
    case CS_SETTING_TYPE_LAYERS:
    default:
      g_return_if_reached ();
    }

  if (row.row == NULL)
    {
      row.row = adw_action_row_new ();
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row.row), _ (desc->subtitle));
      gtk_widget_set_valign (row.editor, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (row.editor, _ (desc->subtitle));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row.row), row.editor);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row.row), row.editor);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row.row), _ (desc->title));
  g_settings_bind_with_mapping (self->settings, desc->gsettings, row.editor, property,
                                G_SETTINGS_BIND_DEFAULT, get_mapping, set_mapping, (gpointer) desc,
                                NULL);
  if (desc->type == CS_SETTING_TYPE_ENUM)
    g_signal_connect (row.row, "notify::selected", G_CALLBACK (on_choice_selected), self);
  adw_preferences_group_add (groups[desc->group], row.row);
  g_array_append_val (self->rows, row);
}

void
cs_controls_set_running (CsControls *self, gboolean running)
{
  g_return_if_fail (CS_IS_CONTROLS (self));

  /* While a run is active only the settings a running job accepts stay editable. A combo row
   * gets its own tooltip back afterwards. */
  for (guint i = 0; i <= self->rows->len; i++)
    {
      const CsSettingDesc *desc = NULL;
      GtkWidget *widget;

      if (i == self->rows->len)
        widget = GTK_WIDGET (self->dataset_row);
      else if ((desc = g_array_index (self->rows, Row, i).desc)->live == 0)
        widget = g_array_index (self->rows, Row, i).row;
      else
        continue;
      gtk_widget_set_sensitive (widget, !running);
      if (running)
        gtk_widget_set_tooltip_text (widget, _ ("Stop the run to change this setting"));
      else if (desc != NULL && desc->type == CS_SETTING_TYPE_ENUM)
        gtk_widget_set_tooltip_text (widget, _ (desc->subtitle));
      else
        gtk_widget_set_tooltip_text (widget, NULL);
    }
}

void
cs_controls_commit (CsControls *self)
{
  g_return_if_fail (CS_IS_CONTROLS (self));

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *editor = g_array_index (self->rows, Row, i).editor;

      if (GTK_IS_SPIN_BUTTON (editor))
        gtk_spin_button_update (GTK_SPIN_BUTTON (editor));
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

gboolean
cs_controls_set_named (CsControls *self, const char *name, GVariant *value)
{
  g_autoptr (GVariant) owned = NULL;
  const CsSettingDesc *desc;
  CsSettings s;

  g_return_val_if_fail (CS_IS_CONTROLS (self), FALSE);
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  owned = g_variant_ref_sink (value);
  desc = cs_settings_find_gsettings (name);
  cs_settings_init_default (&s);
  if (desc == NULL || !cs_settings_set_variant (&s, desc, owned))
    return FALSE;
  /* The binding shows it in the row, the controller follows GSettings. */
  return g_settings_set_value (self->settings, name, cs_settings_get_variant (&s, desc));
}

static GtkSpinButton *
get_spin (CsControls *self, const char *key)
{
  Row *row = find_row (self, key);

  g_return_val_if_fail (row != NULL && GTK_IS_SPIN_BUTTON (row->editor), NULL);
  return GTK_SPIN_BUTTON (row->editor);
}

GtkSpinButton *
cs_controls_get_lr_spin (CsControls *self)
{
  g_return_val_if_fail (CS_IS_CONTROLS (self), NULL);
  return get_spin (self, "lr");
}

GtkSpinButton *
cs_controls_get_k_spin (CsControls *self)
{
  g_return_val_if_fail (CS_IS_CONTROLS (self), NULL);
  return get_spin (self, "k");
}

static void
cs_controls_dispose (GObject *object)
{
  CsControls *self = CS_CONTROLS (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_CONTROLS);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->rows, g_array_unref);
  G_OBJECT_CLASS (cs_controls_parent_class)->dispose (object);
}

static void
cs_controls_class_init (CsControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_controls_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/cs-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, CsControls, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, CsControls, dataset_spinner);
  gtk_widget_class_bind_template_child (widget_class, CsControls, dataset_button);
  gtk_widget_class_bind_template_child (widget_class, CsControls, clustering_group);
  gtk_widget_class_bind_template_child (widget_class, CsControls, optimisation_group);
  gtk_widget_class_bind_template_child (widget_class, CsControls, schedule_group);
  gtk_widget_class_bind_template_child (widget_class, CsControls, view_group);
}

static void
cs_controls_init (CsControls *self)
{
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  for (guint i = 0; i < n; i++)
    if (descs[i].group != CS_SETTING_GROUP_NONE)
      add_row (self, &descs[i]);
  update_choices (self);
}
