/* cs-test-mount.c: a private tmpfs for fault tests (see cs-test-mount.h).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cs-test-mount.h"

static gboolean
write_proc (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (ssize_t) strlen (text);
  close (fd);
  return ok;
}

/* Enters new mount (and, unless root, user) namespaces and mounts the tmpfs; returns 0 or an
 * errno. Only async-signal-safe calls besides the snprintf, so it may run after fork. */
static int
enter_and_mount (const char *dir, guint size_kib)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  char map[64], options[32];

  if (uid == 0)
    {
      if (unshare (CLONE_NEWNS) != 0)
        return errno;
    }
  else
    {
      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return errno;
      snprintf (map, sizeof map, "0 %u 1", (unsigned) uid);
      if (!write_proc ("/proc/self/setgroups", "deny") || !write_proc ("/proc/self/uid_map", map))
        return errno ? errno : EPERM;
      snprintf (map, sizeof map, "0 %u 1", (unsigned) gid);
      if (!write_proc ("/proc/self/gid_map", map))
        return errno ? errno : EPERM;
    }
  /* Mounts made here must not propagate back to the machine's namespace. */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return errno;
  snprintf (options, sizeof options, "size=%uk,mode=0755", size_kib);
  if (mount ("cs-test", dir, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
    return errno;
  return 0;
}

gboolean
cs_test_can_mount (char **message)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-mount-probe-XXXXXX", NULL);
  int status = 0;
  pid_t pid;

  g_assert_nonnull (dir);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (MIN (enter_and_mount (dir, 64), 255));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_rmdir (dir);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return TRUE;

  /* The child's exit code is the errno of the step that failed. */
  if (message != NULL)
    *message = g_strdup_printf ("cannot mount a private tmpfs here: %s",
                                WIFEXITED (status) ? g_strerror (WEXITSTATUS (status))
                                                   : "the probe was killed");
  return FALSE;
}

void
cs_test_trap_mounted (void)
{
  g_autofree char *why = NULL;

  if (!cs_test_can_mount (&why))
    {
      g_test_skip (why);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

void
cs_test_mount_tmpfs (const char *dir, guint size_kib)
{
  int err;

  g_assert_true (g_mkdir_with_parents (dir, 0755) == 0);
  err = enter_and_mount (dir, size_kib);
  if (err != 0)
    g_error ("mounting a tmpfs on %s: %s", dir, g_strerror (err));
}

void
cs_test_remount_read_only (const char *dir)
{
  if (mount (NULL, dir, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
    g_error ("remounting %s read-only: %s", dir, g_strerror (errno));
}

void
cs_test_unmount (const char *dir)
{
  if (umount2 (dir, MNT_DETACH) != 0)
    g_error ("unmounting %s: %s", dir, g_strerror (errno));
}
