/* cs-niced-thread.c: see cs-niced-thread.h.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-niced-thread"

#include "config.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cs-niced-thread.h"

typedef struct
{
  GTask *task;
  GTaskThreadFunc func;
} Job;

static void
pool_run (gpointer data, gpointer user_data)
{
  Job *job = data;
  static __thread gboolean niced;

  if (!niced)
    {
      /* The thread started at its creator's nice value (the main loop's); lowering is always
       * allowed, and failing it only costs the priority. */
      id_t tid = (id_t) syscall (SYS_gettid);
      int base = getpriority (PRIO_PROCESS, tid);

      if (setpriority (PRIO_PROCESS, tid, MIN (base + CS_NICED_THREAD_NICE, 19)) != 0)
        g_debug ("could not lower a worker thread's priority");
      niced = TRUE;
    }
  job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
             g_task_get_cancellable (job->task));
  g_object_unref (job->task);
  g_free (job);
}

void
cs_niced_thread_run (GThreadPool **pool, GTask *task, GTaskThreadFunc func)
{
  Job *job;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  if (g_once_init_enter (pool))
    g_once_init_leave (pool, g_thread_pool_new (pool_run, NULL, 1, TRUE, NULL));
  job = g_new (Job, 1);
  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (*pool, job, NULL);
}
