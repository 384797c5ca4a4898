#!/usr/bin/env python3
"""Black-box checks of a running crudd over HTTP (python3 stdlib only).

    smoke.py BASE_URL crud KEEP_ID     the /items contract once round, and
                                       leave item KEEP_ID behind
    smoke.py BASE_URL persisted KEEP_ID  KEEP_ID is still there (after a restart)
    smoke.py BASE_URL ping             health answers, one item round-trips

Prints one line per check, "ok - NAME" or "not ok - NAME: why"; the exit
status is the number of failed checks (capped at 100).
"""
import json
import sys
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/")
failed = 0


def call(method, path, body=None):
    """(status, parsed JSON or None, headers) of one request."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            status, raw, headers = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        status, raw, headers = e.code, e.read(), e.headers
    try:
        doc = json.loads(raw) if raw else None
    except ValueError:
        doc = raw.decode(errors="replace")
    return status, doc, headers


def check(name, cond, why=""):
    global failed
    if cond:
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}: {why}")


def expect(name, method, path, body, status):
    """One request whose status must be exactly `status`; returns the doc."""
    try:
        got, doc, headers = call(method, path, body)
    except OSError as e:
        check(name, False, f"{method} {path}: {e}")
        return None, {}
    check(name, got == status,
          f"{method} {path}: want {status}, got {got} {doc!r}")
    return doc, headers


def crud(keep_id):
    doc, hdr = expect("post_item_is_201", "POST", "/items",
                      {"name": "widget", "price": 19.99}, 201)
    item = (doc or {}).get("item", {}) if isinstance(doc, dict) else {}
    iid = item.get("id")
    check("post_returns_item_with_id", isinstance(iid, str) and iid,
          repr(doc))
    check("post_sets_location", hdr.get("Location") == f"/items/{iid}",
          repr(hdr.get("Location")))
    if not iid:
        return
    doc, _ = expect("get_item_is_200", "GET", f"/items/{iid}", None, 200)
    check("get_returns_what_was_posted",
          doc == {"id": iid, "name": "widget", "price": 19.99}, repr(doc))

    doc, _ = expect("list_is_200", "GET", "/items", None, 200)
    ids = [i.get("id") for i in (doc or {}).get("items", [])] \
        if isinstance(doc, dict) else []
    check("list_holds_the_item", iid in ids, repr(doc))

    doc, _ = expect("put_is_200", "PUT", f"/items/{iid}",
                    {"name": "gadget", "qty": 3}, 200)
    check("put_replaces_attributes",
          isinstance(doc, dict) and
          doc.get("item") == {"id": iid, "name": "gadget", "qty": 3},
          repr(doc))

    doc, _ = expect("patch_is_200", "PATCH", f"/items/{iid}",
                    {"qty": None, "color": "red"}, 200)
    check("patch_merges_rfc7396",
          isinstance(doc, dict) and
          doc.get("item") == {"id": iid, "name": "gadget", "color": "red"},
          repr(doc))

    expect("delete_is_200", "DELETE", f"/items/{iid}", None, 200)
    expect("get_after_delete_is_404", "GET", f"/items/{iid}", None, 404)
    expect("delete_again_is_404", "DELETE", f"/items/{iid}", None, 404)
    expect("unknown_path_is_403", "GET", "/nope", None, 403)

    expect("post_keeper_is_201", "POST", "/items",
           {"id": keep_id, "note": "survives a restart"}, 201)


def persisted(keep_id):
    doc, _ = expect("keeper_get_after_restart_is_200", "GET",
                    f"/items/{keep_id}", None, 200)
    check("keeper_unchanged_after_restart",
          doc == {"id": keep_id, "note": "survives a restart"}, repr(doc))
    doc, _ = expect("list_after_restart_is_200", "GET", "/items", None, 200)
    ids = [i.get("id") for i in (doc or {}).get("items", [])] \
        if isinstance(doc, dict) else []
    check("list_after_restart_holds_keeper", keep_id in ids, repr(doc))


def ping():
    doc, _ = expect("health_is_200", "GET", "/_crudd/health", None, 200)
    check("health_says_ok", doc == {"status": "ok"}, repr(doc))
    doc, _ = expect("post_item_is_201", "POST", "/items", {"n": 1}, 201)
    iid = (doc or {}).get("item", {}).get("id") if isinstance(doc, dict) \
        else None
    if iid:
        expect("get_item_is_200", "GET", f"/items/{iid}", None, 200)


def main():
    mode = sys.argv[2] if len(sys.argv) > 2 else "ping"
    if mode == "crud":
        crud(sys.argv[3])
    elif mode == "persisted":
        persisted(sys.argv[3])
    elif mode == "ping":
        ping()
    else:
        sys.exit(f"smoke.py: unknown mode {mode}")
    return min(failed, 100)


if __name__ == "__main__":
    sys.exit(main())
