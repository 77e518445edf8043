"""Settings for publishing: the local settings with absolute URLs under SITEURL.

Set SITEURL to where the site is served, including any sub-path, e.g.
SITEURL=https://example.github.io/civic-directory invoke build --settings publishconf.py
"""

import os
import sys

# Beside this file, not the current folder: `invoke publish` may run from another checkout.
sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
RELATIVE_URLS = False

# A custom domain for `invoke publish`: written to the branch as its CNAME file (GitHub Pages
# reads it there). Empty: no CNAME file. The Actions deployment sets the domain in the
# repository's Pages settings instead.
CNAME = os.environ.get("CNAME", "")
