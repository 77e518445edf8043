"""The civic innovation directory as a Pelican plugin.

Data flows one way: YAML files -> loaded documents (loading) -> validated profiles
(validation) -> the directory graph (relations) -> pages (pages) and the search index
(search). This module only wires those stages to Pelican's signals.
"""

from pelican import signals

from . import fragments, reporting, staging
from .open_data import OpenDataGenerator
from .pages import DirectoryGenerator, pages_written
from .search.index import SearchIndexGenerator


def get_generators(pelican):
    # OpenDataGenerator stays last: its sitemap lists the pages the others wrote.
    return [DirectoryGenerator, SearchIndexGenerator, OpenDataGenerator]


def register():
    signals.initialized.connect(staging.redirect_output)
    signals.initialized.connect(reporting.start)  # after: it needs the final output folder
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(fragments.for_generator)  # {{ fragment(...) }} in templates
    signals.generator_init.connect(reporting.compile_templates_once)
    signals.finalized.connect(pages_written)  # first: pages may render in the background
    signals.finalized.connect(reporting.settle)  # and pages may be linked in the background
    signals.finalized.connect(staging.publish_output)
    signals.finalized.connect(reporting.finish)  # after: it records the published files
