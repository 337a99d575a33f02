"""Black-box: the HTTP policy of issue 16 on the wire, with raw sockets against the built
`mlprod serve` (default loopback bind): request smuggling through Transfer-Encoding, HEAD,
cross-site form posts and untyped bodies, foreign Host headers, the HTML pages' security
headers, the connection cap, bounded deep pages, NUL in names, and the licence files.

Unlike tests/api/http_hardening_test.cpp (an in-process server), this file runs against any
binary: MLPROD_BINARY=<older mlprod> shows which of these the older build failed
(docs/security.md, "Regression tests")."""
import json
import os
import socket
import time
import unittest

from mlprod_client import SOURCE_DIR, Server, ServeTestCase, request, user_data


def exchange(port, data, timeout=10):
    """Sends `data` on a fresh connection; returns every byte until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data.encode() if isinstance(data, str) else data)
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out.decode(errors="replace")


class Reply:
    def __init__(self, raw):
        self.raw = raw
        self.responses = raw.count("HTTP/1.1 ")
        self.status = int(raw[9:12]) if raw.startswith("HTTP/1.1 ") else 0
        head, _, self.body = raw.partition("\r\n\r\n")
        self.head = head.lower()

    def header(self, name):
        for line in self.head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip() == name:
                return value.strip()
        return None


def http(method, target, headers="Host: 127.0.0.1\r\n", body=""):
    out = f"{method} {target} HTTP/1.1\r\n{headers}"
    if body:
        out += f"Content-Length: {len(body.encode())}\r\n"
    return out + "Connection: close\r\n\r\n" + body


class HttpPolicy(ServeTestCase):
    def raw(self, data):
        return Reply(exchange(self.server.port, data))

    def models(self):
        status, body = request("GET", self.url + "/models")
        self.assertEqual(status, 200)
        return body

    def test_smuggled_request_behind_a_bad_transfer_encoding_is_refused(self):
        smuggled = "POST /train/start HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        for te in ("xchunked", "chunked, identity", "chunked\r\nTransfer-Encoding: identity"):
            with self.subTest(te=te):
                r = self.raw("POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Content-Type: application/json\r\nTransfer-Encoding: " + te +
                             "\r\n\r\n" + smuggled)
                self.assertEqual(r.status, 400, r.raw[:300])
                self.assertEqual(r.responses, 1, "the smuggled POST /train/start was answered")
                self.assertEqual(r.header("connection"), "close")
        both = self.raw("POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: 5\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled)
        self.assertEqual((both.status, both.responses), (400, 1), both.raw[:300])

    def test_head_answers_like_get_without_a_body(self):
        for path in ("/", "/health/live", "/models", "/openapi.json", "/docs"):
            with self.subTest(path=path):
                get = self.raw(http("GET", path))
                self.assertEqual(get.status, 200)
                head = self.raw(http("HEAD", path))
                self.assertEqual(head.status, 200, head.raw[:300])
                self.assertEqual(head.header("content-length"), str(len(get.body.encode())))
                self.assertEqual(head.body, "")

    def test_cross_site_form_posts_and_untyped_bodies_are_refused(self):
        models = self.models()
        form = "Content-Type: application/x-www-form-urlencoded\r\n"
        cross = self.raw(http("POST", "/train/start",
                              "Host: 127.0.0.1\r\n" + form + "Origin: http://evil.example\r\n",
                              "a=1"))
        self.assertEqual(cross.status, 403, cross.raw[:300])
        no_origin = self.raw(http("POST", "/train/start", "Host: 127.0.0.1\r\n" + form, "a=1"))
        self.assertEqual(no_origin.status, 415, no_origin.raw[:300])
        body = json.dumps(user_data())
        untyped = self.raw(http("POST", "/inference/start", "Host: 127.0.0.1\r\n", body))
        self.assertEqual(untyped.status, 415, untyped.raw[:300])
        plain = self.raw(http("POST", "/inference/start",
                              "Host: 127.0.0.1\r\nContent-Type: text/plain\r\n", body))
        self.assertEqual(plain.status, 415, plain.raw[:300])
        self.assertEqual(self.models(), models)
        typed = self.raw(http("POST", "/inference/start",
                              "Host: 127.0.0.1\r\nContent-Type: application/json\r\n", body))
        self.assertEqual(typed.status, 200, typed.raw[:300])

    def test_a_foreign_host_reaches_nothing(self):
        models = self.models()
        for method, target, body in (("PUT", "/models/baseline", '{"use_percentage": 0.5}'),
                                     ("GET", "/models", "")):
            with self.subTest(method=method, target=target):
                r = self.raw(http(method, target, "Host: attacker.example\r\n"
                                  "Content-Type: application/json\r\n", body))
                self.assertEqual(r.status, 421, r.raw[:300])
        self.assertEqual(self.models(), models)
        self.assertEqual(self.raw(http("GET", "/", "Host: localhost:1\r\n")).status, 200)

    def test_html_pages_carry_security_headers(self):
        for path in ("/docs", "/dashboard"):
            with self.subTest(path=path):
                r = self.raw(http("GET", path))
                self.assertEqual(r.status, 200)
                csp = r.header("content-security-policy") or ""
                self.assertIn("frame-ancestors 'none'", csp)
                self.assertIn("script-src 'self'", csp)
                self.assertEqual(r.header("x-content-type-options"), "nosniff")

    def test_deep_pages_are_bounded(self):
        status, body = request("GET", self.url + "/content/results?skip=3900000")
        self.assertEqual(status, 422, body)
        status, _ = request("GET", self.url + "/content/results?after=0&limit=5")
        self.assertEqual(status, 200)

    def test_a_nul_in_a_name_is_refused(self):
        status, body = request("POST", self.url + "/inference/start",
                               user_data(name="evil\u0000name"))
        self.assertEqual(status, 422, body)


class ConnectionCap(unittest.TestCase):
    """Idle sockets beyond --max-connections get a 503 and are closed; the server recovers."""

    def test_connections_beyond_the_cap_get_a_503(self):
        server = Server(extra_args=["--max-connections", "20"])
        held = []
        try:
            for _ in range(20):
                held.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
            time.sleep(0.3)  # the server has accepted them all
            over = Reply(exchange(server.port, http("GET", "/")))
            self.assertEqual(over.status, 503, over.raw[:300])
            self.assertEqual(over.header("retry-after"), "1")
            for s in held:
                s.close()
            held.clear()
            deadline = time.time() + 10
            while True:
                status, _ = request("GET", server.url + "/")
                if status == 200 or time.time() > deadline:
                    break
                time.sleep(0.1)
            self.assertEqual(status, 200)
        finally:
            for s in held:
                s.close()
            code = server.stop()
            server.cleanup()
        self.assertEqual(code, 0)


class Licence(unittest.TestCase):
    """The project's licence, and the attribution the MIT licence of the reference project's
    profile tables requires."""

    def test_licence_and_attribution(self):
        self.assertTrue(os.path.isfile(os.path.join(SOURCE_DIR, "LICENSE")))
        with open(os.path.join(SOURCE_DIR, "NOTICE"), encoding="utf-8") as f:
            notice = f.read()
        self.assertIn("MIT", notice)
        for name in ("user.tsv", "location.tsv"):
            self.assertIn(name, notice)


if __name__ == "__main__":
    unittest.main()
