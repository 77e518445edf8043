"""Pages: the directory graph -> HTML pages, through the theme's templates.

This is the Pelican Generator of the plugin. Its context step runs the whole pipeline and stops
the build, before anything is written, when any profile has a problem; its output step prepares
plain view models (all decisions made here) so that the templates only loop and print.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from markupsafe import Markup
from pelican.generators import Generator

from . import seo
from .background import Job, Shares
from .charts import home_charts, write_charts
from .digests import everything, profile_digests
from .fragments import Deferred, Lasting, keep_across_builds
from .incremental import cached_loader, cached_relate
from .layout import ALL_PROFILES, layout_of, pages_to_make
from .markup import remember, render_ahead, render_all, render_markdown, rendered_text
from .page_writer import PageWriter
from .paging import PAGE_SIZE, Place, page_size, paged
from .parallel import worth_forking
from .pipeline import read_directory
from .problems import BuildFailed
from .provenance import ProfileRecord, profile_records
from .relations import Directory, largest_facets
from .reporting import build_report, incremental_build
from .similar import cached_similar, similar_keys
from .structured_data import structured_data
from .validation import KINDS, Profile

KIND_LABELS = {"startup": ("Startup", "Startups"), "program": ("Program", "Programs"),
               "mentor": ("Mentor", "Mentors")}
FORMAT_LABELS = {"incubator": "Incubator", "accelerator": "Accelerator", "residency": "Residency",
                 "challenge": "Challenge", "fellowship": "Fellowship", "other": "Other"}
LATEST_COUNT = 6
FACET_TITLES = {"sectors": ("Sector", "Sectors"), "cities": ("City", "Cities")}
BROWSE_COUNT = 12  # sectors and cities on the home page; /sectors/ and /cities/ list them all


@dataclass
class Link:
    text: str
    url: str | None = None  # relative to the site root; None for plain text
    external: bool = False


@dataclass
class Fact:
    label: str
    links: list[Link]


@dataclass
class Section:
    title: str
    profiles: list[Profile]


@dataclass
class Card:
    """A profile as a listing shows it."""

    profile: Profile
    kind_label: str
    city: Link | None
    sectors: list[Link]


@dataclass
class ProfilePage:
    profile: Profile
    kind_label: str
    description: Markup
    facts: list[Fact]
    related: list[Section] = field(default_factory=list)
    structured_data: dict = field(default_factory=dict)  # schema.org JSON-LD
    similar: list[Card] = field(default_factory=list)  # same sectors or city (similar.py)
    provenance: ProfileRecord | None = None  # dates, edit and correction links (provenance.py)


@dataclass
class Browse:
    """A home-page block: the largest facets of one kind and a link to all of them."""

    id: str
    title: str
    facets: list
    index_url: str
    index_text: str


@dataclass
class Page:
    save_as: str
    template: str
    # The template's variables, or a function that makes them: called once, and only when the
    # page is rendered (an incremental build reuses most pages without a view model).
    view: dict | Callable[[], dict]
    relative_urls: bool = True
    # For incremental builds (incremental.py): the profiles (keys) whose data the page shows,
    # or ALL_PROFILES, or a function that makes them (called only when they are asked for).
    # Declaring it also promises that the template reads nothing but ``variables`` and the
    # settings, so the page can be reused while its view model is unchanged. None, the
    # default, means unknown: the page is rendered on every build.
    depends_on: frozenset | str | Callable[[], frozenset] | None = None
    # Plain values and profile digests (digests.py) that the view model is made of, all of
    # them: equal inputs make equal variables, so the page's fingerprint is taken from these
    # instead of from its variables. None: the fingerprint is taken from the variables.
    inputs: tuple | None = None

    @property
    def variables(self) -> dict:
        if callable(self.view):
            self.view = self.view()
        return self.view




def card(directory: Directory, profile: Profile, links: dict[str, Link]) -> Card:
    """``links``: one Link per facet, shared by every card that shows it (fragments.py renders
    each once)."""
    def link(facet) -> Link:
        found = links.get(facet.url)
        if found is None:
            found = links[facet.url] = Link(facet.name, facet.url)
        return found

    city = directory.city_facet(profile)
    return Card(
        profile=profile,
        kind_label=KIND_LABELS[profile.kind][0],
        city=link(city) if city else None,
        sectors=[link(facet) for facet in directory.sector_facets(profile)],
    )


def profile_page(directory: Directory, this: Card,
                 texts: dict[str, Link] | None = None) -> ProfilePage:
    """``texts``: one plain-text Link per text ("2019", "12 weeks"), shared by every page
    that shows it, as facet links are (fragments.py renders each once)."""
    profile = this.profile
    facts: list[Fact] = []
    texts = {} if texts is None else texts

    def text(label: str, value, suffix: str = "") -> None:
        if value is not None:
            shown = f"{value}{suffix}"
            found = texts.get(shown)
            if found is None:
                found = texts[shown] = Link(shown)
            facts.append(Fact(label, [found]))

    text("Role", profile.role)
    text("Format", FORMAT_LABELS.get(profile.format))
    text("Operator", profile.operator)
    if this.city:
        facts.append(Fact("City", [this.city]))
    text("Region", profile.region)
    if this.sectors:
        facts.append(Fact("Sectors", this.sectors))
    text("Founded", profile.founded)
    text("Launched", profile.launched)
    text("Duration", profile.duration_weeks, " weeks")
    if profile.website:
        facts.append(Fact("Website", [Link(profile.website, profile.website, external=True)]))
    related = directory.related[profile.key]
    return ProfilePage(
        profile=profile,
        kind_label=this.kind_label,
        description=render_markdown(profile.description),
        facts=facts,
        related=[Section(KIND_LABELS[kind][1], related[kind]) for kind in KINDS
                 if kind != profile.kind],
        structured_data=structured_data(directory, profile),
    )


def site_pages(directory: Directory, records: dict[tuple[str, str], ProfileRecord],
               digests: dict[tuple[str, str], bytes] | None = None,
               similar: dict[tuple, tuple] | None = None,
               only: set[str] | None = None, page_size: int = PAGE_SIZE) -> list[Page]:
    """Every page of the directory, with its path under the output folder. With ``digests``
    (digests.profile_digests, in an incremental build) every page also gets its ``inputs``.
    View models are made only when a page's variables are read. ``similar``: the keys of the
    similar profiles of each profile (similar.similar_keys), when known already. ``only``:
    the pages wanted (layout.pages_to_make), when not all of them. Lists of more than
    ``page_size`` cards are split into pages (paging.py)."""
    made_cards: dict[tuple[str, str], Card] = {}
    facet_links: dict[str, Link] = {}
    text_links: dict[str, Link] = {}

    def card_of(profile: Profile) -> Card:
        this = made_cards.get(profile.key)
        if this is None:
            this = made_cards[profile.key] = card(directory, profile, facet_links)
        return this

    def shown(profiles) -> tuple | None:
        """The inputs that stand for a list of profiles: their digests, in order."""
        return tuple([digests[p.key] for p in profiles]) if digests is not None else None

    def shown_keys(keys: tuple) -> tuple | None:
        return tuple([digests[key] for key in keys]) if digests is not None else None

    def inputs(*values) -> tuple | None:
        return values if digests is not None else None

    def wanted(save_as: str) -> bool:
        return only is None or save_as in only

    whole = everything(directory, digests) if digests is not None else None
    pages = []
    if wanted("index.html"):
        pages.append(Page("index.html", "index", partial(home_view, directory, records, card_of),
                          depends_on=ALL_PROFILES, inputs=inputs("home", whole)))
    for kind in KINDS:
        of_kind = directory.of_kind(kind)
        for url, chunk, place in paged(f"{kind}s/", of_kind, page_size):
            if not wanted(f"{url}index.html"):
                continue
            pages.append(Page(f"{url}index.html", "listing",
                              partial(listing_view, kind, chunk, place, card_of),
                              depends_on=frozenset(p.key for p in chunk),
                              inputs=inputs("listing", kind, place, shown(chunk))))
    if similar is None:
        similar = similar_keys(directory)
    by_key = {profile.key: profile for profile in directory.profiles}
    for profile in directory.profiles:
        if only is not None and f"{profile.url}index.html" not in only:
            continue
        related = directory.related[profile.key]
        pages.append(Page(f"{profile.url}index.html", "profile",
                          partial(profile_view, directory, profile, similar[profile.key],
                                  by_key, records[profile.key], card_of, text_links),
                          # Made only if asked for: 10,000 sets were a tenth of a rebuild's
                          # page list, and the fingerprint is made from the inputs.
                          depends_on=partial(profile_dependencies, profile, related,
                                             similar[profile.key]),
                          inputs=inputs("profile", shown([profile]),
                                        tuple(shown(related[kind]) for kind in KINDS),
                                        shown_keys(similar[profile.key]))))
    for facet_kind, facets in (("sectors", directory.sectors), ("cities", directory.cities)):
        singular, plural = FACET_TITLES[facet_kind]
        if wanted(f"{facet_kind}/index.html"):
            pages.append(Page(f"{facet_kind}/index.html", "facets",
                              {"title": plural, "facets": facets, "section": f"{facet_kind}/",
                               "section_current": "page"}, depends_on=ALL_PROFILES,
                              inputs=inputs("facets", facet_kind, whole)))
        for facet in facets:
            for url, chunk, place in paged(facet.url, facet.profiles, page_size):
                if not wanted(f"{url}index.html"):
                    continue
                pages.append(Page(f"{url}index.html", "facet",
                                  partial(facet_view, facet_kind, facet, chunk, place, card_of),
                                  depends_on=frozenset(p.key for p in chunk),
                                  inputs=inputs("facet", facet_kind, facet.slug, facet.name,
                                                place, shown(chunk))))
    # The 404 page is served for any missing path, at any depth: its links must be absolute.
    if wanted("404.html"):
        pages.append(Page("404.html", "404", {}, relative_urls=False, depends_on=frozenset(),
                          inputs=inputs("404")))
    return pages


def profile_dependencies(profile: Profile, related: dict[str, list[Profile]],
                         similar: tuple) -> frozenset:
    """The profiles a profile's page shows: itself, its related and its similar profiles."""
    return frozenset([profile.key]).union(
        p.key for kind in KINDS for p in related[kind]).union(similar)


