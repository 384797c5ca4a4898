/*
 * gateway_auth — what API Gateway checks before it invokes a function, in
 * its order: the stage's throttle, an AWS_IAM route's Signature Version 4,
 * the API key of a route that requires one, and that key's usage plan
 * (throttle, then quota). Each refusal is API Gateway's own answer. Not the
 * signature arithmetic (sigv4) nor the buckets and counters (usage).
 */
#include "clock.h"
#include "gateway_impl.h"
#include "sigv4.h"
#include "usage.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct gateway_auth {
    struct usage_bucket stage_bucket;
    int stage_throttled; /* 1 when the stage declares a throttle */
    struct usage *usage; /* NULL when no usage plan is declared */
    int *key_usage;      /* per cfg->api_keys: its usage handle */
    struct sigv4_credential *creds;
    size_t ncreds;
};

int gateway_auth_create(struct gateway *g, struct err *err)
{
    const struct config *cfg = g->cfg;
    struct gateway_auth *a = xcalloc(1, sizeof *a);

    g->auth = a;
    if (cfg->stage_throttle.set) {
        usage_bucket_init(&a->stage_bucket, cfg->stage_throttle.rate,
                          cfg->stage_throttle.burst);
        a->stage_throttled = 1;
    }
    a->ncreds = cfg->ncredentials;
    a->creds = xcalloc(a->ncreds + 1, sizeof *a->creds);
    for (size_t i = 0; i < a->ncreds; i++)
        a->creds[i] =
            (struct sigv4_credential){cfg->credentials[i].access_key_id,
                                      cfg->credentials[i].secret_access_key};
    a->key_usage = xcalloc(cfg->napi_keys + 1, sizeof *a->key_usage);
    for (size_t i = 0; i < cfg->napi_keys; i++)
        a->key_usage[i] = USAGE_NO_KEY;
    if (cfg->nusage_plans == 0)
        return 0;
    a->usage = usage_create(g->store);
    for (size_t i = 0; i < cfg->nusage_plans; i++) {
        const struct config_usage_plan *p = &cfg->usage_plans[i];
        struct usage_throttle t = {p->throttle.rate, p->throttle.burst};
        struct usage_quota q = {
            (unsigned)(p->quota_limit > USAGE_QUOTA_MAX ? USAGE_QUOTA_MAX
                                                        : p->quota_limit),
            p->quota_period == CONFIG_QUOTA_WEEK    ? USAGE_WEEK
            : p->quota_period == CONFIG_QUOTA_MONTH ? USAGE_MONTH
                                                    : USAGE_DAY};
        if (usage_add_plan(a->usage, p->name, p->throttle.set ? &t : NULL,
                           p->quota_period != CONFIG_QUOTA_NONE ? &q : NULL,
                           err) < 0)
            return -1;
        for (size_t j = 0; j < p->api_keys.n; j++) {
            int h = usage_add_key(a->usage, p->name, p->api_keys.v[j], err);
            if (h < 0)
                return -1;
            for (size_t k = 0; k < cfg->napi_keys; k++)
                if (!strcmp(cfg->api_keys[k].name, p->api_keys.v[j]))
                    a->key_usage[k] = h;
        }
    }
    return usage_start(a->usage, err);
}

void gateway_auth_free(struct gateway *g)
{
    struct gateway_auth *a = g->auth;

    if (!a)
        return;
    usage_free(a->usage);
    free(a->key_usage);
    free(a->creds);
    free(a);
    g->auth = NULL;
}

/* Does the client's key equal a configured one? Compares every byte of
 * the configured key whatever the client sent, so the time taken says
 * nothing about how much of a guess was right. */
static int key_equal(const char *given, size_t given_len, const char *key)
{
    size_t n = strlen(key);
    unsigned char diff = (unsigned char)(given_len != n);

    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(key[i] ^ (i < given_len ? given[i] : 0));
    return diff == 0;
}

/* The index of the configured API key the client sent, or -1. */
static int find_api_key(const struct config *cfg, const char *given)
{
    size_t len = strlen(given);
    int found = -1;

    /* no early exit: every key is compared */
    for (size_t i = 0; i < cfg->napi_keys; i++)
        if (key_equal(given, len, cfg->api_keys[i].value))
            found = (int)i;
    return found;
}

static int verify_signature(struct gateway *g, struct gateway_call *call,
                            struct gateway_response *res)
{
    const struct gateway_request *req = call->req;
    struct gateway_auth *a = g->auth;
    struct sigv4_result out;
    struct sigv4_header *h = xcalloc(req->nheaders + 1, sizeof *h);

    for (size_t i = 0; i < req->nheaders; i++)
        h[i] =
            (struct sigv4_header){req->headers[i].name, req->headers[i].value};
    struct sigv4_request sr = {
        .method = req->method,
        .raw_path = req->raw_path ? req->raw_path : req->path,
        .raw_query = req->raw_query ? req->raw_query : "",
        .headers = h,
        .nheaders = req->nheaders,
        .body = req->body_len ? req->body : NULL,
        .body_len = req->body_len,
        .now = (long long)time(NULL),
    };
    sigv4_verify(&sr, a->creds, a->ncreds, "execute-api", &out);
    free(h);
    if (out.status == SIGV4_OK) {
        snprintf(call->access_key, sizeof call->access_key, "%.127s",
                 out.access_key_id);
        return 0;
    }
    gateway_set_message(res, 403, out.message, out.error_type);
    call->error_message = "signature refused";
    return -1;
}

int gateway_auth_check(struct gateway *g, struct gateway_call *call,
                       struct gateway_response *res)
{
    struct gateway_auth *a = g->auth;
    const struct config_route *r = call->target->route;

    if (a->stage_throttled &&
        !usage_bucket_take(&a->stage_bucket, clock_now_us())) {
        gateway_set_message(res, 429, "Too Many Requests",
                            "TooManyRequestsException");
        call->error_message = "stage throttle";
        return -1;
    }
    if (r->auth == CONFIG_AUTH_IAM && verify_signature(g, call, res) < 0)
        return -1;
    if (!r->api_key_required)
        return 0;
    const char *given = gateway_request_header(call->req, "x-api-key");
    int k = given ? find_api_key(g->cfg, given) : -1;
    if (k < 0) {
        gateway_set_message(res, 403, "Forbidden", "ForbiddenException");
        call->error_message = given ? "unknown API key" : "no API key";
        return -1;
    }
    call->api_key = g->cfg->api_keys[k].value;
    if (!a->usage)
        return 0;
    switch (usage_admit(a->usage, a->key_usage[k], clock_now_us())) {
    case USAGE_OK:
        return 0;
    case USAGE_THROTTLED:
        gateway_set_message(res, 429, "Too Many Requests",
                            "TooManyRequestsException");
        call->error_message = "usage plan throttle";
        return -1;
    case USAGE_QUOTA_EXCEEDED:
        gateway_set_message(res, 429, "Limit Exceeded",
                            "LimitExceededException");
        call->error_message = "usage plan quota";
        return -1;
    }
    return 0;
}
