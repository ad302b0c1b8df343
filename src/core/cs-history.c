/* cs-history.c: the epochs of one run, with light copies for all but the newest few.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include "cs-history.h"

struct _CsHistory
{
  gatomicrefcount ref_count;
  guint keep_full;
  GPtrArray *snapshots; /* CsSnapshot, oldest first */
};

CsHistory *
cs_history_new (guint keep_full)
{
  CsHistory *self = g_new0 (CsHistory, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->keep_full = keep_full;
  self->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  return self;
}

CsHistory *
cs_history_ref (CsHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_history_unref (CsHistory *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->snapshots);
  g_free (self);
}

gint
cs_history_append (CsHistory *self, CsSnapshot *snapshot)
{
  guint len, old_index;
  CsSnapshot *old;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (snapshot != NULL, -1);

  g_ptr_array_add (self->snapshots, cs_snapshot_ref (snapshot));
  len = self->snapshots->len;
  if (len <= self->keep_full)
    return -1;
  old_index = len - 1 - self->keep_full;
  old = g_ptr_array_index (self->snapshots, old_index);
  if (old->codes == NULL)
    return -1;
  /* The array's free func would drop the full copy; swap it in place instead. */
  self->snapshots->pdata[old_index] = cs_snapshot_dup_light (old);
  cs_snapshot_unref (old);
  return (gint) old_index;
}

void
cs_history_clear (CsHistory *self)
{
  g_return_if_fail (self != NULL);
  g_ptr_array_set_size (self->snapshots, 0);
}

void
cs_history_truncate (CsHistory *self, guint n)
{
  g_return_if_fail (self != NULL);
  if (n < self->snapshots->len)
    g_ptr_array_set_size (self->snapshots, n);
}

guint
cs_history_get_n (CsHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->snapshots->len;
}

guint
cs_history_get_keep_full (CsHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->keep_full;
}

CsSnapshot *
cs_history_get (CsHistory *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  return index < self->snapshots->len ? g_ptr_array_index (self->snapshots, index) : NULL;
}

CsSnapshot *
cs_history_get_latest (CsHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (self->snapshots->len == 0)
    return NULL;
  return g_ptr_array_index (self->snapshots, self->snapshots->len - 1);
}

CsSnapshot *const *
cs_history_peek (CsHistory *self, guint *n)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (n != NULL)
    *n = self->snapshots->len;
  return (CsSnapshot *const *) self->snapshots->pdata;
}

guint
cs_history_get_trail_start (CsHistory *self, guint index, guint max_length)
{
  CsSnapshot *const *s;
  guint first = index;

  g_return_val_if_fail (self != NULL, index);
  if (index >= self->snapshots->len)
    return index;
  s = (CsSnapshot *const *) self->snapshots->pdata;
  /* Centroids of another K or of pretraining are not the same clusters: no trail across them. */
  if (s[index]->phase != CS_PHASE_CLUSTER)
    return index;
  while (first > 0 && index - first < max_length && s[first - 1]->phase == CS_PHASE_CLUSTER
         && s[first - 1]->k == s[index]->k)
    first--;
  return first;
}
