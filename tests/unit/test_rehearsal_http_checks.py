"""What the rehearsal's static file check demands: WhiteNoise's own rules."""

from __future__ import annotations

from simple_deploy.rehearsal import http_checks

CACHED = "max-age=315360000, public, immutable"


def test_a_png_is_not_expected_compressed():
    # WhiteNoise skips already-compressed formats (its SKIP_COMPRESS_EXTENSIONS).
    assert not http_checks.compressible("lang-logo.png")
    assert not http_checks.compressible("fonts/Inter.WOFF2")
    problems = http_checks.static_problems(200, "", CACHED, http_checks.compressible("a.png"))
    assert problems == []


def test_a_stylesheet_is_still_expected_compressed():
    assert http_checks.compressible("css/site.css")
    assert http_checks.compressible("favicon.ico")
    problems = http_checks.static_problems(200, "", CACHED, http_checks.compressible("a.css"))
    assert problems == ["not compressed: expected Content-Encoding gzip or br"]


def test_a_compressible_file_is_picked_before_an_image():
    manifest = {"lang-logo.png": "lang-logo.1.png", "robots.txt": "robots.2.txt"}
    assert http_checks.pick_static(manifest) == ("robots.txt", "robots.2.txt")
    assert http_checks.pick_static({"a.png": "a.3.png"}) == ("a.png", "a.3.png")
