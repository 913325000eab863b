"""JupyterHub sign-in for a standalone Voila run as a hub service (the projector board).

JupyterHub's own identity provider for Jupyter servers works for standalone Voila too, but Voila mounts an
identity provider's handlers at the server's root, not under its base URL: the hub's OAuth callback
(``/services/<name>/oauth_callback``) would then reach the notebook instead. This mounts them under
``$JUPYTERHUB_SERVICE_PREFIX``, where the hub sends the browser back.
"""

from __future__ import annotations

import os

from jupyter_server.utils import url_path_join
from jupyterhub.singleuser.extension import JupyterHubIdentityProvider


class ServiceIdentityProvider(JupyterHubIdentityProvider):
    def get_handlers(self):  # type: ignore[no-untyped-def]
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
        return [(url_path_join(prefix, path), *rest) for path, *rest in super().get_handlers()]
