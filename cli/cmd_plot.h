/*
 * cmd_plot.h — the plot options shared by `zstr run` and `zstr plot`, and
 * the `zstr plot` command (redraw spectrum files without recomputing).
 */
#ifndef ZSTR_CLI_CMD_PLOT_H
#define ZSTR_CLI_CMD_PLOT_H

#include <stddef.h>

#include "plot.h"

/* If argv[*i] is a plot option (--xlim LO,HI, --ylim LO,HI, --logx, --logy,
 * --panels both|nyquist|bode), apply it to *po, advance *i past its value
 * and return 1; return 0 when it is not one; -1 with a usage reason in why
 * when it is malformed or its value is missing. */
int zc_plot_option(int argc, char **argv, int *i, zp_options *po, char *why, size_t nwhy);

/* Help text of the plot options (for `zstr help run` and `zstr help plot`). */
extern const char zc_plot_options_help[];

/* zstr plot SPECTRUM.csv... -o OUT.svg|png|pdf [--area] [--title T] [plot
 * options]: argv[0] is "plot".  Returns the exit status (0, 1 user error,
 * 2 usage error); prints its own messages. */
int zc_cmd_plot(int argc, char **argv);

#endif
