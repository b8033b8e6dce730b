/*
 * A small cache of recently seen JSON values, so that operations started
 * with equal metadata or request variables share one copy instead of each
 * keeping its own (a dummy operation's metadata is the same every time).
 * Values handed to it must never be modified afterwards: the store and the
 * generators only read them. Thread-safe.
 */
#ifndef KTRDR_MOCK_INTERN_H
#define KTRDR_MOCK_INTERN_H

#include <jansson.h>

struct intern;

struct intern *intern_new(void);
void intern_free(struct intern **in);

/* Takes `v` over and returns a reference to a value equal to it: a cached
 * one when there is one (and `v` is released), else `v` itself, now cached.
 * NULL in, NULL out. */
json_t *intern_json(struct intern *in, json_t *v);

#endif
