/* cs-selection.c: the points the user picked, as one byte per point.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-selection"

#include "config.h"

#include <string.h>

#include "cs-selection.h"

struct _CsSelection
{
  GObject parent_instance;

  guint8 *mask; /* n */
  gsize n;
  gsize count;
};

G_DEFINE_FINAL_TYPE (CsSelection, cs_selection, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

CsSelectMode
cs_select_mode_from_state (GdkModifierType state)
{
  if (state & GDK_CONTROL_MASK)
    return CS_SELECT_REMOVE;
  if (state & GDK_SHIFT_MASK)
    return CS_SELECT_ADD;
  return CS_SELECT_REPLACE;
}

/* Recounts, then tells the views. */
static void
changed (CsSelection *self)
{
  gsize count = 0;

  for (gsize i = 0; i < self->n; i++)
    count += self->mask[i] != 0;
  g_signal_emit (self, signals[CHANGED], 0);
  if (count != self->count)
    {
      self->count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
    }
}

void
cs_selection_reset (CsSelection *self, gsize n)
{
  g_return_if_fail (CS_IS_SELECTION (self));

  g_free (self->mask);
  self->mask = n > 0 ? g_malloc0 (n) : NULL;
  self->n = n;
  changed (self);
}

gsize
cs_selection_get_size (CsSelection *self)
{
  g_return_val_if_fail (CS_IS_SELECTION (self), 0);
  return self->n;
}

gsize
cs_selection_get_count (CsSelection *self)
{
  g_return_val_if_fail (CS_IS_SELECTION (self), 0);
  return self->count;
}

const guint8 *
cs_selection_get_mask (CsSelection *self)
{
  g_return_val_if_fail (CS_IS_SELECTION (self), NULL);
  return self->mask;
}

gboolean
cs_selection_contains (CsSelection *self, gsize index)
{
  g_return_val_if_fail (CS_IS_SELECTION (self), FALSE);
  return index < self->n && self->mask[index] != 0;
}

void
cs_selection_apply (CsSelection *self, const guint8 *mask, CsSelectMode mode)
{
  g_return_if_fail (CS_IS_SELECTION (self));
  g_return_if_fail (mask != NULL || self->n == 0);

  for (gsize i = 0; i < self->n; i++)
    switch (mode)
      {
      case CS_SELECT_ADD:
        self->mask[i] = self->mask[i] || mask[i];
        break;
      case CS_SELECT_REMOVE:
        self->mask[i] = self->mask[i] && !mask[i];
        break;
      case CS_SELECT_REPLACE:
      default:
        self->mask[i] = mask[i] != 0;
        break;
      }
  changed (self);
}

void
cs_selection_clear (CsSelection *self)
{
  g_return_if_fail (CS_IS_SELECTION (self));

  if (self->n > 0)
    memset (self->mask, 0, self->n);
  changed (self);
}

void
cs_selection_select_all (CsSelection *self)
{
  g_return_if_fail (CS_IS_SELECTION (self));

  if (self->n > 0)
    memset (self->mask, 1, self->n);
  changed (self);
}

GArray *
cs_selection_dup_indexes (CsSelection *self)
{
  GArray *out;

  g_return_val_if_fail (CS_IS_SELECTION (self), NULL);

  out = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->count);
  for (gsize i = 0; i < self->n; i++)
    if (self->mask[i] != 0)
      {
        guint index = (guint) i;

        g_array_append_val (out, index);
      }
  return out;
}

static void
cs_selection_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CsSelection *self = CS_SELECTION (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint64 (value, self->count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_selection_finalize (GObject *object)
{
  CsSelection *self = CS_SELECTION (object);

  g_free (self->mask);
  G_OBJECT_CLASS (cs_selection_parent_class)->finalize (object);
}

static void
cs_selection_class_init (CsSelectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cs_selection_get_property;
  object_class->finalize = cs_selection_finalize;

  properties[PROP_COUNT]
      = g_param_spec_uint64 ("count", NULL, NULL, 0, G_MAXUINT64, 0,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
}

static void
cs_selection_init (CsSelection *self)
{
}

CsSelection *
cs_selection_new (void)
{
  return g_object_new (CS_TYPE_SELECTION, NULL);
}