# The view models of site_pages: each reads only what its page's inputs stand for.

def home_view(directory: Directory, records: dict, card_of) -> dict:
    # Newest first by the day each profile was added (provenance.py: its `added:` field, else
    # git); a file not committed yet has no date and counts as the newest.
    newest = sorted(directory.profiles,
                    key=lambda p: (-(records[p.key].added.timestamp() if records[p.key].added
                                     else 2**62), str(p.source)))
    return {
        "counts": [(KIND_LABELS[kind][1], f"{kind}s/", count)
                   for kind, count in directory.counts().items()],
        "latest": [card_of(p) for p in newest[:LATEST_COUNT]],
        "sector_count": len(directory.sectors), "city_count": len(directory.cities),
        "browse": [Browse(f"browse-{kind}", f"Browse by {FACET_TITLES[kind][0].lower()}",
                          largest_facets(facets, BROWSE_COUNT), f"{kind}/",
                          f"All {len(facets)} {FACET_TITLES[kind][1].lower()}")
                   for kind, facets in (("sectors", directory.sectors),
                                        ("cities", directory.cities)) if facets],
        "charts": home_charts(directory, FORMAT_LABELS),
    }


def listing_view(kind: str, chunk: list[Profile], place: Place, card_of) -> dict:
    first = place.number == 1  # the listing's own address, which the navigation links to
    return {"title": KIND_LABELS[kind][1], "section": f"{kind}s/",
            "section_current": "page" if first else "true",
            "cards": Deferred(chunk, card_of), "pager": place.pager()}


