/*
 * log — stderr lines, no buffering across calls, no files or rotation: in a
 * container stderr is the log, on a laptop it is the terminal.
 */
#include "log.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum log_level current = LOG_INFO;

void log_set_level(enum log_level level)
{
    current = level;
}

enum log_level log_get_level(void)
{
    return current;
}

int log_level_parse(const char *name)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char stack[4096];
    char *line = stack;
    va_list ap;
    int n;

    if (level < current)
        return;
    va_start(ap, fmt);
    n = vsnprintf(stack, sizeof stack - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof stack - 1) {
        /* a long line (a debug event with a large body): format it again */
        line = xmalloc((size_t)n + 2);
        va_start(ap, fmt);
        vsnprintf(line, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    /* one call is one line: a control byte that reached here unescaped
     * (client text in an error message) must not start a forged line or
     * move the terminal's cursor; the tab of REPORT lines stays */
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            line[i] = '?';
    }
    line[n++] = '\n';
    /* one write per line: lines from worker threads do not interleave */
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
    if (line != stack)
        free(line);
}
