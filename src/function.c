/*
 * function — the registry of built-in functions: one row each, indexed by
 * enum function_id. Lookups by name are a linear pass over ten rows, made
 * once per route at start.
 */
#include "function.h"
#include "handler_builtin.h"
#include "handler_items.h"
#include "handler_manager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_FLAGS (FUNCTION_NEEDS_TABLE | FUNCTION_KEY_IN_PATH)

static const struct function builtins[FUNCTION_NBUILTIN] = {
    [FUNCTION_CREATE_ITEM] = {"create-item", FUNCTION_BUILTIN,
                              FUNCTION_CREATE_ITEM, handler_items_create,
                              FUNCTION_NEEDS_TABLE | FUNCTION_READS_BODY,
                              FUNCTION_SHAPE_CREATED},
    [FUNCTION_GET_ITEM] = {"get-item", FUNCTION_BUILTIN, FUNCTION_GET_ITEM,
                           handler_items_get, ITEM_FLAGS, FUNCTION_SHAPE_ITEM},
    [FUNCTION_LIST_ITEMS] = {"list-items", FUNCTION_BUILTIN,
                             FUNCTION_LIST_ITEMS, handler_items_list,
                             FUNCTION_NEEDS_TABLE | FUNCTION_PAGED,
                             FUNCTION_SHAPE_LIST},
    [FUNCTION_PUT_ITEM] = {"put-item", FUNCTION_BUILTIN, FUNCTION_PUT_ITEM,
                           handler_items_put, ITEM_FLAGS | FUNCTION_READS_BODY,
                           FUNCTION_SHAPE_WRITTEN},
    [FUNCTION_UPDATE_ITEM] = {"update-item", FUNCTION_BUILTIN,
                              FUNCTION_UPDATE_ITEM, handler_items_patch,
                              ITEM_FLAGS | FUNCTION_READS_BODY |
                                  FUNCTION_TAKES_UPDATABLE,
                              FUNCTION_SHAPE_WRITTEN},
    [FUNCTION_DELETE_ITEM] = {"delete-item", FUNCTION_BUILTIN,
                              FUNCTION_DELETE_ITEM, handler_items_delete,
                              ITEM_FLAGS, FUNCTION_SHAPE_DELETED},
    [FUNCTION_HEALTH] = {"health", FUNCTION_BUILTIN, FUNCTION_HEALTH,
                         handler_builtin_health, 0, FUNCTION_SHAPE_STATUS},
    [FUNCTION_ECHO] = {"echo", FUNCTION_BUILTIN, FUNCTION_ECHO,
                       handler_builtin_echo, 0, FUNCTION_SHAPE_PLAIN},
    [FUNCTION_RESPOND] = {"respond", FUNCTION_BUILTIN, FUNCTION_RESPOND,
                          handler_builtin_respond, FUNCTION_TAKES_RESULT,
                          FUNCTION_SHAPE_FIXED},
    [FUNCTION_DYNAMODB_MANAGER] = {"dynamodb-manager", FUNCTION_BUILTIN,
                                   FUNCTION_DYNAMODB_MANAGER, handler_manager,
                                   FUNCTION_READS_BODY, FUNCTION_SHAPE_MANAGER},
};

const struct function *function_named(const char *name)
{
    for (size_t i = 0; i < FUNCTION_NBUILTIN; i++)
        if (!strcmp(builtins[i].name, name))
            return &builtins[i];
    return NULL;
}

const struct function *function_builtin(enum function_id id)
{
    if ((unsigned)id >= FUNCTION_NBUILTIN)
        abort();
    return &builtins[id];
}

int function_has(const struct function *f, unsigned flags)
{
    return (f->flags & flags) == flags;
}

void function_names(char *out, size_t size)
{
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; i < FUNCTION_NBUILTIN && n < size; i++) {
        int w = snprintf(out + n, size - n, "%s%s", i ? ", " : "",
                         builtins[i].name);
        if (w < 0)
            return;
        n += (size_t)w;
    }
}

int function_invoke(const struct function *f, const struct handler_event *ev,
                    const struct handler_env *env, struct handler_result *res)
{
    if (f->kind != FUNCTION_BUILTIN || !f->entry)
        return -1;
    return f->entry(ev, env, res);
}
