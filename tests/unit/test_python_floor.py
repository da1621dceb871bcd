"""The floor `requires-python` needs for the exact pins installed here to lock."""

from importlib import metadata

from packaging.specifiers import SpecifierSet

from simple_deploy.package_managers.python_floor import raised_floor

DJANGO = metadata.version("django")
NEEDS = SpecifierSet(metadata.metadata("django")["Requires-Python"])
LOWEST = next(m for m in range(6, 20) if NEEDS.contains(f"3.{m}.0"))


def test_a_range_below_an_installed_pins_needs_is_raised_to_its_floor():
    floor = raised_floor(">=3.5", [f"Django=={DJANGO}", "tomlkit"])
    assert floor is not None
    assert floor.specifier == f">=3.{LOWEST}"
    assert floor.reasons == (f"Django {DJANGO} needs Python {NEEDS}",)


def test_upper_bounds_the_user_wrote_are_kept():
    floor = raised_floor(">=3.5,<4", [f"django=={DJANGO}"])
    assert floor is not None and floor.specifier == f">=3.{LOWEST},<4"


def test_a_range_the_pins_suit_or_a_loose_pin_asks_for_nothing():
    assert raised_floor(f">=3.{LOWEST}", [f"Django=={DJANGO}"]) is None
    # uv may pick an older release for a range: only exact pins are certain.
    assert raised_floor(">=3.5", [f"Django>={DJANGO}"]) is None
    # A pin at a version not installed here says nothing about its metadata.
    assert raised_floor(">=3.5", ["Django==1.0"]) is None
    assert raised_floor("not a specifier", [f"Django=={DJANGO}"]) is None
