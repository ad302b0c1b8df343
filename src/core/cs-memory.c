/* cs-memory.c: the memory the engine may still take (see cs-memory.h).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cs-error.h"
#include "cs-memory.h"

/* "123", "64k", "1.5G": bytes; FALSE when text is not such a size. */
static gboolean
parse_size (const char *text, guint64 *out)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  double scale = 1.0;

  if (end == text || !(v >= 0))
    return FALSE;
  switch (g_ascii_tolower (*end))
    {
    case 'k':
      scale = 1024.0;
      end++;
      break;
    case 'm':
      scale = 1024.0 * 1024.0;
      end++;
      break;
    case 'g':
      scale = 1024.0 * 1024.0 * 1024.0;
      end++;
      break;
    default:
      break;
    }
  if (*end != '\0' || v * scale >= 1.8e19)
    return FALSE;
  *out = (guint64) (v * scale);
  return TRUE;
}

/* The first number in a file (memory.max, memory.current); FALSE for "max" or no file. */
static gboolean
read_number (const char *path, guint64 *out)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  *out = g_ascii_strtoull (text, &end, 10);
  return end != text;
}

/* MemAvailable from /proc/meminfo, in bytes. */
static gboolean
read_mem_available (guint64 *out)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL)
      || (line = strstr (text, "MemAvailable:")) == NULL)
    return FALSE;
  *out = g_ascii_strtoull (line + strlen ("MemAvailable:"), NULL, 10) * 1024;
  return TRUE;
}

/* The room left under this process's cgroup (v2) limit, when there is one. */
static gboolean
read_cgroup_room (guint64 *out)
{
  g_autofree char *text = NULL;
  g_autofree char *max_path = NULL, *current_path = NULL;
  const char *path;
  guint64 max, current;

  /* "0::/some/group" on a unified hierarchy. */
  if (!g_file_get_contents ("/proc/self/cgroup", &text, NULL, NULL)
      || !g_str_has_prefix (text, "0::"))
    return FALSE;
  g_strchomp (text);
  path = text + 3;
  max_path = g_build_filename ("/sys/fs/cgroup", path, "memory.max", NULL);
  current_path = g_build_filename ("/sys/fs/cgroup", path, "memory.current", NULL);
  if (!read_number (max_path, &max) || !read_number (current_path, &current))
    return FALSE;
  *out = max > current ? max - current : 0;
  return TRUE;
}

guint64
cs_memory_available (void)
{
  const char *env = g_getenv ("CS_MEMORY_LIMIT");
  guint64 available = G_MAXUINT64, v;
  struct rlimit limit;

  if (env != NULL && *env != '\0')
    {
      if (parse_size (env, &v))
        return v;
      g_warning ("CS_MEMORY_LIMIT=%s is not a size; ignored", env);
    }
  if (read_mem_available (&v))
    available = v;
  if (read_cgroup_room (&v))
    available = MIN (available, v);
  /* The whole address space, not what is left of it: a rough bound, but one that catches an
   * "ulimit -v" far below the machine's memory. */
  if (getrlimit (RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    available = MIN (available, (guint64) limit.rlim_cur);
  return available;
}

gboolean
cs_memory_check (guint64 need, const char *what, const char *detail, GError **error)
{
  guint64 available = cs_memory_available ();
  g_autofree char *need_text = NULL, *available_text = NULL;

  if (need <= available)
    return TRUE;
  need_text = g_format_size (need);
  available_text = g_format_size (available);
  g_set_error (error, CS_ERROR, CS_ERROR_NO_MEMORY,
               _ ("%s needs about %s of memory%s%s%s, but only %s is available"), what, need_text,
               detail ? " (" : "", detail ? detail : "", detail ? ")" : "", available_text);
  return FALSE;
}
