/*
 * fastapi: the request-validation behaviour of the live FastAPI server.
 *
 * The live server answers bad input with FastAPI's default 422 body, a list
 * of pydantic errors (API-CONTRACT §2.1):
 *
 *   {"detail":[{"type":"greater_than_equal","loc":["query","limit"],
 *               "msg":"Input should be greater than or equal to 1",
 *               "input":"0","ctx":{"ge":1}}]}
 *
 * Handlers collect errors into a JSON array with fastapi_error and friends,
 * and reply 422 with fastapi_body(list) when the array is not empty. The
 * parsers accept what pydantic's lax mode accepts for query strings.
 * Pure functions, no shared state: safe from any thread.
 */
#ifndef KTRDR_MOCK_FASTAPI_H
#define KTRDR_MOCK_FASTAPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends {"type","loc":[where, field?],"msg","input"[,"ctx"]} to `list`.
 * `field` may be NULL (loc is then [where]); `input` and `ctx` are stolen,
 * `ctx` may be NULL. */
void fastapi_error(json_t *list, const char *type, const char *where,
                   const char *field, const char *msg, json_t *input, json_t *ctx);

/* The same with a full location, e.g. ["body","symbols",0] (stolen). */
void fastapi_error_loc(json_t *list, const char *type, json_t *loc, const char *msg,
                       json_t *input, json_t *ctx);

/* A validator's ValueError: type value_error, msg "Value error, <msg>",
 * ctx {"error": {}} (FastAPI cannot encode the exception). `loc` and
 * `input` are stolen. */
void fastapi_value_error(json_t *list, json_t *loc, const char *msg, json_t *input);

/* {"type":"missing","loc":["body",field],"msg":"Field required","input":body}. */
void fastapi_missing(json_t *list, const char *field, const json_t *body);

/* A Literal field's error: type literal_error, "Input should be 'a' or 'b'". */
void fastapi_literal_error(json_t *list, const char *where, const char *field,
                           const json_t *input, const char *const *values, size_t n);

/* The body-is-not-JSON error: loc ["body", position], ctx.error = reason. */
void fastapi_json_invalid(json_t *list, int position, const char *reason);

/* An enum error listing the allowed values: "Input should be 'a', 'b' or 'c'". */
void fastapi_enum_error(json_t *list, const char *where, const char *field,
                        const char *input, const char *const *values, size_t n);

/* {"detail": list}; steals `list`. New reference. */
json_t *fastapi_body(json_t *list);

/* pydantic's lax bool: 1/0, true/false, yes/no, on/off, t/f, y/n, any case. */
int fastapi_parse_bool(const char *s, bool *out);

/* A decimal integer with optional sign and surrounding spaces. */
int fastapi_parse_int(const char *s, long *out);

/* Parses an optional request body. An empty body or JSON `null` gives
 * *out = NULL and 0; malformed JSON appends a json_invalid error to `errors`
 * and returns -1; anything else is a new reference in *out. */
int fastapi_load_body(const char *body, size_t len, json_t *errors, json_t **out);

/* Appends the "not an object" error for a body model when `body` is not a
 * JSON object; returns -1 then, 0 otherwise. */
int fastapi_require_object(const json_t *body, json_t *errors);

#endif
