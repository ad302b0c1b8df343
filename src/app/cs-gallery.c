/* cs-gallery.c: the selected points as a grid of thumbnails or a table of features.
 *
 * The list model holds only point indexes; the views bind the few items on screen, so tens of
 * thousands of selected points scroll as smoothly as ten.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-gallery"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "cs-gallery.h"
#include "cs-plot.h"
#include "cs-thumbnail.h"

/* Feature columns beyond this many are left out of the table: nobody reads 784 columns. */
#define MAX_FEATURE_COLUMNS 64
/* Thumbnails about this many pixels across. */
#define THUMB_SIZE 64

/* Items -------------------------------------------------------------------------------------- */

#define CS_TYPE_GALLERY_ITEM (cs_gallery_item_get_type ())
G_DECLARE_FINAL_TYPE (CsGalleryItem, cs_gallery_item, CS, GALLERY_ITEM, GObject)

struct _CsGalleryItem
{
  GObject parent_instance;
  guint index;
};

G_DEFINE_FINAL_TYPE (CsGalleryItem, cs_gallery_item, G_TYPE_OBJECT)

static void
cs_gallery_item_class_init (CsGalleryItemClass *klass)
{
}

static void
cs_gallery_item_init (CsGalleryItem *self)
{
}

guint
cs_gallery_item_get_index (gpointer item)
{
  g_return_val_if_fail (CS_IS_GALLERY_ITEM (item), 0);
  return CS_GALLERY_ITEM (item)->index;
}

/* A list of indexes whose items are made when asked for. */
#define CS_TYPE_INDEX_LIST (cs_index_list_get_type ())
G_DECLARE_FINAL_TYPE (CsIndexList, cs_index_list, CS, INDEX_LIST, GObject)

struct _CsIndexList
{
  GObject parent_instance;
  GArray *indexes; /* guint */
};

static GType
cs_index_list_get_item_type (GListModel *list)
{
  return CS_TYPE_GALLERY_ITEM;
}

static guint
cs_index_list_get_n_items (GListModel *list)
{
  return CS_INDEX_LIST (list)->indexes->len;
}

static gpointer
cs_index_list_get_item (GListModel *list, guint position)
{
  CsIndexList *self = CS_INDEX_LIST (list);
  CsGalleryItem *item;

  if (position >= self->indexes->len)
    return NULL;
  item = g_object_new (CS_TYPE_GALLERY_ITEM, NULL);
  item->index = g_array_index (self->indexes, guint, position);
  return item;
}

static void
cs_index_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_index_list_get_item_type;
  iface->get_n_items = cs_index_list_get_n_items;
  iface->get_item = cs_index_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (CsIndexList,
                               cs_index_list,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cs_index_list_model_init))

static void
cs_index_list_finalize (GObject *object)
{
  g_array_unref (CS_INDEX_LIST (object)->indexes);
  G_OBJECT_CLASS (cs_index_list_parent_class)->finalize (object);
}

static void
cs_index_list_class_init (CsIndexListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_index_list_finalize;
}

static void
cs_index_list_init (CsIndexList *self)
{
  self->indexes = g_array_new (FALSE, FALSE, sizeof (guint));
}

/* Takes indexes. */
static void
cs_index_list_set (CsIndexList *self, GArray *indexes)
{
  guint removed = self->indexes->len;

  g_array_unref (self->indexes);
  self->indexes = indexes;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, indexes->len);
}

/* The same indexes, with details that changed (another epoch): the views bind them again. */
static void
cs_index_list_refresh (CsIndexList *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), 0, self->indexes->len, self->indexes->len);
}

/* The gallery ---------------------------------------------------------------------------------- */

typedef enum
{
  MODE_SELECTION,
  MODE_CENTRAL,
  MODE_AMBIGUOUS,
} Mode;

static const char *const mode_names[] = { "selection", "central", "ambiguous" };

struct _CsGallery
{
  GtkWidget parent_instance;

  GtkWidget *header;
  GtkLabel *summary;
  GtkStack *stack;
  GtkGridView *grid;
  GtkColumnView *table;

  CsIndexList *list;
  CsSelection *selection;
  CsHistoryModel *history;
  CsDataset *dataset;
  CsSnapshot *shown; /* the epoch whose clusters the list shows */
  Mode mode;
};

