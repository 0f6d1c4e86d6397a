/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The app's one error channel: a module that fails fills the caller's `char *err, size_t
 * errlen` with one line (what failed, what to do) and returns an error; only vns_main.c
 * prints it, prefixed with "vnetsink: ".
 */
#ifndef VNS_APP_ERR_H
#define VNS_APP_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Format one line into err (nothing when err is NULL or errlen 0). Returns -1, so a function
 * that reports failure as -1 can `return vns_app_set_err(...)`.
 */
static inline int vns_app_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int
vns_app_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

#endif /* VNS_APP_ERR_H */
