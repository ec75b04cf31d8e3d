"""What the test servers share: a certificate authority of their own, and an HTTPS server run in a thread."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import trustme


def local_authority(ca_file: Path, *names: str) -> ssl.SSLContext:
    """A server context for 127.0.0.1, localhost and ``names``; the authority's certificate goes to ``ca_file``."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost", *names).configure_cert(context)
    authority.cert_pem.write_to_path(str(ca_file))
    return context


@contextmanager
def serving(httpd: ThreadingHTTPServer, context: ssl.SSLContext) -> Iterator[None]:
    """``httpd`` answering over TLS in a thread, until the block ends."""
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    # serve_forever looks for shutdown() every poll_interval (0.5 s by default): every test would wait that long
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        httpd.shutdown()
        httpd.server_close()
