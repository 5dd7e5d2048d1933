/*
 * analysis.h — the zstr program's analysis subcommands (cli/analysis.c).
 * Each takes the subcommand's argc/argv (argv[0] = its name) and returns the
 * exit status: 0 ok, 1 user error, 2 usage error, 3 (kk) not consistent.
 */
#ifndef ZC_ANALYSIS_H
#define ZC_ANALYSIS_H

int zc_cmd_fit(int argc, char **argv);
int zc_cmd_drt(int argc, char **argv);
int zc_cmd_kk(int argc, char **argv);
int zc_cmd_arrhenius(int argc, char **argv);
int zc_cmd_diagnose(int argc, char **argv);

#endif
