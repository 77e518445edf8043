"""`invoke check-links`: is every profile's website still there?

Written on the standard library (urllib and a thread pool): the job is a few hundred HEAD
requests a week, and what matters is the politeness and the verdicts, which a client library
would not decide for us anyway.

- Polite: at most ``concurrency`` requests at once, never two at once to the same server
  (host and port), a User-Agent that says who is asking, HEAD first (no body), a timeout.
- Patient: timeouts, connection errors, 5xx and 429 are retried with exponential backoff.
- HEAD then GET: servers that refuse HEAD (405, 403, 501) are asked again with GET.
- Redirects are followed one hop at a time (at most 10), so that a permanent one (301, 308)
  can be reported with the address to write instead.
- Verdicts: ok, moved (works, but permanently redirected), refused (401, 403 or 429 even to GET:
  many sites turn robots away, so a person should look, but it is no proof the site is gone),
  skipped (links-ignore.yaml, or a name reserved for examples), dead (404, 410 and other 4xx,
  5xx or no answer after the retries). Only dead links fail the check.

links-ignore.yaml (at the repository root) lists what not to fetch, each with a reason:
    - profile: startups/pick-my-solar     # or: url: https://pickmysolar.example/
      reason: answers 403 to every robot; checked by hand 2026-11
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import yaml

from .duplicates import identity_website, is_reserved_host
from .loading import load_content
from .problems import Problem, display_path, notice

USER_AGENT = ("CivicInnovationDirectory-LinkCheck/1.0 (weekly check of profile websites; "
              "one request at a time per site)")
HEAD_REFUSED = {403, 405, 501}
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
RETRIED = {429, 500, 502, 503, 504}
REFUSED = {401, 403, 429}
MAX_REDIRECTS = 10
VERDICTS = ("dead", "moved", "refused", "skipped", "ok")  # report order: worst first


@dataclass
class Link:
    """One website and the profiles giving it, with what the check found."""

    url: str
    profiles: list[str] = field(default_factory=list)  # "path:line:col" of each website key
    verdict: str = "ok"
    status: int | None = None
    reason: str = ""
    final_url: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)
    attempts: int = 0


@dataclass(frozen=True)
class Options:
    timeout: float = 10.0
    retries: int = 2
    concurrency: int = 4
    backoff: float = 1.0  # seconds before the first retry; doubled each time


class IgnoreFileError(Exception):
    pass


def collect_links(content: Path, ignore_file: Path | None) -> list[Link]:
    """Every distinct website in the content, in URL order, with the profiles that give it.
    Profiles are read but not validated: a broken summary does not stop a link check."""
    ignored_profiles, ignored_urls = read_ignore_file(ignore_file)
    links: dict[str, Link] = {}
    documents, _ = load_content(Path(content))
    for document in documents:
        data = document.data
        website = data.get("website") if isinstance(data, dict) else None
        if not isinstance(website, str) or not website.startswith(("http://", "https://")):
            continue
        line, col = document.mark(("website",))
        link = links.setdefault(website, Link(website))
        link.profiles.append(f"{display_path(document.path)}:{line}:{col}")
        reason = (ignored_profiles.get(f"{document.kind}s/{document.slug}")
                  or ignored_urls.get(identity_website(website)))
        if reason:
            link.verdict, link.reason = "skipped", f"links-ignore.yaml: {reason}"
        elif is_reserved(website):
            link.verdict, link.reason = "skipped", "a name reserved for examples; never fetched"
    return [links[url] for url in sorted(links)]


def read_ignore_file(path: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    if path is None or not Path(path).exists():
        return {}, {}
    try:
        entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    except yaml.YAMLError as error:
        raise IgnoreFileError(f"{path}: not valid YAML: {' '.join(str(error).split())}")
    if not isinstance(entries, list):
        raise IgnoreFileError(f"{path}: write a list of entries, each '- profile: startups/slug' "
                              f"or '- url: https://...', with a 'reason: ...'")
    profiles, urls = {}, {}
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("reason"), str) \
                or not entry["reason"].strip() or set(entry) - {"profile", "url", "reason"} \
                or len(set(entry) & {"profile", "url"}) != 1:
            raise IgnoreFileError(f"{path}: entry {number} needs exactly one of 'profile: "
                                  f"startups/slug' or 'url: https://...', and a 'reason: ...'")
        if "profile" in entry:
            profiles[str(entry["profile"]).removesuffix(".yaml").removeprefix("content/")] = entry["reason"]
        else:
            urls[identity_website(str(entry["url"]))] = entry["reason"]
    return profiles, urls


def is_reserved(url: str) -> bool:
    try:
        return is_reserved_host((urlsplit(url).hostname or "").lower())
    except ValueError:
        return False


def check_links(links: list[Link], options: Options = Options()) -> list[Link]:
    """Check every link not skipped, several servers at a time, one request per server."""
    by_server: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        if link.verdict != "skipped":
            by_server[server_of(link.url)].append(link)
    checker = _Checker(options)
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        # A server's links are checked one after another by one worker: at most one request
        # at a time per server, however many workers there are (redirect hops lock too).
        list(pool.map(lambda group: [checker.check(link) for link in group], by_server.values()))
    return links


def server_of(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{(parts.hostname or '').lower()}:{port or (443 if parts.scheme == 'https' else 80)}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses, so each hop is seen (and locked) on its own."""

    def redirect_request(self, *args, **kwargs):
        return None


