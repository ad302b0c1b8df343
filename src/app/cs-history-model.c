/* cs-history-model.c: the run's history as a GListModel with a cursor on the epoch shown.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-history-model"

#include "config.h"

#include "cs-history-model.h"

struct _CsHistoryModel
{
  GObject parent_instance;

  CsHistory *history;
  gint position; /* -1: empty */
  gboolean follows;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsHistoryModel,
                               cs_history_model,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_POSITION,
  PROP_CURRENT,
  PROP_FOLLOWS,
  PROP_N_ITEMS,
  PROP_KEEP_FULL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GListModel ---------------------------------------------------------------------------- */

static GType
get_item_type (GListModel *model)
{
  return CS_TYPE_SNAPSHOT_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return cs_history_get_n (CS_HISTORY_MODEL (model)->history);
}

static gpointer
get_item (GListModel *model, guint position)
{
  CsSnapshot *snapshot = cs_history_get (CS_HISTORY_MODEL (model)->history, position);

  return snapshot != NULL ? cs_snapshot_item_new (snapshot) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Changes ------------------------------------------------------------------------------- */

/* Listeners hear the list first, then the cursor, so that a scale bound to "position" already
 * has its new range when the value moves. */
static void
set_follows (CsHistoryModel *self, gboolean follows)
{
  if (self->follows == follows)
    return;
  self->follows = follows;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWS]);
}

void
cs_history_model_append (CsHistoryModel *self, CsSnapshot *snapshot)
{
  gint old_position = self->position;
  gint replaced;
  guint n;

  g_return_if_fail (CS_IS_HISTORY_MODEL (self));
  g_return_if_fail (snapshot != NULL);

  replaced = cs_history_append (self->history, snapshot);
  n = cs_history_get_n (self->history);
  if (self->follows)
    self->position = (gint) n - 1;

  if (replaced >= 0)
    g_list_model_items_changed (G_LIST_MODEL (self), replaced, 1, 1);
  g_list_model_items_changed (G_LIST_MODEL (self), n - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (self->position != old_position)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  /* A light copy replacing the epoch shown is another snapshot, with the same picture. */
  if (self->position != old_position || self->position == replaced)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
}

void
cs_history_model_clear (CsHistoryModel *self)
{
  guint n;

  g_return_if_fail (CS_IS_HISTORY_MODEL (self));

  n = cs_history_get_n (self->history);
  if (n == 0)
    return;
  cs_history_clear (self->history);
  self->position = -1;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
  set_follows (self, TRUE);
}

void
cs_history_model_truncate (CsHistoryModel *self, guint n)
{
  guint old;

  g_return_if_fail (CS_IS_HISTORY_MODEL (self));

  old = cs_history_get_n (self->history);
  if (n >= old)
    return;
  cs_history_truncate (self->history, n);
  self->position = (gint) n - 1;
  g_list_model_items_changed (G_LIST_MODEL (self), n, old - n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
  set_follows (self, TRUE);
}

void
cs_history_model_set_position (CsHistoryModel *self, gint position)
{
  guint n;

  g_return_if_fail (CS_IS_HISTORY_MODEL (self));

  n = cs_history_get_n (self->history);
  position = n == 0 ? -1 : CLAMP (position, 0, (gint) n - 1);
  if (position != self->position)
    {
      self->position = position;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
    }
  set_follows (self, position == (gint) n - 1);
}

/* Getters ------------------------------------------------------------------------------- */

CsHistory *
cs_history_model_get_history (CsHistoryModel *self)
{
  g_return_val_if_fail (CS_IS_HISTORY_MODEL (self), NULL);
  return self->history;
}

gint
cs_history_model_get_position (CsHistoryModel *self)
{
  g_return_val_if_fail (CS_IS_HISTORY_MODEL (self), -1);
  return self->position;
}

CsSnapshot *
cs_history_model_get_current (CsHistoryModel *self)
{
  g_return_val_if_fail (CS_IS_HISTORY_MODEL (self), NULL);
  return self->position >= 0 ? cs_history_get (self->history, self->position) : NULL;
}

gboolean
cs_history_model_get_follows (CsHistoryModel *self)
{
  g_return_val_if_fail (CS_IS_HISTORY_MODEL (self), FALSE);
  return self->follows;
}

/* GObject ------------------------------------------------------------------------------- */

static void
cs_history_model_finalize (GObject *object)
{
  CsHistoryModel *self = CS_HISTORY_MODEL (object);

  g_clear_pointer (&self->history, cs_history_unref);

  G_OBJECT_CLASS (cs_history_model_parent_class)->finalize (object);
}

static void
cs_history_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CsHistoryModel *self = CS_HISTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_int (value, self->position);
      break;
    case PROP_CURRENT:
      g_value_set_boxed (value, cs_history_model_get_current (self));
      break;
    case PROP_FOLLOWS:
      g_value_set_boolean (value, self->follows);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, cs_history_get_n (self->history));
      break;
    case PROP_KEEP_FULL:
      g_value_set_uint (value, cs_history_get_keep_full (self->history));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_history_model_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  CsHistoryModel *self = CS_HISTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      cs_history_model_set_position (self, g_value_get_int (value));
      break;
    case PROP_KEEP_FULL:
      self->history = cs_history_new (g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_history_model_class_init (CsHistoryModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_history_model_finalize;
  object_class->get_property = cs_history_model_get_property;
  object_class->set_property = cs_history_model_set_property;

  properties[PROP_POSITION]
      = g_param_spec_int ("position", NULL, NULL, -1, G_MAXINT, -1,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT]
      = g_param_spec_boxed ("current", NULL, NULL, CS_TYPE_SNAPSHOT,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOWS]
      = g_param_spec_boolean ("follows", NULL, NULL, TRUE,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS]
      = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How many of the newest epochs keep their latent codes (see cs_history_new()). */
  properties[PROP_KEEP_FULL]
      = g_param_spec_uint ("keep-full", NULL, NULL, 0, G_MAXUINT, 2,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_history_model_init (CsHistoryModel *self)
{
  self->position = -1;
  self->follows = TRUE;
}

CsHistoryModel *
cs_history_model_new (guint keep_full)
{
  return g_object_new (CS_TYPE_HISTORY_MODEL, "keep-full", keep_full, NULL);
}
