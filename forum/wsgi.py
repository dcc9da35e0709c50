import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
application = get_wsgi_application()

# What start-up built (Django, the URLconf, templates, libraries) lives as long as the
# process: keep it out of the garbage collector's full passes, which otherwise walk it
# every few hundred requests (a full pass took ~60 ms in bench/profile_page.py).
gc.freeze()
