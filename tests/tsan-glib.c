/* tsan-glib.c: tells ThreadSanitizer about GLib's locks (linked into the tests and the CLI of a
 * -Db_sanitize=thread build only).
 *
 * On Linux, GLib 2.74 implements GMutex, GRecMutex, GRWLock and GCond on futexes with inline
 * atomics (objdump -d libglib-2.0.so.0: g_mutex_lock is a `lock cmpxchg`, no call to
 * pthread_mutex_lock), and libglib is not instrumented, so TSan sees none of the
 * happens-before edges they make: every field guarded by a GMutex is reported as a race
 * (a counter written and read under the same g_mutex_lock, in test-trainer, was one). These
 * wrappers call GLib's own functions and add the edges with TSan's annotations, instead of
 * suppressing reports that would then hide real races too.
 *
 * GTask hands a job to GLib's thread pool and its answer back to the caller's main context
 * through locks inside libgio and libglib, which no wrapper can reach. The wrappers below add
 * the two edges at the task itself: the caller's writes before g_task_run_in_thread happen
 * before the job runs, and the job's writes before g_task_return_* happen before
 * g_task_propagate_* returns. GLib's own bookkeeping between the two (its sources, closures
 * and queue links, allocated on one thread and freed on the other) is left to tests/tsan.supp.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdarg.h>
#include <sanitizer/tsan_interface.h>
#include <stdlib.h>

/* GLib's own function name, looked up on first use: libgobject's constructors lock before
 * any constructor of ours could run. Atomic, so that two first uses may race harmlessly. */
#define REAL(type, name)                                                                           \
  ({                                                                                               \
    static gpointer slot;                                                                          \
    gpointer p = __atomic_load_n (&slot, __ATOMIC_ACQUIRE);                                        \
    if (p == NULL)                                                                                 \
      {                                                                                            \
        p = dlsym (RTLD_NEXT, name);                                                               \
        if (p == NULL)                                                                             \
          abort ();                                                                                \
        __atomic_store_n (&slot, p, __ATOMIC_RELEASE);                                             \
      }                                                                                            \
    (type) p;                                                                                      \
  })

typedef void (*MutexFunc) (GMutex *);
typedef gboolean (*MutexTryFunc) (GMutex *);
typedef void (*RecMutexFunc) (GRecMutex *);
typedef gboolean (*RecMutexTryFunc) (GRecMutex *);
typedef void (*RWLockFunc) (GRWLock *);
typedef void (*CondWaitFunc) (GCond *, GMutex *);
typedef gboolean (*CondWaitUntilFunc) (GCond *, GMutex *, gint64);

#define real_mutex_lock REAL (MutexFunc, "g_mutex_lock")
#define real_mutex_trylock REAL (MutexTryFunc, "g_mutex_trylock")
#define real_mutex_unlock REAL (MutexFunc, "g_mutex_unlock")
#define real_rec_mutex_lock REAL (RecMutexFunc, "g_rec_mutex_lock")
#define real_rec_mutex_trylock REAL (RecMutexTryFunc, "g_rec_mutex_trylock")
#define real_rec_mutex_unlock REAL (RecMutexFunc, "g_rec_mutex_unlock")
#define real_rw_writer_lock REAL (RWLockFunc, "g_rw_lock_writer_lock")
#define real_rw_writer_unlock REAL (RWLockFunc, "g_rw_lock_writer_unlock")
#define real_rw_reader_lock REAL (RWLockFunc, "g_rw_lock_reader_lock")
#define real_rw_reader_unlock REAL (RWLockFunc, "g_rw_lock_reader_unlock")
#define real_cond_wait REAL (CondWaitFunc, "g_cond_wait")
#define real_cond_wait_until REAL (CondWaitUntilFunc, "g_cond_wait_until")

