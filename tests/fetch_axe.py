"""Fetch axe-core from the npm registry, pinned and verified, for the accessibility tests.

Downloads the axe-core tarball of the pinned version from registry.npmjs.org, checks it
against the registry's sha512 integrity value pinned below, and keeps package/axe.min.js
in .cache/axe-core-<version>/ (ignored by git). Python only: no Node or npm needed.

    python tests/fetch_axe.py      # prints the path of axe.min.js, fetching it if missing

To upgrade: pick the version from https://registry.npmjs.org/axe-core (dist-tags, then
versions[v].dist.integrity) and change VERSION and INTEGRITY together.
"""

import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
MEMBER = "package/axe.min.js"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / f"axe-core-{VERSION}"
AXE = CACHE / "axe.min.js"
MAX_BYTES = 50 * 1024 * 1024  # the 4.x tarballs are about 1.5 MB


class AxeFetchError(RuntimeError):
    pass


def verify(data: bytes, integrity: str = INTEGRITY) -> None:
    """Raise unless data matches an npm "sha512-<base64>" integrity string."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise AxeFetchError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise AxeFetchError(
            f"{URL} does not match the pinned integrity: got sha512-{actual}, want {integrity}"
        )


def extract(data: bytes) -> bytes:
    """axe.min.js from the tarball, read in memory (nothing from the archive touches the disk)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.getmember(MEMBER)
        source = archive.extractfile(member)
        if source is None:
            raise AxeFetchError(f"{MEMBER} in {URL} is not a regular file")
        script = source.read()
    if f"axe v{VERSION}".encode() not in script[:200]:
        raise AxeFetchError(f"{MEMBER} in {URL} does not announce axe v{VERSION}")
    return script


def download(url: str = URL, timeout: float = 60) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except OSError as error:  # URLError, HTTPError, timeouts
        raise AxeFetchError(
            f"could not download axe-core {VERSION} from {url}: {error}. The accessibility tests need it "
            f"once; with no network, put the package's axe.min.js at {AXE}."
        ) from error
    if len(data) > MAX_BYTES:
        raise AxeFetchError(f"{url} is larger than {MAX_BYTES} bytes")
    return data


def ensure() -> Path:
    """The path of axe.min.js, downloaded, verified and cached on first use.

    Safe when several pytest-xdist workers race: each writes its own temporary file and
    renames it into place atomically, so a reader never sees a partial file.
    """
    if AXE.is_file():
        return AXE
    data = download()
    verify(data)
    script = extract(data)
    CACHE.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=CACHE, prefix=".axe.min.js.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(script)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a public script
        os.replace(tmp, AXE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return AXE


if __name__ == "__main__":
    try:
        print(ensure())
    except AxeFetchError as error:
        sys.exit(f"fetch_axe: {error}")
