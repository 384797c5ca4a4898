/*
 * log — leveled log lines on stderr, one write(2) per line so that lines from
 * different threads never interleave. Any thread may call these.
 */
#ifndef CRUDD_LOG_H
#define CRUDD_LOG_H

/* LOG_ALWAYS is for the few lines a user relies on whatever the level (the
 * first line, "listening on ADDRESS:PORT"); it is not a level to set. */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_ALWAYS };

/* Lines below level are dropped. Set once at start, before threads run. */
void log_set_level(enum log_level level);
/* The current level. */
enum log_level log_get_level(void);
/* "debug", "info", "warn" or "error" → level; -1 if name is none of those. */
int log_level_parse(const char *name);
/* Write one line (a newline is added) if level is enabled. A control byte
 * in it but tab (CR, LF, ESC, ...) is written '?': callers escape client
 * text precisely (buf_log_text); this keeps one call one line whatever. */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