void
g_mutex_lock (GMutex *mutex)
{
  real_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  gboolean locked = real_mutex_trylock (mutex);

  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
g_mutex_unlock (GMutex *mutex)
{
  __tsan_release (mutex);
  real_mutex_unlock (mutex);
}

void
g_rec_mutex_lock (GRecMutex *mutex)
{
  real_rec_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_rec_mutex_trylock (GRecMutex *mutex)
{
  gboolean locked = real_rec_mutex_trylock (mutex);

  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
g_rec_mutex_unlock (GRecMutex *mutex)
{
  __tsan_release (mutex);
  real_rec_mutex_unlock (mutex);
}

void
g_rw_lock_writer_lock (GRWLock *lock)
{
  real_rw_writer_lock (lock);
  __tsan_acquire (lock);
}

void
g_rw_lock_writer_unlock (GRWLock *lock)
{
  __tsan_release (lock);
  real_rw_writer_unlock (lock);
}

void
g_rw_lock_reader_lock (GRWLock *lock)
{
  real_rw_reader_lock (lock);
  __tsan_acquire (lock);
}

void
g_rw_lock_reader_unlock (GRWLock *lock)
{
  __tsan_release (lock);
  real_rw_reader_unlock (lock);
}

/* Waiting releases the mutex and takes it back. */
void
g_cond_wait (GCond *cond, GMutex *mutex)
{
  __tsan_release (mutex);
  real_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

gboolean
g_cond_wait_until (GCond *cond, GMutex *mutex, gint64 end_time)
{
  gboolean signalled;

  __tsan_release (mutex);
  signalled = real_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}

/* GTask: the job runs through a trampoline that acquires what the caller released. */
typedef void (*RunInThreadFunc) (GTask *, GTaskThreadFunc);
typedef void (*ReturnPointerFunc) (GTask *, gpointer, GDestroyNotify);
typedef void (*ReturnErrorFunc) (GTask *, GError *);
typedef gboolean (*ReturnIfCancelledFunc) (GTask *);
typedef void (*ReturnBooleanFunc) (GTask *, gboolean);
typedef void (*ReturnIntFunc) (GTask *, gssize);
typedef gpointer (*PropagatePointerFunc) (GTask *, GError **);
typedef gboolean (*PropagateBooleanFunc) (GTask *, GError **);
typedef gssize (*PropagateIntFunc) (GTask *, GError **);

static GQuark
job_quark (void)
{
  return g_quark_from_static_string ("cs-tsan-job");
}

static void
job_trampoline (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GTaskThreadFunc job;

  __tsan_acquire (task);
  job = (GTaskThreadFunc) g_object_get_qdata (G_OBJECT (task), job_quark ());
  job (task, source, data, cancellable);
}

void
g_task_run_in_thread (GTask *task, GTaskThreadFunc job)
{
  g_object_set_qdata (G_OBJECT (task), job_quark (), (gpointer) job);
  __tsan_release (task);
  REAL (RunInThreadFunc, "g_task_run_in_thread") (task, job_trampoline);
}

void
g_task_return_pointer (GTask *task, gpointer result, GDestroyNotify result_destroy)
{
  __tsan_release (task);
  REAL (ReturnPointerFunc, "g_task_return_pointer") (task, result, result_destroy);
}

void
g_task_return_error (GTask *task, GError *error)
{
  __tsan_release (task);
  REAL (ReturnErrorFunc, "g_task_return_error") (task, error);
}

void
g_task_return_new_error (GTask *task, GQuark domain, gint code, const char *format, ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  g_task_return_error (task, error);
}

gboolean
g_task_return_error_if_cancelled (GTask *task)
{
  __tsan_release (task);
  return REAL (ReturnIfCancelledFunc, "g_task_return_error_if_cancelled") (task);
}

void
g_task_return_boolean (GTask *task, gboolean result)
{
  __tsan_release (task);
  REAL (ReturnBooleanFunc, "g_task_return_boolean") (task, result);
}

void
g_task_return_int (GTask *task, gssize result)
{
  __tsan_release (task);
  REAL (ReturnIntFunc, "g_task_return_int") (task, result);
}

gpointer
g_task_propagate_pointer (GTask *task, GError **error)
{
  gpointer result = REAL (PropagatePointerFunc, "g_task_propagate_pointer") (task, error);

  __tsan_acquire (task);
  return result;
}

gboolean
g_task_propagate_boolean (GTask *task, GError **error)
{
  gboolean result = REAL (PropagateBooleanFunc, "g_task_propagate_boolean") (task, error);

  __tsan_acquire (task);
  return result;
}

gssize
g_task_propagate_int (GTask *task, GError **error)
{
  gssize result = REAL (PropagateIntFunc, "g_task_propagate_int") (task, error);

  __tsan_acquire (task);
  return result;
}
