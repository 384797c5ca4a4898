"""Load bench items into a DynamoDB endpoint with BatchWriteItem.

usage: load.py PORT ITEMS [CONNECTIONS]

Writes item-00000 .. item-(ITEMS-1) into ItemsTable on 127.0.0.1:PORT, 25
PutRequests per BatchWriteItem (DynamoDB's cap), over CONNECTIONS keep-alive
connections in parallel. UnprocessedItems are sent again (a few times, with a
short pause). The items have the shape bench/load.py gives the REST items,
typed: {"id": S, "name": S, "price": N, "qty": N, "tags": L of S}.

Exits 1 on the first answer that is not 200, or when items stay unprocessed.
"""
import http.client
import json
import sys
import threading
import time

TABLE = "ItemsTable"
BATCH = 25
HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.BatchWriteItem",
    # Neither server checks the signature; dynalite wants the three
    # parameters and a date header to be there, crudd only the header.
    "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/"
                     "dynamodb/aws4_request, SignedHeaders=host;x-amz-date;"
                     "x-amz-target, Signature=" + "0" * 64,
    "X-Amz-Date": "20240101T000000Z",
}


def item(i):
    return {"id": {"S": "item-%05d" % i},
            "name": {"S": "item %d" % i},
            "price": {"N": "19.99"},
            "qty": {"N": str(i)},
            "tags": {"L": [{"S": "bench"}]}}


def worker(port, batches, failures):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for ids in batches:
            requests = [{"PutRequest": {"Item": item(i)}} for i in ids]
            for attempt in range(10):
                body = json.dumps({"RequestItems": {TABLE: requests}})
                conn.request("POST", "/", body, HEADERS)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status != 200:
                    failures.append("BatchWriteItem %s..: %d %s" % (
                        ids[0], resp.status, data[:300]))
                    return
                left = json.loads(data).get("UnprocessedItems") or {}
                requests = left.get(TABLE) or []
                if not requests:
                    break
                time.sleep(0.01 * (attempt + 1))
            else:
                failures.append("%d items stay unprocessed" % len(requests))
                return
    except (OSError, ValueError) as e:
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        conn.close()


def main():
    port, items = int(sys.argv[1]), int(sys.argv[2])
    conns = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    batches = [range(k, min(k + BATCH, items)) for k in range(0, items, BATCH)]
    failures = []
    threads = [threading.Thread(target=worker,
                                args=(port, batches[k::conns], failures))
               for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit("ddb/load.py: port %d: %s" % (port, failures[0]))


if __name__ == "__main__":
    main()
