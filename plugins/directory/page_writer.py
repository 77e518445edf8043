"""Writing the directory's pages: Pelican's Writer.write_file, without what a page of ours
never needs.

For every page Pelican's writer copies the whole context, asks for the page's folder with
os.makedirs (a stat per parent), writes through a text wrapper and logs; at 10,000 profile
pages that was an eighth of the build. This writer renders the same template with the same
variables (SITEURL made relative exactly as Pelican makes it, ``output_file``,
``localsiteurl``), creates only the folder that is missing, writes the encoded bytes in one
call, registers the path with Pelican's writer (so that a second write to it, by any
generator, still fails) and sends Pelican's content_written signal, as the writer does.
"""

from __future__ import annotations

import os

from pelican import signals
from pelican.utils import get_relative_path, path_to_url
from pelican.writers import FileOverwriteFailedError

from .fragments import render
from .linking import make_folder


class PageWriter:
    def __init__(self, writer, context: dict, relative_urls: bool):
        self.writer = writer  # Pelican's: it keeps the set of written files
        self.context = context
        self.relative_urls = relative_urls
        self.output = writer.output_path
        self._base = os.path.abspath(self.output)
        self._folders: set[str] = set()

    def path_of(self, save_as: str) -> str:
        """pelican.utils.sanitised_join(output, save_as), which refuses a path outside the
        output: the path Pelican's writer knows a file by. Its two abspath calls per page
        (10,000 pages registered by every rebuild) cost more than the check; with the
        output's absolute path made once, one normpath gives the same string."""
        joined = os.path.normpath(os.path.join(self._base, save_as))
        if not joined.startswith(self._base):
            raise RuntimeError(f"Attempted to break out of output directory to {joined}")
        return joined

    def register(self, save_as: str) -> None:
        """Known to Pelican's writer as written: a second write to this path, by any
        generator, fails instead of writing through a link into the previous output."""
        self.writer._written_files.add(self.path_of(save_as))

    def write(self, save_as: str, template, relative_urls: bool, variables: dict) -> None:
        local = {**template.environment.globals, **self.context}  # fragments.render
        local["localsiteurl"] = local.get("localsiteurl")
        if self.relative_urls and relative_urls:
            local["SITEURL"] = local["localsiteurl"] = path_to_url(get_relative_path(save_as))
        local["output_file"] = save_as
        local.update(variables)
        data = render(template, local).encode("utf-8")
        path = self.path_of(save_as)
        if path in self.writer._written_files:
            raise FileOverwriteFailedError(f'Failed to overwrite "{path}" as Pelican has '
                                           f'already written to it previously')
        make_folder(os.path.dirname(path), self._folders)
        file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(file, view):]
        finally:
            os.close(file)
        self.writer._written_files.add(path)
        signals.content_written.send(path, context=local)
