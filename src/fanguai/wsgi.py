import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanguai.settings")
os.umask(0o077)  # uploads, the SQLite journal and anything else the web processes write stay owner-only
application = get_wsgi_application()