class _Checker:
    def __init__(self, options: Options):
        self.options = options
        self.opener = urllib.request.build_opener(_NoRedirects())
        self.locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self.locks_lock = threading.Lock()

    def check(self, link: Link) -> None:
        for attempt in range(self.options.retries + 1):
            if attempt:
                time.sleep(self.options.backoff * 2 ** (attempt - 1))
            link.attempts = attempt + 1
            link.redirects = []
            try:
                status, final = self.follow(link)
            except (OSError, urllib.error.URLError, ValueError) as error:
                link.verdict, link.status, link.final_url = "dead", None, None
                link.reason = no_answer(error, self.options.timeout)
                continue
            link.status, link.final_url = status, final
            if status in RETRIED:
                link.verdict, link.reason = ("refused" if status == 429 else "dead"), f"HTTP {status}"
                continue
            break
        if link.status is None or link.status in RETRIED - {429}:
            if link.attempts > 1:  # no answer, or a server error, to the last attempt: dead
                link.reason += f" (after {link.attempts} attempts)"
            return
        status = link.status
        if status == -1:
            link.verdict, link.reason = "dead", f"more than {MAX_REDIRECTS} redirects"
        elif 200 <= status < 300:
            moved = [url for code, url in link.redirects if code in PERMANENT]
            link.verdict = "moved" if moved else "ok"
            link.reason = f"moved permanently to {moved[0]}" if moved else f"HTTP {status}"
        elif status in REFUSED:
            link.verdict, link.reason = "refused", f"HTTP {status} even to GET; check by hand"
        else:
            link.verdict, link.reason = "dead", f"HTTP {status}"

    def follow(self, link: Link) -> tuple[int, str]:
        """(status, final URL) after following redirects; status -1 for a redirect loop."""
        url = link.url
        for _ in range(MAX_REDIRECTS + 1):
            status, location = self.request("HEAD", url)
            if status in HEAD_REFUSED:
                status, location = self.request("GET", url)
            if status in REDIRECTS and location:
                url = urljoin(url, location)
                link.redirects.append((status, url))
                continue
            return status, url
        return -1, url

    def request(self, method: str, url: str) -> tuple[int, str | None]:
        with self.locks_lock:
            lock = self.locks[server_of(url)]
        request = urllib.request.Request(as_ascii(url), method=method, headers={
            "User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"})
        with lock:
            try:
                with self.opener.open(request, timeout=self.options.timeout) as response:
                    return response.status, response.headers.get("Location")
            except urllib.error.HTTPError as error:  # 3xx (not followed here), 4xx, 5xx
                with error:
                    return error.code, error.headers.get("Location")


def as_ascii(url: str) -> str:
    """An address with non-ASCII characters, as browsers send it (IDNA host, UTF-8 %-escapes)."""
    try:
        url.encode("ascii")
        return url
    except UnicodeEncodeError:
        parts = urlsplit(url)
        host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        rest = quote(url[url.index(parts.netloc) + len(parts.netloc):], safe="/?#[]@!$&'()*+,;=%:~")
        return f"{parts.scheme}://{netloc}{rest}"


def no_answer(error: Exception, timeout: float) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"no answer within {timeout:g} s"
    return f"cannot connect: {reason}"


# --- reporting --------------------------------------------------------------------------------

def ordered(links: list[Link]) -> list[Link]:
    return sorted(links, key=lambda link: (VERDICTS.index(link.verdict), link.url))


def counts(links: list[Link]) -> dict[str, int]:
    return {verdict: sum(link.verdict == verdict for link in links) for verdict in VERDICTS}


def problems_for(links: list[Link]) -> list[Problem]:
    """Dead links as errors and permanent redirects as notices, at each profile's website key."""
    found = []
    for link in ordered(links):
        if link.verdict not in ("dead", "moved"):
            continue
        for where in link.profiles:
            path, line, col = where.rsplit(":", 2)
            if link.verdict == "dead":
                found.append(Problem(Path(path), int(line), int(col),
                                     f"website {link.url} looks dead ({link.reason}): fix the "
                                     f"address, or remove it if the site is gone"))
            else:
                found.append(notice(Path(path), int(line), int(col),
                                    f"website {link.url} has {link.reason}: write the new address"))
    return found


def markdown_report(links: list[Link]) -> str:
    total = counts(links)
    lines = ["# Link check", "",
             " · ".join(f"{total[verdict]} {verdict}" for verdict in VERDICTS), ""]
    titles = {"dead": "Dead (fix or remove)", "moved": "Moved permanently (write the new address)",
              "refused": "Refused to robots (check by hand)", "skipped": "Not checked"}
    for verdict, title in titles.items():
        shown = [link for link in ordered(links) if link.verdict == verdict]
        if not shown:
            continue
        lines += [f"## {title}", "", "| website | why | profiles |", "| --- | --- | --- |"]
        for link in shown:
            cells = [link.url, link.reason, ", ".join(link.profiles)]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def json_report(links: list[Link]) -> str:
    return json.dumps({"counts": counts(links), "links": [asdict(link) for link in ordered(links)]},
                      indent=2, ensure_ascii=False) + "\n"


def write_report(links: list[Link], path: Path) -> None:
    text = json_report(links) if Path(path).suffix == ".json" else markdown_report(links)
    Path(path).write_text(text, encoding="utf-8")
