"""The Jupyter-server side of ``itp serve`` (and of what ``itp publish`` writes): Voila as the toolkit runs
it.

- ``frames``: every websocket frame a browser sends a kernel is checked before jupyter_server parses it, and
  the frames sent back are read within their own bounds (one crafted frame froze the whole server).
- ``connection``: the kernel websocket connection class that applies those checks.
- ``kernels``: a kernel manager with a cap on live kernels (per server and per client address) and short
  culling for pages whose websocket never connected.
- ``hosts``: only the address served is answered (DNS rebinding), and websocket Origins must match it.
- ``app``: Voila with all of the above, and a per-run token for workspaces that are not demos.
- ``process``: ``itp serve`` stops Voila and every kernel it started when it is told to stop.

It sits at the top layer, beside the CLI: it imports Voila and jupyter_server, nothing of the toolkit below
it.
"""

TOKEN_VAR = "ITP_SERVE_TOKEN"
"""Environment variable that hands the per-run token to the server (kept off its command line, where ``ps``
would show it); the server removes it from its environment so kernels do not inherit it."""