G_DEFINE_FINAL_TYPE (CsGallery, cs_gallery, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
has_images (CsGallery *self)
{
  return self->dataset != NULL && self->dataset->image_width > 0
         && (gsize) self->dataset->image_width * self->dataset->image_height == self->dataset->d;
}

/* The snapshot, when it describes the dataset's points. */
static CsSnapshot *
get_shown (CsGallery *self)
{
  if (self->shown == NULL || self->dataset == NULL || self->shown->n != self->dataset->n)
    return NULL;
  return self->shown;
}

static const char *
class_name (CsGallery *self, gint32 label, char *buf, gsize size)
{
  if (label < 0)
    return "—";
  if (self->dataset->class_names != NULL && (guint) label < self->dataset->n_classes)
    return self->dataset->class_names[label];
  g_snprintf (buf, size, "%d", label);
  return buf;
}

/* Members of one cluster ordered by a key, smallest first. */
typedef struct
{
  guint cluster;
  float key;
  guint index;
} Ranked;

static int
compare_ranked (const void *a, const void *b)
{
  const Ranked *ra = a, *rb = b;

  if (ra->cluster != rb->cluster)
    return ra->cluster < rb->cluster ? -1 : 1;
  if (ra->key != rb->key)
    return ra->key < rb->key ? -1 : 1;
  return ra->index < rb->index ? -1 : (ra->index > rb->index);
}

/* Squared distance of point i to its centroid: in the latent space when the snapshot kept the
 * codes, in the plane otherwise. */
static float
centroid_distance (const CsSnapshot *s, gsize i)
{
  guint c = s->clusters[i];
  float d = 0;

  if (s->codes != NULL && s->centroids != NULL)
    for (guint j = 0; j < s->m; j++)
      {
        float t = s->codes[i * s->m + j] - s->centroids[(gsize) c * s->m + j];
        d += t * t;
      }
  else
    for (guint j = 0; j < 2; j++)
      {
        float t = s->xy[2 * i + j] - s->centroids_xy[2 * c + j];
        d += t * t;
      }
  return isfinite (d) ? d : INFINITY;
}

/* Per cluster, the CS_GALLERY_PER_CLUSTER members of smallest key. */
static GArray *
rank_members (const CsSnapshot *s, Mode mode)
{
  g_autofree Ranked *ranked = g_new (Ranked, MAX (s->n, 1));
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  guint taken = 0;

  for (gsize i = 0; i < s->n; i++)
    {
      ranked[i].cluster = s->clusters[i];
      ranked[i].index = (guint) i;
      ranked[i].key = mode == MODE_CENTRAL ? centroid_distance (s, i) : s->confidence[i];
    }
  qsort (ranked, s->n, sizeof *ranked, compare_ranked);
  for (gsize i = 0; i < s->n; i++)
    {
      if (i > 0 && ranked[i].cluster != ranked[i - 1].cluster)
        taken = 0;
      if (taken++ < CS_GALLERY_PER_CLUSTER)
        g_array_append_val (out, ranked[i].index);
    }
  return out;
}

static void
update_summary (CsGallery *self)
{
  g_autofree char *text = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->list));

  switch (self->mode)
    {
    case MODE_CENTRAL:
      text = g_strdup_printf (_ ("Per cluster, the %u nearest the centroid"),
                              CS_GALLERY_PER_CLUSTER);
      break;
    case MODE_AMBIGUOUS:
      text = g_strdup_printf (_ ("Per cluster, the %u least confident"), CS_GALLERY_PER_CLUSTER);
      break;
    case MODE_SELECTION:
    default:
      {
        g_autofree char *count = cs_format_count (n, "\u202f");

        text = g_strdup_printf (
            g_dngettext (GETTEXT_PACKAGE, "%s point selected", "%s points selected", n), count);
      }
      break;
    }
  gtk_label_set_text (self->summary, text);
}

/* Which page the stack shows: a hint while there is nothing to show, else the grid of
 * thumbnails or the table. */
static void
update_page (CsGallery *self)
{
  const char *page;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->list)) == 0)
    page = self->mode == MODE_SELECTION && self->dataset != NULL ? "empty" : "nothing";
  else
    page = has_images (self) ? "grid" : "table";
  gtk_stack_set_visible_child_name (self->stack, page);
}

/* The list from the mode, the selection and the epoch shown. */
static void
rebuild (CsGallery *self)
{
  CsSnapshot *shown = get_shown (self);
  GArray *indexes;

  if (self->mode == MODE_SELECTION && self->selection != NULL && self->dataset != NULL
      && cs_selection_get_size (self->selection) == self->dataset->n)
    indexes = cs_selection_dup_indexes (self->selection);
  else if (self->mode != MODE_SELECTION && shown != NULL)
    indexes = rank_members (shown, self->mode);
  else
    indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  cs_index_list_set (self->list, indexes);
  update_summary (self);
  update_page (self);
}

