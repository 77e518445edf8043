"""`invoke check-links` against real local servers on 127.0.0.1: 200, 404, 410, HEAD refused,
403, redirect chains (permanent and temporary), a redirect loop, a server error that heals, one
that does not, and a server that never answers. No mocks: real sockets, the real CLI."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_content, run_module, write_profile

from directory.links import USER_AGENT, Link, Options, check_links


class Server:
    """A local server whose paths each behave one way; it records every request."""

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []  # (method, path, user agent)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = threading.Event()  # lets a hanging request go at teardown
        self.arrived = threading.Event()  # a /meet request is here (see the concurrency test)
        self.partner: Server | None = None
        self.flaky_seen = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_HEAD(self):
                server.answer(self, "HEAD")

            def do_GET(self):
                server.answer(self, "GET")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def answer(self, handler, method: str) -> None:
        path = handler.path
        with self.lock:
            self.requests.append((method, path, handler.headers.get("User-Agent", "")))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            status, location = self.route(method, path)
        finally:
            with self.lock:
                self.in_flight -= 1
        if status is None:
            return
        handler.send_response(status)
        if location:
            handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def route(self, method: str, path: str):
        head = method == "HEAD"
        if path == "/ok":
            return 200, None
        if path == "/missing":
            return 404, None
        if path == "/gone":
            return 410, None
        if path == "/head-405":
            return (405 if head else 200), None
        if path == "/head-501":
            return (501 if head else 200), None
        if path == "/head-403":
            return (403 if head else 200), None
        if path == "/forbidden":
            return 403, None
        if path == "/permanent":
            return 301, "/permanent-2"
        if path == "/permanent-2":
            return 302, f"{self.url}/ok"
        if path == "/temporary":
            return 302, "/temporary-2"
        if path == "/temporary-2":
            return 307, "/ok"
        if path == "/loop":
            return 301, "/loop"
        if path == "/flaky":
            with self.lock:
                self.flaky_seen += 1
                first = self.flaky_seen == 1
            return (503 if first else 200), None
        if path == "/down":
            return 503, None
        if path == "/hang":
            self.release.wait(30)
            return None, None
        if path.startswith("/slow"):
            time.sleep(0.05)
            return 200, None
        if path == "/meet":  # answers 200 only while the partner server has a request too
            self.arrived.set()
            return (200 if self.partner.arrived.wait(5) else 503), None
        return 500, None

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server():
    with Server() as running:
        yield running


ROUTES = {  # path -> expected verdict
    "/ok": "ok", "/missing": "dead", "/gone": "dead", "/head-405": "ok", "/head-501": "ok",
    "/head-403": "ok", "/forbidden": "refused", "/permanent": "moved", "/temporary": "ok",
    "/loop": "dead", "/flaky": "ok", "/down": "dead", "/hang": "dead",
}


def profiles_for(content: Path, base: str, paths) -> dict[str, str]:
    """One startup per path, its website on line 4; returns url -> slug."""
    slugs = {}
    for index, path in enumerate(paths):
        slug = f"link-case-{index}"
        write_profile(content, "startups", slug, f"name: Link case {index}\nsummary: x\n"
                      f"city: Oakland\nwebsite: {base}{path}\n")
        slugs[f"{base}{path}"] = slug
    return slugs


def check_links_cli(content: Path, report: Path, ignore: Path, *extra: str):
    return run_module("invoke", "check-links", "--content", str(content), "--report", str(report),
                      "--ignore", str(ignore), "--timeout", "0.5", "--retries", "1",
                      "--backoff", "0.05", *extra, timeout=120)


def test_every_kind_of_answer_gets_its_verdict(server, tmp_path):
    content = copy_content(tmp_path / "content")
    slugs = profiles_for(content, server.url, ROUTES)
    report = tmp_path / "links.json"
    result = check_links_cli(content, report, tmp_path / "none.yaml")
    assert result.returncode == 1, result.stderr  # dead links fail the check
    data = json.loads(report.read_text())
    verdicts = {link["url"]: link["verdict"] for link in data["links"]}
    for path, verdict in ROUTES.items():
        assert verdicts[f"{server.url}{path}"] == verdict, (path, data)
    # The sample profiles use names reserved for examples: listed, never fetched.
    assert data["counts"]["skipped"] == 19 and all(
        verdict == "skipped" for url, verdict in verdicts.items() if "127.0.0.1" not in url)
    by_url = {link["url"]: link for link in data["links"]}
    moved = by_url[f"{server.url}/permanent"]
    assert moved["redirects"] == [[301, f"{server.url}/permanent-2"], [302, f"{server.url}/ok"]]
    assert f"moved permanently to {server.url}/permanent-2" in moved["reason"]
    assert by_url[f"{server.url}/temporary"]["redirects"][0][0] == 302
    assert by_url[f"{server.url}/flaky"]["attempts"] == 2
    assert "no answer within 0.5 s" in by_url[f"{server.url}/hang"]["reason"]
    assert by_url[f"{server.url}/down"]["reason"] == "HTTP 503 (after 2 attempts)"
    assert "redirects" in by_url[f"{server.url}/loop"]["reason"]
    # HEAD first; GET only when HEAD is refused; every request says who is asking.
    methods = {path: [m for m, p, _ in server.requests if p == path] for path in ROUTES}
    assert set(methods["/ok"]) == {"HEAD"}  # also reached through the redirects
    assert methods["/head-405"] == methods["/head-501"] == methods["/head-403"] == ["HEAD", "GET"]
    assert {agent for _, _, agent in server.requests} == {USER_AGENT}
    # Dead links are located errors at the profile's website key; permanent moves are notices.
    missing = slugs[f"{server.url}/missing"]
    assert (f"content/startups/{missing}.yaml:4:10: error: website {server.url}/missing looks "
            f"dead (HTTP 404)") in result.stderr.replace(str(content), "content")
    assert f"{slugs[f'{server.url}/permanent']}.yaml:4:10: notice: website" in result.stderr


def test_only_dead_links_fail_and_the_ignore_list_is_honoured(server, tmp_path):
    content = copy_content(tmp_path / "content")
    slugs = profiles_for(content, server.url, ["/ok", "/forbidden", "/permanent", "/missing",
                                               "/gone"])
    ignore = tmp_path / "links-ignore.yaml"
    ignore.write_text(f"- profile: startups/{slugs[f'{server.url}/missing']}\n"
                      f"  reason: the museum's site is down for a rebuild until March\n"
                      f"- url: {server.url}/gone/\n  reason: archived, kept on purpose\n")
    report = tmp_path / "link-report.md"
    result = check_links_cli(content, report, ignore)
    assert result.returncode == 0, result.stdout + result.stderr
    text = report.read_text()
    assert "0 dead · 1 moved · 1 refused · 21 skipped · 1 ok" in text
    assert "links-ignore.yaml: the museum's site is down for a rebuild until March" in text
    assert "links-ignore.yaml: archived, kept on purpose" in text
    assert not any(path in ("/missing", "/gone") for _, path, _ in server.requests)
    # Without the list, the same links fail.
    assert check_links_cli(content, report, tmp_path / "absent.yaml").returncode == 1


def test_a_broken_ignore_list_is_refused_with_how_to_fix_it(tmp_path):
    ignore = tmp_path / "links-ignore.yaml"
    ignore.write_text("- profile: startups/x\n")  # no reason
    result = check_links_cli(copy_content(tmp_path / "content"), tmp_path / "r.md", ignore)
    assert result.returncode == 2
    assert "entry 1 needs exactly one of 'profile: startups/slug' or 'url: https://...', and a " \
           "'reason: ...'" in result.stderr


def test_one_request_at_a_time_per_server_but_servers_in_parallel(server):
    with Server() as other:
        server.partner, other.partner = other, server
        links = [Link(f"{server.url}/slow-{index}") for index in range(6)]
        links += [Link(f"{server.url}/meet"), Link(f"{other.url}/meet")]
        check_links(links, Options(timeout=10, retries=0, concurrency=4))
    assert server.most_in_flight == 1
    # Each /meet answers 200 only while the other server has one in flight: proof that the
    # two servers were asked at the same time.
    assert [link.verdict for link in links] == ["ok"] * 8, [(l.url, l.reason) for l in links]


def test_the_weekly_workflows_command_line_works(tmp_path):
    """`.github/workflows/links.yml` runs `invoke check-links --report link-report.md` from the
    repository root: on the sample content it passes and writes the report."""
    copy_content(tmp_path / "content")
    result = run_module("invoke", "--search-root", str(ROOT), "check-links", "--report",
                        "link-report.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "link-report.md").read_text().startswith("# Link check\n\n0 dead")
