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

static inline void
vns_vset_err(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err != NULL && errlen != 0)
		vsnprintf(err, errlen, fmt, ap);
}

/* printf into the caller's error buffer; no-op when err is NULL or errlen is 0. */
static inline void vns_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void
vns_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vns_vset_err(err, errlen, fmt, ap);
	va_end(ap);
}

/* The same, returning -1: for the app's functions that report failure as -1
 * (`return vns_fail(err, errlen, ...)`). */
static inline int vns_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int
vns_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vns_vset_err(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

#endif /* VNS_ERR_H */
