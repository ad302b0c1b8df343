/* cs-snapshot-item.c: one epoch of the history as a GObject, the item of CsHistoryModel.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-snapshot-item"

#include "config.h"

#include "cs-snapshot-item.h"

struct _CsSnapshotItem
{
  GObject parent_instance;

  CsSnapshot *snapshot;
};

G_DEFINE_FINAL_TYPE (CsSnapshotItem, cs_snapshot_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SNAPSHOT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_snapshot_item_finalize (GObject *object)
{
  CsSnapshotItem *self = CS_SNAPSHOT_ITEM (object);

  g_clear_pointer (&self->snapshot, cs_snapshot_unref);

  G_OBJECT_CLASS (cs_snapshot_item_parent_class)->finalize (object);
}

static void
cs_snapshot_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CsSnapshotItem *self = CS_SNAPSHOT_ITEM (object);

  switch (prop_id)
    {
    case PROP_SNAPSHOT:
      g_value_set_boxed (value, self->snapshot);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_snapshot_item_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  CsSnapshotItem *self = CS_SNAPSHOT_ITEM (object);

  switch (prop_id)
    {
    case PROP_SNAPSHOT:
      self->snapshot = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_snapshot_item_class_init (CsSnapshotItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_snapshot_item_finalize;
  object_class->get_property = cs_snapshot_item_get_property;
  object_class->set_property = cs_snapshot_item_set_property;

  properties[PROP_SNAPSHOT]
      = g_param_spec_boxed ("snapshot", NULL, NULL, CS_TYPE_SNAPSHOT,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_snapshot_item_init (CsSnapshotItem *self)
{
}

CsSnapshotItem *
cs_snapshot_item_new (CsSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  return g_object_new (CS_TYPE_SNAPSHOT_ITEM, "snapshot", snapshot, NULL);
}

CsSnapshot *
cs_snapshot_item_get_snapshot (CsSnapshotItem *self)
{
  g_return_val_if_fail (CS_IS_SNAPSHOT_ITEM (self), NULL);
  return self->snapshot;
}
