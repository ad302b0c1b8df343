/* test-niced-thread.c: the training's and re-projection's threads run at a lower priority than
 * the main loop, in order, and GLib's shared pool does not inherit the priority.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-niced-thread"

#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cs-niced-thread.h"

static int
thread_nice (void)
{
  return getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
}

static GArray *order; /* the jobs' numbers, in the order they ran */

/* Returns the thread's nice value and notes the job's number (its task data). The first job
 * lingers, so that a second thread taking the next job would overtake it. */
static void
report_nice (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  guint id = GPOINTER_TO_UINT (data);

  if (id == 0)
    g_usleep (50000);
  g_array_append_val (order, id);
  g_task_return_int (task, thread_nice ());
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GSList **results = user_data;

  *results = g_slist_append (*results, g_object_ref (result));
}

static GTask *
new_task (GSList **results, guint id)
{
  GTask *task = g_task_new (NULL, NULL, on_done, results);

  g_task_set_task_data (task, GUINT_TO_POINTER (id), NULL);
  return task;
}

static void
test_priority (void)
{
  static GThreadPool *pool;
  GSList *results = NULL;
  int base = thread_nice ();
  int expect = MIN (base + CS_NICED_THREAD_NICE, 19);
  GError *error = NULL;

  order = g_array_new (FALSE, FALSE, sizeof (guint));
  /* Three jobs on the niced thread, then one on GLib's shared pool. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GTask) task = new_task (&results, i);

      cs_niced_thread_run (&pool, task, report_nice);
    }
  while (g_slist_length (results) < 3)
    g_main_context_iteration (NULL, TRUE);
  {
    g_autoptr (GTask) task = new_task (&results, 3);

    g_task_run_in_thread (task, report_nice);
  }
  while (g_slist_length (results) < 4)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < 4; i++)
    {
      GTask *task = g_slist_nth_data (results, i);
      gssize nice = g_task_propagate_int (task, &error);

      g_assert_no_error (error);
      g_assert_cmpint (nice, ==, i < 3 ? expect : base);
      /* One at a time, in the order they came. */
      g_assert_cmpuint (g_array_index (order, guint, i), ==, i);
    }
  g_slist_free_full (results, g_object_unref);
  g_array_unref (order);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/niced-thread/priority", test_priority);
  return g_test_run ();
}
