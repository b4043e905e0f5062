"""Runs the SCIM conformance checker scim2-tester (PyPI) against a live Reach
server and prints every check. Exits 1 when a check finds an ERROR or CRITICAL
violation (a MUST of RFC 7643/7644 broken), 0 otherwise.

    python conformance.py --url https://127.0.0.1:PORT/scim/v2 --token TOKEN

The server's certificate is its own (self-signed, pinned by its clients), so
this loopback check does not verify it.
"""

import argparse
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILING = {Status.ERROR, Status.CRITICAL}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    http = Client(
        base_url=args.url,
        headers={"Authorization": f"Bearer {args.token}"},
        verify=False,
        timeout=30,
    )
    client = SyncSCIMClient(http)
    results = check_server(client, raise_exceptions=False)
    failed = 0
    for result in results:
        mark = "FAIL" if result.status in FAILING else "ok  "
        failed += result.status in FAILING
        where = f"[{result.resource_type}] " if result.resource_type else ""
        print(f"{mark} {result.status.name:<10} {where}{result.title}: {result.reason or ''}")
        if result.status in FAILING and result.data is not None:
            print(f"       data: {result.data!r}"[:2000])
    print(f"{len(results)} checks, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