static void
on_selection_count (CsSelection *selection, GParamSpec *pspec, CsGallery *self)
{
  /* A new pick is what the user wants to see. */
  if (cs_selection_get_count (selection) > 0 && self->mode != MODE_SELECTION)
    cs_gallery_set_mode (self, "selection");
}

static void
on_selection_changed (CsSelection *selection, CsGallery *self)
{
  if (self->mode == MODE_SELECTION)
    rebuild (self);
}

static void
on_current (CsHistoryModel *history, GParamSpec *pspec, CsGallery *self)
{
  CsSnapshot *current = cs_history_model_get_current (history);

  if (current == self->shown)
    return;
  g_clear_pointer (&self->shown, cs_snapshot_unref);
  self->shown = current != NULL ? cs_snapshot_ref (current) : NULL;
  /* The same points with this epoch's clusters, or this epoch's own picks. */
  if (self->mode == MODE_SELECTION)
    cs_index_list_refresh (self->list);
  else
    rebuild (self);
}

/* Cells -------------------------------------------------------------------------------------- */

/* "● 3": the cluster in its colour, as the scatter draws it. */
static char *
cluster_markup (CsGallery *self, CsSnapshot *shown, guint index)
{
  guint cluster = shown->clusters[index];
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  CsRgba c;

  cs_palette_color (cluster, shown->k, dark, &c);
  return g_strdup_printf ("<span foreground=\"#%02x%02x%02x\">●</span> %u",
                          (guint) lround (c.r * 255), (guint) lround (c.g * 255),
                          (guint) lround (c.b * 255), cluster);
}

static void
grid_setup (GtkSignalListItemFactory *factory, GtkListItem *list_item, CsGallery *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (picture, "thumbnail");
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "caption");
  /* Wide enough for an index, a class name and the cluster line; longer names are cut, the
   * tooltip has them whole. */
  gtk_widget_set_size_request (box, 88, -1);
  gtk_box_append (GTK_BOX (box), picture);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (box, "gallery-cell");
  gtk_list_item_set_child (list_item, box);
}

static void
grid_bind (GtkSignalListItemFactory *factory, GtkListItem *list_item, CsGallery *self)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *picture = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (picture);
  guint index = cs_gallery_item_get_index (gtk_list_item_get_item (list_item));
  CsSnapshot *shown = get_shown (self);
  guint scale = MAX (1u, THUMB_SIZE / MAX (self->dataset->image_width, 1u));
  g_autoptr (GdkTexture) texture = cs_thumbnail_new (self->dataset, index, scale);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) tooltip = g_string_new (NULL);
  char buf[32];

  gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (texture));
  g_string_append_printf (text, "<b>%u</b>", index);
  g_string_append_printf (tooltip, "<b>%s</b> %u", _ ("Point"), index);
  if (self->dataset->labels != NULL)
    {
      g_autofree char *name = g_markup_escape_text (
          class_name (self, self->dataset->labels[index], buf, sizeof buf), -1);

      g_string_append_printf (text, " · %s", name);
      g_string_append_printf (tooltip, "\n%s: %s", _ ("Label"), name);
    }
  if (shown != NULL)
    {
      g_autofree char *cluster = cluster_markup (self, shown, index);

      g_string_append_printf (text, "\n%s · %.2f", cluster, shown->confidence[index]);
      g_string_append_printf (tooltip, "\n%s: %u\n%s: %.2f", _ ("Cluster"), shown->clusters[index],
                              _ ("Confidence"), shown->confidence[index]);
    }
  gtk_label_set_markup (GTK_LABEL (label), text->str);
  gtk_widget_set_tooltip_markup (box, tooltip->str);
}

/* Table columns: the fixed ones, then the features. */
enum
{
  COLUMN_ID,
  COLUMN_LABEL,
  COLUMN_CLUSTER,
  COLUMN_CONFIDENCE,
  COLUMN_FEATURE0,
};

