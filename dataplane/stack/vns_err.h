/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The error channel of the stack and its services: a function that fails returns -errno (or
 * NULL) and writes one line, what failed and what to do, into the caller's
 * `char *err, size_t errlen`. Nothing in these libraries prints it; the program's main does.
 */
#ifndef VNS_ERR_H
#define VNS_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* printf into the caller's error buffer; no-op when err is NULL or errlen is 0. */
static inline void vns_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void
vns_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif /* VNS_ERR_H */
