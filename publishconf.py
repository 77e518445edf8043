"""Settings for publishing: the local settings with absolute URLs under SITEURL.

Set SITEURL to where the site is served, including any sub-path, e.g.
SITEURL=https://example.github.io/civic-directory invoke build --settings publishconf.py
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
RELATIVE_URLS = False