static void
cell_setup (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (column) == COLUMN_LABEL ? 0.0f : 1.0f);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
cell_bind (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer column)
{
  CsGallery *self = g_object_get_data (G_OBJECT (factory), "cs-gallery");
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  guint index = cs_gallery_item_get_index (gtk_list_item_get_item (list_item));
  CsSnapshot *shown = get_shown (self);
  gint c = GPOINTER_TO_INT (column);
  char buf[64];

  switch (c)
    {
    case COLUMN_ID:
      g_snprintf (buf, sizeof buf, "%u", index);
      gtk_label_set_text (label, buf);
      break;
    case COLUMN_LABEL:
      gtk_label_set_text (label, self->dataset->labels != NULL ? class_name (
                                     self, self->dataset->labels[index], buf, sizeof buf)
                                                               : "—");
      break;
    case COLUMN_CLUSTER:
      if (shown != NULL)
        {
          g_autofree char *markup = cluster_markup (self, shown, index);

          gtk_label_set_markup (label, markup);
        }
      else
        gtk_label_set_text (label, "—");
      break;
    case COLUMN_CONFIDENCE:
      if (shown != NULL)
        g_snprintf (buf, sizeof buf, "%.2f", shown->confidence[index]);
      gtk_label_set_text (label, shown != NULL ? buf : "—");
      break;
    default:
      g_snprintf (buf, sizeof buf, "%.4g",
                  self->dataset->x[(gsize) index * self->dataset->d + (c - COLUMN_FEATURE0)]);
      gtk_label_set_text (label, buf);
      break;
    }
}

static void
add_column (CsGallery *self, const char *title, gint column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkColumnViewColumn) col = NULL;

  g_object_set_data (G_OBJECT (factory), "cs-gallery", self);
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (column == COLUMN_LABEL)
    gtk_column_view_column_set_expand (col, column == COLUMN_LABEL);
  gtk_column_view_append_column (self->table, col);
}

/* The table's columns for the dataset: id, label, cluster, confidence, then its features. */
static void
rebuild_columns (CsGallery *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->table);
  guint n_features;

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr (GtkColumnViewColumn) col = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->table, col);
    }
  if (self->dataset == NULL || has_images (self))
    return;
  add_column (self, _ ("ID"), COLUMN_ID);
  add_column (self, _ ("Label"), COLUMN_LABEL);
  add_column (self, _ ("Cluster"), COLUMN_CLUSTER);
  add_column (self, _ ("Confidence"), COLUMN_CONFIDENCE);
  n_features = MIN (self->dataset->d, MAX_FEATURE_COLUMNS);
  for (guint f = 0; f < n_features; f++)
    {
      char title[32];

      g_snprintf (title, sizeof title, "x%u", f);
      add_column (self, title, COLUMN_FEATURE0 + (gint) f);
    }
}

/* API ---------------------------------------------------------------------------------------- */

void
cs_gallery_set_selection (CsGallery *self, CsSelection *selection)
{
  g_return_if_fail (CS_IS_GALLERY (self));

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection != NULL)
    {
      g_signal_connect_object (selection, "changed", G_CALLBACK (on_selection_changed), self, 0);
      g_signal_connect_object (selection, "notify::count", G_CALLBACK (on_selection_count), self,
                               0);
    }
  rebuild (self);
}

void
cs_gallery_set_history (CsGallery *self, CsHistoryModel *history)
{
  g_return_if_fail (CS_IS_GALLERY (self));

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);
  g_clear_pointer (&self->shown, cs_snapshot_unref);
  if (history != NULL)
    {
      g_signal_connect_object (history, "notify::current", G_CALLBACK (on_current), self, 0);
      on_current (history, NULL, self);
    }
  rebuild (self);
}

void
cs_gallery_set_dataset (CsGallery *self, CsDataset *dataset)
{
  g_return_if_fail (CS_IS_GALLERY (self));

  if (self->dataset == dataset)
    return;
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  self->dataset = dataset != NULL ? cs_dataset_ref (dataset) : NULL;
  /* The old items point into the old dataset: gone before the columns change. */
  cs_index_list_set (self->list, g_array_new (FALSE, FALSE, sizeof (guint)));
  rebuild_columns (self);
  rebuild (self);
}

void
cs_gallery_set_mode (CsGallery *self, const char *mode)
{
  g_return_if_fail (CS_IS_GALLERY (self));
  g_return_if_fail (mode != NULL);

  for (guint m = 0; m < G_N_ELEMENTS (mode_names); m++)
    if (g_str_equal (mode, mode_names[m]))
      {
        if (self->mode == (Mode) m)
          return;
        self->mode = (Mode) m;
        rebuild (self);
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
        return;
      }
  g_warning ("Unknown gallery mode “%s”", mode);
}

const char *
cs_gallery_get_mode (CsGallery *self)
{
  g_return_val_if_fail (CS_IS_GALLERY (self), NULL);
  return mode_names[self->mode];
}

