"""Search index generator (placeholder until the index lands)."""

from pelican.generators import Generator


class SearchIndexGenerator(Generator):
    def generate_output(self, writer) -> None:
        writer.write_file("search/index.html", self.get_template("search"), self.context,
                          relative_urls=self.settings.get("RELATIVE_URLS", False))
