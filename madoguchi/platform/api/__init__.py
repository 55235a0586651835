"""Helpers every app's router uses: the one error shape (errors.py), shared query parameters
and paging (params.py), and authentication by session or institution token (auth.py). The
project's API itself, which mounts the routers, is madoguchi/api/."""
