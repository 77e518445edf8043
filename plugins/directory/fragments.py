"""Fragments: the pieces of HTML that many pages repeat byte for byte, rendered once.

A profile's card appears on its kind's listing and on each of its sector and city pages; the
same profile appears as a similar or related entry on up to dozens of other profile pages; a
sector's link on hundreds. Jinja evaluates every attribute lookup, escape and loop of such a
piece again on every page that shows it, and at 10,000 profiles that repetition was most of
the rendering time. A fragment is a small template (theme/templates/_*.html) rendered once for
one value and then reused as Markup. Templates call it as
``{{ fragment("_card.html", card, heading="h2") }}``; the fragment template sees the value as
``item``, the options, the few settings in SETTINGS, which do not change during a build (all
of them would be copied into every fragment's context: a cost as large as the fragment), and
SITEURL.

Links are relative, so the same card reads ``../startups/x/`` on a listing, ``../../`` on a
sector's page and ``../../../`` on a later page of either. A fragment is therefore rendered with
SITEURL_MARK as its SITEURL and each page's SITEURL is put in place of the mark after: one
rendering per value instead of one per value and depth (26,000 cards were rendered for 10,000
profiles). A fragment template may only print SITEURL (``{{ SITEURL }}``), never test or
transform it; tests/test_fragments.py holds the theme's fragments to that.

Nothing in a fragment may depend on the page beyond SITEURL and the options given, which is
why the function takes nothing else from the page's context. Values are told apart by
identity (a card, a profile: made once per build and kept alive by the memo), text and None
by value.

An incremental build also keeps fragments from one build to the next (``Lasting``), for the
values that have a *stable key*: a card's is its profile's digest (digests.py: everything a
card shows is in it). After one edit, a page of a listing or a large city (paging.py: up
to 100 cards) is then look-ups instead of renders; when a listing was one page of 7,000
cards, that was a sixth of the rebuild. The templates'
code and the settings are in the cache's salt, so a kept fragment is never stale.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, Template, pass_context
from markupsafe import Markup, escape

SETTINGS = ("NAV_ITEMS", "SITENAME")

# Where a fragment prints SITEURL. Markup, so it is printed as it is; and no text a fragment
# prints can hold it, since every text is escaped and this holds a '<' (only the templates' own
# markup, which never holds it, reaches the HTML unescaped).
SITEURL_MARK = Markup("\x00<siteurl>\x00")


class Lasting:
    """Fragments from the previous build and those of this one, by stable key: (fragment
    name, the value's stable key, options), as rendered with SITEURL_MARK. ``stable_key(item)``
    is None for a value that has none (it is rendered in every build)."""

    def __init__(self, previous: dict[tuple, str], stable_key, live: set):
        # What this build keeps for the next: the previous build's fragments of values that
        # still exist (``live`` stable keys), and those rendered now. The others are taken
        # out of ``previous`` itself, which is this build's own copy: a new dict of the
        # 30,000 kept would touch every kept fragment's HTML, and in a process that has
        # forked its helpers already each page of memory touched is copied.
        for key in [key for key in previous if key[1] not in live]:
            del previous[key]
        self.kept = previous
        self.fresh: dict[tuple, str] = {}  # rendered by this process (a forked one hands them back)
        self.stable_key = stable_key

    def record(self, key: tuple, html: str) -> None:
        self.kept[key] = self.fresh[key] = html

    def key(self, name: str, item, options: tuple) -> tuple | None:
        stable = self.stable_key(item)
        return None if stable is None else (name, stable, options)


class Deferred(Sequence):
    """A list of values made only when asked for: ``make(source)`` for each of ``sources``.
    ``fragments`` renders one without making the values whose HTML is kept from the previous
    build (Lasting: the stable key of a source must be the stable key of what it makes). A
    rebuild's page of a listing then makes no card but the edited one; the cards were a
    third of its rendering. A template may still read it as a list (its length, its items)."""

    def __init__(self, sources: list, make):
        self.sources, self.make = sources, make

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.make(source) for source in self.sources[index]]
        return self.make(self.sources[index])

    def __reduce__(self):
        """Pickled (a view model's fingerprint, incremental.py) as the list it stands for."""
        return list, (list(self),)


def install(environment: Environment, settings: dict) -> None:
    """Make ``fragment`` and ``fragments`` available to every template of ``environment``."""
    # (name, identity, made?, options) -> [the value (kept alive so that its id is not reused),
    # its HTML with SITEURL_MARK]
    shapes: dict[tuple, list] = {}
    # the same key with a SITEURL -> [the value, its HTML with that SITEURL, as Markup once
    # asked for: a Markup per card of a listing cost more than finding the card's HTML]
    memo: dict[tuple, list] = {}
    constants = {name: settings[name] for name in SETTINGS if name in settings}

    def shape_of(name: str, item, identity, options: tuple, make=None) -> str:
        """The HTML of the fragment ``name`` of ``item`` (or of ``make(item)``), with
        SITEURL_MARK for its SITEURL."""
        key = (name, identity, make is not None, options)
        found = shapes.get(key)
        if found is None:
            lasting: Lasting | None = fragment.lasting
            stable = lasting.key(name, item, options) if lasting else None
            html = lasting.kept.get(stable) if stable is not None else None
            if html is None:
                html = render(environment.get_template(name),
                              {**environment.globals, **constants, **dict(options),
                               "item": make(item) if make is not None else item,
                               "SITEURL": SITEURL_MARK})
                if stable is not None:
                    lasting.record(stable, html)
            found = shapes[key] = [item, html]
        return found[1]

    def entry_of(name: str, item, siteurl: str, options: tuple, make=None) -> list:
        """The memo's entry for the fragment ``name`` of ``item``, or with ``make``, of
        ``make(item)``, on a page whose SITEURL is ``siteurl``."""
        identity = item if item is None or isinstance(item, str) else id(item)
        key = (name, identity, siteurl, make is not None, options)
        found = memo.get(key)
        if found is None:
            html = shape_of(name, item, identity, options, make).replace(SITEURL_MARK,
                                                                         escape(siteurl))
            found = memo[key] = [item, html, None]
        return found

    @pass_context
    def fragment(context, name: str, item, **options) -> Markup:
        entry = entry_of(name, item, context.get("SITEURL", ""), tuple(sorted(options.items())))
        if entry[2] is None:
            entry[2] = Markup(entry[1])
        return entry[2]

    @pass_context
    def fragments(context, name: str, items, **options) -> Markup:
        """``fragment`` for each item, each followed by a newline, as one Markup: what a
        template's loop of ``{{ fragment(...) }}`` lines writes. Jinja makes a copy of every
        Markup it prints; a list printed card by card made one per card."""
        siteurl, options = context.get("SITEURL", ""), tuple(sorted(options.items()))
        if isinstance(items, Deferred):
            pieces = [entry_of(name, source, siteurl, options, items.make)[1]
                      for source in items.sources]
        else:
            pieces = [entry_of(name, item, siteurl, options)[1] for item in items]
        return Markup("\n".join(pieces) + "\n" if pieces else "")

    fragment.lasting = None
    environment.globals["fragment"] = fragment
    environment.globals["fragments"] = fragments


def render(template: Template, variables: dict) -> str:
    """template.render(variables), for ``variables`` that hold the environment's globals
    already (``{**environment.globals, ...}``), without Jinja's copies: its render copies the
    variables and the globals into a new dict, and iterates the globals twice, on every call;
    for a fragment as small as a link (80,000 of them in a build of 10,000 profiles) that was
    half its cost, for a page a second copy of Pelican's whole context. ``shared`` is Jinja's
    documented way to pass the variables as they are."""
    environment = template.environment
    context = template.new_context(variables, shared=True)
    try:
        return environment.concat(template.root_render_func(context))
    except Exception:
        environment.handle_exception()


def keep_across_builds(environment: Environment, lasting: Lasting) -> None:
    """From now on, ``environment``'s fragments with a stable key come from, and go to,
    ``lasting``."""
    environment.globals["fragment"].lasting = lasting


def for_generator(generator) -> None:
    """Pelican's generator_init signal: every generator's templates share the base layout."""
    install(generator.env, generator.settings)
