/*
 * outfile.c — write to a temporary beside the target, rename when complete.
 *
 * A failed or interrupted write never leaves a partial file under the target's
 * name: every step (write errors recorded by the caller, fflush, fsync, fclose)
 * is checked before rename(), and the temporary is unlinked on any failure.
 *
 * Signals.  A handler receives no context argument, so the installed guard
 * has to be reachable from file scope: zo_active is the one file-scope object
 * of this module, a pointer set by zo_guard_install and cleared by
 * zo_guard_remove; the registry itself (zo_guard) belongs to the caller.  The
 * handler only reads the registry and calls unlink() and raise(), both
 * async-signal-safe.  A slot changes (name stored, then live = 1; live = 0,
 * then the name freed) only with SIGINT, SIGTERM and SIGHUP blocked in the
 * thread that changes it, and the program opens and finishes its outputs on
 * its main thread once the library's sweep threads have ended, so the handler
 * never sees a slot half made.  The handler is installed with SA_RESETHAND:
 * raise() inside it is delivered when it returns, with the default action, so
 * the process ends by the signal as the user expects (status 128 + n).
 */
#include "outfile.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const int zo_signals[3] = {SIGINT, SIGTERM, SIGHUP};

/* the installed guard: see the banner for why this is file-scope */
static zo_guard *volatile zo_active;

static void zo_on_signal(int sig)
{
    int saved = errno;
    zo_guard *g = zo_active;
    if (g != NULL) {
        for (int k = 0; k < ZO_GUARD_SLOTS; k++)
            if (g->live[k])
                unlink(g->tmp[k]);
    }
    errno = saved;
    raise(sig); /* blocked until we return; then the default action (SA_RESETHAND) */
}

static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < 3; i++)
        sigaddset(&set, zo_signals[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old) { pthread_sigmask(SIG_SETMASK, old, NULL); }

int zo_guard_install(zo_guard *g)
{
    memset(g, 0, sizeof *g);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = zo_on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaddset(&sa.sa_mask, zo_signals[i]);
    zo_active = g;
    for (int i = 0; i < 3; i++) {
        if (sigaction(zo_signals[i], &sa, &g->old[i]) != 0) {
            int e = errno;
            while (i-- > 0)
                sigaction(zo_signals[i], &g->old[i], NULL);
            zo_active = NULL;
            errno = e;
            return -1;
        }
        /* a signal ignored by whoever started us stays ignored (nohup's SIGHUP,
         * SIGINT of a background job): it cannot end the process anyway */
        if (g->old[i].sa_handler == SIG_IGN && !(g->old[i].sa_flags & SA_SIGINFO))
            sigaction(zo_signals[i], &g->old[i], NULL);
    }
    return 0;
}

void zo_guard_remove(zo_guard *g)
{
    for (int i = 0; i < 3; i++)
        sigaction(zo_signals[i], &g->old[i], NULL);
    if (zo_active == g)
        zo_active = NULL;
}

/* Take a slot for o->tmp (signals blocked by the caller); -1 when full. */
static int slot_take(zo_guard *g, char *tmp)
{
    for (int k = 0; k < ZO_GUARD_SLOTS; k++) {
        if (!g->live[k]) {
            g->tmp[k] = tmp;
            g->live[k] = 1;
            return k;
        }
    }
    return -1;
}

int zo_open(zo_file *o, const char *path, const char **what, int *errnum)
{
    static const char suffix[] = ".tmpXXXXXX";
    memset(o, 0, sizeof *o);
    o->path = path;
    o->slot = -1;
    size_t len = strlen(path);
    o->tmp = malloc(len + sizeof suffix);
    if (o->tmp == NULL) {
        *what = "out of memory", *errnum = ENOMEM;
        return -1;
    }
    memcpy(o->tmp, path, len);
    memcpy(o->tmp + len, suffix, sizeof suffix);
    sigset_t old;
    block_signals(&old);
    zo_guard *g = zo_active;
    int fd = -1, e = 0;
    if (g != NULL && (o->slot = slot_take(g, o->tmp)) < 0) {
        *what = "too many output files at once", e = 0;
    } else if ((fd = mkstemp(o->tmp)) < 0) {
        *what = "cannot create a temporary file next to it", e = errno;
        if (o->slot >= 0)
            g->live[o->slot] = 0;
    }
    restore_signals(&old);
    if (fd < 0) {
        *errnum = e;
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
        e = errno;
        close(fd);
        zo_finish(o, "cannot open a stream to write", &e);
        *what = "cannot open a stream to write", *errnum = e;
        return -1;
    }
    return 0;
}

const char *zo_seal(zo_file *o, int *errnum)
{
    const char *what = NULL;
    int e = 0;
    if (o->fp == NULL)
        return NULL;
    errno = 0;
    if (fflush(o->fp) != 0)
        what = "cannot write", e = errno != 0 ? errno : EIO;
    /* on disk before the rename makes it visible; EINVAL: cannot be synced */
    errno = 0;
    if (what == NULL && fsync(fileno(o->fp)) != 0 && errno != EINVAL)
        what = "cannot sync", e = errno;
    errno = 0;
    if (fclose(o->fp) != 0 && what == NULL)
        what = "cannot close", e = errno != 0 ? errno : EIO;
    o->fp = NULL;
    if (what != NULL)
        zo_finish(o, what, &e);
    *errnum = e;
    return what;
}

const char *zo_finish(zo_file *o, const char *what, int *errnum)
{
    int e = *errnum;
    if (o->tmp == NULL)
        return what;
    if (o->fp != NULL) {
        const char *w = what == NULL ? zo_seal(o, &e) : NULL;
        if (w != NULL) {
            *errnum = e;
            return w; /* zo_seal removed the temporary */
        }
        if (o->fp != NULL) {
            fclose(o->fp);
            o->fp = NULL;
        }
    }
    sigset_t old;
    block_signals(&old);
    if (what == NULL && rename(o->tmp, o->path) != 0)
        what = "cannot rename the temporary file to it", e = errno;
    if (what != NULL)
        unlink(o->tmp);
    zo_guard *g = zo_active;
    if (g != NULL && o->slot >= 0)
        g->live[o->slot] = 0;
    restore_signals(&old);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    o->slot = -1;
    *errnum = what != NULL ? e : 0;
    return what;
}

int zo_probe(const char *path, const char **what, int *errnum)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        *what = "is a directory", *errnum = 0;
        return -1;
    }
    zo_file o;
    if (zo_open(&o, path, what, errnum) != 0)
        return -1;
    int e = 0;
    zo_finish(&o, "probe", &e);
    return 0;
}
