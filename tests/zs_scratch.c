/*
 * zs_scratch.c — scratch directories and whole-file reads for the suites that
 * write files (io, plot, vtk): one implementation, declared in zs_test.h.
 */
#include "zs_test.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void zs_scratch_remove(const char *dir)
{
    chmod(dir, 0700); /* tests make directories read-only */
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                zs_scratch_remove(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

void zs_scratch_new(const char *parent, char *dir, size_t size)
{
    snprintf(dir, size, "%s/tXXXXXX", parent);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

int zs_scratch_count(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

char *zs_read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    size_t k;
    while ((k = fread(s + len, 1, cap - len - 1, fp)) > 0) {
        len += k;
        if (cap - len < 2) {
            char *t = realloc(s, cap * 2);
            ck_assert_ptr_nonnull(t);
            s = t;
            cap *= 2;
        }
    }
    fclose(fp);
    s[len] = '\0';
    return s;
}