def profile_view(directory: Directory, profile: Profile, similar: tuple, by_key: dict,
                 record: ProfileRecord, card_of, texts: dict[str, Link]) -> dict:
    view = profile_page(directory, card_of(profile), texts)
    view.similar = [card_of(by_key[key]) for key in similar]
    view.provenance = record
    return {"page": view, "section": f"{profile.kind}s/"}


def facet_view(facet_kind: str, facet, chunk: list[Profile], place: Place, card_of) -> dict:
    singular, plural = FACET_TITLES[facet_kind]
    return {"title": facet.name, "facet_label": singular, "index_url": f"{facet_kind}/",
            "index_title": plural, "cards": Deferred(chunk, card_of), "pager": place.pager(),
            "section": f"{facet_kind}/"}


def stable_key(digests: dict, item) -> bytes | None:
    """A fragment's key across builds (fragments.Lasting): a card's is its profile's digest
    (everything a card shows is in it); so is a profile's, which listings and facet pages
    turn into its card only when its HTML is not kept (fragments.Deferred)."""
    kind = type(item)
    if kind is Card:
        return digests[item.profile.key]
    if kind is Profile:
        return digests[item.key]
    return None


PAGES_JOB = "DIRECTORY_PAGES_JOB"  # in the settings while pages render in the background
PAGES_PER_SHARE = 32  # pages taken at a time by each process


