/*
 * pyjson: JSON text as Python's json module writes it.
 *
 * jansson prints a real with 17 significant digits ("0.81230000000000002"),
 * Python with the fewest digits that read back as the same double
 * ("0.8123", "18.26086956521739"). pyjson_shorten_reals rewrites every real
 * of a compact JSON text that way, in place (the text never grows); strings
 * and integers are left alone, and a real keeps a '.' or an exponent
 * ("100.0", "1e-05"). The live server's numbers then read the same on the
 * wire, not only after parsing.
 *
 * Pure: safe from any thread for distinct buffers.
 */
#ifndef KTRDR_MOCK_PYJSON_H
#define KTRDR_MOCK_PYJSON_H

#include <stddef.h>

/* Rewrites the reals of the NUL-terminated JSON `text`; returns its new
 * length. */
size_t pyjson_shorten_reals(char *text);

#endif
