/* cs-autoencoder.h: a fully connected autoencoder trained with Adam on batch-major matrices.
 *
 * Encoder d -> h_1 -> ... -> h_n -> m, decoder mirrored. ReLU on hidden layers, linear code
 * and output. Layer l maps a B x in activation to B x out through W_l (in x out, row-major)
 * and b_l (out): A_{l+1} = act (A_l W_l + b_l). Parameters, gradients and the two Adam
 * moments are four views of one allocation.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-parallel.h"
#include "cs-rng.h"
#include "cs-types.h"

G_BEGIN_DECLS

/* Products are split between threads by rows of their result at multiples of this (and by
 * columns at OpenBLAS's own column blocks): where OpenBLAS's single-threaded sgemm computes every
 * element the same way whatever share it is given (its kernels on this machine take 12 rows at
 * a time). See cs-autoencoder.c. */
#define CS_AE_SPLIT_ROWS 12

#define CS_AE_MAX_LAYERS 32

struct _CsAutoencoder
{
  guint n_layers;                   /* weight layers: 2 * (n_hidden + 1) */
  guint dims[CS_AE_MAX_LAYERS + 1]; /* dims[0] = d, dims[n_layers / 2] = m, dims[n_layers] = d */
  guint code_layer;                 /* index into dims / activations of the code: n_layers / 2 */
  guint max_batch;

  gsize n_params;
  float *memory; /* 4 * n_params: params, grads, adam m, adam v */
  float *params;
  float *grads;
  float *adam_m;
  float *adam_v;
  float *w[CS_AE_MAX_LAYERS];  /* views into params: in x out */
  float *b[CS_AE_MAX_LAYERS];  /* out */
  float *dw[CS_AE_MAX_LAYERS]; /* views into grads */
  float *db[CS_AE_MAX_LAYERS];
  guint64 adam_t;      /* steps taken */
  gboolean grads_zero; /* every gradient is 0 (a fused step cleared them): dW may accumulate */

  /* Forward caches and backward scratch, each max_batch x max width. */
  float *acts[CS_AE_MAX_LAYERS + 1]; /* acts[0] is the input batch (a copy) */
  float *delta_a;
  float *delta_b;

  CsParallel *parallel; /* the threads each product and pass is split over */
  /* Split products by rows of their result only, as before issue 16 (bench-split compares the
   * two; the numbers are the same either way). */
  gboolean split_rows_only;
};

typedef struct
{
  double beta1, beta2, eps;
} CsAdamConfig;

/* dims: n_dims entries, symmetric (d, h..., m, ...h, d). */
CsAutoencoder *cs_autoencoder_new (const guint *dims, guint n_dims, guint max_batch);
/* d -> hidden[0..n_hidden) -> m, decoder mirrored. */
CsAutoencoder *cs_autoencoder_new_symmetric (
    guint d, const guint *hidden, guint n_hidden, guint m, guint max_batch);
void cs_autoencoder_free (CsAutoencoder *self);

/* Glorot-uniform weights, zero biases; Adam state reset. */
void cs_autoencoder_init_glorot (CsAutoencoder *self, CsRng *rng);
/* PyTorch's nn.Linear default: W and b uniform in +-1/sqrt(fan_in), W then b per layer. */
void cs_autoencoder_init_fan_in (CsAutoencoder *self, CsRng *rng);

/* x: batch x d. Caches every activation; returns the reconstruction (batch x d), owned by
 * self and valid until the next forward. The code is cs_autoencoder_code(). */
const float *cs_autoencoder_forward (CsAutoencoder *self, const float *x, guint batch);
const float *cs_autoencoder_code (CsAutoencoder *self);
/* The input cache (max_batch x d): a batch gathered here is used without a copy. */
float *cs_autoencoder_input (CsAutoencoder *self);

/* Reconstruction loss (1/B) sum ||x - xhat||^2 of the last forward, and its gradient
 * d_out (batch x d) = 2 (xhat - x) / B. */
double cs_autoencoder_rec_loss (CsAutoencoder *self, const float *x, guint batch, float *d_out);

/* Backpropagates d_out (batch x d, gradient of the loss w.r.t. the reconstruction; consumed)
 * and, when d_code is not NULL, adds d_code (batch x m) at the code. Gradients are
 * overwritten, not accumulated. */
void cs_autoencoder_backward (CsAutoencoder *self, float *d_out, const float *d_code, guint batch);
/* The same, and when adam is not NULL one Adam step with learning rate lr, each layer updated
 * as soon as its gradient has been used: equal to backward followed by adam_step, with the
 * weights touched while they are still in cache. */
void cs_autoencoder_backward_step (CsAutoencoder *self,
                                   float *d_out,
                                   const float *d_code,
                                   guint batch,
                                   const CsAdamConfig *adam,
                                   double lr);

void cs_adam_config_init (CsAdamConfig *config);
/* One Adam step over all parameters with the gradients of the last backward. */
void cs_autoencoder_adam_step (CsAutoencoder *self, const CsAdamConfig *config, double lr);
/* Forgets the Adam moments and step count (a new optimiser for a new objective). */
void cs_autoencoder_reset_adam (CsAutoencoder *self);
/* The same update over any flat array (used for DKM's centroids). t is the 1-based step. */
void cs_adam_update (float *p,
                     const float *g,
                     float *m,
                     float *v,
                     gsize n,
                     const CsAdamConfig *config,
                     double lr,
                     guint64 t);

/* Codes of n samples (n x d) into z (n x m), in blocks, without touching the training caches. */
void cs_autoencoder_encode (CsAutoencoder *self, const float *x, gsize n, float *z);

/* Reconstructions of n codes (n x m) into x (n x d): the decoder alone, on the calling
 * thread, without touching the training caches (the prototypes of the centroids). */
void cs_autoencoder_decode (CsAutoencoder *self, const float *z, gsize n, float *x);

/* How the training step cuts a rows x cols product of depth k into at most n (up to 128) tiles,
 * one per thread: tiles[i] = { r0, r1, c0, c1 } of the row-major result. Returns the count. For
 * the tests: every tile computes each element as the whole product would. */
guint cs_autoencoder_plan_tiles (guint rows, guint cols, guint k, guint n, guint (*tiles)[4]);

/* Floating-point operations of one training step on a batch (forward + backward). */
double cs_autoencoder_train_flops (const CsAutoencoder *self, guint batch);

/* Model file: see cs-autoencoder.c for the format. centroids may be NULL (k = 0). */
GBytes *cs_autoencoder_serialize (const CsAutoencoder *self, const float *centroids, guint k);
/* The same bytes appended to buf (a checkpoint's section), with no copy in between. */
void cs_autoencoder_serialize_append (const CsAutoencoder *self,
                                      const float *centroids,
                                      guint k,
                                      GByteArray *buf);
gboolean cs_autoencoder_save (
    const CsAutoencoder *self, const float *centroids, guint k, const char *path, GError **error);
/* Returns a new autoencoder; *centroids_out (k x m, g_free) and *k_out when stored. */
/* cs_autoencoder_load from bytes in memory; path names them in errors. */
CsAutoencoder *cs_autoencoder_parse (const void *contents,
                                     gsize len,
                                     const char *path,
                                     guint max_batch,
                                     float **centroids_out,
                                     guint *k_out,
                                     GError **error);
CsAutoencoder *cs_autoencoder_load (
    const char *path, guint max_batch, float **centroids_out, guint *k_out, GError **error);

G_END_DECLS
