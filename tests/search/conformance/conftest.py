"""Wagtail's search-backend suite, run against the project's backends.

django-modelsearch's tests import its concrete models from modelsearch.models,
a module of the stand-alone `modelsearch` app; in a Wagtail project the same
models are wagtail.search's (the app Wagtail installs in its place), so that
module name is made to point there before the suite is imported.
"""

import sys

from wagtail.search import models as wagtail_search_models

sys.modules.setdefault("modelsearch.models", wagtail_search_models)
