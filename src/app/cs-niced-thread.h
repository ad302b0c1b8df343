/* cs-niced-thread.h: a GTask's work on a thread of its own, at a lower priority than the main
 * loop.
 *
 * Training and re-projection keep every core busy for seconds or hours. On a machine whose
 * cores they take, the main loop would wait its turn for a core at every frame; at a lower
 * priority they give way to it at once, and lose nothing while the window is idle. Each caller
 * has a pool of one thread of its own (exclusive), so no other work (GLib's shared pool runs
 * dataset loads, for instance) inherits the priority, and its jobs run one at a time, in order.
 * Threads the work starts (the engine's helpers, K-means' restarts) inherit the priority.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How much lower than the main loop (the thread that first runs a pool), in nice steps. With 5,
 * the kernel gives a busy worker about a third of a core's time against a main loop that wants
 * it. */
#define CS_NICED_THREAD_NICE 5

/* Runs func as g_task_run_in_thread () would, on *pool's thread; *pool is created on the first
 * call (a static GThreadPool * of the caller's, never freed). */
void cs_niced_thread_run (GThreadPool **pool, GTask *task, GTaskThreadFunc func);

G_END_DECLS
