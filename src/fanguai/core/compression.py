"""Compressed pages: HTML, JSON, CSV and the other text answers of the views go out gzip-encoded.

Django's ``GZipMiddleware`` compresses whatever passes through it; this subclass leaves binary answers alone
(Excel and PDF files, images, private uploads are compressed already or gain nothing, and a ranged download
must keep its byte offsets). Static files never reach it: WhiteNoise, which sits above it in ``MIDDLEWARE``,
answers them with the ``.gz`` and ``.br`` files that ``CompressedManifestStaticFilesStorage`` wrote at
``collectstatic`` time.

BREACH: a compressed page that holds a secret and reflects text an attacker chose lets a network observer guess
the secret from the sizes. The risk is small here and accepted: the CSRF token is masked afresh on every
response, Django adds random bytes to each gzip header (its "Heal The Breach" mitigation), the session and CSRF
cookies are ``SameSite=Lax`` so a foreign site cannot make a signed-in browser fetch the many pages such an
attack needs, and the platform runs over TLS on a government intranet. The docs of the project say more."""

from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/cap+xml",
    "application/javascript",
    "application/problem+json",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith(TEXT_TYPES):
            return response
        return super().process_response(request, response)
