/*
 * adapter: what one kind of operation knows (its domain), for the executor.
 *
 * The executor (executor.h) drives every long-running operation the same
 * way and knows nothing about any of them; an adapter tells it where and how
 * to start one and how to show its results. An adapter is a const table of
 * functions plus a `self` pointer to the adapter's own state (git's
 * transport_vtable):
 *
 *   struct dummy_adapter d;
 *   struct adapter ad;
 *   dummy_adapter_init(&d, &ad, 5.0, 10);     // see adapter_dummy.c, the
 *   executor_run(&cfg, &ad, &res);            // annotated reference
 *
 * Required members: name, start_path, start_payload, parse_start, show_result.
 * Optional members may be NULL; the executor then uses its generic behaviour.
 * The executor calls them from its own thread, never from a signal handler.
 */
#ifndef KTRDR_ADAPTER_H
#define KTRDR_ADAPTER_H

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "operation.h"
#include "out.h"

struct adapter_ops {
  /* Short name for messages and --json events: "dummy", "training", "data_load". */
  const char *name;

  /* The start endpoint relative to the base URL, e.g. "/dummy/start". */
  const char *(*start_path)(const void *self);

  /* The JSON body of the start request. New reference (the executor frees it). */
  json_t *(*start_payload)(const void *self);

  /* Reads the operation id out of the start response body. On success
   * *op_id is a new string the caller frees. Most adapters use
   * adapter_parse_operation_id. */
  int (*parse_start)(const void *self, const json_t *resp, char **op_id, struct err *err);

  /* Prints the results of a completed operation on out->out (stdout).
   * `result` is the body fetched from result_path (borrowed), or NULL when
   * the adapter has none or the fetch failed. */
  int (*show_result)(void *self, const struct operation *final_op, const json_t *result,
                     const struct out *out, struct err *err);

  /* Optional: a path (relative to the base URL) whose JSON body completes the
   * results of a completed operation, e.g. "/trainings/{id}/performance".
   * Appends it to `path` and returns 0, or returns -1 for none. */
  int (*result_path)(const void *self, const struct operation *final_op, struct buf *path);

  /* Optional: prints what the user should know before the start request
   * (on out->err; not called when quiet). */
  void (*show_banner)(const void *self, const struct out *out);

  /* Optional: the progress text for a polled state into `line`. NULL gives
   * adapter_default_progress ("Status: running - <current_step>"). */
  void (*format_progress)(const void *self, const struct operation *op, struct buf *line);

  /* Optional: what to print (on out->err) once a cancellation is confirmed. */
  void (*show_cancelled)(void *self, const struct operation *op, const struct out *out);

  /* Optional: a second start endpoint, tried once when the first answers 404
   * or 405 (the live data-load endpoint moved, API-CONTRACT §10). */
  const char *(*fallback_path)(const void *self);

  /* Optional: more about an error (on out->err, after the executor's one-line
   * message): `error` is the start response's `error` object, or
   * {"message": error_message} of a failed operation. */
  void (*explain_error)(const void *self, const json_t *error, const struct out *out);
};

struct adapter {
  const struct adapter_ops *ops;
  void *self;
};

static inline const char *adapter_start_path(const struct adapter *a)
{
  return a->ops->start_path(a->self);
}

static inline json_t *adapter_start_payload(const struct adapter *a)
{
  return a->ops->start_payload(a->self);
}

static inline int adapter_parse_start(const struct adapter *a, const json_t *resp,
                                      char **op_id, struct err *err)
{
  return a->ops->parse_start(a->self, resp, op_id, err);
}

/*
 * The operation id from any live start-response shape (API-CONTRACT §0, §10):
 * flat `task_id` (training), envelope `data.operation_id` (dummy, data load),
 * top-level `operation_id` (data acquire). A `success:false` envelope is an
 * ERR_HTTP with the envelope's error message. *op_id is the caller's.
 */
int adapter_parse_operation_id(const json_t *resp, char **op_id, struct err *err);

/* "Status: <status>" + (" - <current_step>" when current_step is set). */
void adapter_default_progress(const struct operation *op, struct buf *line);

/* Calls the adapter's format_progress, or the default. */
void adapter_format_progress(const struct adapter *a, const struct operation *op,
                             struct buf *line);

#endif