class BackgroundPages:
    """Pages written by two processes: a forked one from the first page on, this one from the
    last page back once its other work is done."""

    def __init__(self, pages: list[Page], write, stage, page_writer: PageWriter,
                 lasting: Lasting | None = None):
        self.pages, self.write, self.stage = pages, write, stage
        self.page_writer = page_writer
        self.lasting = lasting
        self.shares = Shares(len(pages))
        self.job = Job(self._from_the_front, "rendering the pages", yields=True)

    def _from_the_front(self) -> dict:
        """The forked process's work; what it rendered of the fragments kept across builds
        is handed back, so that the next build has them too."""
        if self.lasting is not None:
            self.lasting.fresh = {}
        while taken := self.shares.front(PAGES_PER_SHARE):
            for index in taken:
                self.write(self.pages[index])
        return self.lasting.fresh if self.lasting is not None else {}

    def render_while(self, going_on: Callable[[], bool]) -> None:
        """Pages from the back, a share at a time, while ``going_on()`` and pages are left."""
        try:
            while going_on() and (taken := self.shares.back(PAGES_PER_SHARE)):
                for index in taken:
                    self.write(self.pages[index])
                self.stage.advance(len(taken))
        except BaseException:
            self.job.cancel()
            raise

    def finish(self) -> None:
        self.render_while(lambda: True)
        fresh = self.job.result()
        if self.lasting is not None:
            self.lasting.kept.update(fresh)
        for page in self.pages:  # the other process's pages too: a second write must fail
            self.page_writer.register(page.save_as)


def render_pages_while(settings: dict, going_on: Callable[[], bool]) -> None:
    """While ``going_on()``, this process renders pages of the directory that the forked
    renderer has not taken yet, if there are any: called where this process would otherwise
    wait for another's result. A first build of 10,000 profiles waited that way for its search
    index for seconds, and then made its open data alone while the renderer had finished."""
    running = settings.get(PAGES_JOB)
    if running is not None:
        running.render_while(going_on)


def result_rendering_pages(settings: dict, job: Job):
    """``job.result()``, this process rendering pages until the result is in."""
    render_pages_while(settings, lambda: not job.ready())
    return job.result()


def wait_for_pages(settings: dict) -> None:
    """Return once every page of the directory is written (at once when they were written in
    this process). Raises if their rendering failed."""
    running = settings.pop(PAGES_JOB, None)
    if running is not None:
        running.finish()
        build_report(settings).close_stage(running.stage)


