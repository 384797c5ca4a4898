/*
 * config_aws — the access key the AWS CLI would sign with where crudd
 * starts, found the way the CLI (botocore's credential chain) finds static
 * keys: the environment, then the shared credentials file, then the config
 * file, for the profile AWS_PROFILE names (else "default"). So that the
 * DynamoDB API of a protected API accepts `aws dynamodb ... --endpoint-url`
 * from the same shell without a word of configuration.
 *
 * Not a full INI reader, and not the rest of the chain (SSO, assumed roles,
 * credential_process, instance metadata): those give temporary credentials,
 * which crudd cannot check anyway. An unreadable or odd file is no key.
 */
#include "config_impl.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line longer than this is not a key's line: skipped. */
#define LINE_MAX_BYTES 4096

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* The file named by variable, else ~/.aws/<name>; NULL when neither is
 * known. New string (free). */
static char *aws_file(const char *variable, const char *name)
{
    const char *v = env(variable), *home = env("HOME");
    size_t n;
    char *path;

    if (v && strncmp(v, "~/", 2) != 0)
        return xstrdup(v);
    if (!home)
        return NULL;
    if (v) { /* botocore expands a leading ~ */
        n = strlen(home) + strlen(v);
        path = xmalloc(n + 1);
        snprintf(path, n + 1, "%s%s", home, v + 1);
        return path;
    }
    n = strlen(home) + strlen("/.aws/") + strlen(name);
    path = xmalloc(n + 1);
    snprintf(path, n + 1, "%s/.aws/%s", home, name);
    return path;
}

static char *trim(char *s)
{
    char *e = s + strlen(s);

    while (*s && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Is the section header text (inside the brackets) the profile's? In the
 * credentials file a section is the profile's name; in the config file it
 * is "profile NAME", or "default" for the default profile. */
static int is_profile(char *header, const char *profile, int config_file)
{
    header = trim(header);
    if (!config_file)
        return !strcmp(header, profile);
    if (!strcmp(profile, "default") && !strcmp(header, "default"))
        return 1;
    if (strncmp(header, "profile", 7) != 0 ||
        !isspace((unsigned char)header[7]))
        return 0;
    return !strcmp(trim(header + 8), profile);
}

/* aws_access_key_id and aws_secret_access_key of profile's section in path
 * into out (new strings), both or neither. 1 found, 0 not. */
static int read_file(const char *path, const char *profile, int config_file,
                     struct config_credential *out)
{
    FILE *f = fopen(path, "r");
    char line[LINE_MAX_BYTES];
    char *id = NULL, *secret = NULL;
    int mine = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            int ch; /* a line too long for a key: skip the rest of it */
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            continue;
        }
        /* an indented line continues a value (nested settings) */
        if (line[0] == ' ' || line[0] == '\t')
            continue;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strrchr(s, ']');
            if (!close)
                continue;
            *close = '\0';
            mine = is_profile(s + 1, profile, config_file);
            continue;
        }
        size_t k = strcspn(s, "=:");
        if (!mine || !s[k])
            continue;
        char *value = trim(s + k + 1);
        s[k] = '\0';
        char *key = trim(s);
        for (char *p = key; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (!strcmp(key, "aws_access_key_id") && !id && *value)
            id = xstrdup(value);
        else if (!strcmp(key, "aws_secret_access_key") && !secret && *value)
            secret = xstrdup(value);
    }
    fclose(f);
    if (id && secret) {
        out->access_key_id = id;
        out->secret_access_key = secret;
        return 1;
    }
    free(id);
    free(secret);
    return 0;
}

int config_aws_credential(struct config_credential *out, char **source)
{
    const char *id = env("AWS_ACCESS_KEY_ID");
    const char *secret = env("AWS_SECRET_ACCESS_KEY");
    const char *profile = env("AWS_PROFILE");
    int found = 0;

    out->access_key_id = out->secret_access_key = NULL;
    *source = NULL;
    if (id && secret) {
        out->access_key_id = xstrdup(id);
        out->secret_access_key = xstrdup(secret);
        *source = xstrdup("environment variables AWS_ACCESS_KEY_ID and "
                          "AWS_SECRET_ACCESS_KEY");
        return 1;
    }
    if (!profile)
        profile = env("AWS_DEFAULT_PROFILE");
    if (!profile)
        profile = "default";
    for (int config_file = 0; config_file < 2 && !found; config_file++) {
        char *path = config_file ? aws_file("AWS_CONFIG_FILE", "config")
                                 : aws_file("AWS_SHARED_CREDENTIALS_FILE",
                                            "credentials");
        if (path && read_file(path, profile, config_file, out)) {
            size_t n = strlen(path) + strlen(profile) + 16;
            *source = xmalloc(n);
            snprintf(*source, n, "%s [%s%s]", path,
                     config_file && strcmp(profile, "default") ? "profile "
                                                               : "",
                     profile);
            found = 1;
        }
        free(path);
    }
    return found;
}
