"""Typed Zendesk Support client: models, errors, retries, pagination, bearer auth, OAuth.

Import from the modules (``client``, ``models``, ``auth``, ``oauth``, ``urls``, ...): this package
re-exports nothing, so a function that only reads Zendesk models or builds an account URL does not
load the HTTP client and httpx (cold start, issue 16).
"""
