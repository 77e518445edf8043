"""Settings for building the directory locally: `invoke build` or
`pelican content -s pelicanconf.py -o output`."""

from pathlib import Path

HERE = Path(__file__).resolve().parent

SITENAME = "Civic Innovation Directory"
SITE_DESCRIPTION = ("Startups, programs and mentors that bring city government and new "
                    "technology together, from the LA Cleantech Incubator to San Francisco's "
                    "Startup in Residence.")
SITEURL = ""
RELATIVE_URLS = True  # every link relative: the site works from any sub-path, even file://
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PATH = "content"
THEME = str(HERE / "theme")
PLUGIN_PATHS = [str(HERE / "plugins")]
PLUGINS = ["directory"]

NAV_ITEMS = [("startups/", "Startups"), ("programs/", "Programs"), ("mentors/", "Mentors"),
             ("sectors/", "Sectors"), ("cities/", "Cities")]

# Profiles are YAML read by our own generator; Pelican's readers must not see any content.
ARTICLE_PATHS = []
PAGE_PATHS = []
STATIC_PATHS = ["images"]
DIRECT_TEMPLATES = []
# Pelican's blog machinery is off: no feeds, archives, authors, categories or tags.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
AUTHOR_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
TAGS_SAVE_AS = ""
INDEX_SAVE_AS = ""
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Pelican leaves autoescaping off; every field a contributor writes must be escaped.
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True,
                     "extensions": []}

# The site loads nothing from elsewhere and runs no inline code. Pages carry the policy in a
# <meta> element; plugins/directory/pages.py also writes it to output/_headers.
# frame-ancestors is left out of the <meta> copy: browsers ignore it there.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                           "frame-ancestors 'none'")
CONTENT_SECURITY_POLICY_META = CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", "")

# Open data (plugins/directory/open_data.py): the licence of /directory.json and
# /directory.csv, shown on /about/data/.
DATA_LICENSE_NAME = "CC BY 4.0"
DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
# Where profile files live, for each profile's "Edit this profile" and "Report a correction"
# links; leave REPO_URL empty to hide both.
REPO_URL = "https://github.com/example/civic-directory"
REPO_BRANCH = "main"
# How many of the newest profiles /feeds/new.atom.xml lists.
NEW_PROFILES_FEED_LIMIT = 50
