/*
 * cmd_morph.h — zstr morph (cli/cmd_morph.c): microstructure metrics of a
 * model's voxels, as text, JSON, CSV files and VTK maps.
 */
#ifndef ZC_CMD_MORPH_H
#define ZC_CMD_MORPH_H

/* argv[0] = "morph"; returns the exit status (0, 1 user error, 2 usage). */
int zc_cmd_morph(int argc, char **argv);

/* The usage text (zstr help morph). */
const char *zc_morph_help(void);

#endif
