"""Where the accessibility tests find axe-core: the npm registry's release, pinned and verified.

tests/fetch_axe.py downloads axe-core's tarball from registry.npmjs.org once, checks
its pinned sha512 integrity and keeps axe.min.js in .cache/ (ignored by git); later
runs use the cached file. Only Python is needed, no Node or npm. Importing this module
makes sure the file is there, and fails with AxeFetchError (saying what to do) if it
cannot be downloaded.
"""

from tests.fetch_axe import VERSION, AxeFetchError, ensure

__all__ = ["AXE", "VERSION", "AxeFetchError"]

AXE = ensure()
