#!/usr/bin/env python3
"""Test-only launcher for moto's HTTP server (the emulator tier of the e2e tests).

Differences from the stock ``moto_server`` entry point:
  * binds to a loopback address only, on a port chosen by the OS when ``--port 0`` (no race between
    picking a free port and binding it), and prints one JSON line
    ``{"event": "ready", "host": ..., "port": ...}`` on stdout once the socket is listening;
  * exits by itself when the process that started it goes away (``--parent-pid``), so a crashed or
    killed test runner never leaves a server behind;
  * applies the small, documented response patches in ``moto_patches.py`` that make moto answer
    the way the Terraform AWS provider expects (``--no-patches`` to see moto's own behaviour).

Usage: python scripts/e2e/moto_server.py [--host 127.0.0.1] [--port 0] [--parent-pid PID]
"""
import argparse
import ipaddress
import json
import os
import signal
import sys
import threading
import time


def _watch_parent(parent_pid: int) -> None:
    """Exit the whole server when the parent process has gone (re-parented or pid gone)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(0)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = let the OS choose")
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--no-patches", action="store_true")
    args = parser.parse_args(argv)

    if not _is_loopback(args.host):
        parser.error(f"refusing to bind to non-loopback address {args.host!r}")

    # Never let anything inside the server (e.g. a Lambda invocation) reach real AWS by accident.
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(var, None)

    # AWS managed IAM policies (e.g. service-role/AWSBackupServiceRolePolicyForBackup) exist in
    # every real account; moto only knows them when asked to load them (adds ~1 s per account).
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    if not args.no_patches:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import moto_patches

        applied = moto_patches.apply()
    else:
        applied = []

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )
    port = server.socket.getsockname()[1]
    # moto builds some URLs (Lambda env, Batch) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    os.environ.setdefault("MOTO_HOST", args.host)

    def _stop(signum, frame):
        # serve_forever() runs in this (main) thread, so leave through SystemExit.
        sys.exit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    if args.parent_pid:
        threading.Thread(target=_watch_parent, args=(args.parent_pid,), daemon=True).start()

    print(
        json.dumps({"event": "ready", "host": args.host, "port": port, "patches": applied}),
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
