"""Fragments: the pieces of HTML that many pages repeat byte for byte, rendered once.

A profile's card appears on its kind's listing and on each of its sector and city pages; the
same profile appears as a similar or related entry on up to dozens of other profile pages; a
sector's link on hundreds. Jinja evaluates every attribute lookup, escape and loop of such a
piece again on every page that shows it, and at 10,000 profiles that repetition was most of
the rendering time. A fragment is a small template (theme/templates/_*.html) rendered for one
value and one SITEURL (pages at the same depth share relative links) and then reused as
Markup. Templates call it as ``{{ fragment("_card.html", card, heading="h2") }}``; the
fragment template sees the value as ``item``, the page's SITEURL, the options and the
few settings in SETTINGS, which do not change during a build (all of them would be copied
into every fragment's context: a cost as large as the fragment).

Nothing in a fragment may depend on the page beyond SITEURL and the options given, which is
why the function takes nothing else from the page's context. Values are told apart by
identity (a card, a profile: made once per build and kept alive by the memo), text and None
by value.
"""

from __future__ import annotations

from jinja2 import Environment, pass_context
from markupsafe import Markup

SETTINGS = ("NAV_ITEMS", "SITENAME")


def install(environment: Environment, settings: dict) -> None:
    """Make ``fragment`` available to every template of ``environment``."""
    memo: dict[tuple, tuple[object, Markup]] = {}
    constants = {name: settings[name] for name in SETTINGS if name in settings}

    @pass_context
    def fragment(context, name: str, item, **options) -> Markup:
        siteurl = context.get("SITEURL", "")
        identity = item if item is None or isinstance(item, str) else id(item)
        key = (name, identity, siteurl, *sorted(options.items()))
        found = memo.get(key)
        if found is None:
            html = Markup(environment.get_template(name).render(
                constants, **options, item=item, SITEURL=siteurl))
            # The value is kept with its HTML so that its id cannot be reused by another.
            found = memo[key] = (item, html)
        return found[1]

    environment.globals["fragment"] = fragment


def for_generator(generator) -> None:
    """Pelican's generator_init signal: every generator's templates share the base layout."""
    install(generator.env, generator.settings)