class DirectoryGenerator(Generator):
    """Reads content/ through the pipeline and writes every directory page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Templates do not change during a build: without this, Jinja stats every template a
        # page extends, imports or includes, on every page.
        self.env.auto_reload = False

    def generate_context(self) -> None:
        build = incremental_build(self.settings)
        if build:  # what the previous build rendered is not rendered again, by any generator
            remember(build.previous.markdown)
        directory, problems = read_directory(
            Path(self.path), build_report(self.settings),
            *((cached_loader(build), cached_relate(build)) if build else ()),
            loaded=self._render_descriptions_ahead)
        if problems:
            for problem in problems:
                print(problem, file=sys.stderr)
            raise BuildFailed(problems)
        self.directory = directory
        self.context["directory"] = directory
        # When each profile was added and changed, and where to edit it: the pages and the
        # open-data files (open_data.py) read the same records, from one pair of git calls.
        base = seo.site_base(self.settings)
        records = self.context["profile_records"] = profile_records(
            directory, Path(self.path), self.settings,
            lambda profile: f"{base}/{profile.url}" if base else None)
        # Per-profile digests (incremental builds): the pages' fingerprints, the open data's
        # rows and the search index's reuse are made from them.
        self.context["profile_digests"] = profile_digests(directory, records) if build else None

    def _render_descriptions_ahead(self, documents: list) -> None:
        """The descriptions' Markdown, begun on the second core while this process validates
        and relates the profiles (on one): what they need of a document is its text."""
        render_ahead(self.settings, (document.data["description"] for document in documents
                                     if isinstance(document.data, dict)
                                     and isinstance(document.data.get("description"), str)))

    def generate_output(self, writer) -> None:
        relative = self.settings.get("RELATIVE_URLS", False)
        build = incremental_build(self.settings)
        staging = Path(self.output_path)
        if build:
            build.fingerprints.share(Card, Profile)  # met on many pages: pickled once each
        render_all((profile.description for profile in self.directory.profiles), self.settings)
        records, digests = self.context["profile_records"], self.context["profile_digests"]
        similar = cached_similar(build, self.directory) if build else None
        structure = self.directory.structure if build else None
        # After an edit that leaves the structure as it was, only the pages that show an
        # edited profile are made; the others are the previous build's (layout.py).
        only = pages_to_make(build.previous.layout, structure, digests) if build else None
        size = page_size(self.settings)
        pages = site_pages(self.directory, records, digests, similar, only, size)
        report = build_report(self.settings)

        lasting = None
        if build:
            lasting = Lasting(build.previous.fragments, partial(stable_key, digests),
                              set(digests.values()))
            keep_across_builds(self.env, lasting)
            build.next.fragments = lasting.kept
        page_writer = PageWriter(writer, self.context, relative)

        def write(page: Page) -> None:
            page_writer.write(page.save_as, self.get_template(page.template),
                              page.relative_urls, page.variables)

        kept = []  # the pages not made: the previous build's files, linked as they are
        if only is not None:
            lost = set()
            for save_as in build.previous.layout.pages:
                if save_as not in only:
                    previous = build.previous.pages.get(save_as)
                    if previous and build.reuse(save_as, previous[0], self.output_path,
                                                later=True):
                        kept.append(save_as)
                    else:  # not kept by the previous build, or changed since
                        lost.add(save_as)
            if lost:
                pages += site_pages(self.directory, records, digests, similar, lost, size)
        stage = report.open_stage("render", len(pages) + len(kept), "pages")
        for save_as in kept:
            page_writer.register(save_as)  # linked, as good as written
        stage.advance(len(kept))
        unique = len({page.save_as for page in pages}) == len(pages)
        todo = []
        for page in pages:
            if (unique and build
                    and build.reuse(page.save_as, build.page_fingerprint(page),
                                    self.output_path, later=True)):
                page_writer.register(page.save_as)  # linked, as good as written
                stage.advance()
            else:
                todo.append(page)
        if build:
            build.links.start()  # on the other core, while this one renders the rest
        written, unchanged = len(todo), len(pages) + len(kept) - len(todo)
        stage.notes.update(written=written, unchanged=unchanged)
        report.counts.update(profiles=len(self.directory.profiles), written=written,
                             unchanged=unchanged)
        if unique and worth_forking(len(todo)):
            # Many pages: a second process starts on them while this one goes on to the
            # search index and the open data, which need none of them; then this one joins
            # in from the other end (wait_for_pages, before anything reads the pages back
            # or publishes them).
            self.settings[PAGES_JOB] = BackgroundPages(todo, write, stage, page_writer, lasting)
        else:  # few pages, or two at one path: then Pelican's error, from this process
            for page in todo:
                write(page)
                stage.advance()
            report.close_stage(stage)
        if build:
            build.next.markdown = {profile.description: rendered_text(profile.description)
                                   for profile in self.directory.profiles}
            # (after the pages' forked renderer has started, in a first build)
            build.next.layout = (
                layout_of(pages, structure, digests) if only is None
                else replace(build.previous.layout, digests=digests))
        home = next(page for page in pages if page.template == "index")
        write_charts(home.variables["charts"], staging)  # the charts the home page shows
        headers = HEADERS.format(policy=self.settings["CONTENT_SECURITY_POLICY"])
        (Path(self.output_path) / "_headers").write_text(headers, encoding="utf-8")


# For hosts that read a _headers file (Netlify, Cloudflare Pages); the pages also carry the
# policy in a <meta> element for hosts that cannot set headers, such as GitHub Pages.
HEADERS = """\
/*
  Content-Security-Policy: {policy}
  X-Content-Type-Options: nosniff
  Referrer-Policy: strict-origin-when-cross-origin
"""


def pages_written(pelican) -> None:
    """`finalized` signal, before the output is published: the pages are all there."""
    wait_for_pages(pelican.settings)
