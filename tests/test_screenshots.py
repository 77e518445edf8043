"""`invoke screenshots`: the README's pictures, shot from a built site in headless Chromium."""

from __future__ import annotations

import struct

from directory.screenshots import SHOTS, VIEWPORT, take_screenshots  # noqa: E402


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_screenshots_of_home_profile_and_search(browser, sample_site, tmp_path):
    written = take_screenshots(sample_site.output, tmp_path / "docs", browser)
    assert [path.name for path in written] == [name for name, _, _ in SHOTS] == [
        "screenshot-home.png", "screenshot-profile.png", "screenshot-search.png"]
    sizes = {path.name: path.stat().st_size for path in written}
    for path in written:
        data = path.read_bytes()
        assert png_size(data) == (VIEWPORT["width"], VIEWPORT["height"])
        assert 20_000 < len(data) < 400_000, sizes  # a real page, not a blank one; still small
    # Three different pages, not the same one thrice.
    assert len({path.read_bytes() for path in written}) == 3