GListModel *
cs_gallery_get_model (CsGallery *self)
{
  g_return_val_if_fail (CS_IS_GALLERY (self), NULL);
  return G_LIST_MODEL (self->list);
}

/* GObject ------------------------------------------------------------------------------------ */

static void
cs_gallery_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_string (value, cs_gallery_get_mode (CS_GALLERY (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_gallery_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_MODE:
      cs_gallery_set_mode (CS_GALLERY (object), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_gallery_dispose (GObject *object)
{
  CsGallery *self = CS_GALLERY (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->history);
  g_clear_object (&self->list);
  g_clear_pointer (&self->shown, cs_snapshot_unref);
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  G_OBJECT_CLASS (cs_gallery_parent_class)->dispose (object);
}

static void
cs_gallery_class_init (CsGalleryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_gallery_get_property;
  object_class->set_property = cs_gallery_set_property;
  object_class->dispose = cs_gallery_dispose;

  properties[PROP_MODE]
      = g_param_spec_string ("mode", NULL, NULL, "selection",
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_property_action (widget_class, "gallery.mode", "mode");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "gallery");
}

static GtkWidget *
mode_button (const char *label, const char *mode, const char *tooltip)
{
  GtkWidget *button = gtk_toggle_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "gallery.mode");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", mode);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "small-toggle");
  return button;
}

static GtkWidget *
scrolled (GtkWidget *child)
{
  GtkWidget *window = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (window), child);
  gtk_widget_set_vexpand (window, TRUE);
  return window;
}

static void
cs_gallery_init (CsGallery *self)
{
  GtkWidget *modes, *empty, *nothing;
  GtkListItemFactory *factory;

  gtk_orientable_set_orientation (
      GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                              6);
  self->list = g_object_new (CS_TYPE_INDEX_LIST, NULL);

  self->header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary, 0);
  gtk_label_set_ellipsize (self->summary, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->summary), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary), "dim-label");
  gtk_box_append (GTK_BOX (self->header), GTK_WIDGET (self->summary));
  modes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (modes, "linked");
  gtk_box_append (GTK_BOX (modes),
                  mode_button (_ ("Selection"), "selection", _ ("The points selected")));
  gtk_box_append (
      GTK_BOX (modes),
      mode_button (_ ("Central"), "central", _ ("Per cluster, the members nearest the centroid")));
  gtk_box_append (GTK_BOX (modes),
                  mode_button (_ ("Ambiguous"), "ambiguous",
                               _ ("Per cluster, the members of lowest confidence: the smallest "
                                  "margin to the runner-up centroid")));
  gtk_box_append (GTK_BOX (self->header), modes);
  gtk_widget_set_parent (self->header, GTK_WIDGET (self));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (grid_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (grid_bind), self);
  self->grid = GTK_GRID_VIEW (gtk_grid_view_new (
      GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->list)))),
      factory));
  gtk_grid_view_set_max_columns (self->grid, 32);
  gtk_widget_add_css_class (GTK_WIDGET (self->grid), "gallery-grid");
  gtk_stack_add_named (self->stack, scrolled (GTK_WIDGET (self->grid)), "grid");

  self->table = GTK_COLUMN_VIEW (gtk_column_view_new (
      GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->list))))));
  gtk_column_view_set_show_column_separators (self->table, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->table), "data-table");
  gtk_stack_add_named (self->stack, scrolled (GTK_WIDGET (self->table)), "table");

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "edit-select-all-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _ ("No Points Selected"));
  adw_status_page_set_description (
      ADW_STATUS_PAGE (empty),
      _ ("Draw a lasso or a rectangle in the latent space, or click a legend entry or a cell of "
         "the confusion matrix. Shift adds, Ctrl removes."));
  gtk_widget_add_css_class (empty, "compact");
  gtk_stack_add_named (self->stack, empty, "empty");
  nothing = adw_status_page_new ();
  adw_status_page_set_title (ADW_STATUS_PAGE (nothing), _ ("No Epoch Yet"));
  adw_status_page_set_description (ADW_STATUS_PAGE (nothing),
                                   _ ("Each cluster's members appear once training has begun."));
  gtk_widget_add_css_class (nothing, "compact");
  gtk_stack_add_named (self->stack, nothing, "nothing");

  rebuild (self);
}

GtkWidget *
cs_gallery_new (void)
{
  return g_object_new (CS_TYPE_GALLERY, NULL);
}
