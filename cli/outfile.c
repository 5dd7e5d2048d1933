/*
 * outfile.c — write to a temporary beside the target, rename when complete.
 *
 * A failed or interrupted write never leaves a partial file under the target's
 * name: every step (write errors recorded by the caller, fflush, fsync, fclose)
 * is checked before rename(), and the temporary is unlinked on any failure.
 */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int zo_open(zo_file *o, const char *path, const char **what, int *errnum)
{
    static const char suffix[] = ".tmpXXXXXX";
    memset(o, 0, sizeof *o);
    o->path = path;
    size_t len = strlen(path);
    o->tmp = malloc(len + sizeof suffix);
    if (o->tmp == NULL) {
        *what = "out of memory", *errnum = ENOMEM;
        return -1;
    }
    memcpy(o->tmp, path, len);
    memcpy(o->tmp + len, suffix, sizeof suffix);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        *what = "cannot create a temporary file next to it", *errnum = errno;
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    /* mkstemp makes 0600; keep the mode of the file replaced, or rw-r--r--
     * (best effort: the content is right either way) */
    struct stat st;
    (void)fchmod(fd, stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (st.st_mode & 0777) : 0644);
    o->fp = fdopen(fd, "wb");
    if (o->fp == NULL) {
        *what = "cannot open a stream to write", *errnum = errno;
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    return 0;
}

const char *zo_finish(zo_file *o, const char *what, int *errnum)
{
    int e = *errnum;
    errno = 0;
    if (what == NULL && fflush(o->fp) != 0)
        what = "cannot write", e = errno != 0 ? errno : EIO;
    /* on disk before the rename makes it visible; EINVAL: cannot be synced */
    errno = 0;
    if (what == NULL && fsync(fileno(o->fp)) != 0 && errno != EINVAL)
        what = "cannot sync", e = errno;
    errno = 0;
    if (fclose(o->fp) != 0 && what == NULL)
        what = "cannot close", e = errno != 0 ? errno : EIO;
    if (what == NULL && rename(o->tmp, o->path) != 0)
        what = "cannot rename the temporary file to it", e = errno;
    if (what != NULL)
        unlink(o->tmp);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    *errnum = what != NULL ? e : 0;
    return what;
}
