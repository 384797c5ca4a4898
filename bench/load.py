"""Load bench items into a running crudd: POST /items with known ids.

usage: load.py PORT ITEMS [CONNECTIONS]

Stores item-00000 .. item-(ITEMS-1) with the same JSON text bench/floor
seeds, over CONNECTIONS keep-alive connections on 127.0.0.1 in parallel.
Exits 1 on the first answer that is not 201.
"""
import http.client
import sys
import threading


def body(i):
    return ('{"id":"item-%05d","name":"item %d","price":19.99,"qty":%d,'
            '"tags":["bench"]}' % (i, i, i))


def worker(port, ids, failures):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    try:
        for i in ids:
            conn.request("POST", "/items", body(i), headers)
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 201:
                failures.append("item-%05d: %d %s" % (i, resp.status, data))
                return
    except OSError as e:
        failures.append(str(e))
    finally:
        conn.close()


def main():
    port, items = int(sys.argv[1]), int(sys.argv[2])
    conns = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    failures = []
    threads = [threading.Thread(target=worker,
                                args=(port, range(k, items, conns), failures))
               for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit("load.py: " + failures[0])


if __name__ == "__main__":
    main()
