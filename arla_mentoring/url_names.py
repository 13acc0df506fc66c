"""The named URLs of the site, read from the resolver: what the authorization matrix and
the bench must each give a row (or a reason), so that no new page escapes either."""

from django.urls import URLPattern, URLResolver, get_resolver


def site_url_names() -> set[str]:
    """Every URL name, namespaced ("pairs:pair-detail"), the admin's included."""

    def walk(resolver, namespace=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield namespace + p.name

    return set(walk(get_resolver()))
